"""Chat callbacks sladesk has acted on (Slack and Telegram buttons), each kept once.

One item per (chat, callback id), in the cards table so that it can be
written in the same transaction as the card change the callback led to: the
transaction writes it only if its key is new, so a callback delivered twice,
even at the same time, acts once, and the later delivery reads the item and
answers the same. A callback that changed nothing (an unknown card, a card
taken already) is kept the same way, on its own.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from chalicelib.adapters.table_base import CardsTable, bind_tables
from chalicelib.domain.cards import Claim
from chalicelib.domain.chat import ChatCallbackRecord

_SK = "CHAT"


class ChatCallbackItem(CardsTable):
    """A callback acted on. Key: pk ``CHAT#<chat>#<sha256 of the callback id>``, sk ``CHAT``.

    ``outcome`` says what it did (``taken``, ``already_taken``, ...) and
    ``answer`` what the chat was told.
    """

    chat = UnicodeAttribute()
    card_id = UnicodeAttribute()
    outcome = UnicodeAttribute()
    answer = UnicodeAttribute()
    at = UTCDateTimeAttribute()


def callback_pk(chat: str, callback_id: str) -> str:
    """The partition of one callback's item."""
    return f"CHAT#{chat}#{hashlib.sha256(callback_id.encode('utf-8')).hexdigest()}"


class ChatCallbacks:
    """The ``ChatCallbacks`` port: reads and writes callback items."""

    def claim(
        self, chat: str, callback_id: str, card_id: str, outcome: str, answer: str, at: datetime
    ) -> Claim:
        """The claim of a callback, to be written with the card change it led to."""
        pk = callback_pk(chat, callback_id)
        item = ChatCallbackItem(
            pk, _SK, chat=chat, card_id=card_id, outcome=outcome, answer=answer, at=at
        )
        return Claim(pk, item)

    def keep(self, claim: Claim) -> bool:
        """Store a callback that changed no card; False when that callback was kept already."""
        item = claim.record
        if not isinstance(item, ChatCallbackItem):
            raise TypeError(f"not the claim of a chat callback: {claim!r}")
        try:
            item.save(condition=ChatCallbackItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def find(self, chat: str, callback_id: str) -> ChatCallbackRecord | None:
        """The record of a callback acted on before, or None."""
        try:
            item = ChatCallbackItem.get(callback_pk(chat, callback_id), _SK, consistent_read=True)
        except ChatCallbackItem.DoesNotExist:
            return None
        return ChatCallbackRecord(item.chat, item.card_id, item.outcome, item.answer, item.at)


def get_chat_callbacks() -> ChatCallbacks:
    """The callback store of this process."""
    bind_tables()
    return ChatCallbacks()
