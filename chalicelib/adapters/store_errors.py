"""What the stores report when DynamoDB refuses a guarded write or a cursor."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError


class WriteConflictError(Exception):
    """A guarded write lost: the item changed (or appeared) since it was read.

    ``failed`` lists the positions of the transaction items whose condition failed.
    """

    def __init__(self, failed: list[int]) -> None:
        super().__init__(f"condition failed on transaction items {failed}")
        self.failed = failed


class InvalidCursorError(ValueError):
    """A ``next`` cursor that this list did not hand out."""


def conflict_from(error: TransactWriteError) -> WriteConflictError | None:
    """The conflict behind a cancelled transaction, or None when it failed for another reason."""
    if error.cause_response_code != "TransactionCanceledException":
        return None
    reasons = error.cancellation_reasons or []
    failed = [
        position
        for position, reason in enumerate(reasons)
        if reason is not None and reason.code == "ConditionalCheckFailed"
    ]
    return WriteConflictError(failed) if failed else None
