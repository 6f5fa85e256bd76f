"""Wiring of the one clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib import ports
from chalicelib.adapters.clock import get_clock

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld


class _ProcessClock:
    """The process's clock as ``chalicelib.adapters.clock`` chooses it at each call.

    Asked afresh every time, so a test's ``use_clock`` and the local stack's dev clock
    (shared through the config table) are honoured without re-wiring.
    """

    def now(self) -> datetime:
        return get_clock().now()


def wire_aws() -> None:
    ports.provide("clock", _ProcessClock)


def wire_memory(world: MemoryWorld) -> None:
    ports.provide("clock", lambda: world.clock)
