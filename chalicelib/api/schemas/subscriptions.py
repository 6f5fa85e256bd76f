"""Subscriptions and notifications: what ``/subscriptions`` and ``/notifications`` speak."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Body, Identifier, Resource

Channel = Literal["email", "sns", "slack", "telegram", "webhook"]
Event = Literal[
    "card_created",
    "card_entered_column",
    "sla_warning",
    "sla_breach",
    "sla_escalation",
    "daily_digest",
]


class SubscriptionFields(Body):
    """``POST /subscriptions``.

    ``target`` is an e-mail address (email), a topic ARN (sns), an incoming
    webhook URL (slack), a chat id (telegram) or an http(s) URL (webhook).
    ``secret`` signs webhook bodies and is required for that channel.
    ``hold_urgent`` holds breaches and escalations for the quiet calendar too.
    ``chat_users`` (slack, telegram) maps chat users (a Slack user id or name, a
    Telegram username or id) to the assignee their "Take" button sets.
    """

    channel: Channel
    target: Annotated[str, Field(min_length=1, max_length=2048)]
    board_id: str | None = None
    column_id: Identifier | None = None
    events: Annotated[list[Event], Field(min_length=1, max_length=6)]
    locale: Literal["en", "ru"] = "en"
    timezone: Annotated[str, Field(min_length=1, max_length=64)] = "UTC"
    quiet_calendar_id: str | None = None
    hold_urgent: bool = False
    secret: Annotated[str, Field(min_length=16, max_length=256)] | None = None
    chat_users: (
        Annotated[
            dict[
                Annotated[str, Field(min_length=1, max_length=64)],
                Annotated[str, Field(min_length=1, max_length=64)],
            ],
            Field(max_length=500),
        ]
        | None
    ) = None


class Subscription(Resource):
    """A stored subscription; its secret is never shown, only whether it has one."""

    id: str
    channel: Channel
    target: str
    board_id: str | None
    column_id: str | None
    events: list[Event]
    locale: str
    timezone: str
    quiet_calendar_id: str | None
    hold_urgent: bool
    has_secret: bool
    chat_users: dict[str, str] | None = None
    created_at: datetime


class NotificationQuery(BaseModel):
    """``GET /notifications?status=...`` (required) with the page parameters."""

    status: Literal["pending", "sent", "failed"]
    limit: int = Field(50, ge=1, le=100)
    next: str | None = None


class Notification(Resource):
    """One delivery of an alert to one recipient, and how it went."""

    id: str
    status: str
    event: str
    card_id: str | None
    channel: str
    target: str
    subscription_id: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None
