"""Two updates of one card racing: one wins, the other gets 409, history keeps only the winner."""

import threading

import pytest

from chalicelib import ports
from chalicelib.ports.cards import card_store
from chalicelib.services import boards, cards
from chalicelib.services.errors import ConflictError

BOARD = {
    "name": "Support",
    "key": "SUP",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "work", "name": "In progress", "kind": "in_progress"},
    ],
    "lanes": [],
    "card_types": [],
    "services": [],
}


@pytest.fixture
def card_id(tables, clock):
    board = boards.create_board(BOARD)
    return cards.open_card({"board_id": board["id"], "title": "Racing", "sla_ids": []})["id"]


class ReadsMeetBeforeWrites:
    """The card store, but each of two readers waits until both have read the card."""

    def __init__(self, store):
        self.store = store
        self.both_read = threading.Barrier(2, timeout=10)

    def __getattr__(self, name):
        return getattr(self.store, name)

    def get(self, card_id):
        card = self.store.get(card_id)
        self.both_read.wait()
        return card


def test_two_racing_updates_one_wins_one_gets_409(card_id):
    # GIVEN two requests that both read the card before either writes
    real = card_store()
    racing = ReadsMeetBeforeWrites(real)
    ports.provide("cards.card_store", lambda: racing)
    outcomes = {}

    def update(name, changes):
        try:
            cards.update_card(card_id, changes)
            outcomes[name] = "ok"
        except ConflictError:
            outcomes[name] = "conflict"

    # WHEN both write
    threads = [
        threading.Thread(target=update, args=("ann", {"assignee": "ann"})),
        threading.Thread(target=update, args=("bob", {"assignee": "bob"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ports.provide("cards.card_store", lambda: real)

    # THEN exactly one won and the other was told 409
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    # AND the history holds exactly the winning event, and the card shows the winner
    events = cards.card_history(card_id, 50, None)["items"]
    assert [(e["seq"], e["kind"]) for e in events] == [(1, "created"), (2, "updated")]
    assert events[1]["data"] == {"changes": {"assignee": winner}}
    assert cards.get_card(card_id)["assignee"] == winner


def test_card_numbers_are_never_handed_out_twice(card_id):
    store = card_store()
    numbers = []
    threads = [
        threading.Thread(target=lambda: numbers.append(store.next_number("SUP"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(2, 10))
