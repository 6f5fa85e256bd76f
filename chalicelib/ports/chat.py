"""The chat ports: the callbacks acted on and the answers to the chat, in domain types.

A callback's record is a ``Claim`` (``chalicelib.domain.cards``): written with the card
change it led to, only if its key is new, so a callback delivered twice acts once. A
callback that changed no card is kept on its own (``keep``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, cast

from chalicelib.domain.cards import Claim
from chalicelib.domain.chat import ChatCallbackRecord
from chalicelib.ports import resolve


class ChatReplyError(Exception):
    """The chat could not be answered (the action itself stands)."""


class ChatCallbacks(Protocol):
    """The callbacks acted on, one record per (chat, callback id)."""

    def claim(
        self, chat: str, callback_id: str, card_id: str, outcome: str, answer: str, at: datetime
    ) -> Claim:
        """The claim of a callback, to be written with the card change it led to."""
        ...

    def keep(self, claim: Claim) -> bool:
        """Store a callback that changed no card; False when that callback was kept already."""
        ...

    def find(self, chat: str, callback_id: str) -> ChatCallbackRecord | None:
        """The record of a callback acted on before, or None."""
        ...


class ChatReplies(Protocol):
    """Answers to the chat user who pressed a button; each raises ``ChatReplyError``."""

    def answer_slack(self, response_url: str, text: str) -> None:
        """Post ``text`` to the channel of the Slack message whose button was pressed."""
        ...

    def answer_telegram(
        self, callback_query_id: str, text: str, edit: dict[str, Any] | None = None
    ) -> None:
        """Answer a Telegram callback query; ``edit`` (``editMessageText`` fields) edits it."""
        ...


def chat_callbacks() -> ChatCallbacks:
    """The callbacks acted on."""
    return cast(ChatCallbacks, resolve("chat.callbacks"))


def chat_replies() -> ChatReplies:
    """The way answers reach the chats."""
    return cast(ChatReplies, resolve("chat.replies"))
