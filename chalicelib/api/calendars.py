"""Routes for business calendars (admin writes, agent reads)."""

from chalicelib.api.paths import version_number
from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.calendars import (
    Calendar,
    CalendarFields,
    DeadlineAnswer,
    DeadlineRequest,
    ElapsedAnswer,
    ElapsedRequest,
)
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.services import calendars
from chalicelib.services.durations import duration_seconds


@endpoint(
    "POST",
    "/calendars",
    role="admin",
    body=CalendarFields,
    response=Calendar,
    status=201,
)
def create_calendar(body: CalendarFields) -> dict:
    """Create a calendar (version 1)."""
    return calendars.create_calendar(body.model_dump(mode="json"))


@endpoint("GET", "/calendars", role="agent", query=PageQuery, response=Page[Calendar])
def list_calendars(query: PageQuery) -> dict:
    """List calendars (latest versions)."""
    return calendars.list_calendars(query.limit, query.next)


@endpoint("GET", "/calendars/{calendar_id}", role="agent", response=Calendar)
def get_calendar(calendar_id: str) -> dict:
    """Read the latest version of a calendar."""
    return calendars.get_calendar(calendar_id)


@endpoint(
    "PUT",
    "/calendars/{calendar_id}",
    role="admin",
    body=CalendarFields,
    response=Calendar,
)
def update_calendar(calendar_id: str, body: CalendarFields) -> dict:
    """Replace a calendar: makes version n+1, older versions stay readable."""
    return calendars.update_calendar(calendar_id, body.model_dump(mode="json"))


@endpoint("DELETE", "/calendars/{calendar_id}", role="admin", status=204)
def delete_calendar(calendar_id: str) -> None:
    """Delete a calendar that no SLA policy uses."""
    calendars.delete_calendar(calendar_id)


@endpoint(
    "GET",
    "/calendars/{calendar_id}/versions/{version}",
    role="agent",
    response=Calendar,
)
def get_calendar_version(calendar_id: str, version: str) -> dict:
    """Read one stored version of a calendar."""
    return calendars.get_calendar_version(calendar_id, version_number(version))


@endpoint(
    "POST",
    "/calendars/{calendar_id}/deadline",
    role="agent",
    body=DeadlineRequest,
    response=DeadlineAnswer,
)
def deadline(calendar_id: str, body: DeadlineRequest) -> dict:
    """The instant at which that much working time has passed (latest version)."""
    return calendars.deadline(calendar_id, body.start, duration_seconds(body.duration))


@endpoint(
    "POST",
    "/calendars/{calendar_id}/elapsed",
    role="agent",
    body=ElapsedRequest,
    response=ElapsedAnswer,
)
def elapsed(calendar_id: str, body: ElapsedRequest) -> dict:
    """Working seconds between two instants (latest version)."""
    return calendars.elapsed(calendar_id, body.start, body.end)
