"""Subscriptions through the HTTP API (manager): create, list, delete and every refusal."""

from __future__ import annotations

import pytest

from tests.integration.pipeline_support import make_desk


@pytest.fixture
def desk(api):
    return make_desk(api)


def test_a_manager_subscribes_lists_and_deletes(api, desk):
    body = {
        "channel": "webhook",
        "target": "https://127.0.0.1:9/hook",
        "board_id": desk.board_id,
        "column_id": "work",
        "events": ["card_entered_column", "sla_breach", "sla_breach"],
        "locale": "ru",
        "timezone": "Europe/Moscow",
        "quiet_calendar_id": desk.calendar_id,
        "secret": "a-long-enough-shared-secret",
    }
    created = api.ok("POST", "/subscriptions", body, role="manager")
    assert created["events"] == ["card_entered_column", "sla_breach"]
    assert (created["has_secret"], created["hold_urgent"]) == (True, False)
    assert "secret" not in created
    listed = api.ok("GET", "/subscriptions", role="manager")
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]
    api.ok("DELETE", f"/subscriptions/{created['id']}", role="manager")
    assert api.ok("GET", "/subscriptions", role="manager")["items"] == []
    api.refused("DELETE", f"/subscriptions/{created['id']}", role="manager", status=404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"board_id": "brd_missing"}, "board_id"),
        ({"column_id": "nowhere"}, "column_id"),
        ({"board_id": None, "column_id": "work"}, "column_id"),
        ({"target": "not an address"}, "target"),
        ({"channel": "sns", "target": "ops@example.com"}, "target"),
        ({"channel": "webhook", "target": "https://127.0.0.1:9/hook"}, "secret"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"quiet_calendar_id": "cal_missing"}, "quiet_calendar_id"),
        ({"events": []}, "events"),
        ({"events": ["sla_everything"]}, "events"),
        ({"locale": "de"}, "locale"),
    ],
)
def test_a_subscription_that_cannot_work_is_refused_naming_the_field(api, desk, change, field):
    body = {
        "channel": "email",
        "target": "ops@example.com",
        "board_id": desk.board_id,
        "events": ["sla_breach"],
        **change,
    }
    error = api.refused("POST", "/subscriptions", body, role="manager", status=400)
    assert field in str(error["details"])


def test_agents_may_not_manage_subscriptions(api, desk):
    body = {"channel": "email", "target": "a@example.com", "events": ["sla_breach"]}
    api.refused("POST", "/subscriptions", body, role="agent", status=403)
    api.refused("GET", "/subscriptions", role="agent", status=403)
