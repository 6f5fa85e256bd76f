"""Business calendars: working-time arithmetic in a calendar's IANA time zone.

A calendar says which local hours count as working time: a weekly pattern,
whole-day holidays and date exceptions (``docs/api.md``, "Calendars"). The
timer engine asks it three questions about real instants: when will this much
working time have passed (``deadline``), how much working time lies between two
instants (``elapsed``), and how a stretch of time divides into working,
non-working and holiday parts (``segments``).

Semantics, shared with the slow reference the tests compare against:

- A local day runs from its local midnight to the next one, both taken as real
  (UTC) instants, so a day with a DST switch lasts its real length (23 or 25
  hours in most zones).
- Each working interval of a day becomes a real interval: its ends are read in
  the calendar's zone with ``fold=0``, which moves a time inside a DST gap
  forward by the gap and gives an ambiguous time its first occurrence. The
  result is clipped to the day, and the day's working time is the union of
  these real intervals.
- An exception replaces that date's hours and wins over a holiday; a holiday is
  a whole non-working day.

How it stays fast and exact: the calendar is immutable, so it lays out its
working intervals lazily, one block of about a year at a time, as integer UTC
epoch microseconds with a running total of working time. ``elapsed`` is then a
difference of two totals and ``deadline`` a binary search on the totals, with no
walk day by day; integer microseconds keep both exact.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from itertools import pairwise
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalicelib.domain.errors import DomainError


class SegmentKind(StrEnum):
    WORKING = "working"
    NON_WORKING = "non_working"
    HOLIDAY = "holiday"


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of time between two aware UTC instants, all of one kind."""

    start: datetime
    end: datetime
    kind: SegmentKind


class WorkingTime(Protocol):
    """What the timer engine needs from a calendar."""

    def deadline(self, start: datetime, duration: timedelta) -> datetime: ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...

    def segments(self, start: datetime, end: datetime) -> list[Segment]: ...


class AlwaysOpen:
    """The 24/7 calendar of an SLA without ``calendar_id``."""

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, timedelta(0))

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        return [Segment(start, end, SegmentKind.WORKING)] if end > start else []


ALWAYS_OPEN = AlwaysOpen()

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The keys of a calendar's ``week``, in ``date.weekday()`` order."""

DAY_MINUTES = 24 * 60

Hours = tuple[tuple[int, int], ...]
"""A day's working intervals as (start, end) minutes after local midnight,
sorted and disjoint; an end of ``DAY_MINUTES`` is the next midnight ("24:00")."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_MICROSECOND = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_ZERO = timedelta(0)

# Working time is laid out in blocks of this many local days (about a year):
# building one costs about a millisecond, and a 90-day span crosses at most one
# block boundary.
_BLOCK_DAYS = 366
# Local days whose next midnight is still a datetime, and instants whose local
# day (in any zone) is one of them: the range the engine answers for.
_FIRST_ORDINAL = 2
_LAST_ORDINAL = date.max.toordinal() - 1
_LAST_BLOCK = _LAST_ORDINAL // _BLOCK_DAYS
_MIN_US = (datetime(1, 1, 3, tzinfo=UTC) - _EPOCH) // _MICROSECOND
_MAX_US = (datetime(9999, 12, 29, tzinfo=UTC) - _EPOCH) // _MICROSECOND


class _Block:
    """The laid-out working time of up to ``_BLOCK_DAYS`` consecutive local days.

    Every instant is in integer UTC epoch microseconds. ``midnights`` holds each
    day's local midnight plus the one after the last day; ``holiday`` flags the
    holiday days; the day at position i owns working intervals
    ``first_interval[i]`` up to ``first_interval[i + 1]`` of ``starts``/``ends``
    (sorted, disjoint); ``worked[k]`` is the working time of the block up to
    ``ends[k]``, and ``total`` that of the whole block.
    """

    __slots__ = (
        "ends",
        "first_interval",
        "holiday",
        "index",
        "midnights",
        "starts",
        "total",
        "worked",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.midnights: list[int] = []
        self.holiday: list[bool] = []
        self.first_interval: list[int] = [0]
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.worked: list[int] = []
        self.total = 0

    def worked_before(self, instant: int) -> int:
        """Working time of the block before ``instant`` (which lies in the block)."""
        k = bisect_right(self.starts, instant) - 1
        if k < 0:
            return 0
        return self.worked[k] - max(self.ends[k] - instant, 0)

    def instant_after(self, amount: int) -> int:
        """The first instant by which ``amount`` (0 < amount <= total) has been worked.

        ``bisect_left`` picks the interval whose running total first reaches
        ``amount``, so a deadline landing on an interval's end stays there.
        """
        k = bisect_left(self.worked, amount)
        return self.ends[k] - (self.worked[k] - amount)


class WorkCalendar:
    """A business calendar: a weekly pattern, holidays and date exceptions in one zone.

    Immutable once built; it lays out its working time lazily and keeps it, so
    repeated questions about the same years are cheap. Build one from the API's
    JSON with ``build_calendar``.
    """

    def __init__(
        self,
        *,
        timezone: ZoneInfo,
        week: Sequence[Hours],
        holidays: Iterable[date] = (),
        exceptions: Mapping[date, Hours] | None = None,
        name: str = "",
    ) -> None:
        """Take already-validated parts: ``week`` holds the ``Hours`` of Monday to Sunday.

        Raises DomainError if the week has no working time, since a deadline
        could then never be reached.
        """
        if len(week) != len(WEEKDAYS):
            raise ValueError("week must hold the hours of the seven weekdays, Monday first")
        if not any(week):
            raise DomainError("the week has no working time at all", field="week")
        self.name = name
        self.timezone = timezone
        self._week = tuple(tuple(hours) for hours in week)
        self._exceptions = dict(exceptions or {})
        # An exception wins over a holiday on the same date.
        self._holidays = frozenset(holidays) - self._exceptions.keys()
        self._blocks: dict[int, _Block] = {}

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC instant at which ``duration`` of working time has passed after ``start``.

        A zero duration gives ``start`` itself (in UTC), even outside working
        time. A deadline that lands exactly at the end of a working interval
        stays there. Raises DomainError for a naive ``start`` or a negative
        ``duration``.
        """
        begin = _instant_us(start, "start")
        amount = _duration_us(duration)
        if amount == 0:
            return _utc(begin)
        block = self._block_at(begin)
        amount += block.worked_before(begin)
        while amount > block.total:
            amount -= block.total
            block = self._next_block(block, "duration")
        return _utc(block.instant_after(amount))

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The working time between ``start`` and ``end``; zero if ``end`` is not later."""
        begin = _instant_us(start, "start")
        finish = _instant_us(end, "end")
        if finish <= begin:
            return _ZERO
        block = self._block_at(begin)
        last = self._block_at(finish)
        worked = last.worked_before(finish) - block.worked_before(begin)
        while block is not last:
            worked += block.total
            block = self._next_block(block, "end")
        return _MICROSECOND * worked

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        """Cut ``start``..``end`` into consecutive segments of one kind each, in UTC.

        A holiday's whole local day is one ``holiday`` stretch; an exception date
        is working or non-working by its hours. Neighbouring segments of the
        same kind are merged; an empty span gives no segments.
        """
        begin = _instant_us(start, "start")
        finish = _instant_us(end, "end")
        pieces: list[list[Any]] = []
        for low, high, kind in self._pieces_from(begin):
            if low >= finish:
                break
            low, high = max(low, begin), min(high, finish)
            if low >= high:
                continue
            if pieces and pieces[-1][2] is kind and pieces[-1][1] == low:
                pieces[-1][1] = high
            else:
                pieces.append([low, high, kind])
        return [Segment(_utc(low), _utc(high), kind) for low, high, kind in pieces]

    def hours_on(self, day: date) -> Hours:
        """The local working hours of ``day`` after holidays and exceptions."""
        hours = self._exceptions.get(day)
        if hours is not None:
            return hours
        if day in self._holidays:
            return ()
        return self._week[day.weekday()]

    def _pieces_from(self, instant: int) -> Iterator[tuple[int, int, SegmentKind]]:
        """Yield day pieces (start, end, kind) in order, from the local day of ``instant`` on."""
        block = self._block_at(instant)
        first = bisect_right(block.midnights, instant) - 1
        while True:
            for i in range(first, len(block.holiday)):
                low, high = block.midnights[i], block.midnights[i + 1]
                if block.holiday[i]:
                    yield low, high, SegmentKind.HOLIDAY
                    continue
                for k in range(block.first_interval[i], block.first_interval[i + 1]):
                    yield low, block.starts[k], SegmentKind.NON_WORKING
                    yield block.starts[k], block.ends[k], SegmentKind.WORKING
                    low = block.ends[k]
                yield low, high, SegmentKind.NON_WORKING
            block, first = self._next_block(block, "end"), 0

    def _block_at(self, instant: int) -> _Block:
        """The block holding the local day of ``instant``."""
        # A zone's UTC offset is under a day, so that block is the one of the
        # instant's UTC day or a neighbour.
        index = (instant // _DAY_US + _EPOCH_ORDINAL) // _BLOCK_DAYS
        block = self._blocks.get(index) or self._build_block(index)
        if instant < block.midnights[0]:
            return self._blocks.get(index - 1) or self._build_block(index - 1)
        if instant >= block.midnights[-1]:
            return self._blocks.get(index + 1) or self._build_block(index + 1)
        return block

    def _next_block(self, block: _Block, field: str) -> _Block:
        """The block after ``block``; DomainError on ``field`` past the last supported day."""
        index = block.index + 1
        if index > _LAST_BLOCK:
            raise DomainError("that reaches beyond the year 9999", field=field)
        return self._blocks.get(index) or self._build_block(index)

    def _build_block(self, index: int) -> _Block:
        """Lay out the working time of one block of local days, and keep it."""
        block = _Block(index)
        first = max(index * _BLOCK_DAYS, _FIRST_ORDINAL)
        last = min((index + 1) * _BLOCK_DAYS, _LAST_ORDINAL + 1)
        zone = self.timezone
        block.midnights.append(_local_us(date.fromordinal(first), 0, zone))
        worked = 0
        for ordinal in range(first, last):
            day = date.fromordinal(ordinal)
            low = block.midnights[-1]
            high = _local_us(day, DAY_MINUTES, zone)
            block.midnights.append(high)
            block.holiday.append(day in self._holidays)
            for start, end in _real_intervals(day, self.hours_on(day), zone, low, high):
                block.starts.append(start)
                block.ends.append(end)
                worked += end - start
                block.worked.append(worked)
            block.first_interval.append(len(block.starts))
        block.total = worked
        self._blocks[index] = block
        return block


def _local_us(day: date, minute: int, zone: ZoneInfo) -> int:
    """The UTC epoch microseconds of ``minute`` after midnight of ``day`` in ``zone`` (fold=0)."""
    if minute == DAY_MINUTES:
        day, minute = day + timedelta(days=1), 0
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    # Subtracting aware datetimes with different tzinfos goes through UTC.
    return (local - _EPOCH) // _MICROSECOND


def _real_intervals(
    day: date, hours: Hours, zone: ZoneInfo, low: int, high: int
) -> list[tuple[int, int]]:
    """A day's working hours as sorted, disjoint UTC intervals within ``low``..``high``.

    A time in a DST gap moves forward by the gap, which can carry an interval
    past the start of a later one (or past the day's end): clip to the day, then
    take the union.
    """
    real = []
    for start, end in hours:
        real_start = max(_local_us(day, start, zone), low)
        real_end = min(_local_us(day, end, zone), high)
        if real_start < real_end:
            real.append((real_start, real_end))
    real.sort()
    union: list[tuple[int, int]] = []
    for start, end in real:
        if union and start <= union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], end))
        else:
            union.append((start, end))
    return union


def _utc(micros: int) -> datetime:
    """UTC epoch microseconds as an aware UTC datetime."""
    # Multiplying is exact and about twice as fast as timedelta(microseconds=...).
    return _EPOCH + _MICROSECOND * micros


def _instant_us(instant: datetime, field: str) -> int:
    """An aware datetime as UTC epoch microseconds; DomainError on ``field`` otherwise."""
    try:
        micros = (instant - _EPOCH) // _MICROSECOND
    except TypeError:
        raise DomainError(f"{field} must be a zone-aware datetime", field=field) from None
    if not _MIN_US <= micros < _MAX_US:
        raise DomainError(f"{field} is outside the years a calendar covers", field=field)
    return micros


def _duration_us(duration: timedelta) -> int:
    """A non-negative timedelta as integer microseconds; DomainError otherwise."""
    try:
        micros = duration // _MICROSECOND
    except TypeError:
        raise DomainError("duration must be a timedelta", field="duration") from None
    if micros < 0:
        raise DomainError("duration must not be negative", field="duration")
    return micros


# --- Reading the API's calendar JSON -------------------------------------------------------

_TIME_OF_DAY = re.compile(r"([0-9]{2}):([0-9]{2})")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def build_calendar(spec: Mapping[str, Any], extra_holidays: Iterable[date] = ()) -> WorkCalendar:
    """Build a calendar from the API's JSON; raises DomainError naming the bad field.

    ``extra_holidays`` are the public holidays of ``holiday_country``, already
    resolved into dates by the caller (the domain knows no holiday tables).
    Keys other than the calendar's own (``id``, ``version``, ...) are ignored.
    """
    if not isinstance(spec, Mapping):
        raise DomainError("a calendar must be a JSON object")
    name = spec.get("name", "")
    if not isinstance(name, str):
        raise DomainError("name must be a string", field="name")
    country = spec.get("holiday_country")
    if country is not None and not isinstance(country, str):
        raise DomainError("holiday_country must be a country code string", field="holiday_country")
    holidays = spec.get("holidays", [])
    if not isinstance(holidays, list):
        raise DomainError("holidays must be a list of dates", field="holidays")
    exceptions = spec.get("exceptions", {})
    if not isinstance(exceptions, Mapping):
        raise DomainError("exceptions must map dates to working hours", field="exceptions")
    return WorkCalendar(
        name=name,
        timezone=_parse_zone(spec.get("timezone")),
        week=_parse_week(spec.get("week")),
        holidays=[
            *(_parse_date(text, f"holidays[{i}]") for i, text in enumerate(holidays)),
            *extra_holidays,
        ],
        exceptions={
            _parse_date(key, f"exceptions.{key}"): _parse_hours(hours, f"exceptions.{key}")
            for key, hours in exceptions.items()
        },
    )


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _parse_zone(name: object) -> ZoneInfo:
    if name is None:
        raise DomainError("timezone is required, e.g. Europe/London", field="timezone")
    # "localtime" would be whatever zone the host runs in, not an IANA zone.
    if not isinstance(name, str) or name == "localtime" or name not in _zone_names():
        raise DomainError(f"unknown time zone {name!r}: use an IANA name", field="timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(f"unknown time zone {name!r}", field="timezone") from None


def _parse_week(week: object) -> list[Hours]:
    if not isinstance(week, Mapping):
        raise DomainError("week must map weekdays (mon ... sun) to working hours", field="week")
    for key in week:
        if key not in WEEKDAYS:
            raise DomainError(
                f"unknown weekday {key!r}: use {', '.join(WEEKDAYS)}", field=f"week.{key}"
            )
    return [_parse_hours(week.get(key, ()), f"week.{key}") for key in WEEKDAYS]


def _parse_hours(intervals: object, field: str) -> Hours:
    """A list of ["HH:MM", "HH:MM"] pairs as sorted ``Hours``; touching intervals are joined."""
    if not isinstance(intervals, list | tuple):
        raise DomainError(f"{field} must be a list of [start, end] intervals", field=field)
    parsed = []
    for i, interval in enumerate(intervals):
        path = f"{field}[{i}]"
        if not isinstance(interval, list | tuple) or len(interval) != 2:
            raise DomainError('an interval is a pair ["HH:MM", "HH:MM"]', field=path)
        start, end = (_parse_minute(text, path) for text in interval)
        if end <= start:
            raise DomainError(f"{path} must end after it starts", field=path)
        parsed.append((start, end, i))
    parsed.sort()
    for (_, end, i), (start, _, j) in pairwise(parsed):
        if start < end:
            first, second = sorted((i, j))
            raise DomainError(
                f"{field}[{second}] overlaps {field}[{first}]", field=f"{field}[{second}]"
            )
    hours: list[tuple[int, int]] = []
    for start, end, _ in parsed:
        if hours and hours[-1][1] == start:
            hours[-1] = (hours[-1][0], end)
        else:
            hours.append((start, end))
    return tuple(hours)


def _parse_minute(text: object, field: str) -> int:
    match = _TIME_OF_DAY.fullmatch(text) if isinstance(text, str) else None
    if match:
        hour, minute = int(match[1]), int(match[2])
        if (hour < 24 and minute < 60) or (hour, minute) == (24, 0):
            return hour * 60 + minute
    raise DomainError(f"{text!r} is not a time of day between 00:00 and 24:00", field=field)


def _parse_date(text: object, field: str) -> date:
    if isinstance(text, str) and _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError(f"{text!r} is not a date (YYYY-MM-DD)", field=field)
