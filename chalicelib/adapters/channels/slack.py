"""Slack incoming webhooks: the alert as text with "Take" and "Open" buttons.

The buttons are what ``POST /hooks/slack`` answers (``docs/api.md``,
"Acting from chat"): ``action_id`` ``take`` with the card id as its value.
Only targets on ``hooks.slack.com`` are sent to (``forbidden_address``
otherwise). ``SLACK_API_BASE`` replaces the scheme and host of the webhook URL,
so the local stack and tests can point deliveries at a server of their own.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from chalicelib import settings
from chalicelib.adapters.channels import DeliveryError, Message
from chalicelib.adapters.channels.egress import FORBIDDEN
from chalicelib.adapters.channels.http import post_json
from chalicelib.domain.target_urls import SLACK_WEBHOOK_HOST, target_url

SLACK_BASE_ENV = settings.SLACK_API_BASE


def slack_payload(message: Message) -> dict[str, Any]:
    """The incoming-webhook body: a fallback text, a section and, for a card, the buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": message.text}}
    ]
    if message.card_id is not None:
        buttons: list[dict[str, Any]] = [
            {
                "type": "button",
                "action_id": "take",
                "text": {"type": "plain_text", "text": "Take"},
                "value": message.card_id,
            }
        ]
        if message.link:
            buttons.append(
                {
                    "type": "button",
                    "action_id": "open",
                    "text": {"type": "plain_text", "text": "Open"},
                    "url": message.link,
                }
            )
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": message.subject, "blocks": blocks}


class SlackChannel:
    """POSTs to the subscription's incoming webhook URL."""

    def send(self, target: str, message: Message, secret: str | None) -> str:
        """Send to the webhook, under ``SLACK_API_BASE`` when that is set."""
        parsed = target_url(target, http_allowed=False)
        if parsed is None or parsed.host != SLACK_WEBHOOK_HOST:
            raise DeliveryError(FORBIDDEN, permanent=True)  # only Slack's own webhook host
        base = settings.slack_api_base()
        # The webhook's path (``/services/T.../B.../...``) names it; only the host is swapped.
        url = base.rstrip("/") + urlsplit(target).path if base else target
        body = json.dumps(slack_payload(message), ensure_ascii=False).encode("utf-8")
        post_json(url, body, channel="slack", message=message, to=target)
        return target
