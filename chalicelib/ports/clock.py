"""The one clock every server-side "now" comes from (``docs/design.md``, invariant 7)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, cast

from chalicelib.ports import resolve


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


def clock() -> Clock:
    """The clock the composition root wired."""
    return cast(Clock, resolve("clock"))


def now() -> datetime:
    """The current instant of the wired clock, aware, in UTC."""
    return clock().now()
