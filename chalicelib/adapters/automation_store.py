"""Automation rules in the config table."""

from __future__ import annotations

import builtins

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.adapters.config_items import AutomationItem
from chalicelib.adapters.paging import decode_cursor, read_mapped_page
from chalicelib.adapters.table_base import bind_tables
from chalicelib.domain.automations import Automation
from chalicelib.ports.errors import WriteConflictError

_PK = "AUTOMATION"


def automation_from_item(item: AutomationItem) -> Automation:
    """The rule an item holds."""
    return Automation.from_body(item.automation_id, item.board_id, item.body, item.created_at)


class DynamoAutomationStore:
    """Creates, lists and deletes automation rules (``chalicelib.ports.cards.AutomationStore``)."""

    def create(self, automation: Automation) -> Automation:
        """Store a new rule."""
        item = AutomationItem(
            _PK,
            automation.id,
            automation_id=automation.id,
            board_id=automation.board_id,
            body=dict(automation.body),
            created_at=automation.created_at,
        )
        try:
            item.save(condition=AutomationItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise WriteConflictError([0]) from error
            raise
        return automation_from_item(item)

    def list(self, limit: int, cursor: str | None) -> tuple[list[Automation], str | None]:
        """One page of rules, in id order."""
        results = AutomationItem.query(
            _PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_mapped_page(results, limit, ("pk", "sk"), automation_from_item)

    def for_board(self, board_id: str) -> builtins.list[Automation]:
        """Every rule of one board (what the stream handler matches cards against)."""
        query = AutomationItem.query(_PK, filter_condition=AutomationItem.board_id == board_id)
        return [automation_from_item(item) for item in query]

    def delete(self, automation_id: str) -> bool:
        """Delete a rule; False when there was none."""
        try:
            AutomationItem(_PK, automation_id).delete(condition=AutomationItem.sk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def get_automation_store() -> DynamoAutomationStore:
    """The DynamoDB automation store (what ``chalicelib.bootstrap.cards`` wires as the port)."""
    bind_tables()
    return DynamoAutomationStore()
