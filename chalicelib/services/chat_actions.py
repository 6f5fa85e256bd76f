"""Acting where the alert is read: the "Take" button of Slack and Telegram alerts.

A callback is first verified (``slack_signed``, ``telegram_signed``): an
unverified one changes nothing. "Take" then assigns the card to the chat
user and moves it into its board's first ``in_progress`` column, which
stops its first-reaction timer: one guarded card write with an ``updated``
and a ``moved`` event, so history, timers and automations see an ordinary
change (``cards.take_card``). The chat user becomes an assignee through the
``chat_users`` mapping of the subscriptions of that chat (their Slack
``user.id`` or ``user.name``, their Telegram ``from.username`` or ``from.id``)
and is taken as they are named otherwise.

Each callback id acts once: its record is written with the card change
(``chalicelib.ports.chat``), so a repeated callback reads the record and
gives the same answer. A card that is taken already (it has an assignee and
has left the queue), resolved or unknown is not changed, and the chat is
told why. The answer ("taken by ann at 10:42", in the subscription's
language and time zone) goes back to the chat; a chat that cannot be
reached does not undo the action.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aws_lambda_powertools import Logger

from chalicelib.domain.chat import ChatCallbackRecord
from chalicelib.observability import count, working_on
from chalicelib.ports.cards import card_store
from chalicelib.ports.chat import ChatReplyError, chat_callbacks, chat_replies
from chalicelib.ports.clock import now as clock_now
from chalicelib.ports.config import SecretUnavailableError, read_secret, subscription_store
from chalicelib.ports.errors import ClaimTakenError
from chalicelib.services.boards import load_board
from chalicelib.services.cards import take_card
from chalicelib.services.errors import ConflictError

logger = Logger(child=True)

SLACK = "slack"
TELEGRAM = "telegram"
SLACK_SECRET_ENV = "SLACK_SIGNING_SECRET"  # noqa: S105 (the name of a variable)
TELEGRAM_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105 (the name of a variable)
# Slack's own advice: a request signed longer ago than this may be a replay.
REPLAY_WINDOW = timedelta(minutes=5)
TAKE = "take"

# Outcomes, as the hook answers them and ChatActions counts them.
TAKEN = "taken"
ALREADY_TAKEN = "already_taken"
RESOLVED = "resolved"
UNKNOWN_CARD = "unknown_card"
NO_WORK_COLUMN = "no_in_progress_column"
BUSY = "busy"
IGNORED = "ignored"

_WORDS = {
    "en": {
        TAKEN: "{card} taken by {who} at {time}",
        ALREADY_TAKEN: "{card} is already taken by {who}",
        RESOLVED: "{card} is already resolved",
        UNKNOWN_CARD: "There is no card {card}",
        NO_WORK_COLUMN: "The board of {card} has no in-progress column",
        BUSY: "{card} changed meanwhile: press again",
    },
    "ru": {
        TAKEN: "{card} взял(а) в работу {who} в {time}",
        ALREADY_TAKEN: "{card} уже в работе у {who}",
        RESOLVED: "{card} уже решена",
        UNKNOWN_CARD: "Карточки {card} нет",
        NO_WORK_COLUMN: "На доске {card} нет колонки «в работе»",
        BUSY: "{card} только что изменилась: нажмите ещё раз",
    },
}


@dataclass(frozen=True, slots=True)
class ChatCallback:
    """A verified button press, whichever chat it came from."""

    chat: str
    callback_id: str
    action: str
    card_id: str
    user_keys: tuple[str, ...]
    """How the chat names the user, most specific first (id, then name)."""
    user_name: str
    chat_target: str | None = None
    """The chat the alert was posted to (Telegram's chat id), when the callback says."""


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """What a callback did and what the chat was told."""

    outcome: str
    card_id: str
    text: str
    repeated: bool = False


# --- verification -----------------------------------------------------------------------


def slack_signed(headers: Mapping[str, str], raw_body: bytes, now: datetime) -> bool:
    """Whether a Slack request is signed with ``SLACK_SIGNING_SECRET`` within the last 5 minutes.

    The signature is ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{raw body}``;
    a timestamp more than ``REPLAY_WINDOW`` away from now is refused.
    """
    secret = _verification_secret(SLACK_SECRET_ENV)
    timestamp = _header(headers, "X-Slack-Request-Timestamp")
    given = _header(headers, "X-Slack-Signature")
    if not secret or not timestamp or not given or not timestamp.isdigit():
        return False
    if abs(now.timestamp() - int(timestamp)) > REPLAY_WINDOW.total_seconds():
        return False
    signed = b"v0:" + timestamp.encode("ascii") + b":" + raw_body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def telegram_signed(headers: Mapping[str, str], path_secret: str) -> bool:
    """Whether both the path's secret and ``X-Telegram-Bot-Api-Secret-Token`` are ours."""
    secret = _verification_secret(TELEGRAM_SECRET_ENV)
    token = _header(headers, "X-Telegram-Bot-Api-Secret-Token")
    if not secret or not token:
        return False
    ours = secret.encode("utf-8")
    return hmac.compare_digest(ours, path_secret.encode("utf-8")) and hmac.compare_digest(
        ours, token.encode("utf-8")
    )


def _verification_secret(name: str) -> str | None:
    """The secret a callback is verified with; None (so the callback is refused) when unreadable."""
    try:
        return read_secret(name)
    except SecretUnavailableError as error:
        # Refusing is safe (Slack and Telegram show the failure); the log says why.
        logger.error("a chat callback could not be verified", extra={"reason": str(error)})
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Chalice's headers ignore case; a plain dict (tests, tools) may not.
    return headers.get(name) or headers.get(name.lower())


# --- acting -----------------------------------------------------------------------------


def act_on_slack(payload: Mapping[str, Any]) -> ChatAnswer:
    """Act on a verified Slack ``block_actions`` payload and answer at its ``response_url``."""
    action = (payload.get("actions") or [{}])[0]
    user = payload.get("user") or {}
    name = str(user.get("name") or user.get("username") or user.get("id") or "")
    callback = ChatCallback(
        chat=SLACK,
        callback_id=str(payload.get("trigger_id") or action.get("action_ts") or ""),
        action=str(action.get("action_id") or ""),
        card_id=str(action.get("value") or ""),
        user_keys=tuple(str(key) for key in (user.get("id"), user.get("name")) if key),
        user_name=name,
    )
    answer = act(callback)
    response_url = payload.get("response_url")
    if answer.outcome != IGNORED and isinstance(response_url, str):
        _answer_chat(SLACK, lambda: chat_replies().answer_slack(response_url, answer.text))
    return answer


def act_on_telegram(update: Mapping[str, Any]) -> ChatAnswer:
    """Act on a verified Telegram update's ``callback_query``; answer it and edit the alert."""
    query = update.get("callback_query") or {}
    sender = query.get("from") or {}
    message = query.get("message") or {}
    chat = message.get("chat") or {}
    action, _, card_id = str(query.get("data") or "").partition(":")
    callback = ChatCallback(
        chat=TELEGRAM,
        callback_id=str(query.get("id") or ""),
        action=action,
        card_id=card_id,
        user_keys=tuple(
            str(key) for key in (sender.get("username"), sender.get("id")) if key is not None
        ),
        user_name=str(sender.get("username") or sender.get("first_name") or sender.get("id")),
        chat_target=str(chat["id"]) if chat.get("id") is not None else None,
    )
    answer = act(callback)
    if answer.outcome != IGNORED and callback.callback_id:
        edit = _telegram_edit(message, answer) if answer.outcome == TAKEN else None
        _answer_chat(
            TELEGRAM,
            lambda: chat_replies().answer_telegram(callback.callback_id, answer.text, edit),
        )
    return answer


def act(callback: ChatCallback) -> ChatAnswer:
    """Do what a verified callback asks, once per callback id; what it did."""
    if callback.action != TAKE or not callback.card_id or not callback.callback_id:
        return ChatAnswer(IGNORED, callback.card_id, "")
    working_on(callback.card_id)
    store = chat_callbacks()
    known = store.find(callback.chat, callback.callback_id)
    answer = _take(callback) if known is None else _repeat(known)
    count("ChatActions", chat=callback.chat, outcome=answer.outcome)
    logger.info(
        "chat action",
        chat=callback.chat,
        card_id=answer.card_id,
        outcome=answer.outcome,
        repeated=answer.repeated,
    )
    return answer


def _take(callback: ChatCallback) -> ChatAnswer:
    store = chat_callbacks()
    now = clock_now()
    card = card_store().get(callback.card_id)
    if card is None:
        return _keep(callback, UNKNOWN_CARD, _Settings.default(), {}, now)
    settings = _Settings.of(callback, card.board_id)
    assignee = settings.assignee_of(callback)
    board = load_board(card.board_id)
    kinds = {column["id"]: column["kind"] for column in board.body["columns"]}
    column = next((c for c in board.body["columns"] if c["kind"] == "in_progress"), None)
    if kinds.get(card.column_id) == "done":
        return _keep(callback, RESOLVED, settings, {}, now)
    if card.assignee and kinds.get(card.column_id) != "queue":
        return _keep(callback, ALREADY_TAKEN, settings, {"who": card.assignee}, now)
    if column is None:
        return _keep(callback, NO_WORK_COLUMN, settings, {}, now)
    text = settings.say(TAKEN, card.card_id, who=assignee, time=settings.local_time(now))
    claim = store.claim(callback.chat, callback.callback_id, card.card_id, TAKEN, text, now)
    try:
        take_card(card, assignee, column, lambda _seq: [claim])
    except ClaimTakenError:
        # The same callback arrived again meanwhile and acted first.
        known = store.find(callback.chat, callback.callback_id)
        if known is None:
            raise
        return _repeat(known)
    except ConflictError:
        # The card changed between the read and the write: the user may press again.
        return ChatAnswer(BUSY, card.card_id, settings.say(BUSY, card.card_id))
    return ChatAnswer(TAKEN, card.card_id, text)


def _keep(
    callback: ChatCallback,
    outcome: str,
    settings: _Settings,
    words: dict[str, str],
    now: datetime,
) -> ChatAnswer:
    """Record a callback that changes nothing, so that a repeat answers the same."""
    text = settings.say(outcome, callback.card_id, **words)
    store = chat_callbacks()
    item = store.claim(callback.chat, callback.callback_id, callback.card_id, outcome, text, now)
    if not store.keep(item):
        known = store.find(callback.chat, callback.callback_id)
        if known is not None:
            return _repeat(known)
    return ChatAnswer(outcome, callback.card_id, text)


def _repeat(known: ChatCallbackRecord) -> ChatAnswer:
    return ChatAnswer(known.outcome, known.card_id, known.answer, repeated=True)


def _answer_chat(chat: str, send: Callable[[], None]) -> None:
    try:
        send()
    except ChatReplyError as error:
        count("ChatAnswersFailed", chat=chat)
        logger.warning("chat not answered", chat=chat, reason=str(error))


def _telegram_edit(message: Mapping[str, Any], answer: ChatAnswer) -> dict[str, Any] | None:
    """``editMessageText``: the alert with the answer below it, keeping only link buttons."""
    chat = message.get("chat") or {}
    if chat.get("id") is None or message.get("message_id") is None:
        return None
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    links = [[b for b in row if isinstance(b, dict) and b.get("url")] for row in rows]
    edit: dict[str, Any] = {
        "chat_id": chat["id"],
        "message_id": message["message_id"],
        "text": f"{message.get('text') or ''}\n\n✔ {answer.text}".strip(),
        "disable_web_page_preview": True,
    }
    if any(links):
        edit["reply_markup"] = {"inline_keyboard": [row for row in links if row]}
    return edit


@dataclass(frozen=True, slots=True)
class _Settings:
    """The language, time zone and user mapping of the subscriptions a callback came through."""

    locale: str
    timezone: str
    users: Mapping[str, str]

    @classmethod
    def default(cls) -> _Settings:
        return cls("en", "UTC", {})

    @classmethod
    def of(cls, callback: ChatCallback, board_id: str) -> _Settings:
        """From the chat's subscriptions on the card's board (the chat's own first, if known)."""
        bodies = [
            item.body
            for item in subscription_store().all()
            if item.body.get("channel") == callback.chat
            and item.body.get("board_id") in (None, board_id)
        ]
        own = [body for body in bodies if body.get("target") == callback.chat_target]
        ordered = own + [body for body in bodies if body not in own]
        users: dict[str, str] = {}
        for body in reversed(ordered):  # the first subscription's mapping wins
            users.update(body.get("chat_users") or {})
        first = ordered[0] if ordered else {}
        return cls(first.get("locale") or "en", first.get("timezone") or "UTC", users)

    def assignee_of(self, callback: ChatCallback) -> str:
        """The assignee the chat user maps to, or their chat name."""
        for key in callback.user_keys:
            if key in self.users:
                return self.users[key]
        return callback.user_name

    def say(self, outcome: str, card_id: str, **words: str) -> str:
        """The answer to the chat, in the subscription's language."""
        return _WORDS.get(self.locale, _WORDS["en"])[outcome].format(card=card_id, **words)

    def local_time(self, instant: datetime) -> str:
        """``HH:MM`` in the subscription's time zone."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return instant.astimezone(zone).strftime("%H:%M")
