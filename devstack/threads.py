"""Stopping the local stack's worker threads promptly, even when one is busy."""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

JOIN_SECONDS = 5.0
"""How long stopping waits for a thread that is still at work."""


def join_or_leave(thread: threading.Thread, what: str) -> None:
    """Wait up to ``JOIN_SECONDS`` for ``thread`` to end; if it runs on, say so and go on.

    Only daemon threads are left this way: the process ends without them.
    """
    thread.join(JOIN_SECONDS)
    if thread.is_alive():
        logger.warning("%s still runs after %.0f s; not waiting for it", what, JOIN_SECONDS)
