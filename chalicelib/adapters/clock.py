"""The one clock: every server-side "now" comes from here (docs/design.md, invariant 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from chalicelib import settings


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    """Wall-clock time; what deployed stacks use."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until set or advanced (tests and the local stack)."""

    def __init__(self, now: datetime) -> None:
        self._now = now.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


_override: Clock | None = None


def use_clock(clock: Clock | None) -> None:
    """Make every later ``get_clock()`` answer ``clock`` (tests); None restores the default."""
    global _override
    _override = clock


def get_clock() -> Clock:
    """The clock for this process: an override, the local stack's dev clock, or wall time.

    The dev clock (``SLADESK_DEV=1``) lives in the config table so that the
    API, the stream pump and the scheduler of the local stack share it.
    """
    if _override is not None:
        return _override
    if settings.dev():
        from chalicelib.adapters.dev_clock import TableClock

        return TableClock()
    return SystemClock()
