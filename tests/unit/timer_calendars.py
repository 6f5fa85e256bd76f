"""The business calendar of the timer tests, and a plain predicate that says the same thing.

Support hours are Monday to Friday 10:30–16:00 Moscow time (UTC+3 all year),
with New Year's Eve 2026 a holiday, 30 December shortened to 13:00 and
Saturday 26 December 2026 an extra working day from 10:00 to 14:00.
``is_support_time`` is the obviously correct minute-by-minute reading the
slow reference of the property tests counts with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from chalicelib.domain.calendar import WorkCalendar, build_calendar

MOSCOW = ZoneInfo("Europe/Moscow")

SUPPORT_HOURS = {
    "name": "Support hours",
    "timezone": "Europe/Moscow",
    "week": {day: [["10:30", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-31"],
    "exceptions": {"2026-12-30": [["10:30", "13:00"]], "2026-12-26": [["10:00", "14:00"]]},
}

_HOURS_ON = {
    date(2026, 12, 31): None,
    date(2026, 12, 30): (time(10, 30), time(13, 0)),
    date(2026, 12, 26): (time(10, 0), time(14, 0)),
}


def support_hours() -> WorkCalendar:
    return build_calendar(SUPPORT_HOURS)


def msk(text: str) -> datetime:
    """A Moscow wall-clock time such as ``"2026-11-02 15:00"``, as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW).astimezone(UTC)


def is_support_time(at: datetime) -> bool:
    local = at.astimezone(MOSCOW)
    day = local.date()
    if day in _HOURS_ON:
        hours = _HOURS_ON[day]
    else:
        hours = (time(10, 30), time(16, 0)) if day.weekday() < 5 else None
    return hours is not None and hours[0] <= local.time() < hours[1]
