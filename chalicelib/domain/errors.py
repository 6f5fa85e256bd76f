"""Errors the pure core raises for input it refuses."""

from __future__ import annotations


class DomainError(ValueError):
    """Input the domain refuses; ``field`` names the offending field (dotted path) when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
