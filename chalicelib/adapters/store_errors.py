"""What the stores report when DynamoDB refuses a guarded write or a cursor, or fails for now."""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from pynamodb.exceptions import TransactWriteError

from chalicelib.ports.errors import InvalidCursorError, WriteConflictError

__all__ = ["InvalidCursorError", "WriteConflictError", "conflict_from", "is_transient"]


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


# DynamoDB's answers that mean "not now" rather than "no": throttling, its own
# failures, and transactions cancelled only by those or by a concurrent transaction.
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
_TRANSIENT_CANCELLATIONS = frozenset(
    {"ProvisionedThroughputExceeded", "ThrottlingError", "TransactionConflict"}
)


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a DynamoDB failure that a later retry may clear.

    botocore has already retried such a failure a few times before it is raised;
    the caller's answer is to come back later, not that its request was wrong.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, EndpointConnectionError | ReadTimeoutError | ConnectTimeoutError):
            return True
        if isinstance(current, ClientError):
            code = current.response.get("Error", {}).get("Code", "")
            if code in _TRANSIENT_CODES:
                return True
            reasons = current.response.get("CancellationReasons") or []
            codes = {reason.get("Code") for reason in reasons} - {"None", None}
            cancelled = code == "TransactionCanceledException"
            if cancelled and codes and codes <= _TRANSIENT_CANCELLATIONS:
                return True
        # PynamoDB keeps botocore's error as ``cause`` as well as ``__cause__``.
        pending.extend([getattr(current, "cause", None), current.__cause__, current.__context__])
    return False
