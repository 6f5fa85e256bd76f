"""API keys and the roles they carry: who may act as whom.

Keys are random secrets shown once; only their SHA-256 hash is stored. Roles nest
``admin`` ⊃ ``manager`` ⊃ ``agent``; ``intake`` stands apart and may only post mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
class ApiKey:
    """A stored key: its hash (never the key), its id (the hash's first 16 hex digits)."""

    key_hash: str
    name: str
    role: str
    created_at: datetime

    @property
    def key_id(self) -> str:
        """The id the API names the key by."""
        return key_id_of(self.key_hash)


def key_id_of(key_hash: str) -> str:
    """The id of the key stored under ``key_hash``."""
    return key_hash[:16]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: str

    def may_act_as(self, role: str) -> bool:
        """True when this caller's role includes ``role``."""
        return role in _GRANTS.get(self.role, set())

    @classmethod
    def of(cls, key: ApiKey) -> Principal:
        """The caller behind a stored key."""
        return cls(key_id=key.key_id, name=key.name, role=key.role)
