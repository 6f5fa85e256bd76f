"""The requester's status page as JSON (``Accept: application/json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from chalicelib.api.schemas.common import Resource


class StatusQuery(BaseModel):
    """``?tz=``: the IANA time zone to show instants in (HTML); default the SLA calendar's."""

    tz: str | None = None


class PublicTimer(Resource):
    """One SLA timer as the requester sees it (no internal ids); a card's ``Timer`` adds them."""

    sla_name: str
    kind: str
    status: Literal["not_started", "running", "paused", "met", "missed"]
    violated: bool
    color: Literal["green", "red", "gray"]
    target_seconds: int
    elapsed_seconds: int
    remaining_seconds: int
    overdue_seconds: int
    started_at: datetime | None
    deadline: datetime | None
    stopped_at: datetime | None


class PromisedRule(Resource):
    """One rule's target, and the promise in words ("first reaction within 10 minutes, 24/7")."""

    kind: str
    target_seconds: int
    text: str


class Promise(Resource):
    """What one SLA policy promises: its rules in words, its escalation path, its agreement."""

    sla_name: str
    rules: list[PromisedRule]
    escalation_path: list[str]
    agreement: dict[str, str | None] | None


class PublicMessage(Resource):
    """The request or a public comment; ``by`` is ``requester`` or ``support``."""

    by: Literal["requester", "support"]
    body: str
    at: datetime


class PublicFile(Resource):
    """A file of the request; ``url`` downloads it (null when it was too large to keep)."""

    filename: str
    size: int
    url: str | None


class RequestStatus(Resource):
    """The requester's view of their request; instants in UTC, ``timezone`` to show them in."""

    id: str
    title: str
    state: Literal["queue", "in_progress", "waiting", "done"]
    state_name: str
    board_name: str
    created_at: datetime
    updated_at: datetime
    timezone: str
    timers: list[PublicTimer]
    promises: list[Promise]
    messages: list[PublicMessage]
    attachments: list[PublicFile]
