"""Automation rules run when a card is opened, in the same write.

So a new card has its SLAs at once (before any stream record is handled),
and the requester's acknowledgement can name the first-reaction deadline.
"""

import pytest

from tests.e2e.intake_support import acknowledgements, prepare_mail_services
from tests.e2e.payloads import BOARD, card, sla


@pytest.fixture
def premium_rule(api):
    prepare_mail_services()
    board = api.ok("POST", "/boards", BOARD)
    policy = api.ok("POST", "/slas", sla())
    rule = {"name": "premium", "board_id": board["id"], "when": {"lane_id": "premium"}}
    api.ok("POST", "/automations", {**rule, "attach": [policy["id"]]})
    return board, policy


def test_a_card_opened_in_a_matching_lane_has_the_rules_sla_at_once(api, premium_rule):
    board, policy = premium_rule

    opened = api.ok("POST", "/cards", card(board["id"], lane_id="premium", sla_ids=[]))

    assert [(pin["sla_id"], pin["sla_version"]) for pin in opened["slas"]] == [(policy["id"], 1)]
    history = api.ok("GET", f"/cards/{opened['id']}/history")["items"]
    attached = [event for event in history if event["kind"] == "sla_attached"]
    assert [event["data"]["sla_id"] for event in attached] == [policy["id"]]
    assert attached[0]["data"]["automation_id"].startswith("aut")
    timers = api.ok("GET", f"/cards/{opened['id']}")["timers"]
    assert {timer["rule_id"] for timer in timers} == {"react", "resolve", "in_work"}


def test_a_card_in_another_lane_gets_nothing_and_a_named_sla_is_not_doubled(api, premium_rule):
    board, policy = premium_rule

    standard = api.ok("POST", "/cards", card(board["id"], lane_id="standard", sla_ids=[]))
    named = api.ok("POST", "/cards", card(board["id"], lane_id="premium", sla_ids=[policy["id"]]))

    assert standard["slas"] == []
    assert [pin["sla_id"] for pin in named["slas"]] == [policy["id"]]
    history = api.ok("GET", f"/cards/{named['id']}/history")["items"]
    assert [event["kind"] for event in history] == ["created", "sla_attached"]


def test_the_acknowledgement_names_the_first_reaction_deadline_a_rule_set(api, clock, premium_rule):
    premium_board = {**BOARD, "name": "Premium desk", "key": "PRE", "lanes": BOARD["lanes"][1:]}
    desk = api.ok("POST", "/boards", premium_board)
    policy = api.ok("GET", "/slas")["items"][0]
    rule = {"name": "all", "board_id": desk["id"], "when": {}, "attach": [policy["id"]]}
    api.ok("POST", "/automations", rule)
    fields = {"name": "Ann", "email": "ann@customer.example", "subject": "Down", "message": "Help"}

    # WHEN a requester posts the form of a board whose rule attaches Premium to every card
    api.call("POST", f"/intake/form/{desk['id']}", fields, role=None)

    # THEN the 24/7 Premium reaction target (10 minutes from 09:00 UTC) is in the mail
    [ack] = acknowledgements()
    assert ack.card_id == "PRE-1"
    assert "We will first react to it by" in ack.body
    assert "09:10" in ack.body
