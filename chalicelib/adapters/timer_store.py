"""Stored timers in the timers table: read a card's, write the changed ones under guard.

A write is one transaction per card (chunked if a card ever had more than
``_CHUNK`` changed timers) that puts the changed timers and deletes the ones
no longer attached, each only if the stored one was derived from an earlier
event (``attribute_not_exists(pk) OR derived_seq < :seq``), together with a
condition check that the card's ``last_seq`` is still the event the timers
were derived from. So a recomputation from a history that has since grown
writes nothing: the newer event's own stream record recomputes the card.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.card_items import CardItem, card_pk
from chalicelib.adapters.report_store import touch_operation
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import bind_tables
from chalicelib.adapters.timer_items import TimerItem, stored_timer_of, timer_item, timer_sk
from chalicelib.domain.stored_timers import StoredTimer, TimerWrite

# DynamoDB takes up to 100 items per transaction; one is the card's condition check.
_CHUNK = 99


class TimerStore:
    """Reads and writes the stored timers of cards."""

    def for_card(self, card_id: str) -> list[StoredTimer]:
        """Every stored timer of the card: one query of its partition."""
        results = TimerItem.query(card_pk(card_id), TimerItem.sk.startswith("TIMER#"))
        return [stored_timer_of(item) for item in results]

    def write(self, change: TimerWrite) -> bool:
        """Put and delete the timers of ``change`` (deletes name SLA id and rule id).

        Its ``touched_days`` (UTC stop days of finished timers written or
        deleted) are marked for the aggregate job in the same transaction.

        Every timer is stamped ``derived_seq = change.seq``. Answers False, having
        written nothing (of that transaction), when the card has moved past
        ``seq`` or a stored timer was derived from ``seq`` or later: a newer
        recomputation won or will.
        """
        card_id, seq = change.card_id, change.seq
        pk = card_pk(card_id)
        newer_wins = TimerItem.pk.does_not_exist() | (TimerItem.derived_seq < seq)
        operations: list[tuple[str, Any]] = [("touch", day) for day in change.touched_days]
        operations.extend(("put", timer_item(timer, seq)) for timer in change.puts)
        operations.extend(("delete", TimerItem(pk, timer_sk(*key))) for key in change.deletes)
        connection = TimerItem._get_connection().connection
        for start in range(0, len(operations), _CHUNK):
            try:
                with TransactWrite(connection=connection) as transaction:
                    transaction.condition_check(
                        CardItem, pk, "CARD", condition=CardItem.last_seq == seq
                    )
                    for action, item in operations[start : start + _CHUNK]:
                        if action == "touch":
                            touch_operation(transaction, item, card_id)
                        elif action == "put":
                            transaction.save(item, condition=newer_wins)
                        else:
                            transaction.delete(item, condition=TimerItem.derived_seq < seq)
            except TransactWriteError as error:
                if conflict_from(error) is None:
                    raise
                return False
        return True


def get_timer_store() -> TimerStore:
    """The timer store of this process."""
    bind_tables()
    return TimerStore()
