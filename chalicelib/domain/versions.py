"""Versioned definitions as they are stored: one version of an SLA policy or of a calendar.

Editing a definition makes version n+1; version n is never changed, so cards and timers
keep the version they were pinned to (``docs/design.md``, invariant 5). ``body`` is the
definition as the API accepted it (durations as sent), so that it answers as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DefinitionVersion:
    """Version ``version`` of the definition ``id``, stored at ``created_at``."""

    id: str
    version: int
    body: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SlaPolicyVersion(DefinitionVersion):
    """One stored version of an SLA policy, rules as sent (``SlaPolicy`` is the engine's view)."""

    @property
    def calendar_id(self) -> str | None:
        """The calendar this version counts working time in; None for 24/7."""
        calendar_id = self.body.get("calendar_id")
        return None if calendar_id is None else str(calendar_id)


@dataclass(frozen=True, slots=True)
class CalendarVersion(DefinitionVersion):
    """One stored version of a business calendar (week, holidays, time zone)."""

    @property
    def timezone(self) -> str:
        """The IANA time zone the calendar's hours are in."""
        return str(self.body["timezone"])
