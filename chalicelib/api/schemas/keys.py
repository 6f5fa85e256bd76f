"""API keys: what ``/keys`` accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from chalicelib.api.schemas.common import Body, Name, Resource

Role = Literal["admin", "manager", "agent", "intake"]


class KeyCreate(Body):
    """``POST /keys``."""

    name: Name
    role: Role


class KeyInfo(Resource):
    """A key as lists show it: never the key itself."""

    id: str
    name: str
    role: Role
    created_at: datetime


class KeyCreated(Resource):
    """The answer to ``POST /keys``: the only time the key is shown."""

    id: str
    key: str
    name: str
    role: Role
