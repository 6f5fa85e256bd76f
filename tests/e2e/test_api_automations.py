"""Automations: stored with a board, conditions and the SLA policies they attach."""

import pytest

from tests.e2e.payloads import BOARD, sla


@pytest.fixture
def board(api):
    return api.ok("POST", "/boards", BOARD)


@pytest.fixture
def policy(api):
    return api.ok("POST", "/slas", sla())


def rule(board_id, sla_id, **when):
    return {"name": "premium lane", "board_id": board_id, "when": when, "attach": [sla_id]}


def test_an_automation_is_stored_listed_and_deleted(api, board, policy):
    created = api.ok("POST", "/automations", rule(board["id"], policy["id"], lane_id="premium"))
    assert created["when"]["lane_id"] == "premium"
    assert created["attach"] == [policy["id"]]
    assert api.ok("GET", "/automations")["items"] == [created]
    api.ok("DELETE", f"/automations/{created['id']}")
    assert api.ok("GET", "/automations")["items"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"board_id": "brd_missing"}, "board_id"),
        ({"attach": ["sla_missing"]}, "attach[0]"),
        ({"when": {"lane_id": "vip"}}, "when.lane_id"),
        ({"when": {"column_id": "archive"}}, "when.column_id"),
        ({"when": {"colour": "red"}}, "when.colour"),
        ({"attach": []}, "attach"),
    ],
)
def test_a_bad_automation_is_400_naming_the_field(api, board, policy, change, field):
    body = {**rule(board["id"], policy["id"]), **change}
    error = api.refused("POST", "/automations", body, status=400)
    assert error["details"][0]["field"] == field


def test_deleting_an_unknown_automation_is_404(api):
    api.refused("DELETE", "/automations/aut_missing", status=404)


def test_automations_are_for_admins(api, board, policy):
    api.refused("POST", "/automations", rule(board["id"], policy["id"]), role="manager", status=403)
    api.refused("GET", "/automations", role="agent", status=403)
