"""Boards: create, read, list and replace them (the placement rules live in ``domain/boards``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.domain.boards import Board, check_unique
from chalicelib.ports.cards import board_store, card_store
from chalicelib.ports.clock import now
from chalicelib.ports.errors import WriteConflictError
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    # Whether a board is the default for mail lives in one pointer item, not here.
    return {name: value for name, value in fields.items() if name != "default_intake"}


def board_answer(board: Board, default_board_id: str | None) -> dict[str, Any]:
    """A board as the API answers it."""
    return {
        **board.body,
        "id": board.board_id,
        "default_intake": board.board_id == default_board_id,
        "created_at": board.created_at,
    }


def create_board(fields: dict[str, Any]) -> dict[str, Any]:
    """Store a new board; its key must be unused (409 otherwise)."""
    with refusals():
        check_unique(fields)
    board = Board(board_id=new_id("brd"), key=fields["key"], body=_stored(fields), created_at=now())
    default = bool(fields.get("default_intake"))
    store = board_store()
    try:
        board = store.create(board, default)
    except WriteConflictError as error:
        raise ConflictError(
            f"another board already has the key {fields['key']}",
            field="key",
            code="board_key_taken",
        ) from error
    return board_answer(board, board.board_id if default else store.default_board_id())


def get_board(board_id: str) -> dict[str, Any]:
    """One board."""
    return board_answer(load_board(board_id), board_store().default_board_id())


def list_boards(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of boards."""
    store = board_store()
    with refusals():
        boards, next_cursor = store.list(limit, cursor)
    default = store.default_board_id()
    return page([board_answer(board, default) for board in boards], next_cursor)


def replace_board(board_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Replace a board; its key stays, and a column that still holds cards cannot go (409)."""
    store = board_store()
    board = load_board(board_id)
    with refusals():
        check_unique(fields)
    if fields["key"] != board.key:
        raise InvalidInputError("a board's key cannot change (card ids carry it)", field="key")
    kept = {column["id"] for column in fields["columns"]}
    cards = card_store()
    for column in board.columns:
        if column.id not in kept and cards.column_holds_cards(board_id, column.id):
            raise ConflictError(
                f"column {column.id!r} still holds cards; move them first",
                field="columns",
                code="column_not_empty",
            )
    try:
        board = store.replace(
            replace(board, body=_stored(fields)), bool(fields.get("default_intake"))
        )
    except WriteConflictError as error:
        raise ConflictError("the board changed meanwhile; read it again") from error
    return board_answer(board, store.default_board_id())


def load_board(board_id: str) -> Board:
    """The stored board, or 404."""
    board = board_store().get(board_id)
    if board is None:
        raise NotFoundError(f"no board {board_id}")
    return board


def find_board(board_id: str, field: str) -> Board:
    """The board a request body names in ``field``, or 400 naming that field."""
    board = board_store().get(board_id)
    if board is None:
        raise InvalidInputError(f"no board {board_id}", field=field)
    return board
