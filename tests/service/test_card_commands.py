"""Card commands through the services on the in-memory stores: open, move, assign, edit, comment."""

import pytest

from chalicelib.ports.cards import card_store
from chalicelib.services import cards
from chalicelib.services.errors import InvalidInputError
from tests.service.card_support import kinds, new_board, open_card

# Every test runs on the in-memory stores.
pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def board():
    return new_board()


# --- open -------------------------------------------------------------------------------


def test_a_card_gets_the_board_key_a_number_and_the_first_queue_column(board):
    first = open_card(board["id"])
    second = open_card(board["id"], title="Second")
    assert (first["id"], first["number"]) == ("SUP-1", 1)
    assert (second["id"], second["number"]) == ("SUP-2", 2)
    assert (first["column_id"], first["lane_id"]) == ("queue", "standard")
    assert first["version"] == 1
    assert first["timers"] == []


def test_opening_records_the_place_with_its_column_kind(board, world):
    opened = open_card(board["id"], column_id="work", lane_id="premium")
    [created] = cards.card_history(opened["id"], 10, None)["items"]
    assert created["kind"] == "created"
    assert created["data"] == {
        "column_id": "work",
        "column_kind": "in_progress",
        "lane_id": "premium",
    }
    assert created["at"] == world.clock.now()


def test_the_status_token_is_kept_only_as_its_hash(board):
    import hashlib

    opened = open_card(board["id"])
    token = opened["status_url"].removeprefix("/status/")
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()
    assert card_store().card_for_status_token(digest) == opened["id"]
    assert card_store().get(opened["id"]).status_token_hash == digest


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"column_id": "nowhere"}, "column_id"),
        ({"lane_id": "vip"}, "lane_id"),
        ({"card_type": "incident"}, "card_type"),
        ({"service": "mail"}, "service"),
    ],
)
def test_opening_refuses_what_the_board_does_not_have(board, fields, field):
    with pytest.raises(InvalidInputError) as refused:
        open_card(board["id"], **fields)
    assert refused.value.field == field
    assert card_store().list_board(board["id"], {}, 10, None) == ([], None)


def test_opening_on_an_unknown_board_is_refused_as_the_board_id_field():
    with pytest.raises(InvalidInputError) as refused:
        open_card("brd_missing")
    assert refused.value.field == "board_id"


def test_a_board_without_a_queue_column_needs_one_named(world):
    board = new_board(key="OPS", columns=[{"id": "work", "name": "Work", "kind": "in_progress"}])
    with pytest.raises(InvalidInputError, match="no queue column") as refused:
        open_card(board["id"])
    assert refused.value.field == "column_id"
    assert open_card(board["id"], column_id="work")["column_id"] == "work"


# --- move -------------------------------------------------------------------------------


def test_a_move_records_the_new_place_and_keeps_the_lane(board, world):
    opened = open_card(board["id"], lane_id="premium")
    world.clock.advance(300)
    moved = cards.move_card(opened["id"], "wait", None)
    assert (moved["column_id"], moved["lane_id"], moved["version"]) == ("wait", "premium", 2)
    assert moved["updated_at"] == world.clock.now()
    last = cards.card_history(opened["id"], 10, None)["items"][-1]
    assert (last["seq"], last["kind"]) == (2, "moved")
    assert last["data"] == {"column_id": "wait", "column_kind": "waiting", "lane_id": "premium"}


def test_a_move_to_where_the_card_is_writes_nothing(board):
    opened = open_card(board["id"])
    again = cards.move_card(opened["id"], "queue", "standard")
    assert again["version"] == 1
    assert kinds(opened["id"]) == ["created"]


def test_a_move_to_an_unknown_column_or_lane_is_refused(board):
    opened = open_card(board["id"])
    with pytest.raises(InvalidInputError) as refused:
        cards.move_card(opened["id"], "archive", None)
    assert refused.value.field == "column_id"
    with pytest.raises(InvalidInputError) as refused:
        cards.move_card(opened["id"], "work", "vip")
    assert refused.value.field == "lane_id"
    assert kinds(opened["id"]) == ["created"]


# --- assign and edit --------------------------------------------------------------------


def test_an_edit_records_only_the_fields_that_changed(board):
    opened = open_card(board["id"], assignee="ann", tags=["vpn"])
    changed = cards.update_card(
        opened["id"], {"assignee": "bob", "tags": ["vpn"], "priority": "high"}
    )
    assert (changed["assignee"], changed["priority"], changed["tags"]) == ("bob", "high", ["vpn"])
    last = cards.card_history(opened["id"], 10, None)["items"][-1]
    assert last["data"] == {"changes": {"assignee": "bob", "priority": "high"}}


def test_an_edit_that_changes_nothing_writes_nothing(board):
    opened = open_card(board["id"], assignee="ann")
    assert cards.update_card(opened["id"], {"assignee": "ann"})["version"] == 1
    assert kinds(opened["id"]) == ["created"]


def test_null_tags_clear_them_and_a_null_title_is_refused(board):
    opened = open_card(board["id"], tags=["vpn", "mobile"])
    assert cards.update_card(opened["id"], {"tags": None})["tags"] == []
    with pytest.raises(InvalidInputError) as refused:
        cards.update_card(opened["id"], {"title": None})
    assert refused.value.field == "title"


def test_an_edit_checks_labels_and_lanes_against_the_board(board):
    opened = open_card(board["id"])
    for changes, field in (
        ({"card_type": "incident"}, "card_type"),
        ({"lane_id": "vip"}, "lane_id"),
    ):
        with pytest.raises(InvalidInputError) as refused:
            cards.update_card(opened["id"], changes)
        assert refused.value.field == field
    assert cards.update_card(opened["id"], {"card_type": "bug"})["card_type"] == "bug"


# --- comments ---------------------------------------------------------------------------


def test_a_comment_is_one_event_and_its_text(board, world):
    opened = open_card(board["id"])
    world.clock.advance(120)
    comment = cards.add_comment(opened["id"], "Looking into it", True, "ann")
    assert comment == {
        "seq": 2,
        "body": "Looking into it",
        "public": True,
        "author": "ann",
        "author_role": "agent",
        "at": world.clock.now(),
    }
    last = cards.card_history(opened["id"], 10, None)["items"][-1]
    assert (last["kind"], last["data"]) == ("commented", {"public": True, "author_role": "agent"})
    assert cards.list_comments(opened["id"], 10, None) == {"items": [comment], "next": None}
    assert cards.get_card(opened["id"])["version"] == 2


def test_files_of_a_reply_join_the_card_with_the_comment_they_came_with(board):
    opened = open_card(board["id"])
    file = {"filename": "log.txt", "content_type": "text/plain", "size": 3, "too_large": False}
    cards.add_comment(opened["id"], "Here", True, None, author_role="requester", attachments=[file])
    [attached] = cards.get_card(opened["id"])["attachments"]
    assert attached == {**file, "comment_seq": 2, "url": None}


# --- reading ----------------------------------------------------------------------------


def test_the_card_list_pages_in_number_order_with_filters(board):
    ids = [open_card(board["id"], assignee="ann" if n % 2 else "bob")["id"] for n in range(5)]
    first = cards.list_cards(board["id"], {"assignee": "bob"}, None, False, 2, None)
    rest = cards.list_cards(board["id"], {"assignee": "bob"}, None, False, 2, first["next"])
    assert [c["id"] for c in first["items"]] == [ids[0], ids[2]]
    assert [c["id"] for c in rest["items"]] == [ids[4]]
    assert rest["next"] is None


def test_a_cursor_of_another_list_is_refused_as_the_next_field(board):
    opened = open_card(board["id"])
    for n in range(3):
        cards.move_card(opened["id"], ("work", "wait", "done")[n], None)
    history_cursor = cards.card_history(opened["id"], 1, None)["next"]
    other = new_board(key="OPS")
    for bad in (history_cursor, "not-a-cursor"):
        with pytest.raises(InvalidInputError) as refused:
            cards.list_cards(other["id"], {}, None, False, 10, bad)
        assert refused.value.field == "next"


def test_history_pages_oldest_first(board):
    opened = open_card(board["id"])
    for column in ("work", "wait", "work"):
        cards.move_card(opened["id"], column, None)
    first = cards.card_history(opened["id"], 3, None)
    rest = cards.card_history(opened["id"], 3, first["next"])
    assert [e["seq"] for e in first["items"]] == [1, 2, 3]
    assert [e["seq"] for e in rest["items"]] == [4]
    assert rest["next"] is None
