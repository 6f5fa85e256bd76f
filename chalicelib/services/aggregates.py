"""The aggregate job: roll the timers that stopped on each touched day into that day's counts.

Every timer write that adds, changes or removes a finished timer marks the
UTC days it touches, the day the timer left as well as the day it now
stopped on (``touched_days``, written in the same transaction as the timers).
The job, scheduled every 5 minutes (and ``POST /dev/run/aggregate`` on the
local stack), recomputes each marked day from the stop-day index and
overwrites that day's aggregate items: never an increment, so a rerun, a
retry or two overlapping runs leave the same items. A day's mark is dropped
only when a second run finds it untouched since the first, which covers a
timer that the eventually consistent index did not show the first run yet.

Counts are per board x SLA x rule kind, in total and per value of each
card dimension (card type, tag, assignee, service, lane), per quarter hour
of the UTC day (``chalicelib.domain.aggregates``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.domain.aggregates import BASE, DayAggregate, TouchedDay
from chalicelib.domain.instants import utc_stamp
from chalicelib.domain.stored_timers import MISSED, StoredTimer, TimerKey
from chalicelib.ports.timers import aggregates, finished_timers

logger = Logger(child=True)

SLOT = timedelta(minutes=15)
DIMENSIONS = ("card_type", "tag", "assignee", "service", "lane_id")
"""The card dimensions a report may filter on one at a time and still read the aggregates."""


def touched_days(
    stored: Mapping[TimerKey, StoredTimer],
    puts: Sequence[StoredTimer],
    deletes: Sequence[TimerKey],
) -> list[str]:
    """The UTC stop days whose aggregates a timer write changes.

    For each written or deleted timer: the day it had stopped on (it may
    have been reopened, or its card's fields changed) and the day it stops
    on now.
    """
    days = {timer.stop_day for timer in puts}
    days.update(stored[timer.key].stop_day for timer in puts if timer.key in stored)
    days.update(stored[key].stop_day for key in deletes if key in stored)
    return sorted(day for day in days if day)


def run_aggregate(now: datetime) -> dict[str, Any]:
    """Recompute every touched day; answers when, the days recomputed and the items they hold.

    The counts depend on the stored timers alone, never on ``now``.
    """
    store = aggregates()
    marks: dict[str, list[TouchedDay]] = defaultdict(list)
    for touched in store.touched_days():
        marks[touched.day].append(touched)
    recomputed = []
    for day, day_marks in marks.items():
        items = store.replace_day(day, day_aggregates(day, finished_timers().finished(day)))
        for touched in day_marks:
            store.settle(touched)
        recomputed.append({"day": day, "items": items})
    logger.info("aggregates recomputed", days=len(recomputed))
    return {"ran_at": utc_stamp(now), "days": recomputed}


def day_aggregates(day: str, timers: Iterable[StoredTimer]) -> list[DayAggregate]:
    """The counts of ``day`` from the finished timers that stopped on it."""
    midnight = datetime.fromisoformat(day).replace(tzinfo=UTC)
    # (dimension, board, sla, kind) -> value -> slot -> [met, missed, overdue seconds]
    cells: dict[tuple[str, str, str, str], dict[str, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for timer in timers:
        if timer.stopped_at is None or not timer.finished:
            continue
        slot = str((timer.stopped_at.astimezone(UTC) - midnight) // SLOT)
        missed = timer.status == MISSED
        overdue = timer.overdue_seconds
        for dimension, value in dimension_values(timer):
            key = (dimension, timer.board_id, timer.sla_id, timer.kind)
            count = cells[key][value].setdefault(slot, [0, 0, 0.0])
            count[1 if missed else 0] += 1
            count[2] += overdue if missed else 0.0
    return [
        DayAggregate(
            day, dimension, board_id, sla_id, kind, {v: dict(s) for v, s in values.items()}
        )
        for (dimension, board_id, sla_id, kind), values in sorted(cells.items())
    ]


def dimension_values(timer: StoredTimer) -> list[tuple[str, str]]:
    """Every (dimension, value) a finished timer counts under: ``base`` and each set field."""
    values = [(BASE, "")]
    for dimension in DIMENSIONS:
        if dimension == "tag":
            values.extend(("tag", tag) for tag in sorted(set(timer.tags or ())))
        elif (value := getattr(timer, dimension)) is not None:
            values.append((dimension, value))
    return values
