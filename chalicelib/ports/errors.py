"""What a store reports to a service, in the service's words, whatever the storage."""

from __future__ import annotations


class WriteConflictError(Exception):
    """A guarded write lost: the item changed (or appeared) since it was read.

    ``failed`` lists the positions of the transaction items whose condition failed.
    """

    def __init__(self, failed: list[int]) -> None:
        super().__init__(f"condition failed on transaction items {failed}")
        self.failed = failed


class ClaimTakenError(WriteConflictError):
    """A claim written with a card change was there already: another write made it first."""


class InvalidCursorError(ValueError):
    """A ``next`` cursor that this list did not hand out."""
