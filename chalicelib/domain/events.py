"""Card events: the append-only history that every timer is derived from.

A card's history is the ordered list of its events. Storage persists them
as-is (``kind``, ``seq``, ``at``, ``data``); the timer engine reads nothing
else about a card. What each kind carries in ``data``:

``created``       ``column_id``, ``column_kind``, ``lane_id`` (the card's place at birth)
``moved``         ``column_id``, ``column_kind``, ``lane_id`` (the place it moved to)
``updated``       ``changes``: {field: new value} (title, assignee, tags, ...)
``commented``     ``public`` (bool), ``author_role`` ("agent" or "requester")
``sla_attached``  ``sla_id``, ``sla_version``, ``calendar_version`` (None for 24/7)
                  and, when an automation rule attached it, ``automation_id``
``sla_detached``  ``sla_id``
``sla_repinned``  ``sla_id``, ``sla_version``, ``calendar_version``

Column kinds travel with the event so that a later edit of the board never
rewrites the past.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    CREATED = "created"
    MOVED = "moved"
    UPDATED = "updated"
    COMMENTED = "commented"
    SLA_ATTACHED = "sla_attached"
    SLA_DETACHED = "sla_detached"
    SLA_REPINNED = "sla_repinned"


class ColumnKind(StrEnum):
    QUEUE = "queue"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class CardEvent:
    """One entry of a card's history: ``seq`` is its 1-based position, ``at`` is aware UTC."""

    seq: int
    at: datetime
    kind: EventKind
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("CardEvent.at must be timezone-aware")
