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
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.timer_items import TimerItem
from tests.integration.alert_support import fake_channels, subscribe, tick
from tests.integration.fault_support import (
    INTERNAL,
    THROTTLED,
    THROTTLING,
    Killed,
    inject_faults,
)
from tests.integration.pipeline_support import (
    Pipeline,
    busy_batch,
    counted_calls,
    make_desk,
    stored_timers,
)

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


# The stream handler -------------------------------------------------------------------


def without_day_marks(changes):
    """``changes`` less the marks of days touched by timer writes.

    Those count writes for the aggregate job: deriving every timer again from
    nothing (what this test does to get an undisturbed run) marks the days again.
    """
    kept = {}
    for table, what in changes.items():
        rows = {
            side: [row for row in items if '"AGG#TOUCHED"' not in row]
            for side, items in what.items()
        }
        if any(rows.values()):
            kept[table] = rows
    return kept


def settled(pipeline, batch):
    """Whether the stored timers are what a recomputation derives: a redelivery writes nothing."""
    with counted_calls() as calls:
        assert pipeline.deliver(batch) == {"batchItemFailures": []}
    return calls[("TransactWriteItems", "")] == 0


def test_a_throttled_card_is_reported_and_its_redelivery_finishes_the_batch(api, clock, faults):
    _, batch = busy_batch(api, clock)
    pipeline = Pipeline(api.client)
    # GIVEN the first card's timer write is throttled past botocore's retries
    faults.fail("TransactWriteItems", THROTTLED, times=ATTEMPTS_PER_CALL)

    # WHEN the batch is delivered
    failures = pipeline.deliver(batch)["batchItemFailures"]

    # THEN its records are reported for redelivery (and with them every later record)
    assert failures
    faults.clear()
    sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
    first_failed = sequence_numbers.index(failures[0]["itemIdentifier"])
    # AND Lambda's redelivery from the first failed record finishes the work
    assert pipeline.deliver(batch[first_failed:]) == {"batchItemFailures": []}
    pipeline.drain()
    assert settled(pipeline, batch)
    keys = {record["dynamodb"]["Keys"]["pk"]["S"] for record in batch}
    card_ids = {key.removeprefix("CARD#") for key in keys if key.startswith("CARD#")}
    assert len(card_ids) == 20
    assert all(stored_timers(card_id) for card_id in card_ids)


@pytest.mark.parametrize("kill_at", [0, 7, 25, 50, 75])
def test_killed_mid_batch_and_run_again_ends_as_an_undisturbed_run(api, clock, faults, kill_at):
    _, batch = busy_batch(api, clock)
    pipeline = Pipeline(api.client)
    # GIVEN the handler is killed at its kill_at-th DynamoDB call of the batch
    faults.kill_after = kill_at
    with pytest.raises(Killed):
        pipeline.deliver(batch)
    faults.clear()

    # WHEN Lambda runs the whole batch again (and the records it adds)
    assert pipeline.deliver(batch) == {"batchItemFailures": []}
    pipeline.drain()
    after_rerun = api.stored()

    # THEN the state is that of an undisturbed run: timers derived again from nothing
    # are the same items, and no card event or alert was added twice
    for item in TimerItem.scan():
        item.delete()
    assert pipeline.deliver(batch) == {"batchItemFailures": []}
    pipeline.drain()
    assert without_day_marks(changed(after_rerun, api.stored())) == {}
    assert settled(pipeline, batch)


# The breach scanner -------------------------------------------------------------------

BREACHED = datetime(2026, 11, 2, 9, 11, tzinfo=UTC)
# What the tick at BREACHED does: the scanner's state, the due index, the card and its
# board, then each alert recorded, sent and marked (22 DynamoDB calls).
TICK_CALLS = 22


@pytest.fixture
def due_alerts(api, clock, channels):
    """A subscribed board and a premium card whose warning and breach are both due."""
    desk = make_desk(api)
    subscribe(api, desk.board_id, ["sla_warning", "sla_breach", "sla_escalation"])
    card_id = desk.open(sla_ids=[desk.premium_id])
    Pipeline(api.client).drain()
    clock.set(BREACHED)
    return [("sla_breach", card_id, "ops@example.com"), ("sla_warning", card_id, "ops@example.com")]


@pytest.mark.parametrize("kill_at", range(TICK_CALLS))
def test_a_scanner_killed_at_any_call_raises_each_alert_once_on_the_next_tick(
    faults, channels, due_alerts, kill_at
):
    # GIVEN the scanner is killed at one of its DynamoDB calls
    faults.kill_after = kill_at
    with pytest.raises(Killed):
        tick()
    faults.clear()

    # WHEN the next ticks run
    tick()
    tick()

    # THEN each alert was sent once: none doubled, none dropped
    assert sorted(channels.events()) == sorted(due_alerts)


@pytest.mark.parametrize(
    "operation", ["Query", "GetItem", "TransactWriteItems", "UpdateItem", "PutItem"]
)
def test_a_scanner_throttled_past_its_retries_raises_each_alert_once_later(
    faults, channels, due_alerts, operation
):
    faults.fail(operation, THROTTLED)
    with pytest.raises(Exception, match=r"ProvisionedThroughputExceeded|Failed"):
        tick()
    faults.clear()

    tick()
    tick()

    assert sorted(channels.events()) == sorted(due_alerts)
