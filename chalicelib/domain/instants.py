"""Instants as sladesk writes them in JSON, CSV and stored facts: RFC 3339, UTC, with ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_stamp(instant: datetime) -> str:
    """``instant`` (aware) in UTC as RFC 3339 with a ``Z``, e.g. ``2026-03-02T09:00:00Z``."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
