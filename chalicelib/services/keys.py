"""API keys and roles: create, list, revoke, and resolve a presented key to its role.

Keys are random secrets shown once; only their SHA-256 hash is stored. Roles
nest ``admin`` ⊃ ``manager`` ⊃ ``agent``; ``intake`` stands apart and may only
post mail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.config_items import ApiKeyItem
from chalicelib.adapters.key_store import get_key_store
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import InvalidInputError, NotFoundError

ROLES = ("admin", "manager", "agent", "intake")

# What each role may act as: a route declared for role R admits every key
# whose role lists R here.
_GRANTS = {
    "admin": {"admin", "manager", "agent", "intake"},
    "manager": {"manager", "agent"},
    "agent": {"agent"},
    "intake": {"intake"},
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: str

    def may_act_as(self, role: str) -> bool:
        """True when this caller's role includes ``role``."""
        return role in _GRANTS.get(self.role, set())


def hash_key(raw_key: str) -> str:
    """The SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(ROLES)}", field="role")


def create_key(name: str, role: str) -> tuple[str, str]:
    """Make a new random key; returns ``(id, raw key)``. The raw key is never stored."""
    _check_role(role)
    while True:
        raw_key = "sld_" + secrets.token_urlsafe(32)
        item = get_key_store().add(hash_key(raw_key), name, role, get_clock().now())
        if item is not None:
            return item.key_id, raw_key


def ensure_key(raw_key: str, name: str, role: str) -> str:
    """Store a given key (e.g. the local stack's admin key) unless it is known; returns its id."""
    _check_role(role)
    key_hash = hash_key(raw_key)
    store = get_key_store()
    item = store.add(key_hash, name, role, get_clock().now()) or store.find(key_hash)
    return item.key_id


def authenticate(raw_key: str) -> Principal | None:
    """The caller behind a presented key, or None when the key is unknown."""
    item = get_key_store().find(hash_key(raw_key))
    if item is None:
        return None
    return Principal(key_id=item.key_id, name=item.name, role=item.role)


def delete_key(key_id: str) -> None:
    """Revoke a key at once."""
    if not get_key_store().remove(key_id):
        raise NotFoundError(f"no key {key_id}")


def list_keys(limit: int, cursor: str | None) -> dict:
    """One page of keys: ids, names and roles, never the keys."""
    with refusals():
        items, next_cursor = get_key_store().list(limit, cursor)
    return page([_key_info(item) for item in items], next_cursor)


def _key_info(item: ApiKeyItem) -> dict:
    return {"id": item.key_id, "name": item.name, "role": item.role, "created_at": item.created_at}
