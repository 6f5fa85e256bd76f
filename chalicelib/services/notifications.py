"""Raising alerts: who an alert goes to, when each may first be tried, and recording it once.

``raise_alert`` records an alert and one pending delivery per recipient in
one guarded write (``docs/design.md``, invariant 4): a second raise of the
same alert writes and sends nothing. Sending is the delivery worker's job
(``services.deliveries``). A delivery held for a subscription's quiet hours
is pending until its release instant (``domain.alerts.release_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from chalicelib.domain.alerts import AlertFacts, Subscription, release_at
from chalicelib.domain.calendar import WorkingTime
from chalicelib.domain.deliveries import Alert, AlertKey, Delivery, Recipient
from chalicelib.ports.alerts import alert_records
from chalicelib.services.calendars import latest_calendar_version, load_calendar

ASSIGN = "assign"
"""The channel of an escalation's assignment: "sent" by setting the card's assignee."""


class QuietHours:
    """The quiet calendars of subscriptions, each loaded once per run (latest version)."""

    def __init__(self) -> None:
        self._calendars: dict[str, WorkingTime | None] = {}

    def of(self, subscription: Subscription) -> WorkingTime | None:
        """The subscription's quiet calendar, or None (no quiet hours, or it was deleted)."""
        calendar_id = subscription.quiet_calendar_id
        if calendar_id is None:
            return None
        if calendar_id not in self._calendars:
            version = latest_calendar_version(calendar_id)
            self._calendars[calendar_id] = (
                None if version is None else load_calendar(calendar_id, version)
            )
        return self._calendars[calendar_id]


def subscriber_recipients(
    facts: AlertFacts,
    subscriptions: Iterable[Subscription],
    quiet: QuietHours,
    now: datetime,
) -> list[Recipient]:
    """A delivery for each subscription that wants this alert, released as its quiet hours say."""
    return [
        Recipient(
            key=subscription.id,
            channel=subscription.channel,
            target=subscription.target,
            subscription_id=subscription.id,
            locale=subscription.locale,
            timezone=subscription.timezone,
            release_at=release_at(
                facts.event, now, quiet.of(subscription), subscription.hold_urgent
            ),
        )
        for subscription in subscriptions
        if subscription.wants(facts.event, facts.board_id, facts.column_id)
    ]


def raise_alert(
    key: AlertKey, facts: AlertFacts, recipients: Sequence[Recipient], now: datetime
) -> list[Delivery] | None:
    """Record the alert and its deliveries once; None when it was raised before.

    The caller delivers (``deliveries.deliver``) the deliveries answered, or
    leaves them to the next ``deliver_due``.
    """
    return alert_records().record(Alert(key, facts.to_json(), tuple(recipients), now))
