"""Notification channels: e-mail (SES), SNS, Slack, Telegram and signed webhooks.

Each channel sends one rendered ``Message`` to one target and answers an id
for it, or raises ``DeliveryError`` saying whether trying again could help.
Channels are built on first use (``get_channel``), never at import time; a
test may put its own in place with ``use_channel``. HTTP channels read their
base URLs from the environment (``SLACK_API_BASE``, ``TELEGRAM_API_BASE``) so
that the local stack and tests point them at a server on loopback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.deliveries import Delivery, DeliveryError

__all__ = ["Channel", "DeliveryChannels", "DeliveryError", "Message", "get_channel", "use_channel"]


@dataclass(frozen=True, slots=True)
class Message:
    """One alert rendered for one recipient: its language and time zone are applied."""

    event: str
    card_id: str | None
    subject: str
    text: str
    html: str
    link: str | None
    facts: dict[str, Any]
    locale: str


class Channel(Protocol):
    """Sends a message to a target of its kind."""

    def send(self, target: str, message: Message, secret: str | None) -> str:
        """Send ``message``; answers an id of what was sent. Raises ``DeliveryError``."""
        ...


_overrides: dict[str, Channel] = {}


def use_channel(name: str, channel: Channel | None) -> None:
    """Make ``get_channel(name)`` answer ``channel`` (tests); None restores the real one."""
    if channel is None:
        _overrides.pop(name, None)
    else:
        _overrides[name] = channel


def get_channel(name: str) -> Channel:
    """The channel called ``name``; DeliveryError (permanent) for an unknown one."""
    if name in _overrides:
        return _overrides[name]
    # Imported here: each channel module pulls in what only it needs (boto3 clients, HTTP).
    if name == "email":
        from chalicelib.adapters.channels.email import EmailChannel

        return EmailChannel()
    if name == "sns":
        from chalicelib.adapters.channels.sns import SnsChannel

        return SnsChannel()
    if name == "slack":
        from chalicelib.adapters.channels.slack import SlackChannel

        return SlackChannel()
    if name == "telegram":
        from chalicelib.adapters.channels.telegram import TelegramChannel

        return TelegramChannel()
    if name == "webhook":
        from chalicelib.adapters.channels.webhook import WebhookChannel

        return WebhookChannel()
    raise DeliveryError(f"no channel {name!r}", permanent=True)


class DeliveryChannels:
    """The ``Channels`` port: a delivery's alert rendered for its recipient, sent on its channel."""

    def send(self, delivery: Delivery, secret: str | None) -> str:
        """Render and send; answers the channel's id of what was sent. Raises ``DeliveryError``."""
        # Imported here: rendering loads the templates, which only a send needs.
        from chalicelib.adapters.channels.render import render_message

        message = render_message(dict(delivery.facts), delivery.locale, delivery.timezone)
        return get_channel(delivery.channel).send(delivery.target, message, secret)
