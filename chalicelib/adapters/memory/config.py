"""In-memory fakes of the config ports (``chalicelib/ports/config.py``), for the service tests.

They keep what the DynamoDB adapters keep and refuse what those refuse: a version is
added only on top of the latest one (else ``WriteConflictError``), an id or a key hash
is taken once, lists come a page at a time in key order behind cursors, a deleted
definition's versions stay readable. Bodies are copied in and out, as a round trip
through a table would.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from chalicelib.adapters.memory.paging import memory_page
from chalicelib.domain.errors import DomainError
from chalicelib.domain.keys import ApiKey, key_id_of
from chalicelib.domain.subscriptions import StoredSubscription
from chalicelib.domain.versions import DefinitionVersion
from chalicelib.ports.config import SecretUnavailableError
from chalicelib.ports.errors import WriteConflictError

V = TypeVar("V", bound=DefinitionVersion)


def _copied(body: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(body))


class MemoryVersionStore(Generic[V]):
    """Versions of one kind of definition, answered as ``record``."""

    def __init__(self, record: type[V]) -> None:
        self._record = record
        self._list = record.__name__
        self.heads: dict[str, int] = {}
        self.versions: dict[tuple[str, int], V] = {}

    def create(self, item_id: str, body: Mapping[str, Any], now: datetime) -> V:
        if item_id in self.heads:
            raise WriteConflictError([0])
        return self._write(item_id, 1, body, now)

    def add_version(self, item_id: str, after: int, body: Mapping[str, Any], now: datetime) -> V:
        if self.heads.get(item_id) != after:
            raise WriteConflictError([0])
        return self._write(item_id, after + 1, body, now)

    def _write(self, item_id: str, version: int, body: Mapping[str, Any], now: datetime) -> V:
        if (item_id, version) in self.versions:
            raise WriteConflictError([1])
        stored = self._record(id=item_id, version=version, body=_copied(body), created_at=now)
        self.versions[item_id, version] = stored
        self.heads[item_id] = version
        return self._out(stored)

    def _out(self, stored: V) -> V:
        return self._record(
            id=stored.id,
            version=stored.version,
            body=_copied(stored.body),
            created_at=stored.created_at,
        )

    def latest(self, item_id: str) -> V | None:
        version = self.heads.get(item_id)
        return None if version is None else self._out(self.versions[item_id, version])

    def version(self, item_id: str, version: int) -> V | None:
        stored = self.versions.get((item_id, version))
        return None if stored is None else self._out(stored)

    def list_latest(self, limit: int, cursor: str | None) -> tuple[list[V], str | None]:
        return memory_page(self.all_latest(), self._list, lambda record: record.id, limit, cursor)

    def all_latest(self) -> list[V]:
        return [self._out(self.versions[item_id, v]) for item_id, v in sorted(self.heads.items())]

    def delete(self, item_id: str) -> None:
        self.heads.pop(item_id, None)


@dataclass
class MemoryKeyStore:
    """API keys by hash."""

    keys: dict[str, ApiKey] = field(default_factory=dict)

    def find(self, key_hash: str) -> ApiKey | None:
        return self.keys.get(key_hash)

    def add(self, key_hash: str, name: str, role: str, now: datetime) -> ApiKey | None:
        if key_hash in self.keys:
            return None
        key = self.keys[key_hash] = ApiKey(key_hash, name, role, now)
        return key

    def list(self, limit: int, cursor: str | None) -> tuple[list[ApiKey], str | None]:
        return memory_page(self.keys.values(), "keys", lambda key: key.key_hash, limit, cursor)

    def get(self, key_id: str) -> ApiKey | None:
        if len(key_id) != 16:
            return None
        return next((k for h, k in sorted(self.keys.items()) if key_id_of(h) == key_id), None)

    def remove(self, key_id: str) -> bool:
        key = self.get(key_id)
        if key is None:
            return False
        del self.keys[key.key_hash]
        return True


@dataclass
class MemorySubscriptionStore:
    """Subscriptions by id."""

    subscriptions: dict[str, StoredSubscription] = field(default_factory=dict)

    def create(
        self, subscription_id: str, board_id: str | None, body: Mapping[str, Any], now: datetime
    ) -> StoredSubscription:
        if subscription_id in self.subscriptions:
            raise WriteConflictError([0])
        stored = StoredSubscription(subscription_id, board_id, _copied(body), now)
        self.subscriptions[subscription_id] = stored
        return self._out(stored)

    @staticmethod
    def _out(stored: StoredSubscription) -> StoredSubscription:
        return StoredSubscription(
            stored.id, stored.board_id, _copied(stored.body), stored.created_at
        )

    def all(self) -> list[StoredSubscription]:
        return [self._out(s) for _, s in sorted(self.subscriptions.items())]

    def get(self, subscription_id: str) -> StoredSubscription | None:
        stored = self.subscriptions.get(subscription_id)
        return None if stored is None else self._out(stored)

    def delete(self, subscription_id: str) -> bool:
        return self.subscriptions.pop(subscription_id, None) is not None

    def list(self, limit: int, cursor: str | None) -> tuple[list[StoredSubscription], str | None]:
        return memory_page(self.all(), "subscriptions", lambda s: s.id, limit, cursor)


@dataclass
class MemorySecrets:
    """Secrets by name; a name in ``unreadable`` is configured but cannot be read."""

    values: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)

    def read(self, name: str) -> str | None:
        if name in self.unreadable:
            raise SecretUnavailableError(f"{name} could not be read")
        return self.values.get(name) or None


@dataclass
class MemoryHolidays:
    """Public holidays by country code, as a test sets them (no country is known unset)."""

    countries: dict[str, frozenset[date]] = field(default_factory=dict)

    def __call__(self, country: object) -> frozenset[date]:
        if not isinstance(country, str) or country not in self.countries:
            raise DomainError(
                f"unknown holiday_country {country!r}: use an ISO 3166 country code",
                field="holiday_country",
            )
        return self.countries[country]
