"""JSON over HTTP for the chat and webhook channels, and their record in the local outbox.

Uses the standard library's ``urllib`` (the Lambda package carries no HTTP
client). A 2xx answer is a delivery; 408, 429 and 5xx answers and network
errors may pass, so they are worth another try; any other answer is final.
On the local stack (``SLADESK_DEV=1``) every delivery is also recorded for
``GET /dev/outbox``, since it never reaches the AWS emulator.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from typing import Any

from chalicelib import settings
from chalicelib.adapters.channels import DeliveryError, Message
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.outbox import OutboxItem, record_delivery

_TIMEOUT_SECONDS = 10
_RETRYABLE = {408, 425, 429}


def post_json(
    url: str,
    body: bytes,
    *,
    channel: str,
    message: Message,
    to: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST ``body`` (JSON) to ``url``; answers the JSON answer (``{}`` when it is not JSON)."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"{channel}: not an http(s) URL", permanent=True)
    # Checked just above: only http(s) URLs are ever opened.
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only, checked above)
            raw = response.read()
    except urllib.error.HTTPError as error:
        permanent = error.code < 500 and error.code not in _RETRYABLE
        raise DeliveryError(f"{channel}: HTTP {error.code}", permanent=permanent) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(f"{channel}: {error}") from error
    if settings.dev():
        _record(channel, to, message, body)
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


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
