"""JSON over HTTP for the chat and webhook channels, and their record in the local outbox.

Sent through ``egress.post`` (the standard library only: the Lambda package
carries no HTTP client). A 2xx answer is a delivery; 408, 425, 429 and 5xx
answers, time-outs and refused connections may pass, so they are worth
another try; a forbidden address, a redirect and any other answer are final.
On the local stack (``SLADESK_DEV=1``) every delivery is also recorded for
``GET /dev/outbox``, since it never reaches the AWS emulator.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from chalicelib import settings
from chalicelib.adapters.channels import Message
from chalicelib.adapters.channels.egress import post
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.outbox import OutboxItem, record_delivery


def post_json(
    url: str,
    body: bytes,
    *,
    channel: str,
    message: Message,
    to: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST ``body`` (JSON) to ``url``; answers the JSON answer (``{}`` when it is not JSON).

    Through ``egress.post``: public addresses only, no redirects, one deadline,
    a bounded read. Raises ``DeliveryError``.
    """
    answer = post(url, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    if settings.dev():
        _record(channel, to, message, body)
    try:
        parsed = json.loads(answer.body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _record(channel: str, to: str, message: Message, body: bytes) -> None:
    record_delivery(
        OutboxItem(
            channel=channel,
            to=to,
            subject=message.subject,
            body=body.decode("utf-8"),
            at=get_clock().now(),
            event=message.event,
            card_id=message.card_id,
            message_id=secrets.token_hex(8),
        )
    )
