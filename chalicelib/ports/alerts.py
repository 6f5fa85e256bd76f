"""The alerts ports: the interfaces the alerts services use, in domain types.

``AlertRecords`` records each alert once with its deliveries; ``Outbox`` moves
deliveries between pending, sent and failed, each move guarded so that two
workers never both take one; ``Channels`` and ``MailSender`` send; ``ScanState`` is
where the breach scanner got to. The subscriptions are not a port of their own here:
``subscribers()`` reads the one subscription store (``chalicelib.ports.config``) the
way the alert rules match against it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol, cast

from chalicelib.domain.alerts import Subscription
from chalicelib.domain.deliveries import Alert, AlertKey, Delivery
from chalicelib.ports import resolve
from chalicelib.ports.config import SubscriptionStore, subscription_store


class StoreUnavailableError(Exception):
    """The alert records could not be read or written now (the store failed, not a condition)."""


class AlertRecords(Protocol):
    def record(self, alert: Alert) -> list[Delivery] | None:
        """Record the alert and one pending delivery per recipient; None if it was recorded."""
        ...

    def exists(self, key: AlertKey) -> bool:
        """Whether that alert was recorded."""
        ...


class Outbox(Protocol):
    """Pending, sent and failed deliveries; a store subclasses it and supplies ``move``."""

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Up to ``limit`` pending deliveries whose next attempt is at or before ``now``."""
        ...

    def move(self, delivery: Delivery, moved: Delivery) -> Delivery | None:
        """Store ``moved`` in place of ``delivery`` if that is still stored as it was read.

        Answers ``moved``, or None when another worker moved the delivery first.
        """
        ...

    def claim(self, delivery: Delivery, now: datetime, lease: timedelta) -> Delivery | None:
        """Take a pending delivery for one try (``attempts`` counted); None when taken first.

        A claim that is never finished is due again when ``lease`` has passed.
        """
        return self.move(delivery, delivery.claimed(now, lease))

    def retry(self, delivery: Delivery, at: datetime, error: str) -> Delivery | None:
        """Put a claimed delivery back to pending, to be tried again at ``at``."""
        return self.move(delivery, delivery.retried(at, error))

    def finish(
        self, delivery: Delivery, status: str, now: datetime, error: str | None = None
    ) -> Delivery | None:
        """Mark a claimed delivery sent or failed (with the reason of its last failure)."""
        return self.move(delivery, delivery.finished(status, now, error))

    def page(
        self, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        """One page of the deliveries in ``status``, oldest first; ``InvalidCursorError``."""
        ...


class ScanState(Protocol):
    def scanned_at(self) -> datetime | None:
        """When the breach scanner last finished a tick, if ever."""
        ...

    def set_scanned_at(self, now: datetime) -> None:
        """Remember that the breach scanner finished a tick at ``now``."""
        ...


class Channels(Protocol):
    def send(self, delivery: Delivery, secret: str | None) -> str:
        """Render the delivery's alert for its recipient and send it on its channel.

        Answers an id of what was sent; raises ``DeliveryError``.
        """
        ...


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send a built message to its ``To`` addresses; raises ``DeliveryError``."""
        ...


class Subscribers:
    """The subscriptions as the alert rules read them: a reading of the subscription store."""

    def __init__(self, store: SubscriptionStore) -> None:
        self._store = store

    def all(self) -> list[Subscription]:
        """Every subscription, as the alert rules match against them."""
        return [stored.for_alerts() for stored in self._store.all()]

    def webhook_secret(self, subscription_id: str) -> str | None:
        """The secret a webhook subscription signs with; None when it has none or is gone."""
        stored = self._store.get(subscription_id)
        return None if stored is None else stored.secret


def alert_records() -> AlertRecords:
    return cast(AlertRecords, resolve("alerts.records"))


def outbox() -> Outbox:
    return cast(Outbox, resolve("alerts.outbox"))


def scan_state() -> ScanState:
    return cast(ScanState, resolve("alerts.scan_state"))


def channels() -> Channels:
    return cast(Channels, resolve("alerts.channels"))


def mail_sender() -> MailSender:
    return cast(MailSender, resolve("alerts.mail_sender"))


def subscribers() -> Subscribers:
    """The subscriptions of the one subscription store, as the alert rules read them."""
    return Subscribers(subscription_store())
