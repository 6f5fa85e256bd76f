"""Telegram Bot API ``sendMessage``: the alert as text with "Take" and "Open" buttons.

The "Take" button's ``callback_data`` is ``take:<card id>``, what
``POST /hooks/telegram/{secret}`` acts on (``docs/api.md``). The bot
token is the secret ``TELEGRAM_BOT_TOKEN`` (``adapters.secrets``);
``TELEGRAM_API_BASE`` replaces ``https://api.telegram.org`` for the local
stack and tests.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import settings
from chalicelib.adapters.channels import DeliveryError, Message
from chalicelib.adapters.channels.http import post_json
from chalicelib.adapters.secrets import SecretUnavailableError, read_secret

TELEGRAM_BASE = settings.DEFAULT_TELEGRAM_API_BASE
TELEGRAM_BASE_ENV = settings.TELEGRAM_API_BASE
TELEGRAM_TOKEN_ENV = settings.TELEGRAM_BOT_TOKEN


def telegram_payload(chat_id: str, message: Message) -> dict[str, Any]:
    """The ``sendMessage`` body: plain text (nothing to escape) and, for a card, the buttons."""
    payload: dict[str, Any] = {
        "chat_id": chat_id,
        "text": message.text,
        "disable_web_page_preview": True,
    }
    if message.card_id is not None:
        buttons: list[dict[str, str]] = [
            {"text": "Take", "callback_data": f"take:{message.card_id}"}
        ]
        if message.link:
            buttons.append({"text": "Open", "url": message.link})
        payload["reply_markup"] = {"inline_keyboard": [buttons]}
    return payload


class TelegramChannel:
    """Sends through the bot whose token is configured."""

    def send(self, target: str, message: Message, secret: str | None) -> str:
        """Call ``sendMessage``; answers the message id Telegram gave."""
        try:
            token = read_secret(TELEGRAM_TOKEN_ENV)
        except SecretUnavailableError as error:
            # Secrets Manager may answer on the next tick: the delivery is tried again then.
            raise DeliveryError(f"telegram: {error}", permanent=False) from None
        if not token:
            raise DeliveryError(f"telegram: {TELEGRAM_TOKEN_ENV} is not set", permanent=True)
        base = settings.telegram_api_base()
        body = json.dumps(telegram_payload(target, message), ensure_ascii=False).encode("utf-8")
        answer = post_json(
            f"{base}/bot{token}/sendMessage", body, channel="telegram", message=message, to=target
        )
        if answer.get("ok") is False:
            raise DeliveryError(f"telegram: {answer.get('description')}", permanent=True)
        return str((answer.get("result") or {}).get("message_id", ""))
