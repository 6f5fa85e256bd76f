"""Card views evaluate timers live: GET /cards/{id}, the card list, explain and re-pin.

Timer values are as of the request (docs/api.md, "Cards"): they move
with the server's clock, with no card change and no stream record handled.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.pipeline_support import PREMIUM, make_desk

TIMER_FIELDS = {
    "sla_id",
    "sla_name",
    "sla_version",
    "rule_id",
    "kind",
    "status",
    "violated",
    "color",
    "target_seconds",
    "elapsed_seconds",
    "remaining_seconds",
    "overdue_seconds",
    "started_at",
    "deadline",
    "stopped_at",
}


@pytest.fixture
def desk(api):
    return make_desk(api)


def timers_of(api, card_id):
    return {t["rule_id"]: t for t in api.ok("GET", f"/cards/{card_id}", role="agent")["timers"]}


def test_a_cards_timers_have_the_contracts_fields_and_move_with_the_clock(api, desk, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(120)
    react = timers_of(api, card_id)["react"]
    assert set(react) == TIMER_FIELDS
    assert react == {
        "sla_id": desk.premium_id,
        "sla_name": "Premium",
        "sla_version": 1,
        "rule_id": "react",
        "kind": "first_reaction",
        "status": "running",
        "violated": False,
        "color": "gray",
        "target_seconds": 600,
        "elapsed_seconds": 120,
        "remaining_seconds": 480,
        "overdue_seconds": 0,
        "started_at": "2026-11-02T09:00:00Z",
        "deadline": "2026-11-02T09:10:00Z",
        "stopped_at": None,
    }
    # WHEN the clock passes the target, with no change to the card
    clock.advance(480)
    assert timers_of(api, card_id)["react"]["violated"] is False  # exactly the target
    clock.advance(60)
    react = timers_of(api, card_id)["react"]
    # THEN the timer is violated at once, without any breach scan
    assert (react["violated"], react["color"], react["overdue_seconds"]) == (True, "red", 60)


def test_a_met_timer_is_green_and_a_not_started_one_has_no_deadline(api, desk, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(60)
    desk.move(card_id, "done")
    timers = timers_of(api, card_id)
    assert (timers["react"]["status"], timers["react"]["color"]) == ("met", "green")
    assert timers["react"]["stopped_at"] == "2026-11-02T09:01:00Z"
    assert (timers["in_work"]["status"], timers["in_work"]["deadline"]) == ("not_started", None)


def test_the_list_shows_running_paused_and_missed_timers_unless_all_are_asked(api, desk, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(60)
    desk.move(card_id, "wait")
    base = f"/cards?board_id={desk.board_id}"
    [card] = api.ok("GET", base, role="agent")["items"]
    # react met (hidden), resolve paused (shown), in_work not started (hidden)
    assert [(t["rule_id"], t["status"]) for t in card["timers"]] == [("resolve", "paused")]
    [card] = api.ok("GET", base + "&timers=all", role="agent")["items"]
    assert [t["rule_id"] for t in card["timers"]] == ["react", "resolve", "in_work"]


def test_the_violated_filter_is_true_as_of_the_request(api, desk, clock):
    late = desk.open(sla_ids=[desk.premium_id])
    clock.advance(300)
    on_time = desk.open(sla_ids=[desk.premium_id])
    desk.open()  # no SLA: never violated
    base = f"/cards?board_id={desk.board_id}"

    def ids(query):
        return [item["id"] for item in api.ok("GET", base + query, role="agent")["items"]]

    assert ids("&violated=true") == []
    clock.advance(301)  # the first card is 10 min 1 s old, the second 5 min 1 s
    assert ids("&violated=true") == [late]
    assert ids("&violated=false") == [on_time, "SUP-3"]
    assert ids("&violated=true&limit=1&assignee=nobody") == []


def test_explain_tells_why_a_timer_is_due_when_it_is(api, desk, clock):
    # GIVEN a card opened Monday 12:00 Moscow time on the 10:30-16:00 calendar, 8 h to react
    card_id = desk.open(sla_ids=[desk.standard_id])
    # WHEN it is explained on Tuesday at 13:00 Moscow time
    clock.set(datetime(2026, 11, 3, 10, 0, tzinfo=UTC))
    answer = api.ok("GET", f"/cards/{card_id}/timers/explain", role="agent")
    # THEN the deadline is Tuesday 14:30 Moscow time: 4 h on Monday, 4 h on Tuesday
    [react] = answer["timers"]
    assert answer["now"] == "2026-11-03T10:00:00Z"
    assert react["deadline"] == "2026-11-03T11:30:00Z"
    assert [(s["start"], s["end"], s["reason"], s["counted"]) for s in react["segments"]] == [
        ("2026-11-02T09:00:00Z", "2026-11-02T13:00:00Z", "working", True),
        ("2026-11-02T13:00:00Z", "2026-11-03T07:30:00Z", "non_working", False),
        ("2026-11-03T07:30:00Z", "2026-11-03T10:00:00Z", "working", True),
    ]
    counted = sum(s["seconds"] for s in react["segments"] if s["counted"])
    assert counted == react["elapsed_seconds"] == 6.5 * 3600


def test_explain_shows_paused_time_as_not_counted(api, desk, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    clock.advance(120)
    desk.move(card_id, "wait")
    clock.advance(600)
    desk.move(card_id, "queue")
    clock.advance(60)
    answer = api.ok("GET", f"/cards/{card_id}/timers/explain", role="agent")
    resolve = next(t for t in answer["timers"] if t["rule_id"] == "resolve")
    assert [(s["reason"], s["seconds"]) for s in resolve["segments"]] == [
        ("working", 120),
        ("paused", 600),
        ("working", 60),
    ]


def test_a_repin_preview_shows_both_versions_and_writes_nothing(api, desk, clock):
    card_id = desk.open(sla_ids=[desk.premium_id])
    api.ok("PUT", f"/slas/{desk.premium_id}", {**PREMIUM, "rules": PREMIUM["rules"][:1]})
    clock.advance(60)
    before = api.stored()
    path = f"/cards/{card_id}/sla/{desk.premium_id}/repin"
    preview = api.ok("POST", path, {"preview": True}, role="agent", status=200)
    assert api.stored() == before
    assert [(t["rule_id"], t["sla_version"]) for t in preview["current"]] == [
        ("react", 1),
        ("resolve", 1),
        ("in_work", 1),
    ]
    assert [(t["rule_id"], t["sla_version"]) for t in preview["latest"]] == [("react", 2)]
    assert preview["latest"][0]["elapsed_seconds"] == 60


def test_a_repin_pins_the_latest_version_once(api, desk):
    card_id = desk.open(sla_ids=[desk.premium_id])
    api.ok("PUT", f"/slas/{desk.premium_id}", {**PREMIUM, "rules": PREMIUM["rules"][:1]})
    path = f"/cards/{card_id}/sla/{desk.premium_id}/repin"
    card = api.ok("POST", path, {}, role="agent", status=200)
    assert card["slas"] == [{"sla_id": desk.premium_id, "sla_version": 2, "calendar_version": None}]
    assert [(t["rule_id"], t["sla_version"]) for t in card["timers"]] == [("react", 2)]
    again = api.ok("POST", path, {}, role="agent", status=200)
    assert again["version"] == card["version"]
    history = api.ok("GET", f"/cards/{card_id}/history", role="agent")["items"]
    assert [e["kind"] for e in history] == ["created", "sla_attached", "sla_repinned"]


def test_repin_and_explain_refuse_unknown_cards_and_unattached_slas(api, desk):
    card_id = desk.open()
    api.refused("GET", "/cards/SUP-99/timers/explain", role="agent", status=404)
    api.refused("POST", "/cards/SUP-99/sla/x/repin", {}, role="agent", status=404)
    api.refused(
        "POST", f"/cards/{card_id}/sla/{desk.premium_id}/repin", {}, role="agent", status=404
    )
    error = api.refused(
        "POST", f"/cards/{card_id}/sla/x/repin", {"preview": "yes"}, role="agent", status=400
    )
    assert error["details"][0]["field"] == "preview"
