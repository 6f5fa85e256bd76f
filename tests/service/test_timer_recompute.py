"""The stream handler's timer recomputation on the fakes: a card change rewrites the timers it
changed; a repeated, redelivered or late record, or mere time passing, writes nothing."""

from datetime import timedelta

import pytest

from chalicelib.ports.timers import timer_store
from chalicelib.services import cards
from tests.service.card_support import new_board
from tests.service.timer_support import card_under, new_policy, recompute, stored


@pytest.fixture
def policy(world):
    return new_policy()


@pytest.fixture
def board(world):
    return new_board()


@pytest.fixture
def card(policy, board):
    return card_under(policy, board)


def test_a_new_cards_timers_are_stored_running_with_their_first_check_point(card, world):
    opened_at = world.clock.now()
    recompute(card["id"])
    timers = stored(world, card["id"])
    assert set(timers) == {"react", "resolve"}
    react = timers["react"]
    assert (react.status, react.started_at) == ("running", opened_at)
    assert react.deadline == opened_at + timedelta(minutes=10)
    assert react.next_check_at == opened_at + timedelta(minutes=5)  # the warning
    assert react.due_day == opened_at.date()
    assert react.derived_seq == cards.load_card(card["id"]).last_seq
    assert timers["resolve"].next_check_at == opened_at + timedelta(hours=3, minutes=30)
    assert world.stores["timers"].writes == 1


def test_a_card_change_rewrites_the_timers_it_changed(card, world):
    recompute(card["id"])
    world.clock.advance(120)
    cards.move_card(card["id"], "work", None)  # the first reaction
    recompute(card["id"])
    timers = stored(world, card["id"])
    react = timers["react"]
    assert (react.status, react.stopped_at) == ("met", world.clock.now())
    assert (react.elapsed_seconds, react.next_check_at, react.due_day) == (120, None, None)
    assert react.stop_day == world.clock.now().date().isoformat()
    assert timers["resolve"].status == "running"
    assert timers["resolve"].column_id is None
    # Only the changed timer is rewritten: the resolution timer stays as the open derived it.
    opened_seq = cards.load_card(card["id"]).last_seq - 1
    assert (react.derived_seq, timers["resolve"].derived_seq) == (opened_seq + 1, opened_seq)
    assert world.stores["timers"].writes == 2


def test_a_pause_stops_the_clock_and_a_detach_deletes_the_timers(card, policy, world):
    recompute(card["id"])
    world.clock.advance(60)
    cards.move_card(card["id"], "wait", None)
    recompute(card["id"])
    assert stored(world, card["id"])["resolve"].status == "paused"
    assert stored(world, card["id"])["resolve"].next_check_at is None
    cards.detach_sla(card["id"], policy["id"])
    recompute(card["id"])
    assert stored(world, card["id"]) == {}


def test_records_repeated_in_a_batch_or_redelivered_later_write_nothing(card, world):
    recompute(card["id"], card["id"], card["id"])
    assert world.stores["timers"].writes == 1
    before = timer_store().for_card(card["id"])
    world.clock.advance(3600)  # redelivered an hour later: the timers depend on the history only
    recompute(card["id"])
    assert timer_store().for_card(card["id"]) == before
    assert world.stores["timers"].writes == 1


def test_a_late_record_of_an_older_change_writes_nothing_new(card, world):
    world.clock.advance(60)
    cards.update_card(card["id"], {"priority": "high"})
    world.clock.advance(60)
    cards.move_card(card["id"], "work", None)
    recompute(card["id"])  # the record of the move came first
    after_move = timer_store().for_card(card["id"])
    recompute(card["id"])  # the records of the open and the edit arrive late
    recompute(card["id"])
    assert timer_store().for_card(card["id"]) == after_move
    assert world.stores["timers"].writes == 1
    assert stored(world, card["id"])["react"].status == "met"


def test_each_card_of_a_batch_is_recomputed(policy, board, world):
    first, second = card_under(policy, board), card_under(policy, board)
    recompute(first["id"], second["id"], first["id"])
    assert (
        set(stored(world, first["id"]))
        == set(stored(world, second["id"]))
        == {
            "react",
            "resolve",
        }
    )
    assert world.stores["timers"].writes == 2
