"""A slow, plainly written business calendar: the yardstick for the calendar engine.

It reads the same calendar JSON and follows the same rules as
``chalicelib.domain.calendar``, but with none of its machinery: no blocks, no
running totals, no binary search, no integer microseconds. It walks local day by
local day and working interval by working interval, with aware datetimes.

Instants are turned into UTC first: aware datetimes in a repeated hour never
compare equal to datetimes of another zone.

The rules, stated once more:
- a local day runs from its local midnight to the next one, as real instants;
- an exception replaces a date's hours and wins over a holiday; a holiday has no
  working hours; otherwise the weekday's hours apply;
- a working interval's ends are read in the zone with fold=0 (a time in a DST
  gap moves forward by the gap, an ambiguous time is its first occurrence), cut
  to the day, and a moment is working when any of the day's intervals covers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ONE_DAY = timedelta(days=1)


class ReferenceCalendar:
    """The slow calendar; trusts its input (the engine's parser is tested separately)."""

    def __init__(self, spec: dict, extra_holidays: Iterable[date] = ()) -> None:
        self.zone = ZoneInfo(spec["timezone"])
        self.week = {name: spec["week"].get(name, []) for name in WEEKDAYS}
        self.holidays = {date.fromisoformat(text) for text in spec.get("holidays", [])}
        self.holidays |= set(extra_holidays)
        self.exceptions = {
            date.fromisoformat(text): hours for text, hours in spec.get("exceptions", {}).items()
        }

    def midnight(self, day: date) -> datetime:
        """The real instant at which local ``day`` begins."""
        return datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(UTC)

    def at(self, day: date, text: str) -> datetime:
        """The real instant of local time ``text`` ("HH:MM") on ``day``."""
        if text == "24:00":
            return self.midnight(day + ONE_DAY)
        hour, minute = int(text[:2]), int(text[3:])
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)
        return local.astimezone(UTC)

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays and day not in self.exceptions

    def hours(self, day: date) -> list:
        if day in self.exceptions:
            return self.exceptions[day]
        if day in self.holidays:
            return []
        return self.week[WEEKDAYS[day.weekday()]]

    def working_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working time as sorted, separate real intervals."""
        day_start, day_end = self.midnight(day), self.midnight(day + ONE_DAY)
        pieces = []
        for start_text, end_text in self.hours(day):
            start = max(self.at(day, start_text), day_start)
            end = min(self.at(day, end_text), day_end)
            if start < end:
                pieces.append((start, end))
        pieces.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in pieces:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def days_from(self, instant: datetime) -> Iterator[date]:
        """Local days in order, from the day before ``instant``'s local day (to be safe)."""
        day = instant.astimezone(self.zone).date() - ONE_DAY
        while True:
            yield day
            day += ONE_DAY

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        for day in self.days_from(start):
            if self.midnight(day) >= end:
                return total
            for low, high in self.working_intervals(day):
                overlap = min(high, end) - max(low, start)
                if overlap > timedelta(0):
                    total += overlap

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        start = start.astimezone(UTC)
        if duration == timedelta(0):
            return start
        remaining = duration
        for day in self.days_from(start):
            for low, high in self.working_intervals(day):
                low = max(low, start)
                if low >= high:
                    continue
                if remaining <= high - low:
                    return low + remaining
                remaining -= high - low
        raise AssertionError("unreachable: the days never end")

    def segments(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
        """(start, end, kind) triples, kinds as in ``SegmentKind``'s values."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        pieces = []
        for day in self.days_from(start):
            day_start, day_end = self.midnight(day), self.midnight(day + ONE_DAY)
            if day_start >= end:
                break
            if self.is_holiday(day):
                pieces.append((day_start, day_end, "holiday"))
                continue
            cursor = day_start
            for low, high in self.working_intervals(day):
                pieces.append((cursor, low, "non_working"))
                pieces.append((low, high, "working"))
                cursor = high
            pieces.append((cursor, day_end, "non_working"))
        segments: list[tuple[datetime, datetime, str]] = []
        for low, high, kind in pieces:
            low, high = max(low, start), min(high, end)
            if low >= high:
                continue
            if segments and segments[-1][2] == kind and segments[-1][1] == low:
                segments[-1] = (segments[-1][0], high, kind)
            else:
                segments.append((low, high, kind))
        return segments
