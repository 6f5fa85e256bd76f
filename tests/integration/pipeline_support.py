"""What the timer pipeline tests share: a support desk, the real emulated stream, call counts.

Records are read from moto's DynamoDB stream of the cards table (the same
reader the local stack's pump uses) and handed to app.py's stream handler
through Chalice's test client, as Lambda would hand them.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import botocore.client

from chalicelib.adapters.table_base import CARDS_TABLE_ENV, table_name
from chalicelib.adapters.timer_items import TimerItem
from devstack.stream_pump import StreamReader, lambda_event

HANDLER = "recompute_timers"

BOARD = {
    "name": "Support",
    "key": "SUP",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "work", "name": "In progress", "kind": "in_progress"},
        {"id": "wait", "name": "Waiting for customer", "kind": "waiting"},
        {"id": "done", "name": "Done", "kind": "done"},
    ],
    "lanes": [{"id": "standard", "name": "Standard"}, {"id": "premium", "name": "Premium"}],
    "card_types": ["bug", "question"],
    "services": ["web"],
}

PREMIUM = {
    "name": "Premium",
    "calendar_id": None,
    "rules": [
        {"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"},
        {
            "id": "resolve",
            "kind": "resolution",
            "target": "PT4H",
            "warn_before": "PT30M",
            "escalations": [{"after_breach": "PT30M", "notify": ["l2@example.com"]}],
        },
        {"id": "in_work", "kind": "time_in_column", "column_id": "work", "target": "PT2H"},
    ],
}

CALENDAR = {
    "name": "Support hours",
    "timezone": "Europe/Moscow",
    "week": {day: [["10:30", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}


def standard(calendar_id: str) -> dict[str, Any]:
    """An SLA counting the 10:30-16:00 Moscow calendar."""
    return {
        "name": "Standard",
        "calendar_id": calendar_id,
        "rules": [{"id": "react", "kind": "first_reaction", "target": "PT8H"}],
    }


@dataclass
class Desk:
    """A board with a premium SLA (24/7) and a standard one (business hours)."""

    api: Any
    board_id: str
    premium_id: str
    standard_id: str
    calendar_id: str

    def open(self, **fields: Any) -> str:
        """Open a card (as an agent); answers its id."""
        body = {"board_id": self.board_id, "title": "Checkout is down", **fields}
        return self.api.ok("POST", "/cards", body, role="agent")["id"]

    def move(self, card_id: str, column_id: str, **fields: Any) -> None:
        body = {"column_id": column_id, **fields}
        self.api.ok("POST", f"/cards/{card_id}/move", body, role="agent", status=200)

    def comment(self, card_id: str, public: bool = True) -> None:
        body = {"body": "On it", "public": public}
        self.api.ok("POST", f"/cards/{card_id}/comments", body, role="agent")


def make_desk(api: Any) -> Desk:
    calendar_id = api.ok("POST", "/calendars", CALENDAR)["id"]
    return Desk(
        api=api,
        board_id=api.ok("POST", "/boards", BOARD)["id"],
        premium_id=api.ok("POST", "/slas", PREMIUM)["id"],
        standard_id=api.ok("POST", "/slas", standard(calendar_id))["id"],
        calendar_id=calendar_id,
    )


class Pipeline:
    """The cards table's stream, read for real, delivered to the stream handler."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.reader = StreamReader(table_name(CARDS_TABLE_ENV))

    def new_records(self) -> list[dict[str, Any]]:
        """Every record written since the last read."""
        return self.reader.read_all()

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """One batch through the handler; answers its partial batch response."""
        return self.client.lambda_.invoke(HANDLER, lambda_event(records)).payload

    def drain(self) -> list[dict[str, Any]]:
        """Deliver new records until the handler adds none (automations add events)."""
        delivered = []
        while records := self.new_records():
            assert self.deliver(records) == {"batchItemFailures": []}
            delivered.extend(records)
        return delivered


def stored_timers(card_id: str) -> dict[str, dict[str, Any]]:
    """The card's stored timers by rule id (``<sla>#<rule>`` when it has several SLAs)."""
    items = TimerItem.query(f"CARD#{card_id}", TimerItem.sk.startswith("TIMER#"))
    return {item.sk.removeprefix("TIMER#"): item.attribute_values for item in items}


@contextmanager
def counted_calls():
    """Counts every AWS call made inside, by (operation, table or index)."""
    calls: Counter[tuple[str, str]] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        where = api_params.get("IndexName") or api_params.get("TableName") or ""
        if operation_name == "TransactWriteItems":
            for item in api_params["TransactItems"]:
                ((kind, operation),) = item.items()
                calls[(f"TransactWriteItems {kind}", operation["TableName"])] += 1
            where = ""
        calls[(operation_name, where)] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


def busy_batch(api: Any, clock: Any) -> tuple[Desk, list[dict[str, Any]]]:
    """A 100-record batch over 20 cards: 20 cards opened with an SLA, 10 of them moved.

    Half the cards have the premium SLA (24/7), half the standard one (a
    business calendar); an automation rule of the board matches the premium
    cards but has nothing left to attach.
    """
    desk = make_desk(api)
    rule = {"name": "premium", "board_id": desk.board_id, "when": {"lane_id": "premium"}}
    api.ok("POST", "/automations", {**rule, "attach": [desk.premium_id]})
    pipeline = Pipeline(api.client)
    pipeline.new_records()
    cards = [
        desk.open(sla_ids=[desk.premium_id], lane_id="premium")
        if index % 2
        else desk.open(sla_ids=[desk.standard_id])
        for index in range(20)
    ]
    clock.advance(300)
    for card_id in cards[:10]:
        desk.move(card_id, "work")
    return desk, pipeline.new_records()
