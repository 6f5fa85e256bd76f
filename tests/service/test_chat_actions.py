""" "Take" from a chat on the fakes: assign and move once per callback id, a repeat answers
the same, a card that cannot be taken is left alone, a chat that cannot be told undoes nothing."""

from datetime import UTC, datetime

import pytest

from chalicelib.ports.config import subscription_store
from chalicelib.services import cards
from chalicelib.services.chat_actions import (
    ALREADY_TAKEN,
    IGNORED,
    TAKEN,
    UNKNOWN_CARD,
    act_on_slack,
    act_on_telegram,
)
from tests.service.card_support import kinds, new_board, open_card

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def card(world):
    return open_card(new_board()["id"])


def slack(card_id, trigger="trig-1", user="U1", name="ann"):
    return {
        "trigger_id": trigger,
        "actions": [{"action_id": "take", "value": card_id}],
        "user": {"id": user, "name": name},
        "response_url": "https://hooks.slack.com/actions/T/1/x",
    }


def test_take_assigns_the_chat_user_and_moves_the_card_into_work(card, world):
    answer = act_on_slack(slack(card["id"]))
    assert (answer.outcome, answer.repeated) == (TAKEN, False)
    assert answer.text == f"{card['id']} taken by ann at 09:00"
    taken = cards.get_card(card["id"])
    assert (taken["assignee"], taken["column_id"]) == ("ann", "work")
    assert kinds(card["id"])[-2:] == ["updated", "moved"]
    assert world.stores["chat_replies"].sent == [
        ("slack", "https://hooks.slack.com/actions/T/1/x", answer.text, None)
    ]


def test_a_repeated_callback_acts_once_and_answers_the_same(card, world):
    first = act_on_slack(slack(card["id"]))
    again = act_on_slack(slack(card["id"], user="U2", name="bob"))
    assert (again.outcome, again.text, again.repeated) == (TAKEN, first.text, True)
    assert cards.get_card(card["id"])["assignee"] == "ann"
    assert kinds(card["id"]).count("moved") == 1


def test_a_taken_card_is_left_alone_and_the_chat_is_told_who_has_it(card):
    act_on_slack(slack(card["id"]))
    other = act_on_slack(slack(card["id"], trigger="trig-2", name="bob"))
    assert (other.outcome, other.text) == (ALREADY_TAKEN, f"{card['id']} is already taken by ann")
    # The refusal is kept too: its repeat answers the same without reading the card again.
    assert act_on_slack(slack(card["id"], trigger="trig-2")).repeated


def test_an_unknown_card_changes_nothing(world):
    answer = act_on_slack(slack("SUP-404"))
    assert answer.outcome == UNKNOWN_CARD
    assert act_on_slack(slack("SUP-404")).repeated


def test_the_chats_subscription_maps_the_user_and_sets_language_and_zone(card, world):
    body = {
        "channel": "telegram",
        "target": "-100",
        "events": ["sla_breach"],
        "locale": "ru",
        "timezone": "Europe/Moscow",
        "chat_users": {"ann_tg": "ann@acme.example"},
    }
    subscription_store().create("sub-tg", None, body, NOW)
    update = {
        "callback_query": {
            "id": "cb-1",
            "data": f"take:{card['id']}",
            "from": {"id": 7, "username": "ann_tg"},
            "message": {"message_id": 3, "chat": {"id": -100}, "text": "Breach"},
        }
    }
    answer = act_on_telegram(update)
    assert answer.text == f"{card['id']} взял(а) в работу ann@acme.example в 12:00"
    assert cards.get_card(card["id"])["assignee"] == "ann@acme.example"
    [(chat, to, text, edit)] = world.stores["chat_replies"].sent
    assert (chat, to, text) == ("telegram", "cb-1", answer.text)
    assert edit is not None
    assert edit["text"].endswith(answer.text)


def test_a_chat_that_cannot_be_told_does_not_undo_the_take(card, world):
    world.stores["chat_replies"].unreachable.add("slack")
    assert act_on_slack(slack(card["id"])).outcome == TAKEN
    assert cards.get_card(card["id"])["assignee"] == "ann"


def test_another_button_or_a_callback_without_an_id_is_ignored(card, world):
    other = slack(card["id"])
    other["actions"][0]["action_id"] = "open"
    assert act_on_slack(other).outcome == IGNORED
    assert act_on_slack({**slack(card["id"]), "trigger_id": None}).outcome == IGNORED
    assert world.stores["chat_replies"].sent == []
    assert cards.get_card(card["id"])["assignee"] is None
