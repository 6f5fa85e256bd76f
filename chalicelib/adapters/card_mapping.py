"""Cards-table items to and from the domain's Card, CardEvent and Comment, every field kept."""

from __future__ import annotations

from chalicelib.adapters.card_items import (
    CardEventItem,
    CardItem,
    CommentItem,
    card_pk,
    seq_sk,
)
from chalicelib.domain.cards import Card, CardEvent, Comment, EventKind

CARD_SK = "CARD"


def card_from_item(item: CardItem) -> Card:
    """The card an item holds."""
    return Card(
        card_id=item.card_id,
        board_id=item.board_id,
        number=int(item.number),
        title=item.title,
        description=item.description,
        requester=item.requester,
        card_type=item.card_type,
        service=item.service,
        priority=item.priority,
        tags=[str(tag) for tag in item.tags or []],
        column_id=item.column_id,
        lane_id=item.lane_id,
        assignee=item.assignee,
        slas=list(item.slas or []),
        channel=item.channel,
        attachments=list(item.attachments or []),
        status_token_hash=item.status_token_hash,
        created_at=item.created_at,
        updated_at=item.updated_at,
        last_seq=int(item.last_seq),
        version=int(item.version or 0),
    )


def card_item(card: Card) -> CardItem:
    """The item that stores a card; a card never stored (version 0) has no version yet."""
    item = CardItem(
        card_pk(card.card_id),
        CARD_SK,
        card_id=card.card_id,
        board_id=card.board_id,
        number=card.number,
        title=card.title,
        description=card.description,
        requester=None if card.requester is None else dict(card.requester),
        card_type=card.card_type,
        service=card.service,
        priority=card.priority,
        tags=list(card.tags),
        column_id=card.column_id,
        lane_id=card.lane_id,
        assignee=card.assignee,
        slas=[dict(pin) for pin in card.slas],
        channel=card.channel,
        attachments=[dict(file) for file in card.attachments],
        status_token_hash=card.status_token_hash,
        created_at=card.created_at,
        updated_at=card.updated_at,
        last_seq=card.last_seq,
    )
    if card.version:
        item.version = card.version
    return item


def event_from_item(item: CardEventItem) -> CardEvent:
    """The history entry an event item holds."""
    return CardEvent(seq=int(item.seq), at=item.at, kind=EventKind(item.kind), data=item.data)


def event_item(event: CardEvent, card_id: str) -> CardEventItem:
    """The item that stores one history entry of a card."""
    return CardEventItem(
        card_pk(card_id),
        seq_sk("EVENT", event.seq),
        card_id=card_id,
        seq=event.seq,
        kind=event.kind.value,
        at=event.at,
        data=dict(event.data),
    )


def comment_from_item(item: CommentItem) -> Comment:
    """The comment an item holds."""
    return Comment(
        card_id=item.card_id,
        seq=int(item.seq),
        body=item.body,
        public=item.public,
        author=item.author,
        author_role=item.author_role,
        at=item.at,
    )


def comment_item(comment: Comment) -> CommentItem:
    """The item that stores a comment's text."""
    return CommentItem(
        card_pk(comment.card_id),
        seq_sk("COMMENT", comment.seq),
        card_id=comment.card_id,
        seq=comment.seq,
        body=comment.body,
        public=comment.public,
        author=comment.author,
        author_role=comment.author_role,
        at=comment.at,
    )
