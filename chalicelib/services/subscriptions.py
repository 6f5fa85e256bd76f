"""Subscriptions: who is told about which events, on which channel (manager).

A subscription is checked against what exists when it is made (board,
column, quiet calendar, time zone, a target that fits its channel); the
secret of a webhook subscription is stored and never answered.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from chalicelib.domain.alerts import Subscription
from chalicelib.domain.subscriptions import StoredSubscription
from chalicelib.ports.alerts import subscribers
from chalicelib.ports.clock import now
from chalicelib.ports.config import subscription_store
from chalicelib.services.boards import find_board
from chalicelib.services.calendars import latest_calendar_version
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.errors import InvalidInputError, NotFoundError
from chalicelib.services.targets import target_problem


def create_subscription(fields: dict[str, Any]) -> dict[str, Any]:
    """Store a subscription whose references exist and whose target fits its channel."""
    problem = target_problem(fields["channel"], fields["target"])
    if problem is not None:
        raise InvalidInputError(problem, field="target")
    if fields["channel"] == "webhook" and not fields.get("secret"):
        raise InvalidInputError("a webhook subscription needs a secret", field="secret")
    if fields.get("board_id") is not None:
        board = find_board(fields["board_id"], "board_id")
        column_id = fields.get("column_id")
        if column_id is not None and all(c["id"] != column_id for c in board.body["columns"]):
            raise InvalidInputError(f"board has no column {column_id!r}", field="column_id")
    elif fields.get("column_id") is not None:
        raise InvalidInputError("a column needs its board_id", field="column_id")
    if fields["timezone"] not in available_timezones():
        raise InvalidInputError("not an IANA time zone", field="timezone")
    quiet = fields.get("quiet_calendar_id")
    if quiet is not None and latest_calendar_version(quiet) is None:
        raise InvalidInputError(f"no calendar {quiet}", field="quiet_calendar_id")
    body = {**fields, "events": sorted(set(fields["events"]))}
    item = subscription_store().create(new_id("sub"), fields.get("board_id"), body, now())
    return _answer(item)


def list_subscriptions(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of subscriptions."""
    with refusals():
        items, next_cursor = subscription_store().list(limit, cursor)
    return page([_answer(item) for item in items], next_cursor)


def delete_subscription(subscription_id: str) -> None:
    """Delete a subscription; deliveries already recorded for it still go out."""
    if not subscription_store().delete(subscription_id):
        raise NotFoundError(f"no subscription {subscription_id}")


def load_subscriptions() -> list[Subscription]:
    """Every subscription as the alert rules see it (one query)."""
    return subscribers().all()


def _answer(item: StoredSubscription) -> dict[str, Any]:
    body = {name: value for name, value in item.body.items() if name != "secret"}
    return {
        "column_id": None,
        "quiet_calendar_id": None,
        **body,
        "board_id": item.board_id,
        "id": item.id,
        "has_secret": item.secret is not None,
        "created_at": item.created_at,
    }
