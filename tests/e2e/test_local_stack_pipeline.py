"""The local stack's stream pump: automations and stored timers follow card changes.

The stack runs as ``make run`` starts it; ``POST /dev/drain`` answers once
the pump has handed every record written before it to the stream handler.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import boto3
import pytest

from tests.e2e.stack import RunningStack, local_stack

BOARD = {
    "name": "Support",
    "key": "SUP",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "work", "name": "In progress", "kind": "in_progress"},
        {"id": "done", "name": "Done", "kind": "done"},
    ],
    "lanes": [{"id": "standard", "name": "Standard"}, {"id": "premium", "name": "Premium"}],
}
PREMIUM = {
    "name": "Premium",
    "calendar_id": None,
    "rules": [{"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"}],
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[RunningStack]:
    with local_stack(tmp_path_factory.mktemp("pipeline"), demo=False) as running:
        yield running
        assert running.stop(signal.SIGTERM) == 0, running.output.read_text()


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def drain(stack: RunningStack) -> None:
    response = stack.post("/dev/drain", {})
    assert response.status_code == 200, response.text
    assert response.json() == {"drained": True}


def stored_timer(stack: RunningStack, card_id: str) -> dict:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.emulator_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    [item] = dynamodb.query(
        TableName="sladesk-local-timers",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CARD#{card_id}"}},
    )["Items"]
    return item


def test_a_premium_card_gets_its_sla_by_automation_and_its_timers_follow_it(stack):
    # GIVEN an automation that attaches the premium SLA to premium-lane cards
    board = created(stack.post("/boards", BOARD))
    sla = created(stack.post("/slas", PREMIUM))
    rule = {"name": "premium", "board_id": board["id"], "when": {"lane_id": "premium"}}
    created(stack.post("/automations", {**rule, "attach": [sla["id"]]}))
    stack.post("/dev/clock", {"now": "2026-11-02T09:00:00Z"})

    # WHEN a premium card is opened and the stream is drained
    card = created(
        stack.post("/cards", {"board_id": board["id"], "title": "Down", "lane_id": "premium"})
    )
    drain(stack)

    # THEN the card shows a running first-reaction timer, and it is stored
    [react] = stack.get(f"/cards/{card['id']}").json()["timers"]
    assert (react["sla_id"], react["rule_id"], react["status"]) == (sla["id"], "react", "running")
    assert react["deadline"] == "2026-11-02T09:10:00Z"
    assert stored_timer(stack, card["id"])["status"] == {"S": "running"}

    # WHEN it moves to in progress three minutes later
    stack.post("/dev/clock", {"advance_seconds": 180})
    assert stack.post(f"/cards/{card['id']}/move", {"column_id": "work"}).status_code == 200
    drain(stack)

    # THEN the first reaction is met, in the view and in the stored timer
    [react] = stack.get(f"/cards/{card['id']}").json()["timers"]
    assert (react["status"], react["stopped_at"]) == ("met", "2026-11-02T09:03:00Z")
    stored = stored_timer(stack, card["id"])
    assert (stored["status"], stored["stop_day"]) == ({"S": "met"}, {"S": "2026-11-02"})
