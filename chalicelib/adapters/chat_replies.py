"""Answers to chat users who pressed a button: Slack's ``response_url``, Telegram's bot API.

Slack: the callback's ``response_url`` receives a message in the channel.
``SLACK_API_BASE`` replaces its scheme and host (as for alert deliveries);
without it only ``https://hooks.slack.com`` is called, since the URL comes
from the request. Telegram: ``answerCallbackQuery`` shows the answer to
the user who pressed, and ``editMessageText`` adds it to the alert and
takes the "Take" button away once the card is taken. The bot token is the
secret ``TELEGRAM_BOT_TOKEN`` (``adapters.secrets``); ``TELEGRAM_API_BASE``
replaces the API's address.
Uses the standard library's ``urllib``, as the alert channels do.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from chalicelib import settings
from chalicelib.adapters.channels.telegram import TELEGRAM_TOKEN_ENV
from chalicelib.adapters.secrets import SecretUnavailableError, read_secret
from chalicelib.ports.chat import ChatReplyError

__all__ = ["ChatReplies", "ChatReplyError", "answer_slack", "answer_telegram"]

SLACK_HOOKS = "https://hooks.slack.com"
_TIMEOUT_SECONDS = 5


def answer_slack(response_url: str, text: str) -> None:
    """Post ``text`` to the channel of the Slack message whose button was pressed."""
    base = settings.slack_api_base()
    parts = urlsplit(response_url)
    if base:
        url = base.rstrip("/") + parts.path
    elif f"{parts.scheme}://{parts.netloc}" == SLACK_HOOKS:
        url = response_url
    else:
        raise ChatReplyError("slack: the response_url is not Slack's")
    _post(url, {"response_type": "in_channel", "replace_original": False, "text": text})


def answer_telegram(callback_query_id: str, text: str, edit: dict[str, Any] | None = None) -> None:
    """Answer a callback query with ``text``; ``edit`` (``editMessageText`` fields) edits it."""
    try:
        token = read_secret(TELEGRAM_TOKEN_ENV)
    except SecretUnavailableError as error:
        raise ChatReplyError(f"telegram: {error}") from None
    if not token:
        raise ChatReplyError(f"telegram: {TELEGRAM_TOKEN_ENV} is not set")
    base = settings.telegram_api_base()
    _post(
        f"{base}/bot{token}/answerCallbackQuery",
        {"callback_query_id": callback_query_id, "text": text},
    )
    if edit is not None:
        _post(f"{base}/bot{token}/editMessageText", edit)


class ChatReplies:
    """The ``ChatReplies`` port: answers over Slack's ``response_url`` and Telegram's bot API."""

    def answer_slack(self, response_url: str, text: str) -> None:
        """See ``answer_slack``."""
        answer_slack(response_url, text)

    def answer_telegram(
        self, callback_query_id: str, text: str, edit: dict[str, Any] | None = None
    ) -> None:
        """See ``answer_telegram``."""
        answer_telegram(callback_query_id, text, edit)


def _post(url: str, payload: dict[str, Any]) -> None:
    if not url.startswith(("http://", "https://")):
        raise ChatReplyError("chat: not an http(s) URL")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    # Checked just above: only http(s) URLs are ever opened.
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only, checked above)
            response.read()
    except urllib.error.HTTPError as error:
        # The URL of a Telegram call holds the bot token: name the method, never the URL.
        raise ChatReplyError(
            f"chat: HTTP {error.code} from {urlsplit(url).path.rsplit('/', 1)[-1]}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ChatReplyError(f"chat: {type(error).__name__}") from None
