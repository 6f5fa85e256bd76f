"""Staff sign-in: what ``/login`` accepts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class LoginQuery(BaseModel):
    """``GET /login?next=...``: where to go once signed in."""

    model_config = ConfigDict(extra="ignore")

    next: Annotated[str, Field(max_length=2000)] | None = None


class LoginForm(BaseModel):
    """``POST /login``: the API key in the one password field, and where to go next."""

    model_config = ConfigDict(extra="ignore")

    key: Annotated[str, Field(max_length=500)] = ""
    next: Annotated[str, Field(max_length=2000)] | None = None
