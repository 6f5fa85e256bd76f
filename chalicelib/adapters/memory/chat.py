"""In-memory fakes of the chat ports: the callbacks acted on and the answers sent to chats.

A callback's record is kept among the claims the card store fake writes
(``world.stores["claims"]``), so a callback written with a card change is found the way
the DynamoDB store finds it: by its key, in the same table.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.cards import Claim
from chalicelib.domain.chat import ChatCallbackRecord
from chalicelib.ports.chat import ChatReplyError


def _key(chat: str, callback_id: str) -> str:
    return f"chat:{chat}:{callback_id}"


class MemoryChatCallbacks:
    """Callback records in the shared claims dict (``ports.chat.ChatCallbacks``)."""

    def __init__(self, claims: dict[str, object] | None = None) -> None:
        self.claims: dict[str, object] = {} if claims is None else claims
        self._lock = threading.Lock()

    def claim(
        self, chat: str, callback_id: str, card_id: str, outcome: str, answer: str, at: datetime
    ) -> Claim:
        record = ChatCallbackRecord(chat, card_id, outcome, answer, at)
        return Claim(_key(chat, callback_id), record)

    def keep(self, claim: Claim) -> bool:
        with self._lock:
            if claim.key in self.claims:
                return False
            self.claims[claim.key] = claim.record
        return True

    def find(self, chat: str, callback_id: str) -> ChatCallbackRecord | None:
        record = self.claims.get(_key(chat, callback_id))
        return record if isinstance(record, ChatCallbackRecord) else None


@dataclass
class MemoryChatReplies:
    """Records each answer as ``(chat, to, text, edit)``; a chat in ``unreachable`` fails."""

    sent: list[tuple[str, str, str, dict[str, Any] | None]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)

    def answer_slack(self, response_url: str, text: str) -> None:
        self._send("slack", response_url, text, None)

    def answer_telegram(
        self, callback_query_id: str, text: str, edit: dict[str, Any] | None = None
    ) -> None:
        self._send("telegram", callback_query_id, text, edit)

    def _send(self, chat: str, to: str, text: str, edit: dict[str, Any] | None) -> None:
        if chat in self.unreachable:
            raise ChatReplyError(f"{chat}: unreachable")
        self.sent.append((chat, to, text, edit))
