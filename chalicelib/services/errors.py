"""Refusals a use case can answer with; the API maps each kind to its status code."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refused request: ``code`` is snake_case, ``field`` names the offending field."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details
        if code is not None:
            self.code = code


class InvalidInputError(ServiceError):
    """The request is well-formed but its content is refused (400)."""

    code = "validation_error"


class NotFoundError(ServiceError):
    """An id in the path names nothing (404)."""

    code = "not_found"


class ConflictError(ServiceError):
    """The write would break an invariant or lost a race (409)."""

    code = "conflict"


class UnprocessableError(ServiceError):
    """The request is understood but cannot be acted on as it stands (422)."""

    code = "unprocessable"
