"""Boards: columns and lanes a card is placed in, and the labels its type and service come from.

A board is kept as the API accepted it (``body``: name, columns, lanes, card types,
services, intake addresses), so what is read answers exactly what was written; the
rules below read it. A refused placement or label raises DomainError naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.domain.events import ColumnKind

_LABELS = (("card_type", "card_types"), ("service", "services"))


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a board; its ``kind`` drives the timers."""

    id: str
    kind: str
    name: str = ""

    @classmethod
    def of(cls, entry: Mapping[str, Any]) -> Column:
        """A column from its stored (or API) form."""
        return cls(id=entry["id"], kind=entry["kind"], name=entry.get("name", ""))

    def place(self, lane_id: str | None) -> dict[str, Any]:
        """What a ``created`` or ``moved`` event records of a card placed here."""
        return {"column_id": self.id, "column_kind": self.kind, "lane_id": lane_id}


@dataclass(frozen=True, slots=True)
class Board:
    """A board; ``version`` counts stored writes (0 for a board not stored yet)."""

    board_id: str
    key: str
    body: Mapping[str, Any]
    created_at: datetime
    version: int = 0

    @property
    def columns(self) -> list[Column]:
        return [Column.of(entry) for entry in self.body["columns"]]

    @property
    def lane_ids(self) -> list[str]:
        return [lane["id"] for lane in self.body.get("lanes", [])]

    def column(self, column_id: str | None, field: str) -> Column:
        """The column ``column_id`` names; without one, the board's first queue column."""
        columns = self.columns
        if column_id is None:
            queue = next((c for c in columns if c.kind == ColumnKind.QUEUE), None)
            if queue is None:
                raise DomainError("the board has no queue column: name one", field=field)
            return queue
        for column in columns:
            if column.id == column_id:
                return column
        raise DomainError(f"board {self.key} has no column {column_id!r}", field=field)

    def first_column(self, kind: str) -> Column | None:
        """The board's first column of a kind, if it has one."""
        return next((c for c in self.columns if c.kind == kind), None)

    def kind_of(self, column_id: str) -> str | None:
        """The kind of one of the board's columns (None when it has no such column)."""
        return next((c.kind for c in self.columns if c.id == column_id), None)

    def lane(self, lane_id: str | None, field: str) -> str | None:
        """The lane ``lane_id`` names; without one, the board's first lane (or none)."""
        lanes = self.lane_ids
        if lane_id is None:
            return lanes[0] if lanes else None
        if lane_id in lanes:
            return lane_id
        raise DomainError(f"board {self.key} has no lane {lane_id!r}", field=field)

    def check_labels(self, fields: Mapping[str, Any]) -> None:
        """Refuse a card type or service (in ``fields``) that the board does not list."""
        for name, allowed in _LABELS:
            value = fields.get(name)
            if value is not None and value not in self.body.get(allowed, []):
                raise DomainError(
                    f"board {self.key} has no {name} {value!r} (see its {allowed})", field=name
                )


def check_unique(fields: Mapping[str, Any]) -> None:
    """Refuse a board definition that repeats a column or lane id, or a listed value."""
    for name in ("columns", "lanes"):
        ids = [entry["id"] for entry in fields.get(name, [])]
        for index, entry_id in enumerate(ids):
            if entry_id in ids[:index]:
                raise DomainError(f"duplicate id {entry_id!r}", field=f"{name}[{index}].id")
    for name in ("card_types", "services", "intake_addresses"):
        values = fields.get(name, [])
        for index, value in enumerate(values):
            if value in values[:index]:
                raise DomainError(f"duplicate value {value!r}", field=f"{name}[{index}]")
