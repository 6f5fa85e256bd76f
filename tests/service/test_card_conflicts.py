"""Lost races and claims through the card services on the in-memory stores.

The fakes refuse what DynamoDB's conditions refuse: a write at a version that is no
longer the card's, a claim whose key was taken, a board key used twice.
"""

import pytest

from chalicelib import ports
from chalicelib.domain.cards import Claim
from chalicelib.ports.cards import card_store
from chalicelib.ports.errors import ClaimTakenError
from chalicelib.services import boards, cards
from chalicelib.services.errors import ConflictError
from tests.service.card_support import BOARD, kinds, new_board, open_card

# Every test runs on the in-memory stores.
pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def board():
    return new_board()


class ChangedAfterOurRead:
    """The card store, but someone else changes the card right after our first read."""

    def __init__(self, store):
        self.store = store
        self.armed = True

    def __getattr__(self, name):
        return getattr(self.store, name)

    def get(self, card_id):
        card = self.store.get(card_id)
        if self.armed:
            self.armed = False
            cards.update_card(card_id, {"assignee": "someone else"})
        return card


@pytest.mark.parametrize(
    "command",
    [
        lambda card_id: cards.update_card(card_id, {"title": "Mine"}),
        lambda card_id: cards.move_card(card_id, "work", None),
        lambda card_id: cards.add_comment(card_id, "Mine", True, "ann"),
    ],
    ids=["edit", "move", "comment"],
)
def test_a_change_that_lost_a_race_is_a_conflict_and_writes_nothing(board, command):
    opened = open_card(board["id"])
    racing = ChangedAfterOurRead(card_store())
    ports.provide("cards.card_store", lambda: racing)
    with pytest.raises(ConflictError, match="changed meanwhile"):
        command(opened["id"])
    assert kinds(opened["id"]) == ["created", "updated"]
    shown = cards.get_card(opened["id"])
    assert (shown["title"], shown["column_id"], shown["version"]) == (opened["title"], "queue", 2)
    assert cards.list_comments(opened["id"], 10, None)["items"] == []


def test_taking_a_card_assigns_and_moves_it_in_one_write_with_its_claim(board, world):
    opened = open_card(board["id"])
    card = card_store().get(opened["id"])
    column = {"id": "work", "name": "In progress", "kind": "in_progress"}
    taken = cards.take_card(card, "ann", column, lambda seq: [Claim(f"chat#cb-1#{seq}", "taken")])
    assert (taken["assignee"], taken["column_id"], taken["version"]) == ("ann", "work", 2)
    assert kinds(opened["id"]) == ["created", "updated", "moved"]
    assert world.stores["claims"] == {"chat#cb-1#3": "taken"}


def test_a_claim_taken_already_writes_nothing(board, world):
    opened = open_card(board["id"])
    world.stores["claims"]["chat#cb-1"] = "taken by the first delivery"
    card = card_store().get(opened["id"])
    column = {"id": "work", "name": "In progress", "kind": "in_progress"}
    with pytest.raises(ClaimTakenError):
        cards.take_card(card, "ann", column, lambda _seq: [Claim("chat#cb-1")])
    assert kinds(opened["id"]) == ["created"]
    assert cards.get_card(opened["id"])["assignee"] is None


def test_taking_a_card_read_before_a_change_is_a_conflict(board):
    opened = open_card(board["id"])
    stale = card_store().get(opened["id"])
    cards.update_card(opened["id"], {"title": "Changed"})
    column = {"id": "work", "name": "In progress", "kind": "in_progress"}
    with pytest.raises(ConflictError):
        cards.take_card(stale, "ann", column)
    assert kinds(opened["id"]) == ["created", "updated"]


def test_a_message_opens_a_card_once_and_comments_once(board, world):
    opened = open_card(board["id"], claims=lambda card_id: [Claim("mail#<m1@x>", card_id)])
    assert world.stores["claims"]["mail#<m1@x>"] == opened["id"]
    with pytest.raises(ClaimTakenError):
        open_card(board["id"], claims=lambda card_id: [Claim("mail#<m1@x>", card_id)])
    assert [c.card_id for c in card_store().list_board(board["id"], {}, 10, None)[0]] == ["SUP-1"]

    def reply(seq):
        return [Claim("mail#<m2@x>", seq)]

    cards.add_comment(
        opened["id"], "Still broken", True, None, author_role="requester", claims=reply
    )
    with pytest.raises(ClaimTakenError):
        cards.add_comment(opened["id"], "Still broken", True, None, claims=reply)
    assert [c["seq"] for c in cards.list_comments(opened["id"], 10, None)["items"]] == [2]


def test_a_board_key_is_taken_once():
    new_board()
    with pytest.raises(ConflictError) as refused:
        new_board(name="Support again")
    assert (refused.value.code, refused.value.field) == ("board_key_taken", "key")


def test_a_column_that_holds_cards_cannot_leave_the_board(board):
    open_card(board["id"], column_id="wait")
    kept = [column for column in BOARD["columns"] if column["id"] != "wait"]
    with pytest.raises(ConflictError) as refused:
        boards.replace_board(board["id"], {**BOARD, "columns": kept})
    assert refused.value.code == "column_not_empty"
    emptied = [column for column in BOARD["columns"] if column["id"] != "done"]
    assert [
        c["id"] for c in boards.replace_board(board["id"], {**BOARD, "columns": emptied})["columns"]
    ] == ["queue", "work", "wait"]


def test_the_default_intake_board_is_one_pointer(world):
    first = new_board(default_intake=True)
    second = new_board(key="OPS", default_intake=True)
    assert boards.get_board(first["id"])["default_intake"] is False
    assert boards.get_board(second["id"])["default_intake"] is True
    boards.replace_board(second["id"], {**BOARD, "key": "OPS", "default_intake": False})
    assert world.stores["boards"].default_board_id() is None
