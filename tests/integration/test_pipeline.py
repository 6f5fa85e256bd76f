"""The timer pipeline end to end: card changes, the real emulated stream, the stored timers.

Each story changes cards through the HTTP API, reads what the cards table's
stream recorded and hands it to app.py's stream handler as Lambda would; the
stored timers must end as docs/design.md ("Timer semantics") promises.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.card_items import CardEventItem
from chalicelib.adapters.timer_items import TimerItem
from chalicelib.adapters.timer_store import get_timer_store
from chalicelib.domain.stored_timers import StoredTimer, TimerWrite
from tests.integration.pipeline_support import (
    Pipeline,
    counted_calls,
    make_desk,
    stored_timers,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """``minutes`` after the test clock's start (Monday 09:00 UTC)."""
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def desk(api):
    return make_desk(api)


@pytest.fixture
def pipeline(api):
    return Pipeline(api.client)


def history_kinds(api, card_id):
    items = api.ok("GET", f"/cards/{card_id}/history", role="agent")["items"]
    return [(event["kind"], event["data"].get("sla_id")) for event in items]


def writes(calls):
    return {key: n for key, n in calls.items() if key[0] in _WRITES}


_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


def test_a_new_card_gets_its_running_timers_stored_with_their_check_points(desk, pipeline):
    # GIVEN a premium card opened at 09:00
    card_id = desk.open(sla_ids=[desk.premium_id])
    # WHEN its records are handled
    pipeline.drain()
    # THEN each rule has one stored timer, derived from the card's last event
    timers = stored_timers(card_id)
    assert set(timers) == {f"{desk.premium_id}#{rule}" for rule in ("react", "resolve", "in_work")}
    react = timers[f"{desk.premium_id}#react"]
    assert (react["status"], react["deadline"], react["derived_seq"]) == ("running", at(10), 2)
    assert (react["sla_name"], react["sla_version"], react["kind"]) == (
        "Premium",
        1,
        "first_reaction",
    )
    assert react["target_seconds"] == 600
    assert "elapsed_seconds" not in react  # a running timer's elapsed time is read live
    assert [c["kind"] for c in react["checkpoints"]] == ["warning", "breach"]
    assert react["next_check_at"] == at(5)
    assert react["due_bucket"] == "DUE#2026-11-02"
    assert (react["board_id"], react["title"], react["lane_id"]) == (
        desk.board_id,
        "Checkout is down",
        "standard",
    )
    resolve = timers[f"{desk.premium_id}#resolve"]
    assert [c["kind"] for c in resolve["checkpoints"]] == ["warning", "breach", "escalation"]
    assert timers[f"{desk.premium_id}#in_work"]["status"] == "not_started"
    assert "due_bucket" not in timers[f"{desk.premium_id}#in_work"]


def test_moving_to_work_meets_first_reaction_and_starts_time_in_column(desk, pipeline, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    clock.advance(180)
    desk.move(card_id, "work")
    pipeline.drain()
    timers = stored_timers(card_id)
    react = timers[f"{desk.premium_id}#react"]
    assert (react["status"], react["stopped_at"], react["elapsed_seconds"]) == ("met", at(3), 180)
    assert react["stop_day"] == "2026-11-02"
    assert "due_bucket" not in react
    assert "next_check_at" not in react
    assert timers[f"{desk.premium_id}#in_work"]["status"] == "running"
    # The indexes: the met timer is in the stopped index, the running ones in the due index.
    stopped = list(TimerItem.stopped.query("2026-11-02"))
    assert [item.rule_id for item in stopped] == ["react"]
    due = TimerItem.due.query("DUE#2026-11-02", TimerItem.next_check_at <= at(240))
    assert sorted(item.rule_id for item in due) == ["in_work", "resolve"]


def test_an_agents_public_comment_meets_first_reaction_a_private_one_does_not(
    desk, pipeline, clock
):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(120)
    desk.comment(card_id, public=False)
    pipeline.drain()
    assert stored_timers(card_id)[f"{desk.premium_id}#react"]["status"] == "running"
    clock.advance(120)
    desk.comment(card_id, public=True)
    pipeline.drain()
    react = stored_timers(card_id)[f"{desk.premium_id}#react"]
    assert (react["status"], react["stopped_at"]) == ("met", at(4))


def test_a_pause_column_stops_resolution_and_moves_its_deadline(desk, pipeline, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(600)
    desk.move(card_id, "wait")
    pipeline.drain()
    resolve = stored_timers(card_id)[f"{desk.premium_id}#resolve"]
    assert (resolve["status"], resolve["elapsed_seconds"]) == ("paused", 600)
    assert "deadline" not in resolve
    assert "due_bucket" not in resolve
    clock.advance(1800)
    desk.move(card_id, "work")
    pipeline.drain()
    resolve = stored_timers(card_id)[f"{desk.premium_id}#resolve"]
    assert (resolve["status"], resolve["deadline"]) == ("running", at(240 + 30))


def test_a_reopened_card_resumes_resolution_and_is_judged_at_its_last_stop(desk, pipeline, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(3600)
    desk.move(card_id, "done")
    pipeline.drain()
    resolve = stored_timers(card_id)[f"{desk.premium_id}#resolve"]
    assert (resolve["status"], resolve["stop_day"]) == ("met", "2026-11-02")
    clock.advance(86400)
    desk.move(card_id, "work")
    pipeline.drain()
    resolve = stored_timers(card_id)[f"{desk.premium_id}#resolve"]
    assert resolve["status"] == "running"
    assert "stop_day" not in resolve  # no longer in the stopped index
    assert [i.rule_id for i in TimerItem.stopped.query("2026-11-02")] == ["react"]
    clock.advance(4 * 3600)
    desk.move(card_id, "done")
    pipeline.drain()
    resolve = stored_timers(card_id)[f"{desk.premium_id}#resolve"]
    # Time in done does not count: 1 h before the reopen, 4 h after.
    assert (resolve["status"], resolve["elapsed_seconds"]) == ("missed", 5 * 3600)
    assert resolve["stop_day"] == "2026-11-03"


def test_an_automation_attaches_its_sla_once_pinned_to_the_version_current_then(
    api, desk, pipeline
):
    # GIVEN an automation for the premium lane
    rule = {"name": "premium", "board_id": desk.board_id, "when": {"lane_id": "premium"}}
    api.ok("POST", "/automations", {**rule, "attach": [desk.premium_id]})
    # WHEN a premium card and a standard card are opened and their records handled
    premium = desk.open(lane_id="premium")
    plain = desk.open(lane_id="standard")
    delivered = pipeline.drain()
    # THEN only the premium card has the SLA, attached once by the rule, with its timers
    assert history_kinds(api, premium) == [("created", None), ("sla_attached", desk.premium_id)]
    attached = api.ok("GET", f"/cards/{premium}/history", role="agent")["items"][1]["data"]
    assert attached["sla_version"] == 1
    assert attached["automation_id"].startswith("aut_")
    assert len(stored_timers(premium)) == 3
    assert history_kinds(api, plain) == [("created", None)]
    assert stored_timers(plain) == {}
    # WHEN every record is delivered again, and the SLA gets a version 2
    api.ok("PUT", f"/slas/{desk.premium_id}", {**_premium_v2()})
    assert pipeline.deliver(delivered) == {"batchItemFailures": []}
    # THEN nothing is attached twice and the card keeps version 1
    assert history_kinds(api, premium) == [("created", None), ("sla_attached", desk.premium_id)]
    card = api.ok("GET", f"/cards/{premium}", role="agent")
    assert {t["sla_version"] for t in card["timers"]} == {1}


def test_a_card_moved_into_a_matching_lane_gets_the_sla_then(api, desk, pipeline):
    rule = {"name": "premium", "board_id": desk.board_id, "when": {"lane_id": "premium"}}
    api.ok("POST", "/automations", {**rule, "attach": [desk.premium_id]})
    card_id = desk.open(lane_id="standard")
    pipeline.drain()
    assert stored_timers(card_id) == {}
    desk.move(card_id, "queue", lane_id="premium")
    pipeline.drain()
    assert history_kinds(api, card_id)[-1] == ("sla_attached", desk.premium_id)
    assert len(stored_timers(card_id)) == 3


def test_an_sla_detached_by_hand_stays_detached_and_its_timers_go(api, desk, pipeline):
    rule = {"name": "all", "board_id": desk.board_id, "when": {}}
    api.ok("POST", "/automations", {**rule, "attach": [desk.premium_id]})
    card_id = desk.open()
    pipeline.drain()
    assert len(stored_timers(card_id)) == 3
    api.ok("DELETE", f"/cards/{card_id}/sla/{desk.premium_id}", role="agent")
    pipeline.drain()
    assert stored_timers(card_id) == {}
    assert history_kinds(api, card_id)[-1] == ("sla_detached", desk.premium_id)


def test_the_same_batch_twice_changes_and_writes_nothing_more(desk, pipeline, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(300)
    desk.move(card_id, "work")
    records = pipeline.new_records()
    assert pipeline.deliver(records) == {"batchItemFailures": []}
    first = stored_timers(card_id)
    with counted_calls() as calls:
        assert pipeline.deliver(records) == {"batchItemFailures": []}
    assert stored_timers(card_id) == first
    assert writes(calls) == {}


def test_a_change_that_moves_no_timer_writes_nothing(desk, pipeline, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    before = stored_timers(card_id)
    clock.advance(60)
    desk.comment(card_id, public=False)
    with counted_calls() as calls:
        pipeline.drain()
    assert writes(calls) == {}
    assert stored_timers(card_id) == before  # still derived from seq 2: nothing changed since


def test_a_recomputation_from_an_older_history_writes_nothing(desk, pipeline, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    clock.advance(60)
    desk.move(card_id, "work")
    # GIVEN timers derived from seq 2 while the card is at seq 3
    put = StoredTimer(**_any_timer(card_id, desk.premium_id))
    # THEN a write derived from seq 2 is refused as a whole
    assert get_timer_store().write(TimerWrite(card_id, 2, (put,))) is False
    pipeline.drain()
    assert stored_timers(card_id)[f"{desk.premium_id}#react"]["derived_seq"] == 3


def test_a_poisoned_record_is_reported_and_the_others_are_applied(desk, pipeline):
    good = desk.open(sla_ids=[desk.premium_id])
    bad = desk.open(sla_ids=[desk.premium_id])
    # GIVEN a card whose history holds an event no version of sladesk wrote
    CardEventItem(
        f"CARD#{bad}", "EVENT#0000000099", card_id=bad, seq=99, kind="exploded", at=T0
    ).save()
    records = pipeline.new_records()
    response = pipeline.deliver(records)
    bad_sequence_numbers = {
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if r["dynamodb"]["Keys"]["pk"]["S"] == f"CARD#{bad}"
    }
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == bad_sequence_numbers
    assert len(stored_timers(good)) == 3
    assert stored_timers(bad) == {}


def test_records_of_items_that_are_not_cards_are_ignored(desk, pipeline):
    desk.open(sla_ids=[desk.premium_id])
    records = pipeline.new_records()
    status_records = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith("STATUS#")]
    assert status_records
    assert pipeline.deliver(status_records) == {"batchItemFailures": []}
    assert list(TimerItem.scan()) == []


def _premium_v2():
    from tests.integration.pipeline_support import PREMIUM

    return {**PREMIUM, "rules": [{"id": "react", "kind": "first_reaction", "target": "PT1H"}]}


def _any_timer(card_id, sla_id):
    return {
        "card_id": card_id,
        "board_id": "brd",
        "title": "stale",
        "sla_id": sla_id,
        "sla_name": "Premium",
        "sla_version": 1,
        "rule_id": "react",
        "kind": "first_reaction",
        "status": "running",
        "target_seconds": 600,
    }
