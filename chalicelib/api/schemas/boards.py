"""Boards: what ``/boards`` accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.api.schemas.common import Body, Identifier, Name, Resource

ColumnKind = Literal["queue", "in_progress", "waiting", "done"]
BoardKey = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{0,9}$")]
Label = Annotated[str, Field(min_length=1, max_length=100)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)]


class Column(Body):
    """A column of a board; its ``kind`` drives the timers."""

    id: Identifier
    name: Name
    kind: ColumnKind


class Lane(Body):
    """A horizontal lane of a board."""

    id: Identifier
    name: Name


class BoardFields(Body):
    """A board definition (``POST /boards``, ``PUT /boards/{id}`` replaces it)."""

    name: Name
    key: BoardKey
    columns: Annotated[list[Column], Field(min_length=1, max_length=50)]
    lanes: Annotated[list[Lane], Field(max_length=50)] = Field(default_factory=list)
    card_types: Annotated[list[Label], Field(max_length=100)] = Field(default_factory=list)
    services: Annotated[list[Label], Field(max_length=100)] = Field(default_factory=list)
    intake_addresses: Annotated[list[Email], Field(max_length=50)] = Field(default_factory=list)
    default_intake: bool = False


class ColumnOut(Resource):
    id: str
    name: str
    kind: ColumnKind


class LaneOut(Resource):
    id: str
    name: str


class Board(Resource):
    """A board as stored."""

    id: str
    name: str
    key: str
    columns: list[ColumnOut]
    lanes: list[LaneOut]
    card_types: list[str]
    services: list[str]
    intake_addresses: list[str]
    default_intake: bool
    created_at: datetime
