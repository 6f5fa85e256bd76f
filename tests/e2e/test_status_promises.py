"""The agreement the requester sees: promises in words from the pinned versions, ru or en."""

from __future__ import annotations

import pytest

from tests.e2e.payloads import BOARD, CALENDAR, card, sla

BROWSER = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
AGREEMENT = {
    "services": "Web app support",
    "support_hours": "Mon–Fri 10:30–16:00 Moscow time",
    "contacts": "support@acme.example, +7 495 000-00-00",
    "escalation": "Unresolved incidents go to the second line after 30 minutes",
}


@pytest.fixture
def status_url(api):
    """A card under a 24/7 policy and a policy on the Moscow calendar, with its status link."""
    board = api.ok("POST", "/boards", BOARD)
    calendar = api.ok("POST", "/calendars", CALENDAR)
    round_the_clock = api.ok("POST", "/slas", {**sla(None), "agreement": AGREEMENT})
    office = {
        **sla(calendar["id"]),
        "name": "Standard",
        "rules": [{"id": "resolve", "kind": "resolution", "target": "PT40H"}],
        "agreement": None,
    }
    business = api.ok("POST", "/slas", office)
    body = card(board["id"], sla_ids=[round_the_clock["id"], business["id"]])
    return api.ok("POST", "/cards", body, role="agent")["status_url"], round_the_clock["id"]


def test_json_gives_each_rule_in_words_and_the_escalation_path(api, status_url):
    url, _ = status_url
    shown = api.client.http.get(url, headers=JSON).json_body
    premium, standard = shown["promises"]
    assert [rule["text"] for rule in premium["rules"]] == [
        "first reaction within 10 minutes, 24/7",
        "resolution within 4 hours, 24/7",
        "time in “In progress” within 2 hours, 24/7",
    ]
    assert premium["escalation_path"] == [
        "if the resolution deadline is missed: level 1 after 30 minutes"
    ]
    assert premium["agreement"] == AGREEMENT
    assert [rule["text"] for rule in standard["rules"]] == [
        "resolution within 40 working hours, Mon–Fri 10:30–16:00 Moscow time,"
        " except public holidays"
    ]
    assert standard["escalation_path"] == []


def test_the_page_shows_promises_contacts_and_escalation_in_russian(api, status_url):
    url, _ = status_url
    headers = {**BROWSER, "Accept-Language": "ru-RU,ru;q=0.9"}
    html = api.client.http.get(url, headers=headers).body.decode()
    assert "первая реакция — в течение 10 минут, круглосуточно" in html
    assert "решение — в течение 40 рабочих часов, пн–пт 10:30–16:00 по московскому времени" in html
    assert "если срок решения пропущен: уровень 1 — через 30 минут" in html
    assert "<dt>Контакты</dt><dd>support@acme.example, +7 495 000-00-00</dd>" in html
    assert "Unresolved incidents go to the second line after 30 minutes" in html
    # Internal escalation targets are not part of the promise.
    assert "l2@example.com" not in html
    assert "l2-oncall" not in html


def test_promises_stay_those_of_the_pinned_version(api, status_url):
    url, sla_id = status_url
    changed = {**sla(None), "agreement": AGREEMENT}
    changed["rules"] = [{"id": "react", "kind": "first_reaction", "target": "PT1H"}]
    api.ok("PUT", f"/slas/{sla_id}", changed, status=200)
    shown = api.client.http.get(url, headers=JSON).json_body
    assert shown["promises"][0]["rules"][0]["text"] == "first reaction within 10 minutes, 24/7"
