"""Automation rules: which SLA policies to attach to which cards of a board.

This module only stores rules; matching them against cards happens when the
stream handler sees a card created or changed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.automations import Automation
from chalicelib.ports.cards import automation_store
from chalicelib.ports.clock import now
from chalicelib.ports.config import sla_store
from chalicelib.services.boards import find_board
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.errors import InvalidInputError, NotFoundError


def _answer(automation: Automation) -> dict[str, Any]:
    return {**automation.body, "id": automation.id, "created_at": automation.created_at}


def create_automation(fields: dict[str, Any]) -> dict[str, Any]:
    """Store a rule whose board, board places and SLA policies all exist."""
    board = find_board(fields["board_id"], "board_id")
    when = {key: value for key, value in fields.get("when", {}).items() if value is not None}
    places = {
        "column_id": {column.id for column in board.columns},
        "lane_id": set(board.lane_ids),
    }
    for key, known in places.items():
        if key in when and when[key] not in known:
            raise InvalidInputError(f"board has no {key} {when[key]!r}", field=f"when.{key}")
    slas = sla_store()
    for index, sla_id in enumerate(fields["attach"]):
        if slas.latest(sla_id) is None:
            raise InvalidInputError(f"no SLA policy {sla_id}", field=f"attach[{index}]")
    body = {**fields, "when": when}
    rule = Automation.from_body(new_id("aut"), fields["board_id"], body, now())
    return _answer(automation_store().create(rule))


def list_automations(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of rules."""
    with refusals():
        rules, next_cursor = automation_store().list(limit, cursor)
    return page([_answer(rule) for rule in rules], next_cursor)


def delete_automation(automation_id: str) -> None:
    """Delete a rule; cards keep the SLAs it attached."""
    if not automation_store().delete(automation_id):
        raise NotFoundError(f"no automation {automation_id}")
