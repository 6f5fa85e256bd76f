"""Notifications: record each alert once, then deliver it to every recipient, retrying.

``raise_alert`` records an alert and one pending delivery per recipient in
one guarded write (``../shared/DESIGN.md``, invariant 4): a second raise of
the same alert writes and sends nothing. Deliveries are then tried: each is
claimed first (so two workers never send it both), sent through its channel
(``chalicelib.adapters.channels``), and marked sent; a failure that may pass
is tried again with backoff (``domain.alerts.retry_delay``), a permanent one
or the last attempt marks it failed, with the reason, for
``GET /notifications?status=failed``. A delivery held for a subscription's
quiet hours is simply pending until its release instant.

``CardEventAlerts`` is the stream handler's hook: a new card and a move
into a column raise ``card_created`` / ``card_entered_column``, keyed by the
card event, so a redelivered record raises nothing new.

Mail a service builds itself (a requester's acknowledgement) is sent with
``send_mail``; when that fails, ``retry_mail`` keeps the whole message as an
alert of its card with one delivery, already counted as tried, so the same
retries, bound and listing apply, and every try sends the same message (the
same Message-ID, which threads the requester's replies).
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.alert_store import (
    FAILED,
    SENT,
    AlertStore,
    DeliveryItem,
    Recipient,
    get_alert_store,
)
from chalicelib.adapters.card_store import get_card_store
from chalicelib.adapters.channels import DeliveryError, get_channel
from chalicelib.adapters.channels.email import ses_delivery_error
from chalicelib.adapters.channels.render import render_message
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.mail_sender import get_mail_sender
from chalicelib.adapters.subscription_store import get_subscription_store
from chalicelib.domain.alerts import AlertEvent, AlertFacts, Subscription, release_at, retry_delay
from chalicelib.domain.calendar import WorkingTime
from chalicelib.observability import count, measure_seconds
from chalicelib.services.calendars import latest_calendar_version, load_calendar
from chalicelib.services.cards import update_card
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import ConflictError, ServiceError
from chalicelib.services.subscriptions import load_subscriptions

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

logger = Logger(child=True)

ASSIGN = "assign"
"""The channel of an escalation's assignment: "sent" by setting the card's assignee."""
# A claimed delivery that was never finished (the worker died) is tried again after this.
LEASE = timedelta(minutes=2)
DELIVERIES_PER_RUN = 200
_CARD_EVENTS = {"created": AlertEvent.CARD_CREATED, "moved": AlertEvent.CARD_ENTERED_COLUMN}
# The facts of a delivery that carries its whole message: the MIME bytes, base64.
_MIME = "mime"


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
    subject: str, what: str, facts: AlertFacts, recipients: Sequence[Recipient], now: datetime
) -> list[DeliveryItem] | None:
    """Record the alert and its deliveries once; None when it was raised before.

    The caller delivers (``deliver``) the deliveries answered, or leaves them to
    the next ``deliver_due``.
    """
    return get_alert_store().record(subject, what, facts.to_json(), recipients, now)


def deliver_due(now: datetime, limit: int = DELIVERIES_PER_RUN) -> dict[str, int]:
    """Try every pending delivery due at ``now`` (up to ``limit``); counts by outcome."""
    return deliver(get_alert_store().due(now, limit), now)


def deliver(items: Iterable[DeliveryItem], now: datetime) -> dict[str, int]:
    """Try each delivery whose release instant has come; counts by outcome."""
    counts = {SENT: 0, "retrying": 0, FAILED: 0}
    store = get_alert_store()
    secrets: dict[str, str | None] = {}
    for item in items:
        if item.next_attempt_at is not None and item.next_attempt_at > now:
            continue  # held for quiet hours; deliver_due picks it up when released
        claimed = store.claim(item, now, LEASE)
        if claimed is None:
            continue  # another worker has it
        try:
            _send(claimed, secrets, now)
        except DeliveryError as error:
            counts[_settle_failure(store, claimed, error, now)] += 1
            continue
        store.finish(claimed, SENT, now)
        counts[SENT] += 1
        _count_sent(claimed, now)
    return counts


def _settle_failure(
    store: AlertStore, claimed: DeliveryItem, error: DeliveryError, now: datetime
) -> str:
    """Put a failed try back with backoff, or fail it for good; answers which (for counts)."""
    delay = None if error.permanent else retry_delay(int(claimed.attempts))
    dimensions = {"event": claimed.event, "channel": claimed.channel}
    about = {"delivery": claimed.delivery_id, "card_id": claimed.card_id, "reason": error.reason}
    if delay is None:
        store.finish(claimed, FAILED, now, error.reason)
        count("NotificationsFailed", **dimensions)
        logger.warning("delivery failed", attempts=int(claimed.attempts), **about)
        return FAILED
    store.retry(claimed, now + delay, error.reason)
    count("NotificationsRetried", **dimensions)
    logger.info("delivery retried", **about)
    return "retrying"


def send_mail(message: EmailMessage) -> str:
    """Send a message a service built through SES; answers the SES message id.

    Raises ``DeliveryError``, permanent when SES refuses the message for good.
    """
    try:
        return get_mail_sender().send(message)
    except (ClientError, BotoCoreError) as error:
        raise ses_delivery_error(error) from error


def retry_mail(
    card_id: str, event: str, message: EmailMessage, error: DeliveryError, now: datetime
) -> str | None:
    """Keep ``message``, whose first send just failed with ``error``, for ``deliver_due``.

    It is recorded once per (card, ``event``), as an alert with one e-mail
    delivery to the message's first ``To`` address that counts that first
    try: it is tried again with backoff, or fails at once when ``error`` is
    permanent. Answers ``retrying`` or ``failed``; None when it was recorded
    before (nothing is written).
    """
    target = cast(Any, message["To"]).addresses[0].addr_spec
    facts = {
        "event": event,
        "card_id": card_id,
        "at": now.isoformat(),
        "message_id": str(message["Message-ID"] or ""),
        _MIME: base64.b64encode(message.as_bytes()).decode("ascii"),
    }
    locale = str(message["Content-Language"] or "en")
    recipient = Recipient("to", "email", target, None, locale, "UTC", now)
    store = get_alert_store()
    created = store.record(card_id, event, facts, [recipient], now)
    if not created:
        return None
    claimed = store.claim(created[0], now, LEASE)
    if claimed is None:  # a tick took it meanwhile: that tick tries it
        return None
    return _settle_failure(store, claimed, error, now)


def _count_sent(item: DeliveryItem, now: datetime) -> None:
    """``NotificationsSent`` and ``NotificationLatency``: from the alert's record to its send."""
    dimensions = {"event": item.event, "channel": item.channel}
    count("NotificationsSent", **dimensions)
    measure_seconds("NotificationLatency", (now - item.created_at).total_seconds(), **dimensions)


def list_notifications(status: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the deliveries in ``status`` (pending, sent or failed)."""
    with refusals():
        items, next_cursor = get_alert_store().page(status, limit, cursor)
    return page([_notification_view(item) for item in items], next_cursor)


class CardEventAlerts:
    """The stream handler's hook: ``card_created`` and ``card_entered_column`` for one batch.

    The subscriptions are read once per batch, and only when the batch holds a
    new card or a move; a card is read only when some subscription wants one.
    """

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] | None = None

    def record(self, record: DynamoDBRecord) -> None:
        """Raise the alert of a new ``created`` or ``moved`` card event, and deliver it."""
        event = _card_event(record)
        if event is None:
            return
        card_id, seq, kind, at, column_id = event
        wanting = [s for s in self._load() if kind.value in s.events]
        if not wanting:
            return
        card = get_card_store().get(card_id)
        if card is None:
            return
        facts = AlertFacts(
            event=kind,
            at=at,
            board_id=card.board_id,
            card_id=card_id,
            title=card.title,
            column_id=column_id,
        )
        now = get_clock().now()
        recipients = subscriber_recipients(facts, wanting, QuietHours(), now)
        if not recipients:
            return
        created = raise_alert(card_id, f"EVENT#{seq:010d}", facts, recipients, now)
        if created:
            deliver(created, now)

    def _load(self) -> list[Subscription]:
        if self._subscriptions is None:
            self._subscriptions = load_subscriptions()
        return self._subscriptions


def _card_event(
    record: DynamoDBRecord,
) -> tuple[str, int, AlertEvent, datetime, str | None] | None:
    """(card id, seq, alert, instant, column) of a new created/moved event item, else None."""
    # Imported here: intake sends its mail through this module and never reads a stream.
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecordEventName,
    )

    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return None
    image = record.dynamodb.new_image or {}
    if not str(image.get("sk", "")).startswith("EVENT#"):
        return None
    alert = _CARD_EVENTS.get(str(image.get("kind")))
    if alert is None:
        return None
    data = image.get("data")
    column_id = _json(data).get("column_id") if alert == AlertEvent.CARD_ENTERED_COLUMN else None
    at = datetime.fromisoformat(str(image["at"]))
    return str(image["card_id"]), int(image["seq"]), alert, at, column_id


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return value if isinstance(value, dict) else {}


def _send(item: DeliveryItem, secrets: dict[str, str | None], now: datetime) -> None:
    if item.facts.get(_MIME) is not None:
        _send_stored(str(item.facts[_MIME]), now)
        return
    if item.channel == ASSIGN:
        _assign(str(item.card_id), item.target)
        return
    secret = None
    if item.subscription_id is not None and item.channel == "webhook":
        if item.subscription_id not in secrets:
            stored = get_subscription_store().get(item.subscription_id)
            secrets[item.subscription_id] = None if stored is None else stored.body.get("secret")
        secret = secrets[item.subscription_id]
    message = render_message(dict(item.facts), item.locale, item.timezone)
    get_channel(item.channel).send(item.target, message, secret)


def _send_stored(mime: str, now: datetime) -> None:
    """Send a stored message as it was built; only its ``Date`` becomes the time of this try."""
    message = cast(
        EmailMessage,
        email.message_from_bytes(base64.b64decode(mime), policy=email.policy.default),
    )
    message.replace_header("Date", format_datetime(now))
    send_mail(message)


def _assign(card_id: str, assignee: str) -> None:
    """An escalation's ``assign_to``: a card change like any other, so history and timers see it."""
    try:
        update_card(card_id, {"assignee": assignee})
    except ConflictError as error:  # the card changed meanwhile: the next try reads it again
        raise DeliveryError(f"assign: {error.message}") from error
    except ServiceError as error:
        raise DeliveryError(f"assign: {error.message}", permanent=True) from error


def _notification_view(item: DeliveryItem) -> dict[str, Any]:
    return {
        "id": item.delivery_id,
        "status": item.status,
        "event": item.event,
        "card_id": item.card_id,
        "channel": item.channel,
        "target": item.target,
        "subscription_id": item.subscription_id,
        "attempts": int(item.attempts),
        "last_error": item.last_error,
        "created_at": item.created_at,
        "next_attempt_at": item.next_attempt_at,
        "finished_at": item.finished_at,
    }
