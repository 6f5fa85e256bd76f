"""Wiring of the timers ports (see ``chalicelib/ports/timers.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import ports

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld


def _timer_store() -> object:
    from chalicelib.adapters.timer_store import get_timer_store

    return get_timer_store()


def _due_timers() -> object:
    from chalicelib.adapters.due_timers import get_due_timers

    return get_due_timers()


def _report_store() -> object:
    from chalicelib.adapters.report_store import get_report_store

    return get_report_store()


def wire_aws() -> None:
    """Wire the timers ports to their DynamoDB adapters (each imported on first use)."""
    ports.provide("timers.timer_store", _timer_store)
    ports.provide("timers.due_timers", _due_timers)
    ports.provide("timers.finished_timers", _report_store)
    ports.provide("timers.aggregates", _report_store)


def wire_memory(world: MemoryWorld) -> None:
    """Wire the timers ports to one in-memory fake of the timers and aggregates
    (``world.stores["timers"]``); its writes are guarded by the fake card store's cards."""
    from chalicelib.adapters.memory.timers import MemoryTimers

    def last_seq(card_id: str) -> int | None:
        cards = world.stores.get("cards")
        card = getattr(cards, "get", lambda _: None)(card_id)
        return None if card is None else int(card.last_seq)

    timers = MemoryTimers(last_seq)
    world.stores["timers"] = timers
    for name in ("timer_store", "due_timers", "finished_timers", "aggregates"):
        ports.provide(f"timers.{name}", lambda: timers)
