"""The breach scan on the fakes: a due timer raises exactly one warning, then one breach,
each delivered once to each subscriber; a second run at one instant doubles nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.services import cards
from chalicelib.services.scanner import scan_due_timers
from chalicelib.services.subscriptions import create_subscription
from tests.service.card_support import new_board
from tests.service.timer_support import card_under, new_policy, recompute, stored

SLA_EVENTS = ["sla_warning", "sla_breach", "sla_escalation"]
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # where the fakes' clock starts


@pytest.fixture
def board(world):
    return new_board()


@pytest.fixture
def card(board):
    """A card under the 24/7 policy, its timers stored, and a subscriber of its board."""
    create_subscription(
        {
            "channel": "email",
            "target": "ops@example.com",
            "board_id": board["id"],
            "events": SLA_EVENTS,
            "locale": "en",
            "timezone": "UTC",
        }
    )
    opened = card_under(new_policy(), board)
    recompute(opened["id"])
    return opened


def run_at(world, minutes, seconds=0):
    """One scanner tick ``minutes`` after the card was opened."""
    world.clock.set(OPENED + timedelta(minutes=minutes, seconds=seconds))
    return scan_due_timers(world.clock.now())


def sent(world):
    return [(s.event, s.card_id, s.facts.get("rule_id")) for s in world.stores["channels"].sent]


def test_nothing_is_raised_before_the_warning_is_due(card, world):
    assert run_at(world, 4, 59)["raised"] == 0
    assert sent(world) == []


def test_a_due_warning_raises_one_alert_delivered_once(card, world):
    tick = run_at(world, 5)
    assert (tick["due_timers"], tick["cards"], tick["raised"], tick["sent"]) == (1, 1, 1, 1)
    assert sent(world) == [("sla_warning", card["id"], "react")]
    [delivery] = world.stores["channels"].sent
    assert delivery.target == "ops@example.com"
    assert len(world.stores["alerts"].alerts) == 1
    # The timer's next check point is now the breach: just past the target.
    react = stored(world, card["id"])["react"]
    assert react.next_check_at == OPENED + timedelta(minutes=10, microseconds=1)


def test_running_twice_at_one_instant_doubles_nothing(card, world):
    run_at(world, 5)
    again = run_at(world, 5)
    assert (again["due_timers"], again["raised"], again["sent"]) == (0, 0, 0)
    assert sent(world) == [("sla_warning", card["id"], "react")]
    assert len(world.stores["alerts"].alerts) == 1


def test_the_breach_follows_once_past_the_target_and_is_raised_once(card, world):
    run_at(world, 5)
    assert run_at(world, 10)["raised"] == 0  # at the target exactly: not yet breached
    assert run_at(world, 10, 1)["raised"] == 1
    assert run_at(world, 10, 1)["raised"] == 0
    assert run_at(world, 11)["raised"] == 0
    assert sent(world) == [
        ("sla_warning", card["id"], "react"),
        ("sla_breach", card["id"], "react"),
    ]
    assert stored(world, card["id"])["react"].next_check_at is None


def test_a_scan_that_missed_the_warning_raises_warning_and_breach_once_each(card, world):
    assert run_at(world, 15)["raised"] == 2
    assert run_at(world, 15)["raised"] == 0
    assert sorted(sent(world)) == [
        ("sla_breach", card["id"], "react"),
        ("sla_warning", card["id"], "react"),
    ]


def test_a_timer_stopped_before_its_check_point_raises_nothing(card, world):
    world.clock.advance(120)
    cards.move_card(card["id"], "work", None)  # the first reaction, before the warning
    # The scan runs before the stream handler rewrote the stored timer: it re-derives and skips.
    assert run_at(world, 5)["raised"] == 0
    recompute(card["id"])
    assert run_at(world, 6)["raised"] == 0
    assert sent(world) == []
