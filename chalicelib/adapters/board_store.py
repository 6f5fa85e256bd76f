"""Boards in the config table, with unique keys and one default intake board."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.config_items import BoardItem, BoardKeyItem, DefaultIntakeItem
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import bind_tables

_BOARD_PK = "BOARD"
_KEY_PK = "BOARDKEY"
_DEFAULT = ("INTAKE", "DEFAULT")


class BoardStore:
    """Creates, reads and replaces boards."""

    def create(
        self, board_id: str, key: str, body: dict[str, Any], now: datetime, default_intake: bool
    ) -> BoardItem:
        """Store a new board; WriteConflictError item 1 failing means the key is taken."""
        board = BoardItem(
            _BOARD_PK, board_id, board_id=board_id, key=key, body=body, created_at=now
        )
        key_item = BoardKeyItem(_KEY_PK, key, board_id=board_id)
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(board, condition=BoardItem.sk.does_not_exist())
                transaction.save(key_item, condition=BoardKeyItem.sk.does_not_exist())
                if default_intake:
                    transaction.save(DefaultIntakeItem(*_DEFAULT, board_id=board_id))
        except TransactWriteError as error:
            raise (conflict_from(error) or error) from error
        return board

    def replace(
        self, board: BoardItem, body: dict[str, Any], default_intake: bool | None
    ) -> BoardItem:
        """Save a changed board if nobody changed it since it was read.

        ``default_intake`` True points the default at this board, False clears
        it if it pointed here, None leaves it.
        """
        board.body = body
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(board)
                if default_intake:
                    transaction.save(DefaultIntakeItem(*_DEFAULT, board_id=board.board_id))
                elif default_intake is False and self.default_board_id() == board.board_id:
                    transaction.delete(
                        DefaultIntakeItem(*_DEFAULT),
                        condition=DefaultIntakeItem.board_id == board.board_id,
                    )
        except TransactWriteError as error:
            raise (conflict_from(error) or error) from error
        return board

    def get(self, board_id: str) -> BoardItem | None:
        """The board, or None (also for an empty id, which DynamoDB refuses as a key)."""
        if not board_id:
            return None
        try:
            return BoardItem.get(_BOARD_PK, board_id)
        except BoardItem.DoesNotExist:
            return None

    def list(self, limit: int, cursor: str | None) -> tuple[list[BoardItem], str | None]:
        """One page of boards, in id order."""
        results = BoardItem.query(
            _BOARD_PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_page(results, limit, ("pk", "sk"))

    def default_board_id(self) -> str | None:
        """The board that takes unmatched mail, if any."""
        try:
            return DefaultIntakeItem.get(*_DEFAULT).board_id
        except DefaultIntakeItem.DoesNotExist:
            return None

    @staticmethod
    def _connection():
        return BoardItem._get_connection().connection


def get_board_store() -> BoardStore:
    """The board store of this process."""
    bind_tables()
    return BoardStore()
