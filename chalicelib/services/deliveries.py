"""The delivery worker: try each pending delivery once it is due, and list them by status.

Each delivery is claimed first (so two workers never send it both), sent
through its channel, and marked sent; a failed try is put back with backoff
or failed for good (``services.retries``). Whatever one delivery raises,
the others of the run are still tried: an unexpected error is a failed try
like any other (retried, and failed at the attempt bound), never a run that
stops with the delivery claimed and pending. A delivery held for quiet hours
waits until its release instant; one whose message was kept whole
(``services.mail_retry``) is sent as it was built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.domain.deliveries import FAILED, SENT, Delivery, DeliveryError
from chalicelib.observability import count, measure_seconds
from chalicelib.ports.alerts import channels, outbox, subscribers
from chalicelib.services.cards import update_card
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import ConflictError, ServiceError
from chalicelib.services.mail_retry import is_kept_mail, send_kept
from chalicelib.services.notifications import ASSIGN
from chalicelib.services.retries import LEASE, RETRYING, settle_failure

DELIVERIES_PER_RUN = 200

logger = Logger(child=True)


def deliver_due(now: datetime, limit: int = DELIVERIES_PER_RUN) -> dict[str, int]:
    """Try every pending delivery due at ``now`` (up to ``limit``); counts by outcome."""
    return deliver(outbox().due(now, limit), now)


def deliver(deliveries: Iterable[Delivery], now: datetime) -> dict[str, int]:
    """Try each delivery whose release instant has come; counts by outcome."""
    counts = {SENT: 0, RETRYING: 0, FAILED: 0}
    secrets: dict[str, str | None] = {}
    for delivery in deliveries:
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            continue  # held for quiet hours; deliver_due picks it up when released
        claimed = outbox().claim(delivery, now, LEASE)
        if claimed is None:
            continue  # another worker has it
        try:
            counts[_attempt(claimed, secrets, now)] += 1
        except Exception:  # one delivery never stops the others
            # Even settling failed (the store): the lease runs out and a later run tries it
            # again, counting the try, so the attempt bound still ends it.
            logger.exception("delivery left to its lease", extra={"delivery": claimed.delivery_id})
    return counts


def _attempt(claimed: Delivery, secrets: dict[str, str | None], now: datetime) -> str:
    """One try of a claimed delivery, settled whatever the send raised; answers the outcome."""
    try:
        _send(claimed, secrets, now)
    except DeliveryError as error:
        return settle_failure(claimed, error, now)
    except Exception as error:  # a bad target or message must not stop the run
        # Only the exception's kind is kept: its text may hold a target's secrets.
        logger.exception("delivery raised", extra={"delivery": claimed.delivery_id})
        return settle_failure(claimed, DeliveryError(f"error: {type(error).__name__}"), now)
    outbox().finish(claimed, SENT, now)
    _count_sent(claimed, now)
    return SENT


def _count_sent(delivery: Delivery, now: datetime) -> None:
    """``NotificationsSent`` and ``NotificationLatency``: from the alert's record to its send."""
    latency = (now - delivery.created_at).total_seconds()
    count("NotificationsSent", event=delivery.event, channel=delivery.channel)
    measure_seconds("NotificationLatency", latency, event=delivery.event, channel=delivery.channel)


def list_notifications(status: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the deliveries in ``status`` (pending, sent or failed)."""
    with refusals():
        found, next_cursor = outbox().page(status, limit, cursor)
    return page([_notification_view(delivery) for delivery in found], next_cursor)


def _send(delivery: Delivery, secrets: dict[str, str | None], now: datetime) -> None:
    if is_kept_mail(delivery.facts):
        send_kept(delivery.facts, now)
        return
    if delivery.channel == ASSIGN:
        _assign(str(delivery.card_id), delivery.target)
        return
    secret = None
    if delivery.subscription_id is not None and delivery.channel == "webhook":
        if delivery.subscription_id not in secrets:
            secrets[delivery.subscription_id] = subscribers().webhook_secret(
                delivery.subscription_id
            )
        secret = secrets[delivery.subscription_id]
    channels().send(delivery, secret)


def _assign(card_id: str, assignee: str) -> None:
    """An escalation's ``assign_to``: a card change like any other, so history and timers see it."""
    try:
        update_card(card_id, {"assignee": assignee})
    except ConflictError as error:  # the card changed meanwhile: the next try reads it again
        raise DeliveryError(f"assign: {error.message}") from error
    except ServiceError as error:
        raise DeliveryError(f"assign: {error.message}", permanent=True) from error


def _notification_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.delivery_id,
        "status": delivery.status,
        "event": delivery.event,
        "card_id": delivery.card_id,
        "channel": delivery.channel,
        "target": delivery.target,
        "subscription_id": delivery.subscription_id,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at,
        "finished_at": delivery.finished_at,
    }
