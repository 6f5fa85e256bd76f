"""Business calendars: define, version, and ask for deadlines and elapsed working time.

Editing a calendar makes a new version; SLA timers keep counting in the
version that was current when their SLA was attached (docs/design.md, invariant 5).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from chalicelib.domain.calendar import WorkCalendar, build_calendar
from chalicelib.domain.versions import CalendarVersion
from chalicelib.ports.clock import now
from chalicelib.ports.config import calendar_store, public_holidays, sla_store
from chalicelib.ports.errors import WriteConflictError
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError


def _build(fields: dict[str, Any]) -> WorkCalendar:
    """The calendar engine's view of a definition; DomainError names a bad field."""
    country = fields.get("holiday_country")
    extra = public_holidays(country) if country else ()
    return build_calendar(fields, extra)


def _validated(fields: dict[str, Any]) -> None:
    # The engine refuses what it cannot count in, e.g. a week without working time.
    with refusals():
        _build(fields)


def _answer(item: CalendarVersion) -> dict[str, Any]:
    return {**item.body, "id": item.id, "version": item.version, "created_at": item.created_at}


def create_calendar(fields: dict[str, Any]) -> dict[str, Any]:
    """Store version 1 of a new calendar."""
    _validated(fields)
    item = calendar_store().create(new_id("cal"), fields, now())
    return _answer(item)


def get_calendar(calendar_id: str) -> dict[str, Any]:
    """The latest version of a calendar."""
    return _answer(_latest(calendar_id))


def get_calendar_version(calendar_id: str, version: int) -> dict[str, Any]:
    """One stored version of a calendar (old versions stay readable)."""
    item = calendar_store().version(calendar_id, version)
    if item is None:
        raise NotFoundError(f"calendar {calendar_id} has no version {version}")
    return _answer(item)


def list_calendars(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of calendars (latest versions)."""
    with refusals():
        items, next_cursor = calendar_store().list_latest(limit, cursor)
    return page([_answer(item) for item in items], next_cursor)


def update_calendar(calendar_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Store the next version of a calendar; a concurrent edit answers 409."""
    current = _latest(calendar_id)
    _validated(fields)
    try:
        item = calendar_store().add_version(calendar_id, current.version, fields, now())
    except WriteConflictError as error:
        raise ConflictError("the calendar changed meanwhile; read it again") from error
    return _answer(item)


def delete_calendar(calendar_id: str) -> None:
    """Remove a calendar no SLA policy uses; its versions stay for pinned cards."""
    _latest(calendar_id)
    users = [sla.id for sla in sla_store().all_latest() if sla.calendar_id == calendar_id]
    if users:
        raise ConflictError(
            f"SLA policies {', '.join(users)} count in this calendar", code="calendar_in_use"
        )
    calendar_store().delete(calendar_id)


def deadline(calendar_id: str, start: datetime, duration_seconds: int) -> dict[str, Any]:
    """When ``duration_seconds`` of working time will have passed after ``start``."""
    calendar = _engine(_latest(calendar_id))
    with refusals():
        instant = calendar.deadline(start, timedelta(seconds=duration_seconds))
    return {"deadline": instant}


def elapsed(calendar_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Working seconds between two instants."""
    if end < start:
        raise InvalidInputError("end must not be before start", field="end")
    calendar = _engine(_latest(calendar_id))
    with refusals():
        amount = calendar.elapsed(start, end)
    return {"business_seconds": int(amount.total_seconds())}


def load_calendar(calendar_id: str, version: int) -> WorkCalendar:
    """The calendar engine for one stored version (what timers count in)."""
    item = calendar_store().version(calendar_id, version)
    if item is None:
        raise NotFoundError(f"calendar {calendar_id} has no version {version}")
    return _engine(item)


def latest_calendar_version(calendar_id: str) -> int | None:
    """The current version number of a calendar, or None if it does not exist."""
    item = calendar_store().latest(calendar_id)
    return None if item is None else item.version


def _latest(calendar_id: str) -> CalendarVersion:
    item = calendar_store().latest(calendar_id)
    if item is None:
        raise NotFoundError(f"no calendar {calendar_id}")
    return item


def _engine(item: CalendarVersion) -> WorkCalendar:
    return _cached_engine(item.id, item.version, json.dumps(item.body, sort_keys=True))


@lru_cache(maxsize=64)
def _cached_engine(calendar_id: str, version: int, body: str) -> WorkCalendar:
    # A stored version never changes, so its engine (which lays out working
    # time lazily and keeps it) is worth keeping; the body is part of the key
    # because ids are only unique per table.
    return _build(json.loads(body))
