"""Routes for boards (admin writes, agent reads)."""

from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.boards import Board, BoardFields
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.services import boards


@endpoint("POST", "/boards", role="admin", body=BoardFields, response=Board, status=201)
def create_board(body: BoardFields) -> dict:
    """Create a board; its key prefixes its card ids."""
    return boards.create_board(body.model_dump(mode="json"))


@endpoint("GET", "/boards", role="agent", query=PageQuery, response=Page[Board])
def list_boards(query: PageQuery) -> dict:
    """List boards."""
    return boards.list_boards(query.limit, query.next)


@endpoint("GET", "/boards/{board_id}", role="agent", response=Board)
def get_board(board_id: str) -> dict:
    """Read a board."""
    return boards.get_board(board_id)


@endpoint("PUT", "/boards/{board_id}", role="admin", body=BoardFields, response=Board)
def replace_board(board_id: str, body: BoardFields) -> dict:
    """Replace a board; removing a column that still holds cards is refused (409)."""
    return boards.replace_board(board_id, body.model_dump(mode="json"))
