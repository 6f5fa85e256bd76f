"""The local stack's outbox: everything the stack has sent, oldest first (``GET /dev/outbox``).

Notifiers just send. Mail and SNS messages go to the AWS emulator, which
keeps what it was given; this module reads back only what was sent: the SES
backend's sent messages and the SNS topics' notifications of the emulator
running in this process (the local stack's moto server, or ``moto.mock_aws``
in tests), never moto's full state dump (``/moto-api/data.json``), which
holds every emulated resource and grows with every card. A message is parsed
once and remembered by its id, so a read costs a lookup per message. HTTP
deliveries that never reach AWS (webhooks, Slack, Telegram) are recorded with
``record_delivery`` instead.

The emulator keeps neither SES message tags nor send times, so a notifier
says what a message is about in the message itself:

- mail is sent raw (MIME) with the headers ``X-Sladesk-Event`` and
  ``X-Sladesk-Card-Id``; its ``Date`` header is when it was sent;
- SNS messages carry the string attributes ``event``, ``card_id`` and
  ``sent_at`` (RFC 3339).

Only the local stack (``SLADESK_DEV=1``) reads the outbox; moto comes with
the development requirements, so it is imported only to read. Notifiers of
deployed stacks import the header and attribute names above.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.adapters.table_base import ConfigTable, bind_tables
from chalicelib.domain.deliveries import CARD_HEADER, EVENT_HEADER

__all__ = [
    "CARD_HEADER",
    "EVENT_HEADER",
    "OutboxItem",
    "read_outbox",
    "record_delivery",
    "remember",
]

EVENT_ATTRIBUTE = "event"
CARD_ATTRIBUTE = "card_id"
SENT_AT_ATTRIBUTE = "sent_at"

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One message the stack sent: mail, an SNS message or an HTTP delivery."""

    channel: str
    to: str
    subject: str | None
    body: str
    at: datetime | None
    event: str | None
    card_id: str | None
    message_id: str


class DeliveryItem(ConfigTable):
    """A recorded HTTP delivery. Key: pk ``DEV#OUTBOX``, sk ``<sent at, µs since epoch>#<id>``.

    The range key sorts deliveries by the time they were sent.
    """

    channel = UnicodeAttribute()
    to = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    body = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    event = UnicodeAttribute(null=True)
    card_id = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute()


_DELIVERIES_PK = "DEV#OUTBOX"
# A delivery's item has an attribute of the same name for each field of OutboxItem.
_OUTBOX_FIELDS = tuple(field.name for field in dataclasses.fields(OutboxItem))


def record_delivery(item: OutboxItem) -> None:
    """Add an HTTP delivery (webhook, Slack, Telegram) to the outbox; ``item.at`` is required."""
    if item.at is None:
        raise ValueError("a recorded delivery needs the time it was sent")
    bind_tables()
    micros = int(item.at.timestamp() * 1_000_000)
    fields = {name: getattr(item, name) for name in _OUTBOX_FIELDS}
    DeliveryItem(_DELIVERIES_PK, f"{micros:020d}#{item.message_id}", **fields).save()


def read_outbox() -> list[OutboxItem]:
    """Everything sent so far, oldest first; messages without a send time come first."""
    items = [*_ses_items(), *_sns_items(), *_recorded_deliveries()]
    # Stable: messages of one kind with equal (or unknown) times keep the emulator's order.
    return sorted(items, key=lambda item: item.at or _NEVER)


# Parsed messages by emulator message id (ids are unique uuids): each is parsed once.
_PARSED: dict[str, OutboxItem] = {}


def remember(message: Any) -> None:
    """Read a mail the emulator's SES has just stored (moto's message), before the outbox asks."""
    from moto.ses.models import RawMessage

    if message.id not in _PARSED:
        _PARSED[message.id] = (
            _raw_mail(message) if isinstance(message, RawMessage) else _simple_mail(message)
        )


def _ses_items() -> list[OutboxItem]:
    from moto.ses.models import ses_backends

    items = []
    for backend in _backends(ses_backends):
        # A copy: the emulator's threads append while this reads.
        for message in list(backend.sent_messages):
            if message.id not in _PARSED:
                remember(message)
            items.append(_PARSED[message.id])
    return items


def _backends(backends: Any) -> list[Any]:
    """The backends the emulator made so far, of every account and region (none are made)."""
    return [
        backend
        for account in list(backends.values())
        for backend in list(account.values())
        if backend is not None
    ]


def _simple_mail(message: Any) -> OutboxItem:
    return OutboxItem(
        channel="email",
        to=", ".join(message.destinations.get("ToAddresses", [])),
        subject=message.subject,
        body=message.body,
        at=None,
        event=None,
        card_id=None,
        message_id=message.id,
    )


def _raw_mail(message: Any) -> OutboxItem:
    # moto keeps the raw message decoded as UTF-8; parsing its bytes lets 8-bit bodies decode
    # as their charset says. The default policy builds an EmailMessage and decodes headers.
    raw = message.raw_data.encode("utf-8")
    mime = email.message_from_bytes(raw, policy=email.policy.default)
    text = mime.get_body(preferencelist=("plain", "html"))
    date = mime["Date"]
    return OutboxItem(
        channel="email",
        to=_addresses(mime) or ", ".join(message.destinations),
        subject=str(mime["Subject"]) if mime["Subject"] is not None else None,
        body=text.get_content() if isinstance(text, EmailMessage) else "",
        at=parsedate_to_datetime(str(date)).astimezone(UTC) if date else None,
        event=_optional_str(mime[EVENT_HEADER]),
        card_id=_optional_str(mime[CARD_HEADER]),
        message_id=message.id,
    )


def _addresses(mime: EmailMessage) -> str:
    """The bare addresses of To (no display names), as a client compares them."""
    header = mime["To"]
    if header is None:
        return ""
    return ", ".join(address.addr_spec for address in header.addresses)


def _sns_items() -> list[OutboxItem]:
    from moto.sns.models import sns_backends

    items = []
    for backend in _backends(sns_backends):
        for topic in list(backend.topics.values()):
            # moto keeps (message id, message, subject, attributes, group id) per publish.
            for message_id, body, subject, attributes, _group in list(topic.sent_notifications):
                parsed = _PARSED.get(message_id)
                if parsed is None:
                    parsed = _sns_message(topic.arn, message_id, body, subject, attributes or {})
                    _PARSED[message_id] = parsed
                items.append(parsed)
    return items


def _sns_message(
    arn: str, message_id: str, body: str, subject: str | None, attributes: dict[str, Any]
) -> OutboxItem:
    sent_at = _sns_attribute(attributes, SENT_AT_ATTRIBUTE)
    return OutboxItem(
        channel="sns",
        to=arn,
        subject=subject,
        body=body,
        at=datetime.fromisoformat(sent_at).astimezone(UTC) if sent_at else None,
        event=_sns_attribute(attributes, EVENT_ATTRIBUTE),
        card_id=_sns_attribute(attributes, CARD_ATTRIBUTE),
        message_id=message_id,
    )


def _sns_attribute(attributes: dict[str, dict[str, Any]], name: str) -> str | None:
    value = attributes.get(name, {}).get("Value")
    return str(value) if value is not None else None


def _optional_str(header: Any) -> str | None:
    return str(header) if header is not None else None


def _recorded_deliveries() -> list[OutboxItem]:
    bind_tables()
    return [
        OutboxItem(**{name: getattr(item, name) for name in _OUTBOX_FIELDS})
        for item in DeliveryItem.query(_DELIVERIES_PK)
    ]
