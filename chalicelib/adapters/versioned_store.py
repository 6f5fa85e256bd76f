"""Versioned definitions (calendars and SLA policies) in the config table.

A new version is one transaction: the head item (latest version, what lists
read) moves from version n to n+1 only if it is still at n, and the version
item n+1 is written only if it does not exist. Old versions are never changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.config_items import VersionedItem, version_sk
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import bind_tables


class VersionedStore:
    """Versions of one kind of definition: ``CALENDAR`` or ``SLA``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def _history_pk(self, item_id: str) -> str:
        return f"{self.kind}#{item_id}"

    def create(self, item_id: str, body: dict[str, Any], now: datetime) -> VersionedItem:
        """Store version 1; raises WriteConflictError if the id is taken."""
        return self._write(item_id, 1, body, now)

    def add_version(
        self, item_id: str, after: int, body: dict[str, Any], now: datetime
    ) -> VersionedItem:
        """Store version ``after + 1``; raises WriteConflictError if someone else did first."""
        return self._write(item_id, after + 1, body, now)

    def _write(
        self, item_id: str, version: int, body: dict[str, Any], now: datetime
    ) -> VersionedItem:
        fields = {"item_id": item_id, "version": version, "body": body, "created_at": now}
        head = VersionedItem(self.kind, item_id, **fields)
        history = VersionedItem(self._history_pk(item_id), version_sk(version), **fields)
        if version == 1:
            head_condition = VersionedItem.sk.does_not_exist()
        else:
            head_condition = VersionedItem.version == version - 1
        connection = VersionedItem._get_connection().connection
        try:
            with TransactWrite(connection=connection) as transaction:
                transaction.save(head, condition=head_condition)
                transaction.save(history, condition=VersionedItem.sk.does_not_exist())
        except TransactWriteError as error:
            raise (conflict_from(error) or error) from error
        return head

    def latest(self, item_id: str) -> VersionedItem | None:
        """The latest version, or None for an unknown (or deleted) id.

        An empty id names nothing: DynamoDB refuses an empty key value.
        """
        if not item_id:
            return None
        try:
            return VersionedItem.get(self.kind, item_id)
        except VersionedItem.DoesNotExist:
            return None

    def version(self, item_id: str, version: int) -> VersionedItem | None:
        """One stored version, or None."""
        try:
            return VersionedItem.get(self._history_pk(item_id), version_sk(version))
        except VersionedItem.DoesNotExist:
            return None

    def list_latest(self, limit: int, cursor: str | None) -> tuple[list[VersionedItem], str | None]:
        """One page of latest versions, in id order."""
        results = VersionedItem.query(
            self.kind, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_page(results, limit, ("pk", "sk"))

    def all_latest(self) -> list[VersionedItem]:
        """Every latest version (small: one item per definition)."""
        return list(VersionedItem.query(self.kind))

    def delete(self, item_id: str) -> None:
        """Remove the definition from lists and lookups; its versions stay for pinned cards."""
        VersionedItem(self.kind, item_id).delete()


def get_calendar_store() -> VersionedStore:
    """The store of calendar versions."""
    bind_tables()
    return VersionedStore("CALENDAR")


def get_sla_store() -> VersionedStore:
    """The store of SLA policy versions."""
    bind_tables()
    return VersionedStore("SLA")
