"""Cards and their histories in the cards table: the DynamoDB card store.

Every card write is one transaction on the card's partition: the card item,
guarded by its ``version`` (optimistic locking), and the event items it adds,
each written only if its sequence number is still free. A lost race raises
WriteConflictError and writes nothing. Items are mapped to and from the domain's
``Card``, ``CardEvent`` and ``Comment`` here (``chalicelib.adapters.card_mapping``).
"""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.card_items import (
    CardEventItem,
    CardItem,
    CommentItem,
    StatusTokenItem,
    card_pk,
)
from chalicelib.adapters.card_mapping import (
    CARD_SK,
    card_from_item,
    card_item,
    comment_from_item,
    comment_item,
    event_from_item,
    event_item,
)
from chalicelib.adapters.config_items import CounterItem
from chalicelib.adapters.paging import decode_cursor, read_mapped_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import CardsTable, bind_tables
from chalicelib.domain.cards import Card, CardEvent, Claim, Comment
from chalicelib.ports.cards import Claims, Comments, Cursor, Events, Filters, Keep, Page
from chalicelib.ports.errors import ClaimTakenError

__all__ = ["ClaimTakenError", "DynamoCardStore", "get_card_store"]


def _claim_item(claim: Claim | CardsTable) -> CardsTable:
    """The item a claim writes: its record (an item of the cards table), or the item itself."""
    record = claim.record if isinstance(claim, Claim) else claim
    if not isinstance(record, CardsTable):
        raise TypeError(f"a claim in the cards table must hold an item, not {record!r}")
    return record


class DynamoCardStore:
    """Reads and writes cards, events and comments (``chalicelib.ports.cards.CardStore``)."""

    def next_number(self, board_key: str) -> int:
        """The next card number of a board: an atomic counter, never handed out twice."""
        counter = CounterItem("COUNTER", f"cards#{board_key}")
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value)

    def peek_number(self, board_key: str) -> int:
        """The number the board's next card would get, without taking it."""
        try:
            current = CounterItem.get("COUNTER", f"cards#{board_key}").value
        except CounterItem.DoesNotExist:
            current = 0
        return int(current) + 1

    def create(self, card: Card, events: Events, claims: Claims = ()) -> Card:
        """Store a new card with its first events and its status-token lookup.

        ``claims`` are written in the same transaction, each only if its key is
        new; ClaimTakenError (and nothing written) when one was there already.
        """
        token = StatusTokenItem(f"STATUS#{card.status_token_hash}", "STATUS", card_id=card.card_id)
        return self._write(card, events, (), [token, *map(_claim_item, claims)], first_claim=1)

    def save(
        self, card: Card, events: Events, comments: Comments = (), claims: Claims = ()
    ) -> Card:
        """Store a changed card with the events (and comment texts) the change adds.

        ``claims`` are written as in ``create``.
        """
        return self._write(card, events, comments, [*map(_claim_item, claims)], first_claim=0)

    def _write(
        self,
        card: Card,
        events: Events,
        comments: Comments,
        new_items: Sequence[CardsTable],
        first_claim: int,
    ) -> Card:
        """One transaction; ``new_items`` go last, and those from ``first_claim`` on are claims."""
        connection = CardItem._get_connection().connection
        item = card_item(card)
        try:
            with TransactWrite(connection=connection) as transaction:
                # The card's version attribute adds its own condition.
                transaction.save(item)
                for event in events:
                    new_event = event_item(event, card.card_id)
                    transaction.save(new_event, condition=CardEventItem.sk.does_not_exist())
                for comment in comments:
                    new_comment = comment_item(comment)
                    transaction.save(new_comment, condition=CommentItem.sk.does_not_exist())
                for new in new_items:
                    transaction.save(new, condition=type(new).pk.does_not_exist())
        except TransactWriteError as error:
            conflict = conflict_from(error)
            claims_from = 1 + len(events) + len(comments) + first_claim
            if conflict is not None and any(i >= claims_from for i in conflict.failed):
                raise ClaimTakenError(conflict.failed) from error
            raise (conflict or error) from error
        return card_from_item(item)

    def card_for_status_token(self, token_hash: str) -> str | None:
        """The id of the card whose status token hashes to ``token_hash``, or None."""
        try:
            return StatusTokenItem.get(f"STATUS#{token_hash}", "STATUS").card_id
        except StatusTokenItem.DoesNotExist:
            return None

    def get(self, card_id: str) -> Card | None:
        """The card, or None."""
        try:
            return card_from_item(CardItem.get(card_pk(card_id), CARD_SK))
        except CardItem.DoesNotExist:
            return None

    def list_board(
        self, board_id: str, filters: Filters, limit: int, cursor: Cursor, keep: Keep | None = None
    ) -> Page[Card]:
        """One page of a board's cards in number order, through the board index."""
        condition = None
        for name, value in filters.items():
            clause = getattr(CardItem, name) == value
            condition = clause if condition is None else condition & clause
        results = CardItem.by_board.query(
            board_id,
            filter_condition=condition,
            last_evaluated_key=decode_cursor(cursor),
            page_size=limit + 1,
        )
        return read_mapped_page(
            results, limit, ("pk", "sk", "board_id", "number"), card_from_item, keep
        )

    def column_holds_cards(self, board_id: str, column_id: str) -> bool:
        """True when any card of the board sits in the column."""
        results = CardItem.by_board.query(
            board_id, filter_condition=CardItem.column_id == column_id, page_size=100
        )
        return next(iter(results), None) is not None

    def events(self, card_id: str) -> list[CardEvent]:
        """The card's whole history, oldest first."""
        query = CardEventItem.query(card_pk(card_id), CardEventItem.sk.startswith("EVENT#"))
        return [event_from_item(item) for item in query]

    def events_page(self, card_id: str, limit: int, cursor: Cursor) -> Page[CardEvent]:
        """One page of the card's history, oldest first."""
        results = CardEventItem.query(
            card_pk(card_id),
            CardEventItem.sk.startswith("EVENT#"),
            last_evaluated_key=decode_cursor(cursor),
            page_size=limit + 1,
        )
        return read_mapped_page(results, limit, ("pk", "sk"), event_from_item)

    def comments_page(self, card_id: str, limit: int, cursor: Cursor) -> Page[Comment]:
        """One page of the card's comments, oldest first."""
        results = CommentItem.query(
            card_pk(card_id),
            CommentItem.sk.startswith("COMMENT#"),
            last_evaluated_key=decode_cursor(cursor),
            page_size=limit + 1,
        )
        return read_mapped_page(results, limit, ("pk", "sk"), comment_from_item)


def get_card_store() -> DynamoCardStore:
    """The DynamoDB card store (what ``chalicelib.bootstrap.cards`` wires as the port)."""
    bind_tables()
    return DynamoCardStore()
