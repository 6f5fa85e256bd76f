"""Generic webhooks: the alert as JSON, signed with the subscription's secret.

The receiver checks ``X-Sladesk-Signature: sha256=<hex>``, the HMAC-SHA256
with the shared secret of ``<X-Sladesk-Timestamp>.<raw body>`` (the
timestamp is whole seconds since the epoch), and may refuse old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from chalicelib.adapters.channels import DeliveryError, Message
from chalicelib.adapters.channels.http import post_json
from chalicelib.adapters.clock import get_clock

SIGNATURE_HEADER = "X-Sladesk-Signature"
TIMESTAMP_HEADER = "X-Sladesk-Timestamp"
EVENT_HEADER = "X-Sladesk-Event"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def webhook_body(message: Message) -> bytes:
    """What a webhook receives: the event, card, link and the alert's facts."""
    payload = {
        "event": message.event,
        "card_id": message.card_id,
        "link": message.link,
        "text": message.text,
        "facts": message.facts,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookChannel:
    """POSTs signed JSON to the subscription's URL."""

    def send(self, target: str, message: Message, secret: str | None) -> str:
        """Sign and send; a missing secret is a permanent failure."""
        if not secret:
            raise DeliveryError("webhook: the subscription has no secret", permanent=True)
        body = webhook_body(message)
        timestamp = str(int(get_clock().now().timestamp()))
        headers = {
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret, timestamp, body),
            EVENT_HEADER: message.event,
        }
        post_json(target, body, channel="webhook", message=message, to=target, headers=headers)
        return target
