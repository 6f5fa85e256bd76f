"""In-memory fakes of the alerts ports: alert records, the outbox, channels, mail.

They honour what the DynamoDB adapters promise: an alert is recorded once
(a second record answers None and writes nothing); a delivery moves only
from the state it was read in, so a second claim of one read loses; pages
of deliveries are ordered by their instant and follow opaque cursors.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from chalicelib.domain.deliveries import (
    PENDING,
    Alert,
    AlertKey,
    Delivery,
    DeliveryError,
    new_delivery,
)
from chalicelib.ports.alerts import Outbox
from chalicelib.ports.errors import InvalidCursorError


def _order(delivery: Delivery) -> tuple[datetime, str]:
    return delivery.instant, delivery.delivery_id


class MemoryAlerts(Outbox):
    """Alert records, the outbox of their deliveries, and the scanner's state."""

    def __init__(self) -> None:
        self.alerts: dict[AlertKey, dict[str, Any]] = {}
        self.deliveries: dict[str, Delivery] = {}
        self.last_scan: datetime | None = None

    def record(self, alert: Alert) -> list[Delivery] | None:
        if alert.key in self.alerts:
            return None
        self.alerts[alert.key] = alert.facts
        created = [
            new_delivery(f"{alert.key!r}|{r.key}", r, alert.facts, alert.raised_at)
            for r in alert.recipients
        ]
        for delivery in created:
            self.deliveries.setdefault(delivery.delivery_id, delivery)
        return created

    def exists(self, key: AlertKey) -> bool:
        return key in self.alerts

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        pending = [d for d in self.in_status(PENDING) if d.instant <= now]
        return pending[:limit]

    def page(
        self, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        listed = self.in_status(status)
        if cursor:
            after = _decode(cursor)
            listed = [d for d in listed if _order(d) > after]
        if len(listed) <= limit:
            return listed, None
        return listed[:limit], _cursor(listed[limit - 1])

    def scanned_at(self) -> datetime | None:
        return self.last_scan

    def set_scanned_at(self, now: datetime) -> None:
        self.last_scan = now

    def in_status(self, status: str) -> list[Delivery]:
        """The deliveries in ``status``, in their order (a test's look at the outbox)."""
        return sorted((d for d in self.deliveries.values() if d.status == status), key=_order)

    def move(self, delivery: Delivery, moved: Delivery) -> Delivery | None:
        current = self.deliveries.get(delivery.delivery_id)
        # The DynamoDB move is conditional on the key it was read at: status and instant.
        read_at = (delivery.status, delivery.instant)
        if current is None or (current.status, current.instant) != read_at:
            return None
        self.deliveries[delivery.delivery_id] = moved
        return moved


def _cursor(delivery: Delivery) -> str:
    raw = f"{delivery.instant.isoformat()}|{delivery.delivery_id}"
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")


def _decode(cursor: str) -> tuple[datetime, str]:
    """The (instant, id) of the last delivery a page handed out."""
    try:
        instant, _, delivery_id = (
            base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8").partition("|")
        )
        at = datetime.fromisoformat(instant)
    except (ValueError, binascii.Error, UnicodeError) as error:
        raise InvalidCursorError("not a cursor of this list") from error
    if at.tzinfo is None:
        raise InvalidCursorError("not a cursor of this list")
    return at, delivery_id


@dataclass
class Sent:
    """One delivery a fake channel was given, or one message the fake mail sent."""

    channel: str
    target: str
    event: str
    card_id: str | None
    facts: dict[str, Any]
    secret: str | None = None


@dataclass
class MemoryChannels:
    """Every channel at once: keeps what it sends, or fails as a test asks."""

    sent: list[Sent] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    """Raised one by one by the next sends (a ``DeliveryError``, or anything a bug raises)."""
    failing_for_good: Exception | None = None

    def send(self, delivery: Delivery, secret: str | None) -> str:
        if self.failing_for_good is not None:
            raise self.failing_for_good
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(
            Sent(
                delivery.channel,
                delivery.target,
                delivery.event,
                delivery.card_id,
                dict(delivery.facts),
                secret,
            )
        )
        return f"{delivery.channel}-{len(self.sent)}"


@dataclass
class MemoryMail:
    """The mail sender: keeps each message sent, or fails as a test asks."""

    sent: list[EmailMessage] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)

    def send(self, message: EmailMessage) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"mail-{len(self.sent)}"
