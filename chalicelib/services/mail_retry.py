"""Mail a service built itself (a requester's acknowledgement): sent once, kept when it fails.

``send_mail`` sends it; when that fails, ``retry_mail`` keeps the whole
message as an alert of its card with one delivery, already counted as tried,
so the same retries, bound and listing as alerts apply, and every try sends
the same message (the same Message-ID, which threads the requester's
replies). The delivery worker sends a kept message with ``send_kept``.
"""

from __future__ import annotations

import base64
import email
import email.policy
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, cast

from chalicelib.domain.deliveries import Alert, DeliveryError, MailAlert, Recipient
from chalicelib.ports.alerts import alert_records, mail_sender, outbox
from chalicelib.services.retries import LEASE, settle_failure

# The facts of a delivery that carries its whole message: the MIME bytes, base64.
MIME = "mime"


def send_mail(message: EmailMessage) -> str:
    """Send a message a service built; answers the sender's message id.

    Raises ``DeliveryError``, permanent when the message is refused for good.
    """
    return mail_sender().send(message)


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
        MIME: base64.b64encode(message.as_bytes()).decode("ascii"),
    }
    locale = str(message["Content-Language"] or "en")
    recipient = Recipient("to", "email", target, None, locale, "UTC", now)
    created = alert_records().record(Alert(MailAlert(card_id, event), facts, (recipient,), now))
    if not created:
        return None
    claimed = outbox().claim(created[0], now, LEASE)
    if claimed is None:  # a tick took it meanwhile: that tick tries it
        return None
    return settle_failure(claimed, error, now)


def is_kept_mail(facts: Mapping[str, Any]) -> bool:
    """Whether a delivery carries a whole message kept by ``retry_mail``."""
    return facts.get(MIME) is not None


def send_kept(facts: Mapping[str, Any], now: datetime) -> None:
    """Send a kept message as it was built; only its ``Date`` becomes the time of this try."""
    message = email.message_from_bytes(
        base64.b64decode(str(facts[MIME])), policy=email.policy.default
    )
    message.replace_header("Date", format_datetime(now))
    send_mail(message)
