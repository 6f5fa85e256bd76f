"""SLA policies as the timer engine sees them: one pinned version with its rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class RuleKind(StrEnum):
    FIRST_REACTION = "first_reaction"
    RESOLUTION = "resolution"
    TIME_IN_COLUMN = "time_in_column"


@dataclass(frozen=True, slots=True)
class Escalation:
    """A level reached ``after_breach`` of counted time past the breach."""

    after_breach: timedelta
    notify: tuple[str, ...] = ()
    assign_to: str | None = None


@dataclass(frozen=True, slots=True)
class SlaRule:
    """One promise of a policy. ``column_id`` is set only for ``time_in_column``."""

    id: str
    kind: RuleKind
    target: timedelta
    warn_before: timedelta | None = None
    escalations: tuple[Escalation, ...] = ()
    column_id: str | None = None


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """One version of an SLA policy.

    ``pause_in_columns`` of None means "the board's waiting columns" (every
    column whose kind is ``waiting``); an explicit set replaces that default.
    """

    id: str
    version: int
    name: str
    rules: tuple[SlaRule, ...]
    calendar_id: str | None = None
    pause_in_columns: frozenset[str] | None = field(default=None)
