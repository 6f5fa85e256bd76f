"""The composition root: the one place that decides what answers each port.

``wire_aws()`` wires the DynamoDB/AWS adapters (every Lambda entry point and the local
stack call it once, before their first request); ``wire_memory()`` wires the in-memory
fakes the service tests run on, with a clock that stands still until moved. Each area
of the code wires its own ports in a module of this package; adding an area is one
line in ``AREAS``. Nothing is built here: each port's adapter is created on first use,
so importing an entry point touches no AWS client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalicelib import ports
from chalicelib.adapters.clock import FixedClock
from chalicelib.bootstrap import alerts, cards, chat, clock, config, intake, timers

# Each area module has ``wire_aws()`` and ``wire_memory(world)``.
AREAS = (clock, cards, timers, alerts, config, intake, chat)


@dataclass
class MemoryWorld:
    """What the in-memory fakes share: the clock and one dict per fake store.

    A fake that must see another's data (a claim written in the same transaction as a
    card change, say) finds it here under an agreed name.
    """

    clock: FixedClock
    stores: dict[str, object] = field(default_factory=dict)


def wire_aws() -> None:
    """Wire every port to its DynamoDB/AWS adapter (built lazily, on first use)."""
    ports.reset()
    for area in AREAS:
        area.wire_aws()


def wire_memory(now: datetime | None = None) -> MemoryWorld:
    """Wire every port to an in-memory fake; answers what they share (the clock first)."""
    ports.reset()
    world = MemoryWorld(clock=FixedClock(now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)))
    for area in AREAS:
        area.wire_memory(world)
    return world
