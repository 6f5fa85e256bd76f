"""Automations: what ``/automations`` accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from chalicelib.api.schemas.common import Body, Identifier, Name, Resource

Label = Annotated[str, Field(min_length=1, max_length=100)]


class Conditions(Body):
    """``when``: every key given must match (AND); none given matches every card."""

    model_config = ConfigDict(strict=True, extra="forbid")

    column_id: Identifier | None = None
    lane_id: Identifier | None = None
    card_type: Label | None = None
    service: Label | None = None
    assignee: Label | None = None
    priority: Label | None = None
    tags_any: Annotated[list[Label], Field(max_length=50)] | None = None


class AutomationFields(Body):
    """``POST /automations``."""

    name: Name
    board_id: str
    when: Conditions = Field(default_factory=Conditions)
    attach: Annotated[list[str], Field(min_length=1, max_length=20)]


class ConditionsOut(Resource):
    column_id: str | None = None
    lane_id: str | None = None
    card_type: str | None = None
    service: str | None = None
    assignee: str | None = None
    priority: str | None = None
    tags_any: list[str] | None = None


class Automation(Resource):
    """A stored automation rule."""

    id: str
    name: str
    board_id: str
    when: ConditionsOut
    attach: list[str]
    created_at: datetime
