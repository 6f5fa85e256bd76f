"""Boards in the config table, with unique keys and one default intake board."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.config_items import BoardItem, BoardKeyItem, DefaultIntakeItem
from chalicelib.adapters.paging import decode_cursor, read_mapped_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import bind_tables
from chalicelib.domain.boards import Board

_BOARD_PK = "BOARD"
_KEY_PK = "BOARDKEY"
_DEFAULT = ("INTAKE", "DEFAULT")


def board_from_item(item: BoardItem) -> Board:
    """The board an item holds."""
    return Board(
        board_id=item.board_id,
        key=item.key,
        body=item.body,
        created_at=item.created_at,
        version=int(item.version or 0),
    )


def _board_item(board: Board) -> BoardItem:
    item = BoardItem(
        _BOARD_PK,
        board.board_id,
        board_id=board.board_id,
        key=board.key,
        body=dict(board.body),
        created_at=board.created_at,
    )
    if board.version:
        # A board never stored has no version yet: its write requires that none exists.
        item.version = board.version
    return item


class DynamoBoardStore:
    """Creates, reads and replaces boards (``chalicelib.ports.cards.BoardStore``)."""

    def create(self, board: Board, default_intake: bool) -> Board:
        """Store a new board; WriteConflictError item 1 failing means the key is taken."""
        item = _board_item(board)
        key_item = BoardKeyItem(_KEY_PK, board.key, board_id=board.board_id)
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(item, condition=BoardItem.sk.does_not_exist())
                transaction.save(key_item, condition=BoardKeyItem.sk.does_not_exist())
                if default_intake:
                    transaction.save(DefaultIntakeItem(*_DEFAULT, board_id=board.board_id))
        except TransactWriteError as error:
            raise (conflict_from(error) or error) from error
        return board_from_item(item)

    def replace(self, board: Board, default_intake: bool | None) -> Board:
        """Save a changed board if nobody changed it since it was read.

        ``default_intake`` True points the default at this board, False clears
        it if it pointed here, None leaves it.
        """
        item = _board_item(board)
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(item)
                if default_intake:
                    transaction.save(DefaultIntakeItem(*_DEFAULT, board_id=board.board_id))
                elif default_intake is False and self.default_board_id() == board.board_id:
                    transaction.delete(
                        DefaultIntakeItem(*_DEFAULT),
                        condition=DefaultIntakeItem.board_id == board.board_id,
                    )
        except TransactWriteError as error:
            raise (conflict_from(error) or error) from error
        return board_from_item(item)

    def get(self, board_id: str) -> Board | None:
        """The board, or None (also for an empty id, which DynamoDB refuses as a key)."""
        if not board_id:
            return None
        try:
            return board_from_item(BoardItem.get(_BOARD_PK, board_id))
        except BoardItem.DoesNotExist:
            return None

    def list(self, limit: int, cursor: str | None) -> tuple[list[Board], str | None]:
        """One page of boards, in id order."""
        results = BoardItem.query(
            _BOARD_PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_mapped_page(results, limit, ("pk", "sk"), board_from_item)

    def default_board_id(self) -> str | None:
        """The board that takes unmatched mail, if any."""
        try:
            return DefaultIntakeItem.get(*_DEFAULT).board_id
        except DefaultIntakeItem.DoesNotExist:
            return None

    @staticmethod
    def _connection() -> Connection:
        return BoardItem._get_connection().connection


def get_board_store() -> DynamoBoardStore:
    """The DynamoDB board store (what ``chalicelib.bootstrap.cards`` wires as the port)."""
    bind_tables()
    return DynamoBoardStore()
