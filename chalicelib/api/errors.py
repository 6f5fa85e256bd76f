"""The contract's error shape: ``{"error": {"code", "message", "details"}}``.

Every refusal leaves the API through ``error_response``; ``ApiError`` carries
the HTTP-level refusals (auth, size, JSON) and service errors map by kind.
"""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
    UnprocessableError,
)

_STATUS_BY_KIND: dict[type[ServiceError], int] = {
    InvalidInputError: 400,
    NotFoundError: 404,
    ConflictError: 409,
    UnprocessableError: 422,
}


class ApiError(Exception):
    """A refusal decided at the HTTP edge (401, 403, 413, malformed JSON, ...)."""

    def __init__(
        self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str | list[str]] | None = None,
) -> Response:
    """A JSON error in the contract's shape."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return Response(body={"error": error}, status_code=status, headers=headers or {})


def field_path(loc: tuple[str | int, ...]) -> str:
    """A pydantic location as the dotted path the API speaks: ``rules[0].target``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _pydantic_details(error: ValidationError) -> list[dict[str, Any]]:
    details = []
    for item in error.errors(include_url=False, include_input=False):
        # Union and wrapper validators add their own names to the location.
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        details.append({"field": field_path(loc), "message": item["msg"], "type": item["type"]})
    return details


def validation_response(error: ValidationError, source: str = "body") -> Response:
    """400 naming every offending field of a request body or query string."""
    details = _pydantic_details(error)
    if any(item["type"] == "json_invalid" for item in details):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    first = details[0]
    where = first["field"] or source
    message = f"{where}: {first['message']}"
    return error_response(400, "validation_error", message, details)


def service_error_response(error: ServiceError) -> Response:
    """The status and body for a use case's refusal."""
    status = next((code for kind, code in _STATUS_BY_KIND.items() if isinstance(error, kind)), 400)
    details = error.details
    if details is None and error.field:
        details = [{"field": error.field, "message": error.message}]
    message = f"{error.field}: {error.message}" if error.field else error.message
    return error_response(status, error.code, message, details)


RETRY_AFTER_SECONDS = 1


def unavailable_response() -> Response:
    """503 with ``Retry-After``: storage is throttling or failing for now, past its retries."""
    return error_response(
        503,
        "service_unavailable",
        "the service is busy; try again shortly",
        None,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def api_error_response(error: ApiError) -> Response:
    """The response for a refusal decided at the HTTP edge."""
    return error_response(error.status, error.code, error.message, error.details)
