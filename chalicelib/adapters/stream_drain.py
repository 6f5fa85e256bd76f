"""Drain requests between ``POST /dev/drain`` and the local stack's stream pump.

One item in the config table holds two counters: ``requested``, which each
drain adds one to, and ``handled``, the last request the pump has answered.
The pump answers a request after it has read the number and then handled
every shard of the stream to its end, so every record written before the
drain began has been handled by then. Both sides only meet in the emulator:
the route stays generic, and works whichever process runs the pump.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.adapters.table_base import ConfigTable, bind_tables

_PK = "DEV"
_SK = "stream_drain"
_POLL_SECONDS = 0.02
# Pumps in this process, told at once of a drain request (one elsewhere finds it by polling).
_listeners: list[Callable[[], None]] = []


class StreamDrainItem(ConfigTable):
    """Drain requests and answers. Key: pk ``DEV``, sk ``stream_drain`` (local stack only)."""

    requested = NumberAttribute(null=True)
    handled = NumberAttribute(null=True)


def request_drain() -> int:
    """Ask for a drain; answers the request's number."""
    bind_tables()
    item = StreamDrainItem(_PK, _SK)
    item.update(actions=[StreamDrainItem.requested.add(1)])
    for listener in list(_listeners):
        listener()
    return int(item.requested)


def on_drain_request(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener`` after each drain request made in this process; answers the undo.

    A pump that sleeps while its stream is quiet is woken by it, so a drain
    does not wait out the pump's sleep.
    """
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def drain_requested() -> int:
    """The number of the latest drain request (0 when none was made)."""
    bind_tables()
    try:
        return int(StreamDrainItem.get(_PK, _SK).requested or 0)
    except StreamDrainItem.DoesNotExist:
        return 0


def drain_handled() -> int:
    """The latest drain request the pump has answered (0 when none)."""
    bind_tables()
    try:
        return int(StreamDrainItem.get(_PK, _SK).handled or 0)
    except StreamDrainItem.DoesNotExist:
        return 0


def answer_drain(request: int) -> None:
    """Record that every record written before drain request ``request`` was handled."""
    bind_tables()
    item = StreamDrainItem(_PK, _SK)
    try:
        item.update(
            actions=[StreamDrainItem.handled.set(request)],
            condition=StreamDrainItem.handled.does_not_exist()
            | (StreamDrainItem.handled < request),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def drain(timeout_seconds: float) -> bool:
    """Request a drain and wait for its answer; False when none came within the timeout."""
    request = request_drain()
    deadline = time.monotonic() + timeout_seconds
    while drain_handled() < request:
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True
