"""Business calendars: working-time arithmetic in a calendar's IANA time zone.

(Interface skeleton: the full engine replaces the NotImplementedError parts.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol


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


class WorkCalendar:
    """A calendar built from the API's calendar JSON."""

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        raise NotImplementedError

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        raise NotImplementedError

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        raise NotImplementedError


def build_calendar(spec: Mapping[str, Any], extra_holidays: Iterable[date] = ()) -> WorkCalendar:
    """Build a calendar from the API's JSON; raises DomainError naming the bad field."""
    raise NotImplementedError
