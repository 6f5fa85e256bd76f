"""Deliveries: which alert was raised, who it goes to, and where each delivery of it stands.

An alert is known by what raised it (``AlertKey``: a timer's check point, a
card event, a subscriber's digest day, or a message kept for another try);
it is recorded once, with one ``Delivery`` per ``Recipient``. A delivery is
pending until it is sent or fails for good (``docs/design.md``, "Alerts").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

# Whatever a reader could take for a line break or a control character (CR, LF, VT, FF,
# NEL, the Unicode line and paragraph separators, C0/C1 controls), for one-line fields.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)

# What a sent mail says it is about, in its own headers (the local outbox reads them back).
EVENT_HEADER = "X-Sladesk-Event"
CARD_HEADER = "X-Sladesk-Card-Id"


class DeliveryError(Exception):
    """A send that did not happen. ``permanent`` when trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def one_line(text: str) -> str:
    """``text`` as one line: each run of line breaks and control characters becomes a space.

    For what must stay on one line whatever a requester wrote: a mail's
    ``Subject`` and other headers, a chat message's headline, a digest line.
    """
    return _NOT_ONE_LINE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class CheckpointAlert:
    """A warning, breach or escalation (``kind``, ``level``) of one timer of a card."""

    card_id: str
    sla_id: str
    rule_id: str
    kind: str
    level: int


@dataclass(frozen=True, slots=True)
class CardEventAlert:
    """A card event (a new card, a move) that subscribers are told of: the event's ``seq``."""

    card_id: str
    seq: int


@dataclass(frozen=True, slots=True)
class DigestAlert:
    """One subscriber's daily digest of one local day."""

    subscription_id: str
    day: date


@dataclass(frozen=True, slots=True)
class MailAlert:
    """A message a service built for a card (``event`` says which), kept to be tried again."""

    card_id: str
    event: str


AlertKey = CheckpointAlert | CardEventAlert | DigestAlert | MailAlert
"""What an alert is known by: raising the same key twice records it once."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where one delivery of an alert goes, and when it may first be tried."""

    key: str
    channel: str
    target: str
    subscription_id: str | None
    locale: str
    timezone: str
    release_at: datetime


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as raised: what it is (``key``), what it says, to whom, and when."""

    key: AlertKey
    facts: dict[str, Any]
    recipients: tuple[Recipient, ...]
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert to one recipient, as stored.

    ``delivery_id`` is stable for the delivery's whole life. ``next_attempt_at``
    is when a pending delivery is tried next (None once it ended);
    ``finished_at`` when it was sent or failed. ``subscription_id`` is None for
    an escalation's own targets and for the assignment an escalation makes.
    """

    delivery_id: str
    event: str
    card_id: str | None
    subscription_id: str | None
    channel: str
    target: str
    locale: str
    timezone: str
    created_at: datetime
    status: str = PENDING
    facts: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def instant(self) -> datetime:
        """The instant the delivery is ordered by in its status: next attempt, or its end."""
        at = self.next_attempt_at if self.status == PENDING else self.finished_at
        if at is None:
            raise ValueError(f"delivery {self.delivery_id} has no instant for {self.status}")
        return at

    def claimed(self, now: datetime, lease: timedelta) -> Delivery:
        """Taken for one try: the try is counted, and it is due again when the lease ends."""
        return replace(self, attempts=self.attempts + 1, next_attempt_at=now + lease)

    def retried(self, at: datetime, error: str) -> Delivery:
        """Put back to pending after a failed try, to be tried again at ``at``."""
        return replace(self, status=PENDING, next_attempt_at=at, last_error=error)

    def finished(self, status: str, now: datetime, error: str | None = None) -> Delivery:
        """Sent or failed (with the reason of its last failure) at ``now``."""
        return replace(self, status=status, next_attempt_at=None, finished_at=now, last_error=error)


def new_delivery(
    delivery_id: str, recipient: Recipient, facts: dict[str, Any], now: datetime
) -> Delivery:
    """A pending delivery of an alert just recorded, released at the recipient's instant."""
    return Delivery(
        delivery_id=delivery_id,
        event=facts["event"],
        card_id=facts.get("card_id"),
        subscription_id=recipient.subscription_id,
        channel=recipient.channel,
        target=recipient.target,
        locale=recipient.locale,
        timezone=recipient.timezone,
        created_at=now,
        facts=facts,
        next_attempt_at=recipient.release_at,
    )
