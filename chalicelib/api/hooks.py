"""Chat callbacks: the "Take" button of Slack and Telegram alerts (``docs/api.md``).

Public routes: the signature is the credential. Each request is verified
before anything is read from it (Slack's signing secret and timestamp,
Telegram's secret token); an unverified one answers 401 and changes
nothing. A verified callback answers 200 with what it did, whatever that
was, since the chat itself is told through its own API
(``services.chat_actions``).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from chalice import Response
from chalice.app import Request
from pydantic import ValidationError

from chalicelib.adapters.clock import get_clock
from chalicelib.api.auth import PUBLIC
from chalicelib.api.errors import error_response, validation_response
from chalicelib.api.registry import FORM, JSON, body_bytes, endpoint
from chalicelib.api.schemas.hooks import (
    ChatActionAnswer,
    SlackForm,
    SlackInteraction,
    TelegramUpdate,
)
from chalicelib.services.chat_actions import (
    act_on_slack,
    act_on_telegram,
    slack_signed,
    telegram_signed,
)

logger = Logger(child=True)

# Interaction payloads are a few kilobytes; anything near this is not one.
MAX_CALLBACK_BYTES = 64 * 1024
_SIGNED_HEADERS = {
    "X-Slack-Signature": "v0= + HMAC-SHA256 of v0:{timestamp}:{raw body} (signing secret)",
    "X-Slack-Request-Timestamp": "seconds since the epoch; older than 5 minutes is refused",
}
_TELEGRAM_HEADERS = {
    "X-Telegram-Bot-Api-Secret-Token": "the secret token set with setWebhook",
}
_UNVERIFIED = {401: "the request is not signed by the chat (nothing changes)"}


@endpoint(
    "POST",
    "/hooks/slack",
    role=PUBLIC,
    body_types=(FORM,),
    response=ChatActionAnswer,
    max_body_bytes=MAX_CALLBACK_BYTES,
    headers=_SIGNED_HEADERS,
    other_statuses=_UNVERIFIED,
)
def slack_callback(request: Request) -> dict | Response:
    """A Slack interactive callback: "Take" assigns the card to the user and starts work on it."""
    raw = _raw(request)
    if raw is None:
        return _too_large()
    if not slack_signed(request.headers, raw, get_clock().now()):
        return _unverified("slack")
    try:
        form = SlackForm.model_validate(
            {name: values[-1] for name, values in parse_qs(raw.decode("utf-8")).items()}
        )
        interaction = SlackInteraction.model_validate_json(form.payload)
    except (ValidationError, UnicodeDecodeError, ValueError) as error:
        return _malformed(error)
    return _answer(act_on_slack(interaction.model_dump()))


@endpoint(
    "POST",
    "/hooks/telegram/{secret}",
    role=PUBLIC,
    body_types=(JSON,),
    response=ChatActionAnswer,
    max_body_bytes=MAX_CALLBACK_BYTES,
    headers=_TELEGRAM_HEADERS,
    other_statuses=_UNVERIFIED,
)
def telegram_callback(secret: str, request: Request) -> dict | Response:
    """A Telegram update: a "Take" callback query assigns the card and starts work on it."""
    raw = _raw(request)
    if raw is None:
        return _too_large()
    if not telegram_signed(request.headers, secret):
        return _unverified("telegram")
    try:
        update = TelegramUpdate.model_validate_json(raw or b"{}")
    except ValidationError as error:
        return _malformed(error)
    return _answer(act_on_telegram(update.model_dump()))


def _raw(request: Request) -> bytes | None:
    raw = body_bytes(request)
    return raw if len(raw) <= MAX_CALLBACK_BYTES else None


def _answer(answer: object) -> dict:
    return ChatActionAnswer.model_validate(answer).model_dump(mode="json")


def _unverified(chat: str) -> Response:
    # Worth a look when it repeats: a misconfigured secret, or someone probing the hook.
    logger.warning("chat callback not verified", chat=chat)
    return error_response(401, "unverified_callback", "the callback's signature does not verify")


def _too_large() -> Response:
    return error_response(413, "payload_too_large", "the callback is larger than 64 KiB")


def _malformed(error: Exception) -> Response:
    if isinstance(error, ValidationError):
        return validation_response(error)
    return error_response(400, "validation_error", "the callback's payload is not JSON")
