"""The requester's status page through the service on the fakes: found by its token only,
its timers and promises from the pinned versions, the public conversation, nothing internal."""

import pytest

from chalicelib.services import calendars, cards, slas
from chalicelib.services.errors import InvalidInputError, NotFoundError
from chalicelib.services.status import card_for_status_link, display_zone, request_status
from tests.e2e.payloads import CALENDAR, sla
from tests.service.card_support import new_board, open_card

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def policy():
    return slas.create_sla(sla(calendars.create_calendar(CALENDAR)["id"]))


@pytest.fixture
def request_card(policy, world):
    """A request under the Premium SLA on the Moscow calendar, with agents' notes on it."""
    board = new_board()
    opened = open_card(board["id"], description="Help", sla_ids=[policy["id"]])
    world.clock.advance(60)
    cards.update_card(opened["id"], {"assignee": "secret-ann", "tags": ["vip"]})
    cards.add_comment(opened["id"], "internal note", False, "ann")
    world.clock.advance(60)
    cards.add_comment(opened["id"], "We are on it", True, "ann")
    cards.add_comment(opened["id"], "Thanks", True, None, author_role="requester")
    return opened


def token_of(card):
    return card["status_url"].rsplit("/", 1)[-1]


def test_the_page_shows_the_request_its_state_and_the_public_conversation(request_card, policy):
    shown = request_status(token_of(request_card))
    assert (shown["id"], shown["title"]) == (request_card["id"], "Login fails")
    assert (shown["state"], shown["state_name"], shown["board_name"]) == (
        "queue",
        "Queue",
        "Support",
    )
    assert [(m["by"], m["body"]) for m in shown["messages"]] == [
        ("requester", "Help"),
        ("support", "We are on it"),
        ("requester", "Thanks"),
    ]
    assert shown["attachments"] == []
    for internal in ("secret-ann", "vip", "internal note", request_card["board_id"], policy["id"]):
        assert internal not in repr(shown)


def test_the_timers_are_those_of_the_card_view_without_their_keys(request_card, world):
    shown = request_status(token_of(request_card))
    kinds = {timer["kind"]: timer for timer in shown["timers"]}
    assert kinds["first_reaction"]["status"] == "met"  # the agent's public comment
    assert kinds["resolution"]["status"] == "running"
    assert {"sla_id", "rule_id", "sla_version"}.isdisjoint(kinds["resolution"])
    assert [t["status"] for t in shown["timers"]] == [
        t["status"] for t in cards.get_card(request_card["id"])["timers"]
    ]


def test_promises_come_from_the_pinned_version_in_the_requesters_language(request_card, policy):
    changed = sla(policy["calendar_id"])
    changed["rules"][0]["target"] = "PT15M"
    changed["agreement"] = {"services": "Something else"}
    slas.update_sla(policy["id"], changed)
    [promise] = request_status(token_of(request_card))["promises"]
    assert promise["sla_name"] == "Premium"
    assert promise["agreement"]["services"] == "Web app support"
    react = promise["rules"][0]
    assert (react["kind"], react["target_seconds"]) == ("first_reaction", 600)
    assert react["text"].startswith("first reaction within 10 working minutes, Mon–Fri 10:30")
    assert promise["escalation_path"] == [
        "if the resolution deadline is missed: level 1 after 30 working minutes"
    ]
    russian = request_status(token_of(request_card), locale="ru")["promises"][0]["rules"][0]
    assert russian["text"].startswith("первая реакция — в течение 10 рабочих минут")


def test_times_are_shown_in_the_calendars_zone_unless_the_page_asks_for_another(request_card):
    token = token_of(request_card)
    assert request_status(token)["timezone"] == "Europe/Moscow"
    assert request_status(token, zone="Asia/Tokyo")["timezone"] == "Asia/Tokyo"
    with pytest.raises(InvalidInputError):
        request_status(token, zone="Mars/Olympus")


def test_a_card_without_a_calendar_is_shown_in_utc():
    board = new_board()
    policy = slas.create_sla(sla())
    opened = open_card(board["id"], sla_ids=[policy["id"]])
    shown = request_status(token_of(opened))
    assert shown["timezone"] == "UTC"
    assert shown["messages"] == []
    assert display_zone([]) == "UTC"


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 201])
def test_a_token_that_opens_nothing_is_not_found(request_card, token):
    with pytest.raises(NotFoundError):
        card_for_status_link(token)


def test_the_token_opens_its_own_card_only(request_card):
    other = open_card(request_card["board_id"], title="Another")
    assert card_for_status_link(token_of(request_card)) == request_card["id"]
    assert card_for_status_link(token_of(other)) == other["id"]
