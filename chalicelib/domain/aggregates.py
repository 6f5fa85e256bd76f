"""Daily compliance aggregates as kept: the cells of a day, and the marks of days due again.

A day's counts are kept per board x SLA x rule kind, in total (dimension
``base``) or split by the values of one card dimension, per quarter hour of
the UTC day (``services.aggregates``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BASE = "base"
"""The dimension of the counts of every timer of a board x SLA x rule kind."""


@dataclass(frozen=True, slots=True)
class DayAggregate:
    """The cells of one board x SLA x rule kind x dimension on one UTC day.

    ``cells`` maps a dimension value (``""`` for ``base``) to ``{quarter hour
    of the UTC day (0-95): [met, missed, overdue seconds]}``.
    """

    day: str
    dimension: str
    board_id: str
    sla_id: str
    kind: str
    cells: Mapping[str, Mapping[str, list[float]]]


@dataclass(frozen=True, slots=True)
class TouchedDay:
    """One mark of a day due for recomputation (``mark`` names its shard), as read."""

    day: str
    mark: str
    touches: int
    settled: int | None
