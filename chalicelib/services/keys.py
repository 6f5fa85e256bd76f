"""API keys and roles: create, list, revoke, and resolve a presented key to its role.

Keys are random secrets shown once; only their SHA-256 hash is stored. Roles
nest ``admin`` ⊃ ``manager`` ⊃ ``agent``; ``intake`` stands apart and may only
post mail (``chalicelib.domain.keys``).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from chalicelib.domain.keys import ROLES, ApiKey, Principal
from chalicelib.ports.clock import now
from chalicelib.ports.config import key_store
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import InvalidInputError, NotFoundError

__all__ = [
    "ROLES",
    "Principal",
    "authenticate",
    "create_key",
    "delete_key",
    "ensure_key",
    "hash_key",
    "list_keys",
]


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
        key = key_store().add(hash_key(raw_key), name, role, now())
        if key is not None:
            return key.key_id, raw_key


def ensure_key(raw_key: str, name: str, role: str) -> str:
    """Store a given key (e.g. the local stack's admin key) unless it is known; returns its id."""
    _check_role(role)
    key_hash = hash_key(raw_key)
    store = key_store()
    key = store.add(key_hash, name, role, now()) or store.find(key_hash)
    if key is None:  # added and gone at once: revoked meanwhile
        raise NotFoundError(f"the key {key_hash[:16]} was revoked as it was stored")
    return key.key_id


def authenticate(raw_key: str) -> Principal | None:
    """The caller behind a presented key, or None when the key is unknown."""
    key = key_store().find(hash_key(raw_key))
    return None if key is None else Principal.of(key)


def delete_key(key_id: str) -> None:
    """Revoke a key at once."""
    if not key_store().remove(key_id):
        raise NotFoundError(f"no key {key_id}")


def list_keys(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of keys: ids, names and roles, never the keys."""
    with refusals():
        keys, next_cursor = key_store().list(limit, cursor)
    return page([_key_info(key) for key in keys], next_cursor)


def _key_info(key: ApiKey) -> dict[str, Any]:
    return {"id": key.key_id, "name": key.name, "role": key.role, "created_at": key.created_at}
