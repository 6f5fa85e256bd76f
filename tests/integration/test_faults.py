"""DynamoDB throttling and failures injected into the API, the stream handler and the scanner.

Faults are answered below botocore's retries (``fault_support``), so a short
throttle is retried away and a long one surfaces as AWS would surface it.
What must hold: a request either succeeds once or answers 503 in the
contract's shape with ``Retry-After`` and nothing half-written; the stream
handler reports what it could not finish, and running it again (even after
being killed mid-batch) ends in exactly the state of an undisturbed run; the
scanner raises each alert once, none doubled and none dropped.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.alert_support import fake_channels
from tests.integration.fault_support import (
    INTERNAL,
    THROTTLED,
    THROTTLING,
    inject_faults,
)
from tests.integration.pipeline_support import make_desk

# botocore's standard retry mode, as PynamoDB configures it: one call, three retries.
ATTEMPTS_PER_CALL = 4


@pytest.fixture
def faults():
    with inject_faults() as injected:
        yield injected


@pytest.fixture
def channels():
    yield from fake_channels()


def card_body(desk, title="Checkout is down"):
    return {"board_id": desk.board_id, "title": title, "sla_ids": [desk.premium_id]}


def changed(before, after):
    """Items added to or removed from each table between two ``api.stored()`` snapshots."""
    return {
        table: {
            "added": sorted(set(after[table]) - set(rows)),
            "removed": sorted(set(rows) - set(after[table])),
        }
        for table, rows in before.items()
        if set(rows) != set(after[table])
    }


def titles_on_board(api, desk):
    items = api.ok("GET", f"/cards?board_id={desk.board_id}", role="agent")["items"]
    return Counter(card["title"] for card in items)


def test_a_short_throttle_is_retried_and_the_card_is_stored_once(api, faults):
    desk = make_desk(api)
    # GIVEN DynamoDB throttles the next three write transactions (one call and two retries)
    faults.fail("TransactWriteItems", THROTTLED, times=3)

    # WHEN an agent opens a card
    card = api.ok("POST", "/cards", card_body(desk), role="agent")

    # THEN botocore's retries got it through: one card, numbered as if nothing happened
    assert faults.refused == 3
    assert card["id"] == "SUP-1"
    assert titles_on_board(api, desk) == {"Checkout is down": 1}


@pytest.mark.parametrize("code", [THROTTLED, THROTTLING, INTERNAL])
def test_a_write_failing_past_the_retries_answers_503_and_writes_no_card(api, faults, code):
    desk = make_desk(api)
    before = api.stored()
    faults.fail("TransactWriteItems", code)

    response = api.call("POST", "/cards", card_body(desk), role="agent")

    assert faults.refused == ATTEMPTS_PER_CALL
    assert response.status_code == 503, response.body
    assert response.headers["Retry-After"] == "1"
    assert response.json_body == {
        "error": {
            "code": "service_unavailable",
            "message": "the service is busy; try again shortly",
        }
    }
    faults.clear()
    # Only the board's card counter moved (its own atomic write, before the card's
    # transaction): a number is skipped, no card, event or status token is half-written.
    assert changed(before, api.stored()) == {
        "sladesk-dev-config": {
            "added": ['{"pk": {"S": "COUNTER"}, "sk": {"S": "cards#SUP"}, "value": {"N": "1"}}'],
            "removed": [],
        }
    }
    # AND the client's retry, once DynamoDB is back, opens the card once
    assert api.ok("POST", "/cards", card_body(desk), role="agent")["id"] == "SUP-2"
    assert titles_on_board(api, desk) == {"Checkout is down": 1}


def test_a_move_failing_past_the_retries_answers_503_and_the_card_stays(api, faults):
    desk = make_desk(api)
    card_id = desk.open()
    before = api.stored()
    faults.fail("TransactWriteItems", THROTTLED)

    response = api.call("POST", f"/cards/{card_id}/move", {"column_id": "work"}, role="agent")

    assert response.status_code == 503, response.body
    faults.clear()
    assert changed(before, api.stored()) == {}
    assert api.ok("GET", f"/cards/{card_id}", role="agent")["column_id"] == "queue"


def test_reads_failing_inside_dynamodb_answer_503(api, faults):
    desk = make_desk(api)
    card_id = desk.open()
    faults.fail("GetItem", INTERNAL)

    response = api.call("GET", f"/cards/{card_id}", role="agent")

    assert response.status_code == 503, response.body
    assert response.json_body["error"]["code"] == "service_unavailable"


def test_unknown_failures_still_answer_500(api, faults):
    # A refusal that retrying cannot fix is not dressed up as "try again".
    desk = make_desk(api)
    faults.fail("TransactWriteItems", "ValidationException")

    response = api.call("POST", "/cards", card_body(desk), role="agent")

    assert response.status_code == 500, response.body
    assert response.json_body["error"]["code"] == "internal_error"
