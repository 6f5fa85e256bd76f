"""API keys in the config table, kept only as SHA-256 hashes (answered as ``ApiKey``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.exceptions import PutError

from chalicelib.adapters.config_items import ApiKeyItem
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.table_base import bind_tables
from chalicelib.domain.keys import ApiKey, key_id_of

_PK = "KEY"


def _key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(key_hash=item.sk, name=item.name, role=item.role, created_at=item.created_at)


class KeyStore:
    """Stores, finds and revokes API keys by hash."""

    def find(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, or None."""
        try:
            return _key(ApiKeyItem.get(_PK, key_hash))
        except ApiKeyItem.DoesNotExist:
            return None

    def add(self, key_hash: str, name: str, role: str, now: datetime) -> ApiKey | None:
        """Store a key unless one with this hash exists; None when it already did."""
        item = ApiKeyItem(
            _PK, key_hash, key_id=key_id_of(key_hash), name=name, role=role, created_at=now
        )
        try:
            item.save(condition=ApiKeyItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _key(item)

    def list(self, limit: int, cursor: str | None) -> tuple[list[ApiKey], str | None]:
        """One page of keys (in hash order) and the cursor of the next."""
        results = ApiKeyItem.query(
            _PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        items, next_cursor = read_page(results, limit, ("pk", "sk"))
        return [_key(item) for item in items], next_cursor

    def get(self, key_id: str) -> ApiKey | None:
        """The key with this id, or None."""
        item = next(iter(self._by_id(key_id)), None)
        return None if item is None else _key(item)

    def remove(self, key_id: str) -> bool:
        """Delete the key with this id; False when there is none."""
        for item in self._by_id(key_id):
            item.delete()
            return True
        return False

    def _by_id(self, key_id: str) -> Iterator[ApiKeyItem]:
        if len(key_id) != 16:
            return iter(())
        return ApiKeyItem.query(_PK, ApiKeyItem.sk.startswith(key_id), limit=1)


def get_key_store() -> KeyStore:
    """The key store of this process."""
    bind_tables()
    return KeyStore()
