"""The local stack's clock: one item in the config table that every part of the stack reads.

The API, the stream pump and the scheduler of the local stack share this
clock, so it lives in the emulator rather than in one thread's memory
(docs/design.md, "Known traps"). While the item is absent the clock follows wall
time; once set it stands still until it is set or advanced again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute

from chalicelib.adapters.table_base import ConfigTable, bind_tables

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _to_micros(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


class DevClockItem(ConfigTable):
    """The dev clock. Key: pk ``DEV``, sk ``clock``; absent while the clock follows wall time.

    ``epoch_us`` counts microseconds since 1970-01-01 UTC: a number, so that
    advancing is one atomic update even when two callers advance at once.
    """

    epoch_us = NumberAttribute()


_PK = "DEV"
_SK = "clock"


class TableClock:
    """The clock of the local stack (``SLADESK_DEV=1``), kept in the config table."""

    def __init__(self) -> None:
        bind_tables()

    def now(self) -> datetime:
        """The clock's instant (aware, UTC): the stored one, or wall time while none is stored."""
        try:
            item = DevClockItem.get(_PK, _SK)
        except DevClockItem.DoesNotExist:
            return datetime.now(UTC)
        return _from_micros(int(item.epoch_us))

    def set(self, now: datetime) -> datetime:
        """Stop the clock at ``now`` (an aware datetime); returns it in UTC."""
        if now.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        micros = _to_micros(now)
        DevClockItem(_PK, _SK, epoch_us=micros).save()
        return _from_micros(micros)

    def advance(self, seconds: float) -> datetime:
        """Move the clock on by ``seconds`` (from wall time if it was never set); returns it."""
        delta = round(seconds * 1_000_000)
        wall = _to_micros(datetime.now(UTC))
        item = DevClockItem(_PK, _SK)
        item.update(actions=[DevClockItem.epoch_us.set((DevClockItem.epoch_us | wall) + delta)])
        return _from_micros(int(item.epoch_us))
