"""A failed try of a delivery: put it back with backoff, or fail it for good.

A failure that may pass is tried again after 1, 2, 4 and 8 minutes
(``domain.alerts.retry_delay``); a permanent one, or the last try, marks the
delivery failed with its reason, for ``GET /notifications?status=failed``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from chalicelib.domain.alerts import retry_delay
from chalicelib.domain.deliveries import FAILED, Delivery, DeliveryError
from chalicelib.observability import count
from chalicelib.ports.alerts import outbox

logger = Logger(child=True)

# A claimed delivery that was never finished (the worker died) is tried again after this.
LEASE = timedelta(minutes=2)
RETRYING = "retrying"


def settle_failure(claimed: Delivery, error: DeliveryError, now: datetime) -> str:
    """Put a failed try back with backoff, or fail it for good; answers which (for counts)."""
    delay = None if error.permanent else retry_delay(claimed.attempts)
    about: dict[str, object] = {
        "delivery": claimed.delivery_id,
        "card_id": claimed.card_id,
        "reason": error.reason,
    }
    if delay is None:
        outbox().finish(claimed, FAILED, now, error.reason)
        count("NotificationsFailed", event=claimed.event, channel=claimed.channel)
        logger.warning("delivery failed", extra={"attempts": claimed.attempts, **about})
        return FAILED
    outbox().retry(claimed, now + delay, error.reason)
    count("NotificationsRetried", event=claimed.event, channel=claimed.channel)
    logger.info("delivery retried", extra=about)
    return RETRYING
