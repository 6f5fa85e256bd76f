"""Boards: unique keys, replacement, default intake, columns that hold cards."""

import pytest

from tests.e2e.payloads import BOARD, card


@pytest.fixture
def board(api):
    return api.ok("POST", "/boards", BOARD)


def test_a_board_is_created_and_read(api, board):
    assert board["id"]
    assert board["key"] == "SUP"
    assert board["columns"] == BOARD["columns"]
    assert board["default_intake"] is False
    assert api.ok("GET", f"/boards/{board['id']}", role="agent") == board
    assert api.ok("GET", "/boards", role="agent")["items"] == [board]


def test_a_taken_key_is_409(api, board):
    error = api.refused("POST", "/boards", {**BOARD, "name": "Other"}, status=409)
    assert error["code"] == "board_key_taken"


def test_put_replaces_the_board(api, board):
    changed = {**BOARD, "name": "Support desk", "lanes": [], "intake_addresses": ["s@acme.example"]}
    replaced = api.ok("PUT", f"/boards/{board['id']}", changed)
    assert replaced["name"] == "Support desk"
    assert replaced["lanes"] == []
    assert replaced["intake_addresses"] == ["s@acme.example"]


def test_setting_default_intake_clears_it_on_the_others(api, board):
    api.ok("PUT", f"/boards/{board['id']}", {**BOARD, "default_intake": True})
    other = api.ok("POST", "/boards", {**BOARD, "key": "OPS", "default_intake": True})
    assert other["default_intake"] is True
    assert api.ok("GET", f"/boards/{board['id']}")["default_intake"] is False


def test_removing_a_column_that_holds_cards_is_409(api, board):
    api.ok("POST", "/cards", card(board["id"], column_id="wait"), role="agent")
    columns = [column for column in BOARD["columns"] if column["id"] != "wait"]
    error = api.refused("PUT", f"/boards/{board['id']}", {**BOARD, "columns": columns}, status=409)
    assert error["code"] == "column_not_empty"
    empty = [column for column in BOARD["columns"] if column["id"] != "done"]
    assert api.ok("PUT", f"/boards/{board['id']}", {**BOARD, "columns": empty})["columns"] == empty


def test_the_key_cannot_change(api, board):
    error = api.refused("PUT", f"/boards/{board['id']}", {**BOARD, "key": "NEW"}, status=400)
    assert error["details"][0]["field"] == "key"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key": "sup"}, "key"),
        ({"columns": []}, "columns"),
        ({"columns": [BOARD["columns"][0], BOARD["columns"][0]]}, "columns[1].id"),
        ({"lanes": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}, "lanes[1].id"),
        ({"card_types": ["bug", "bug"]}, "card_types[1]"),
        ({"intake_addresses": ["not an address"]}, "intake_addresses[0]"),
        ({"default_intake": "yes"}, "default_intake"),
    ],
)
def test_a_bad_board_is_400_naming_the_field(api, change, field):
    error = api.refused("POST", "/boards", {**BOARD, **change}, status=400)
    assert error["details"][0]["field"] == field


def test_unknown_board_ids_are_404(api):
    api.refused("GET", "/boards/brd_missing", status=404)
    api.refused("PUT", "/boards/brd_missing", BOARD, status=404)


def test_boards_list_in_pages(api):
    for key in ("A1", "A2", "A3"):
        api.ok("POST", "/boards", {**BOARD, "key": key})
    first = api.ok("GET", "/boards?limit=2")
    second = api.ok("GET", f"/boards?limit=2&next={first['next']}")
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next"] is None
