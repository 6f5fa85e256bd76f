"""Boards: columns, lanes and the lists a card's type and service come from."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.board_store import get_board_store
from chalicelib.adapters.card_store import get_card_store
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.config_items import BoardItem
from chalicelib.adapters.store_errors import WriteConflictError
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError


def _check_unique(fields: dict[str, Any]) -> None:
    for name in ("columns", "lanes"):
        ids = [entry["id"] for entry in fields.get(name, [])]
        for index, entry_id in enumerate(ids):
            if entry_id in ids[:index]:
                raise InvalidInputError(f"duplicate id {entry_id!r}", field=f"{name}[{index}].id")
    for name in ("card_types", "services", "intake_addresses"):
        values = fields.get(name, [])
        for index, value in enumerate(values):
            if value in values[:index]:
                raise InvalidInputError(f"duplicate value {value!r}", field=f"{name}[{index}]")


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    # Whether a board is the default for mail lives in one pointer item, not here.
    return {name: value for name, value in fields.items() if name != "default_intake"}


def _answer(item: BoardItem, default_board_id: str | None) -> dict[str, Any]:
    return {
        **item.body,
        "id": item.board_id,
        "default_intake": item.board_id == default_board_id,
        "created_at": item.created_at,
    }


def create_board(fields: dict[str, Any]) -> dict[str, Any]:
    """Store a new board; its key must be unused (409 otherwise)."""
    _check_unique(fields)
    board_id = new_id("brd")
    default = bool(fields.get("default_intake"))
    store = get_board_store()
    try:
        item = store.create(board_id, fields["key"], _stored(fields), get_clock().now(), default)
    except WriteConflictError as error:
        raise ConflictError(
            f"another board already has the key {fields['key']}",
            field="key",
            code="board_key_taken",
        ) from error
    return _answer(item, board_id if default else store.default_board_id())


def get_board(board_id: str) -> dict[str, Any]:
    """One board."""
    store = get_board_store()
    return _answer(load_board(board_id), store.default_board_id())


def list_boards(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of boards."""
    store = get_board_store()
    with refusals():
        items, next_cursor = store.list(limit, cursor)
    default = store.default_board_id()
    return page([_answer(item, default) for item in items], next_cursor)


def replace_board(board_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Replace a board; its key stays, and a column that still holds cards cannot go (409)."""
    store = get_board_store()
    item = load_board(board_id)
    _check_unique(fields)
    if fields["key"] != item.key:
        raise InvalidInputError("a board's key cannot change (card ids carry it)", field="key")
    kept = {column["id"] for column in fields["columns"]}
    cards = get_card_store()
    for column in item.body["columns"]:
        if column["id"] not in kept and cards.column_holds_cards(board_id, column["id"]):
            raise ConflictError(
                f"column {column['id']!r} still holds cards; move them first",
                field="columns",
                code="column_not_empty",
            )
    try:
        item = store.replace(item, _stored(fields), bool(fields.get("default_intake")))
    except WriteConflictError as error:
        raise ConflictError("the board changed meanwhile; read it again") from error
    return _answer(item, store.default_board_id())


def load_board(board_id: str) -> BoardItem:
    """The stored board, or 404."""
    item = get_board_store().get(board_id)
    if item is None:
        raise NotFoundError(f"no board {board_id}")
    return item


def find_board(board_id: str, field: str) -> BoardItem:
    """The board a request body names in ``field``, or 400 naming that field."""
    item = get_board_store().get(board_id)
    if item is None:
        raise InvalidInputError(f"no board {board_id}", field=field)
    return item
