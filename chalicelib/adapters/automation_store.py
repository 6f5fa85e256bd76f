"""Automation rules in the config table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib.adapters.config_items import AutomationItem
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.table_base import bind_tables

_PK = "AUTOMATION"


class AutomationStore:
    """Creates, lists and deletes automation rules."""

    def create(
        self, automation_id: str, board_id: str, body: dict[str, Any], now: datetime
    ) -> AutomationItem:
        """Store a new rule."""
        item = AutomationItem(
            _PK,
            automation_id,
            automation_id=automation_id,
            board_id=board_id,
            body=body,
            created_at=now,
        )
        item.save(condition=AutomationItem.sk.does_not_exist())
        return item

    def list(self, limit: int, cursor: str | None) -> tuple[list[AutomationItem], str | None]:
        """One page of rules, in id order."""
        results = AutomationItem.query(
            _PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_page(results, limit, ("pk", "sk"))

    def for_board(self, board_id: str) -> list[AutomationItem]:
        """Every rule of one board (what the stream handler matches cards against)."""
        return list(AutomationItem.query(_PK, filter_condition=AutomationItem.board_id == board_id))

    def delete(self, automation_id: str) -> bool:
        """Delete a rule; False when there was none."""
        try:
            AutomationItem(_PK, automation_id).delete(condition=AutomationItem.sk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def get_automation_store() -> AutomationStore:
    """The automation store of this process."""
    bind_tables()
    return AutomationStore()
