"""Wiring of the cards ports (see ``chalicelib/ports/cards.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import ports

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld


def wire_aws() -> None:
    """Wire the cards ports to their DynamoDB adapters (each built on first use)."""
    from chalicelib.adapters.automation_store import get_automation_store
    from chalicelib.adapters.board_store import get_board_store
    from chalicelib.adapters.card_store import get_card_store

    ports.provide("cards.card_store", get_card_store)
    ports.provide("cards.board_store", get_board_store)
    ports.provide("cards.automation_store", get_automation_store)


def wire_memory(world: MemoryWorld) -> None:
    """Wire the cards ports to in-memory fakes, kept in ``world.stores`` (``cards``,
    ``boards``, ``automations``); claims are shared as ``world.stores["claims"]``."""
    from chalicelib.adapters.memory.cards import (
        MemoryAutomationStore,
        MemoryBoardStore,
        MemoryCardStore,
    )

    claims = world.stores.setdefault("claims", {})
    assert isinstance(claims, dict)
    card_store = MemoryCardStore(claims)
    board_store = MemoryBoardStore()
    automation_store = MemoryAutomationStore()
    world.stores.update(cards=card_store, boards=board_store, automations=automation_store)
    ports.provide("cards.card_store", lambda: card_store)
    ports.provide("cards.board_store", lambda: board_store)
    ports.provide("cards.automation_store", lambda: automation_store)
