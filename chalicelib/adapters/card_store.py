"""Cards and their histories in the cards table.

Every card write is one transaction on the card's partition: the card item,
guarded by its ``version`` (optimistic locking), and the event items it adds,
each written only if its sequence number is still free. A lost race raises
WriteConflictError and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.card_items import (
    CardEventItem,
    CardItem,
    CommentItem,
    StatusTokenItem,
    card_pk,
    seq_sk,
)
from chalicelib.adapters.config_items import CounterItem
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import bind_tables
from chalicelib.ports.errors import ClaimTakenError

_CARD_SK = "CARD"


class CardStore:
    """Reads and writes cards, events and comments."""

    def new_card(self, card_id: str, **fields: Any) -> CardItem:
        """A card item not yet stored (``create`` stores it)."""
        return CardItem(card_pk(card_id), _CARD_SK, card_id=card_id, last_seq=0, **fields)

    def next_event(
        self, card: CardItem, kind: str, data: dict[str, Any], at: datetime
    ) -> CardEventItem:
        """The card's next event; advances ``last_seq`` so the write claims that number."""
        card.last_seq += 1
        return CardEventItem(
            card.pk,
            seq_sk("EVENT", card.last_seq),
            card_id=card.card_id,
            seq=card.last_seq,
            kind=kind,
            at=at,
            data=data,
        )

    def new_comment(self, card: CardItem, event: CardEventItem, **fields: Any) -> CommentItem:
        """The text of the comment that ``event`` records."""
        return CommentItem(
            card.pk, seq_sk("COMMENT", event.seq), card_id=card.card_id, seq=event.seq, **fields
        )

    def next_number(self, board_key: str) -> int:
        """The next card number of a board: an atomic counter, never handed out twice."""
        counter = CounterItem("COUNTER", f"cards#{board_key}")
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value)

    def create(
        self,
        card: CardItem,
        events: Iterable[CardEventItem],
        status_token_hash: str,
        claims: Sequence[Model] = (),
    ) -> None:
        """Store a new card with its first events and its status-token lookup.

        ``claims`` are written in the same transaction, each only if its key is
        new; ClaimTakenError (and nothing written) when one was there already.
        """
        token = StatusTokenItem(f"STATUS#{status_token_hash}", "STATUS", card_id=card.card_id)
        self._write(card, events, (), [token, *claims], first_claim=1)

    def save(
        self,
        card: CardItem,
        events: Iterable[CardEventItem],
        comments: Iterable[CommentItem] = (),
        claims: Sequence[Model] = (),
    ) -> None:
        """Store a changed card with the events (and comment texts) the change adds.

        ``claims`` are written as in ``create``.
        """
        self._write(card, events, comments, claims, first_claim=0)

    def _write(
        self,
        card: CardItem,
        events: Iterable[CardEventItem],
        comments: Iterable[CommentItem],
        new_items: Sequence[Model],
        first_claim: int,
    ) -> None:
        """One transaction; ``new_items`` go last, and those from ``first_claim`` on are claims."""
        connection = CardItem._get_connection().connection
        events, comments = list(events), list(comments)
        try:
            with TransactWrite(connection=connection) as transaction:
                # The card's version attribute adds its own condition.
                transaction.save(card)
                for event in events:
                    transaction.save(event, condition=CardEventItem.sk.does_not_exist())
                for comment in comments:
                    transaction.save(comment, condition=CommentItem.sk.does_not_exist())
                for item in new_items:
                    transaction.save(item, condition=type(item).pk.does_not_exist())
        except TransactWriteError as error:
            conflict = conflict_from(error)
            claims_from = 1 + len(events) + len(comments) + first_claim
            if conflict is not None and any(i >= claims_from for i in conflict.failed):
                raise ClaimTakenError(conflict.failed) from error
            raise (conflict or error) from error

    def card_for_status_token(self, token_hash: str) -> str | None:
        """The id of the card whose status token hashes to ``token_hash``, or None."""
        try:
            return StatusTokenItem.get(f"STATUS#{token_hash}", "STATUS").card_id
        except StatusTokenItem.DoesNotExist:
            return None

    def peek_number(self, board_key: str) -> int:
        """The number the board's next card would get, without taking it."""
        try:
            current = CounterItem.get("COUNTER", f"cards#{board_key}").value
        except CounterItem.DoesNotExist:
            current = 0
        return int(current) + 1

    def get(self, card_id: str) -> CardItem | None:
        """The card, or None."""
        try:
            return CardItem.get(card_pk(card_id), _CARD_SK)
        except CardItem.DoesNotExist:
            return None

    def list_board(
        self,
        board_id: str,
        filters: dict[str, str],
        limit: int,
        cursor: str | None,
        keep: Callable[[CardItem], bool] | None = None,
    ) -> tuple[list[CardItem], str | None]:
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
        return read_page(results, limit, ("pk", "sk", "board_id", "number"), keep)

    def column_holds_cards(self, board_id: str, column_id: str) -> bool:
        """True when any card of the board sits in the column."""
        results = CardItem.by_board.query(
            board_id, filter_condition=CardItem.column_id == column_id, page_size=100
        )
        return next(iter(results), None) is not None

    def events(self, card_id: str) -> list[CardEventItem]:
        """The card's whole history, oldest first."""
        return list(CardEventItem.query(card_pk(card_id), CardEventItem.sk.startswith("EVENT#")))

    def events_page(
        self, card_id: str, limit: int, cursor: str | None
    ) -> tuple[list[CardEventItem], str | None]:
        """One page of the card's history, oldest first."""
        results = CardEventItem.query(
            card_pk(card_id),
            CardEventItem.sk.startswith("EVENT#"),
            last_evaluated_key=decode_cursor(cursor),
            page_size=limit + 1,
        )
        return read_page(results, limit, ("pk", "sk"))

    def comments_page(
        self, card_id: str, limit: int, cursor: str | None
    ) -> tuple[list[CommentItem], str | None]:
        """One page of the card's comments, oldest first."""
        results = CommentItem.query(
            card_pk(card_id),
            CommentItem.sk.startswith("COMMENT#"),
            last_evaluated_key=decode_cursor(cursor),
            page_size=limit + 1,
        )
        return read_page(results, limit, ("pk", "sk"))


def get_card_store() -> CardStore:
    """The card store of this process."""
    bind_tables()
    return CardStore()
