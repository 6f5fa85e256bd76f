"""Automation rules: which SLA policies to attach to which cards of a board.

This module only stores rules; matching them against cards happens when the
stream handler sees a card created or changed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.automation_store import get_automation_store
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.config_items import AutomationItem
from chalicelib.adapters.versioned_store import get_sla_store
from chalicelib.services.boards import find_board
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.errors import InvalidInputError, NotFoundError


def _answer(item: AutomationItem) -> dict[str, Any]:
    return {**item.body, "id": item.automation_id, "created_at": item.created_at}


def create_automation(fields: dict[str, Any]) -> dict[str, Any]:
    """Store a rule whose board, board places and SLA policies all exist."""
    board = find_board(fields["board_id"], "board_id")
    when = {key: value for key, value in fields.get("when", {}).items() if value is not None}
    places = {
        "column_id": {column["id"] for column in board.body["columns"]},
        "lane_id": {lane["id"] for lane in board.body.get("lanes", [])},
    }
    for key, known in places.items():
        if key in when and when[key] not in known:
            raise InvalidInputError(f"board has no {key} {when[key]!r}", field=f"when.{key}")
    slas = get_sla_store()
    for index, sla_id in enumerate(fields["attach"]):
        if slas.latest(sla_id) is None:
            raise InvalidInputError(f"no SLA policy {sla_id}", field=f"attach[{index}]")
    body = {**fields, "when": when}
    item = get_automation_store().create(new_id("aut"), fields["board_id"], body, get_clock().now())
    return _answer(item)


def list_automations(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of rules."""
    with refusals():
        items, next_cursor = get_automation_store().list(limit, cursor)
    return page([_answer(item) for item in items], next_cursor)


def delete_automation(automation_id: str) -> None:
    """Delete a rule; cards keep the SLAs it attached."""
    if not get_automation_store().delete(automation_id):
        raise NotFoundError(f"no automation {automation_id}")
