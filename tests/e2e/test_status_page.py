"""The requester's status page: found by its token only, HTML or JSON, nothing internal."""

import pytest

from tests.e2e.intake_support import prepare_mail_services
from tests.e2e.payloads import BOARD, CALENDAR, sla

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def board(api):
    prepare_mail_services()
    return api.ok("POST", "/boards", BOARD)


@pytest.fixture
def request_card(api, board):
    """A form request under the Premium SLA (on the Moscow calendar), with its status link."""
    calendar = api.ok("POST", "/calendars", CALENDAR)
    policy = api.ok("POST", "/slas", sla(calendar["id"]))
    created = api.call(
        "POST",
        f"/intake/form/{board['id']}",
        {"name": "Ann", "email": "ann@customer.example", "subject": "Login", "message": "Help"},
        role=None,
    ).json_body
    api.ok(
        "POST", f"/cards/{created['id']}/sla", {"sla_id": policy["id"]}, role="agent", status=200
    )
    api.ok(
        "PATCH",
        f"/cards/{created['id']}",
        {"assignee": "secret-ann", "tags": ["vip"]},
        role="agent",
    )
    api.ok(
        "POST",
        f"/cards/{created['id']}/comments",
        {"body": "internal note", "public": False},
        role="agent",
    )
    api.ok(
        "POST",
        f"/cards/{created['id']}/comments",
        {"body": "We are on it", "public": True},
        role="agent",
    )
    return created


def test_json_shows_the_request_its_timers_and_the_public_conversation(api, request_card):
    response = api.client.http.get(request_card["status_url"], headers=JSON)

    assert response.status_code == 200
    shown = response.json_body
    assert (shown["id"], shown["title"], shown["state"]) == ("SUP-1", "Login", "queue")
    assert shown["timezone"] == "Europe/Moscow"
    assert [(m["by"], m["body"]) for m in shown["messages"]] == [
        ("requester", "Help"),
        ("support", "We are on it"),
    ]
    kinds = {timer["kind"]: timer for timer in shown["timers"]}
    assert kinds["first_reaction"]["status"] == "met"  # the agent's public comment
    assert kinds["resolution"]["status"] == "running"
    assert {"sla_id", "rule_id", "sla_version"}.isdisjoint(kinds["resolution"])
    assert shown["promises"][0]["agreement"]["services"] == "Web app support"
    text = response.body.decode()
    for internal in ("secret-ann", "vip", "internal note", "brd_"):
        assert internal not in text


def test_the_page_shows_timers_with_icons_and_colours_in_the_requesters_zone(api, request_card):
    page = api.client.http.get(request_card["status_url"], headers=BROWSER)
    html = page.body.decode()

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert '<tr class="green">' in html  # first reaction met
    assert "✔" in html
    assert "⏱" in html
    assert "2026-11-02 12:00" in html  # opened at 09:00 UTC, shown in Moscow time
    assert "internal note" not in html
    assert "secret-ann" not in html
    utc = api.client.http.get(request_card["status_url"] + "?tz=UTC", headers=BROWSER)
    assert "2026-11-02 09:00" in utc.body.decode()


def test_a_violated_timer_is_red(api, request_card, clock):
    clock.advance(5 * 24 * 3600)
    shown = api.client.http.get(request_card["status_url"], headers=JSON).json_body
    [resolution] = [t for t in shown["timers"] if t["kind"] == "resolution"]
    assert (resolution["violated"], resolution["color"]) == (True, "red")
    assert (
        '<tr class="red">'
        in api.client.http.get(request_card["status_url"], headers=BROWSER).body.decode()
    )


def test_the_page_speaks_russian_when_asked(api, request_card):
    headers = {**BROWSER, "Accept-Language": "ru"}
    html = api.client.http.get(request_card["status_url"], headers=headers).body.decode()
    assert '<html lang="ru">' in html
    assert "Уровень обслуживания" in html


@pytest.mark.parametrize("token", ["nope", "x" * 43, "A" * 500])
def test_an_unknown_token_is_404_in_json_and_as_a_page(api, board, token):
    error = api.refused("GET", f"/status/{token}", role=None, headers=JSON, status=404)
    assert error["code"] == "unknown_status_link"
    page = api.client.http.get(f"/status/{token}", headers=BROWSER)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")


def test_an_unknown_time_zone_is_refused_naming_tz(api, request_card):
    error = api.refused(
        "GET", request_card["status_url"] + "?tz=Mars/Olympus", role=None, headers=JSON, status=400
    )
    assert error["details"][0]["field"] == "tz"
