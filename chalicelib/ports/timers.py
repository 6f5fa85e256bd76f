"""The timers ports: stored timers, the breach scanner's due index, and the reports' stores.

``TimerStore`` reads a card's stored timers and writes the changed ones under
guard (nothing is written once the card has moved past the event they were
derived from); ``DueTimers`` finds running timers by the UTC day and instant
of their next check point and moves it on, unless a newer recomputation
wrote the timer meanwhile; ``FinishedTimers`` reads met and missed timers by
the UTC day they stopped; ``Aggregates`` keeps each day's counts, replaced as
a whole, and the marks of the days due for recomputation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Protocol, cast

from chalicelib.domain.aggregates import DayAggregate, TouchedDay
from chalicelib.domain.stored_timers import FinishedRange, StoredTimer, TimerWrite
from chalicelib.ports import resolve


class TimerStore(Protocol):
    def for_card(self, card_id: str) -> list[StoredTimer]:
        """Every stored timer of the card."""
        ...

    def write(self, change: TimerWrite) -> bool:
        """Put and delete the timers of ``change``, each stamped as derived from its event.

        The touched days are marked in the same write. Answers False, having
        written nothing, when the card has moved past that event or a stored timer
        was derived from it or a later one: a newer recomputation won or will.
        """
        ...


class DueTimers(Protocol):
    def due(self, days: Iterable[date], now: datetime) -> list[StoredTimer]:
        """Every timer due on one of the UTC ``days`` whose next check is at or before ``now``."""
        ...

    def move_next_check(
        self, timer: StoredTimer, next_check_at: datetime | None, due_day: date | None
    ) -> bool:
        """Set the timer's next check point (None: none is left); False if it was rewritten."""
        ...


class FinishedTimers(Protocol):
    def finished(
        self, day: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[StoredTimer]:
        """The met and missed timers that stopped on the UTC ``day``, in stop order.

        ``start`` and ``end`` (both included) narrow it to part of the day.
        """
        ...

    def finished_page(
        self, wanted: FinishedRange, limit: int, cursor: str | None
    ) -> tuple[list[StoredTimer], str | None]:
        """One page of the ``wanted`` finished timers, in stop order.

        ``InvalidCursorError`` for a cursor this list did not hand out.
        """
        ...


class Aggregates(Protocol):
    def touched_days(self) -> list[TouchedDay]:
        """Every day marked since the aggregate job last settled it, oldest first."""
        ...

    def settle(self, touched: TouchedDay) -> None:
        """Record that ``touched`` was recomputed; drop the mark if it already was at that count.

        A timer written meanwhile keeps the day marked for the next run.
        """
        ...

    def replace_day(self, day: str, aggregates: Iterable[DayAggregate]) -> int:
        """Make ``aggregates`` (all of ``day``) the whole of its counts; answers how many items."""
        ...

    def read(self, dimension: str, days: list[str]) -> Iterator[DayAggregate]:
        """The counts of ``dimension`` for the UTC ``days`` (consecutive, in order)."""
        ...


def timer_store() -> TimerStore:
    return cast(TimerStore, resolve("timers.timer_store"))


def due_timers() -> DueTimers:
    return cast(DueTimers, resolve("timers.due_timers"))


def finished_timers() -> FinishedTimers:
    return cast(FinishedTimers, resolve("timers.finished_timers"))


def aggregates() -> Aggregates:
    return cast(Aggregates, resolve("timers.aggregates"))
