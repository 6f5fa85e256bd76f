"""Item types of the cards table: cards, their events, comments and status tokens.

All items of one card share the partition ``CARD#<card id>`` so that a card
write (card item + the event it adds) is one transaction on one partition and
the whole history is one query.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.adapters.table_base import CardsTable


def card_pk(card_id: str) -> str:
    """The partition of everything that belongs to one card."""
    return f"CARD#{card_id}"


def seq_sk(prefix: str, seq: int) -> str:
    """A range key that sorts by sequence number (zero-padded)."""
    return f"{prefix}#{seq:010d}"


class CardsByBoard(GlobalSecondaryIndex["CardItem"]):
    """Cards of a board in creation order: hash ``board_id``, range ``number``.

    Sparse: only card items carry ``board_id``, so events never appear here.
    """

    class Meta:
        index_name = "cards_by_board"
        projection = AllProjection()

    board_id = UnicodeAttribute(hash_key=True)
    number = NumberAttribute(range_key=True)


class CardItem(CardsTable):
    """A card's current state. Key: pk ``CARD#<card id>``, sk ``CARD``.

    ``version`` guards every write (optimistic locking); ``last_seq`` is the
    sequence number of the card's newest event. ``channel`` says where the
    request came from (``form``, ``email``; none for the API); ``attachments``
    lists the files that came with it and with the requester's replies.
    """

    card_id = UnicodeAttribute()
    board_id = UnicodeAttribute()
    number = NumberAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    requester = JSONAttribute(null=True)
    card_type = UnicodeAttribute(null=True)
    service = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    column_id = UnicodeAttribute()
    lane_id = UnicodeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    slas = JSONAttribute(default=list)
    channel = UnicodeAttribute(null=True)
    attachments = JSONAttribute(default=list)
    status_token_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    last_seq = NumberAttribute()
    version = VersionAttribute()

    by_board = CardsByBoard()


class CardEventItem(CardsTable):
    """One entry of a card's history. Key: pk ``CARD#<card id>``, sk ``EVENT#<seq:010d>``.

    Append-only: written once, with the card update that causes it, and never changed.
    """

    card_id = UnicodeAttribute()
    seq = NumberAttribute()
    kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    data = JSONAttribute(default=dict)


class CommentItem(CardsTable):
    """A comment's text. Key: pk ``CARD#<card id>``, sk ``COMMENT#<seq:010d>``.

    ``seq`` is the ``commented`` event written in the same transaction.
    """

    card_id = UnicodeAttribute()
    seq = NumberAttribute()
    body = UnicodeAttribute()
    public = BooleanAttribute()
    author = UnicodeAttribute(null=True)
    author_role = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class StatusTokenItem(CardsTable):
    """Finds a card from its status-page token. Key: pk ``STATUS#<sha256 of token>``, sk ``STATUS``.

    Only the hash is stored: the token itself is shown once, in ``status_url``.
    """

    card_id = UnicodeAttribute()
