"""The breach scanner's view of the timers table: the ``due`` index, and moving a timer on.

Reads are index queries of the time buckets the scanner names, for check
points at or before now: their cost grows with the timers due, never with
the timers stored. Moving ``next_check_at`` on is conditional on the timer
still being the one the scanner read (same ``derived_seq``), so it never
overwrites what a newer recomputation wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.adapters.card_items import card_pk
from chalicelib.adapters.table_base import bind_tables
from chalicelib.adapters.timer_items import TimerItem, due_bucket, stored_timer_of, timer_sk
from chalicelib.domain.stored_timers import StoredTimer


class DueTimers:
    """Queries the due index and moves timers' next check points."""

    def due(self, days: Iterable[date], now: datetime) -> list[StoredTimer]:
        """Every timer due on one of ``days`` whose next check point is at or before ``now``."""
        found: list[StoredTimer] = []
        for day in days:
            results = TimerItem.due.query(due_bucket(day), TimerItem.next_check_at <= now)
            found.extend(stored_timer_of(item) for item in results)
        return found

    def move_next_check(
        self, timer: StoredTimer, next_check_at: datetime | None, due_day: date | None
    ) -> bool:
        """Set the timer's next check point (None: it has none left); False if it changed."""
        actions: list[Action]
        if next_check_at is None or due_day is None:
            actions = [TimerItem.next_check_at.remove(), TimerItem.due_bucket.remove()]
        else:
            actions = [
                TimerItem.next_check_at.set(next_check_at),
                TimerItem.due_bucket.set(due_bucket(due_day)),
            ]
        item = TimerItem(card_pk(timer.card_id), timer_sk(timer.sla_id, timer.rule_id))
        try:
            item.update(actions=actions, condition=TimerItem.derived_seq == timer.derived_seq)
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def get_due_timers() -> DueTimers:
    """The due-timer reader of this process."""
    bind_tables()
    return DueTimers()
