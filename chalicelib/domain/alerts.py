"""Alerts: which notifications are due, to whom, when, and what they say.

Everything here is a pure function of its arguments. The breach scanner asks
which of a timer's check points are due (``due_checkpoints``) and where its
next check lies (``next_check_after``); each raised alert becomes one delivery
per recipient, released at once or held for a subscription's quiet hours
(``release_at``), retried with backoff (``retry_delay``); the daily digest
asks whether a subscriber's digest is due (``digest_day``) and which timers
it lists (``digest_lines``). ``AlertFacts`` is what every message says,
whatever its channel and language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.calendar import WorkingTime
from chalicelib.domain.instants import utc_stamp
from chalicelib.domain.timers import Checkpoint, CheckpointKind

_TICK = timedelta(microseconds=1)


class AlertEvent(StrEnum):
    """The notification events a subscription may ask for."""

    CARD_CREATED = "card_created"
    CARD_ENTERED_COLUMN = "card_entered_column"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    SLA_ESCALATION = "sla_escalation"
    DAILY_DIGEST = "daily_digest"


EVENT_OF_CHECKPOINT = {
    CheckpointKind.WARNING: AlertEvent.SLA_WARNING,
    CheckpointKind.BREACH: AlertEvent.SLA_BREACH,
    CheckpointKind.ESCALATION: AlertEvent.SLA_ESCALATION,
}

# Breaches and escalations go out at once, even in quiet hours, unless a subscription says not.
URGENT_EVENTS = frozenset({AlertEvent.SLA_BREACH, AlertEvent.SLA_ESCALATION})

DIGEST_AT = time(9, 0)
DIGEST_HORIZON = timedelta(hours=24)

# Transient send failures are tried again after 1, 2, 4 and 8 minutes; the fifth failure is final.
MAX_ATTEMPTS = 5
_FIRST_RETRY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Subscription:
    """Who wants which events, on which channel, in which language, zone and quiet hours.

    ``board_id`` None means every board; ``column_id`` narrows
    ``card_entered_column`` to one column. ``hold_urgent`` holds breaches and
    escalations for the quiet calendar too (by default they go at once).
    """

    id: str
    channel: str
    target: str
    events: frozenset[str]
    board_id: str | None = None
    column_id: str | None = None
    locale: str = "en"
    timezone: str = "UTC"
    quiet_calendar_id: str | None = None
    hold_urgent: bool = False

    def wants(self, event: AlertEvent, board_id: str, column_id: str | None = None) -> bool:
        """Whether it is told about ``event`` on ``board_id`` (moving into ``column_id``)."""
        if event.value not in self.events:
            return False
        if self.board_id is not None and self.board_id != board_id:
            return False
        if event == AlertEvent.CARD_ENTERED_COLUMN and self.column_id is not None:
            return self.column_id == column_id
        return True


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One timer of a digest: a card whose deadline falls within the horizon."""

    card_id: str
    title: str
    sla_name: str
    rule_id: str
    kind: str
    deadline: datetime


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What a message tells, whatever its channel and language.

    ``remaining_seconds`` and ``overdue_seconds`` count the SLA's working
    time as of ``at`` (the instant the alert was raised). ``lines`` is the
    content of a digest, nearest deadline first.
    """

    event: AlertEvent
    at: datetime
    board_id: str
    card_id: str | None = None
    title: str | None = None
    sla_id: str | None = None
    sla_name: str | None = None
    rule_id: str | None = None
    rule_kind: str | None = None
    level: int = 0
    deadline: datetime | None = None
    remaining_seconds: int = 0
    overdue_seconds: int = 0
    column_id: str | None = None
    assign_to: str | None = None
    lines: tuple[DigestLine, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON values (instants as RFC 3339 in UTC)."""
        raw = asdict(self)
        raw["event"] = self.event.value
        raw["at"] = utc_stamp(self.at)
        raw["deadline"] = utc_stamp(self.deadline) if self.deadline else None
        raw["lines"] = [
            {**asdict(line), "deadline": utc_stamp(line.deadline)} for line in self.lines
        ]
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> AlertFacts:
        """The facts ``to_json`` wrote."""
        values = dict(raw)
        values["event"] = AlertEvent(values["event"])
        values["at"] = datetime.fromisoformat(values["at"])
        if values.get("deadline"):
            values["deadline"] = datetime.fromisoformat(values["deadline"])
        values["lines"] = tuple(
            DigestLine(**{**line, "deadline": datetime.fromisoformat(line["deadline"])})
            for line in values.get("lines", ())
        )
        return cls(**values)


def due_checkpoints(checkpoints: Iterable[Checkpoint], now: datetime) -> list[Checkpoint]:
    """The check points at or before ``now``: each is raised once (the records say which)."""
    return [checkpoint for checkpoint in checkpoints if checkpoint.at <= now]


def next_check_after(checkpoints: Iterable[Checkpoint], now: datetime) -> datetime | None:
    """The earliest check point after ``now``, or None when every one is behind."""
    return min((c.at for c in checkpoints if c.at > now), default=None)


def next_working_instant(calendar: WorkingTime, at: datetime) -> datetime:
    """``at`` itself when it is working time, else the next instant that is."""
    # The instant one microsecond of work ends, less that microsecond: where work resumes.
    return calendar.deadline(at, _TICK) - _TICK


def release_at(
    event: AlertEvent, now: datetime, quiet: WorkingTime | None, hold_urgent: bool
) -> datetime:
    """When a delivery of ``event`` may go: now, or the quiet calendar's next working instant."""
    if quiet is None or (event in URGENT_EVENTS and not hold_urgent):
        return now
    return next_working_instant(quiet, now)


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after the ``attempts``-th failed try; None when it was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return _FIRST_RETRY * 2 ** (attempts - 1)


def digest_day(now: datetime, zone: str) -> date | None:
    """The subscriber's local day whose digest is due at ``now``; None before 09:00 local."""
    local = now.astimezone(ZoneInfo(zone))
    return local.date() if local.time() >= DIGEST_AT else None


def digest_lines(lines: Iterable[DigestLine], now: datetime) -> tuple[DigestLine, ...]:
    """The lines whose deadline falls within the next 24 hours, nearest first."""
    horizon = now + DIGEST_HORIZON
    return tuple(
        sorted(
            (line for line in lines if now <= line.deadline <= horizon),
            key=lambda line: (line.deadline, line.card_id, line.rule_id),
        )
    )
