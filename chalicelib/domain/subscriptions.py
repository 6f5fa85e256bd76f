"""Notification subscriptions as they were made: their fields as accepted, secret included.

``chalicelib.domain.alerts.Subscription`` is what the alert rules match against;
``StoredSubscription.for_alerts()`` is the one conversion to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.alerts import Subscription


@dataclass(frozen=True, slots=True)
class StoredSubscription:
    """A subscription: ``body`` holds its fields as the API accepted them (and the secret)."""

    id: str
    board_id: str | None
    body: Mapping[str, Any]
    created_at: datetime

    @property
    def secret(self) -> str | None:
        """The webhook secret deliveries are signed with, if any."""
        secret = self.body.get("secret")
        return str(secret) if secret else None

    def for_alerts(self) -> Subscription:
        """The subscription as the alert rules see it."""
        body = self.body
        return Subscription(
            id=self.id,
            channel=body["channel"],
            target=body["target"],
            events=frozenset(body["events"]),
            board_id=body.get("board_id"),
            column_id=body.get("column_id"),
            locale=body.get("locale", "en"),
            timezone=body.get("timezone", "UTC"),
            quiet_calendar_id=body.get("quiet_calendar_id"),
            hold_urgent=bool(body.get("hold_urgent")),
        )
