"""Bearer-key authentication and role checks for JSON routes."""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.api.errors import ApiError
from chalicelib.services.keys import Principal, authenticate

PUBLIC = "public"


def authorize(headers: Mapping[str, str], role: str) -> Principal | None:
    """The caller of a route that needs ``role``; raises 401/403 refusals.

    Public routes answer None without looking at the headers.
    """
    if role == PUBLIC:
        return None
    scheme, _, raw_key = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not raw_key.strip():
        raise ApiError(401, "unauthorized", "an Authorization: Bearer <api key> header is required")
    principal = authenticate(raw_key.strip())
    if principal is None:
        raise ApiError(401, "unauthorized", "unknown API key")
    if not principal.may_act_as(role):
        raise ApiError(403, "forbidden", f"this route needs the {role} role")
    return principal
