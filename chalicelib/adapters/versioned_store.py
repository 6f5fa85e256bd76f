"""Versioned definitions (calendars and SLA policies) in the config table.

A new version is one transaction: the head item (latest version, what lists
read) moves from version n to n+1 only if it is still at n, and the version
item n+1 is written only if it does not exist. Old versions are never changed.
Items are answered as ``chalicelib.domain.versions`` records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.config_items import VersionedItem, version_sk
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import bind_tables
from chalicelib.domain.versions import CalendarVersion, DefinitionVersion, SlaPolicyVersion

V = TypeVar("V", bound=DefinitionVersion)


class VersionedStore(Generic[V]):
    """Versions of one kind of definition: ``CALENDAR`` or ``SLA``, answered as ``record``."""

    def __init__(self, kind: str, record: type[V]) -> None:
        self.kind = kind
        self._record = record

    def _history_pk(self, item_id: str) -> str:
        return f"{self.kind}#{item_id}"

    def _of(self, item: VersionedItem) -> V:
        return self._record(
            id=item.item_id, version=int(item.version), body=item.body, created_at=item.created_at
        )

    def create(self, item_id: str, body: Mapping[str, Any], now: datetime) -> V:
        """Store version 1; raises WriteConflictError if the id is taken."""
        return self._write(item_id, 1, body, now)

    def add_version(self, item_id: str, after: int, body: Mapping[str, Any], now: datetime) -> V:
        """Store version ``after + 1``; raises WriteConflictError if someone else did first."""
        return self._write(item_id, after + 1, body, now)

    def _write(self, item_id: str, version: int, body: Mapping[str, Any], now: datetime) -> V:
        fields: dict[str, Any] = {
            "item_id": item_id,
            "version": version,
            "body": dict(body),
            "created_at": now,
        }
        head = VersionedItem(self.kind, item_id, **fields)
        history = VersionedItem(self._history_pk(item_id), version_sk(version), **fields)
        head_condition: Condition
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
        return self._of(head)

    def latest(self, item_id: str) -> V | None:
        """The latest version, or None for an unknown (or deleted) id.

        An empty id names nothing: DynamoDB refuses an empty key value.
        """
        if not item_id:
            return None
        try:
            return self._of(VersionedItem.get(self.kind, item_id))
        except VersionedItem.DoesNotExist:
            return None

    def version(self, item_id: str, version: int) -> V | None:
        """One stored version, or None."""
        try:
            return self._of(VersionedItem.get(self._history_pk(item_id), version_sk(version)))
        except VersionedItem.DoesNotExist:
            return None

    def list_latest(self, limit: int, cursor: str | None) -> tuple[list[V], str | None]:
        """One page of latest versions, in id order."""
        results = VersionedItem.query(
            self.kind, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        items, next_cursor = read_page(results, limit, ("pk", "sk"))
        return [self._of(item) for item in items], next_cursor

    def all_latest(self) -> list[V]:
        """Every latest version (small: one item per definition)."""
        return [self._of(item) for item in VersionedItem.query(self.kind)]

    def delete(self, item_id: str) -> None:
        """Remove the definition from lists and lookups; its versions stay for pinned cards."""
        VersionedItem(self.kind, item_id).delete()


def get_calendar_store() -> VersionedStore[CalendarVersion]:
    """The store of calendar versions."""
    bind_tables()
    return VersionedStore("CALENDAR", CalendarVersion)


def get_sla_store() -> VersionedStore[SlaPolicyVersion]:
    """The store of SLA policy versions."""
    bind_tables()
    return VersionedStore("SLA", SlaPolicyVersion)
