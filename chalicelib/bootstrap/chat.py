"""Wiring of the chat ports (see ``chalicelib/ports/chat.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import ports

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld


def _callbacks() -> object:
    from chalicelib.adapters.chat_callbacks import get_chat_callbacks

    return get_chat_callbacks()


def _replies() -> object:
    from chalicelib.adapters.chat_replies import ChatReplies

    return ChatReplies()


def wire_aws() -> None:
    """Wire the chat ports to the cards table and the chats' HTTP APIs."""
    ports.provide("chat.callbacks", _callbacks)
    ports.provide("chat.replies", _replies)


def wire_memory(world: MemoryWorld) -> None:
    """Wire the chat ports to fakes (``world.stores``: ``chat_callbacks``, ``chat_replies``);
    callback records live among the card store's claims (``world.stores["claims"]``)."""
    from chalicelib.adapters.memory.chat import MemoryChatCallbacks, MemoryChatReplies

    claims = world.stores.setdefault("claims", {})
    assert isinstance(claims, dict)
    callbacks = MemoryChatCallbacks(claims)
    replies = MemoryChatReplies()
    world.stores.update(chat_callbacks=callbacks, chat_replies=replies)
    ports.provide("chat.callbacks", lambda: callbacks)
    ports.provide("chat.replies", lambda: replies)
