"""Wiring of the intake ports (see ``chalicelib/ports/intake.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld


def wire_aws() -> None:
    """Wire the intake ports to their DynamoDB/AWS adapters."""


def wire_memory(world: MemoryWorld) -> None:
    """Wire the intake ports to in-memory fakes."""
