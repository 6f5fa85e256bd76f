"""The shape of every long-running part of the local stack: entering starts it, leaving stops it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Part:
    """A context manager over ``start()`` and ``stop()``, which subclasses define.

    ``stop()`` runs however the block is left, so parts entered on one
    ``ExitStack`` stop in the reverse order they started.
    """

    def start(self) -> None:
        """Start the part (its thread, server or listener)."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop what ``start()`` started; promptly, and only once it has started."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
