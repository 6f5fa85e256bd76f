"""Stored timers: what the stream handler derived for each card x SLA x rule, as kept.

The breach scanner, the daily digest, the aggregates and the reports read
these, never the card histories (card views evaluate live). Everything but
``next_check_at`` and ``due_day`` is a function of the card's history and
pinned versions alone: ``elapsed_seconds`` is kept for paused and stopped
timers only (a running timer's grows with the clock). ``checkpoints`` lists a
running timer's warning, breach and escalation instants (JSON values);
``next_check_at`` starts at the earliest, and the scanner moves it past the
ones it has raised. ``due_day`` is the UTC day the scanner looks for it in;
``stop_day`` the UTC day a met or missed timer stopped. ``derived_seq`` is the
card event it was derived from (None before it is written). The card's
fields are copied for the reports' filters and drill-down rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

TimerKey = tuple[str, str]
"""A stored timer's identity on its card: (SLA id, rule id)."""

MET, MISSED = "met", "missed"


@dataclass(frozen=True, slots=True)
class StoredTimer:
    """One timer of one card, as stored."""

    card_id: str
    board_id: str
    title: str
    sla_id: str
    sla_name: str
    sla_version: int
    rule_id: str
    kind: str
    status: str
    target_seconds: float
    card_type: str | None = None
    service: str | None = None
    priority: str | None = None
    assignee: str | None = None
    lane_id: str | None = None
    tags: tuple[str, ...] = ()
    column_id: str | None = None
    elapsed_seconds: float | None = None
    started_at: datetime | None = None
    deadline: datetime | None = None
    stopped_at: datetime | None = None
    checkpoints: tuple[dict[str, Any], ...] = field(default=())
    next_check_at: datetime | None = None
    due_day: date | None = None
    stop_day: str | None = None
    derived_seq: int | None = None

    @property
    def key(self) -> TimerKey:
        return self.sla_id, self.rule_id

    @property
    def finished(self) -> bool:
        """Met or missed, with the instant it stopped."""
        return self.stopped_at is not None and self.status in (MET, MISSED)

    @property
    def overdue_seconds(self) -> float:
        """How far past its target a finished timer ran (0 for one within it)."""
        return max(0.0, float(self.elapsed_seconds or 0) - float(self.target_seconds))


@dataclass(frozen=True, slots=True)
class TimerWrite:
    """The changed timers of one card, derived from its event ``seq``: one guarded write.

    ``touched_days`` are the UTC stop days of finished timers written or deleted,
    marked for the aggregate job in the same write.
    """

    card_id: str
    seq: int
    puts: tuple[StoredTimer, ...] = ()
    deletes: tuple[TimerKey, ...] = ()
    touched_days: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FinishedRange:
    """The finished timers of the UTC ``days`` stopped from ``start`` to ``end`` (included)
    that ``keep`` takes: what one drill-down lists, a page at a time."""

    days: tuple[str, ...]
    start: datetime
    end: datetime
    keep: Callable[[StoredTimer], bool]


def utc_days(first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last``, both included (none when ``first`` is later)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
