"""Business calendars: what ``/calendars`` accepts and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from chalicelib.api.schemas.common import Body, Duration, Name, Resource

LocalTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Interval = Annotated[list[LocalTime], Field(min_length=2, max_length=2)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class CalendarFields(Body):
    """A calendar definition (``POST /calendars``, ``PUT /calendars/{id}``)."""

    name: Name
    timezone: Annotated[str, Field(min_length=1, max_length=64)]
    week: dict[Weekday, list[Interval]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list, max_length=2000)
    holiday_country: CountryCode | None = None
    exceptions: dict[date, list[Interval]] = Field(default_factory=dict)


class Calendar(Resource):
    """One version of a calendar."""

    id: str
    version: int
    name: str
    timezone: str
    week: dict[Weekday, list[list[str]]]
    holidays: list[date]
    holiday_country: str | None
    exceptions: dict[date, list[list[str]]]
    created_at: datetime


class DeadlineRequest(Body):
    """``POST /calendars/{id}/deadline``."""

    start: AwareDatetime
    duration: Duration


class DeadlineAnswer(Resource):
    """The instant at which ``duration`` of working time has passed."""

    deadline: datetime


class ElapsedRequest(Body):
    """``POST /calendars/{id}/elapsed``."""

    start: AwareDatetime
    end: AwareDatetime


class ElapsedAnswer(Resource):
    """Working seconds between two instants."""

    business_seconds: int
