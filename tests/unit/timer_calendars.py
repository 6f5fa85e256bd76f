"""A tiny business calendar for timer tests: weekday office hours in UTC, whole-day holidays.

Obviously correct rather than fast: it walks day by day. ``is_working`` is
the plain predicate the slow reference of the property tests counts with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.calendar import Segment, SegmentKind

_DAY = timedelta(days=1)


class OfficeHours:
    """Monday to Friday from ``opens`` to ``closes`` UTC; ``holidays`` are whole days off."""

    def __init__(
        self, opens: time = time(10, 30), closes: time = time(16, 0), holidays: Iterable[date] = ()
    ) -> None:
        self.opens = opens
        self.closes = closes
        self.holidays = frozenset(holidays)

    def is_working(self, at: datetime) -> bool:
        day = at.date()
        if day.weekday() >= 5 or day in self.holidays:
            return False
        return self.opens <= at.timetz().replace(tzinfo=None) < self.closes

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return sum(
            (b - a for a, b, kind in self._pieces(start, end) if kind == SegmentKind.WORKING),
            timedelta(0),
        )

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        left = duration
        if left <= timedelta(0):
            return start
        day = start.date()
        while True:
            for a, b, kind in self._pieces(max(start, _midnight(day)), _midnight(day + _DAY)):
                if kind == SegmentKind.WORKING:
                    if left <= b - a:
                        return a + left
                    left -= b - a
            day += _DAY

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        merged: list[Segment] = []
        for a, b, kind in self._pieces(start, end):
            if merged and merged[-1].kind == kind:
                merged[-1] = Segment(merged[-1].start, b, kind)
            else:
                merged.append(Segment(a, b, kind))
        return merged

    def _pieces(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime, str]]:
        """The non-empty working, non-working and holiday pieces of [start, end), in order."""
        day = start.date()
        while _midnight(day) < end:
            lo, hi = max(start, _midnight(day)), min(end, _midnight(day + _DAY))
            if day in self.holidays:
                pieces = [(lo, hi, SegmentKind.HOLIDAY)]
            elif day.weekday() >= 5:
                pieces = [(lo, hi, SegmentKind.NON_WORKING)]
            else:
                opens = datetime.combine(day, self.opens, UTC)
                closes = datetime.combine(day, self.closes, UTC)
                pieces = [
                    (lo, min(hi, opens), SegmentKind.NON_WORKING),
                    (max(lo, opens), min(hi, closes), SegmentKind.WORKING),
                    (max(lo, closes), hi, SegmentKind.NON_WORKING),
                ]
            yield from ((a, b, kind) for a, b, kind in pieces if a < b)
            day += _DAY


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)
