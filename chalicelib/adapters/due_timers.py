"""The breach scanner's view of the timers table: the ``due`` index, and moving a timer on.

Reads are index queries of the time buckets the scanner names, for check
points at or before now: their cost grows with the timers due, never with
the timers stored. Moving ``next_check_at`` on is conditional on the timer
still being the one the scanner read (same ``derived_seq``), so it never
overwrites what a newer recomputation wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.table_base import bind_tables
from chalicelib.adapters.timer_items import TimerItem


class DueTimers:
    """Queries the due index and moves timers' next check points."""

    def due(self, buckets: Iterable[str], now: datetime) -> list[TimerItem]:
        """Every timer in ``buckets`` whose next check point is at or before ``now``."""
        found: list[TimerItem] = []
        for bucket in buckets:
            found.extend(TimerItem.due.query(bucket, TimerItem.next_check_at <= now))
        return found

    def move_next_check(
        self, item: TimerItem, next_check_at: datetime | None, bucket: str | None
    ) -> bool:
        """Set the timer's next check point (None: it has none left); False if it changed."""
        if next_check_at is None or bucket is None:
            actions = [TimerItem.next_check_at.remove(), TimerItem.due_bucket.remove()]
        else:
            actions = [
                TimerItem.next_check_at.set(next_check_at),
                TimerItem.due_bucket.set(bucket),
            ]
        try:
            item.update(actions=actions, condition=TimerItem.derived_seq == item.derived_seq)
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def get_due_timers() -> DueTimers:
    """The due-timer reader of this process."""
    bind_tables()
    return DueTimers()
