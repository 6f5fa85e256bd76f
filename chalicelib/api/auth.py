"""Bearer-key authentication and role checks; the session cookie for staff pages."""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

from chalicelib.api.errors import ApiError
from chalicelib.services.keys import Principal, authenticate
from chalicelib.services.sessions import SESSION_COOKIE, session_principal

PUBLIC = "public"


def authorize(
    headers: Mapping[str, str], role: str, *, accept_session: bool = False
) -> Principal | None:
    """The caller of a route that needs ``role``; raises 401/403 refusals.

    Public routes answer None without looking at the headers. With
    ``accept_session`` (staff pages and their downloads), a request without
    an Authorization header may present the session cookie instead.
    """
    if role == PUBLIC:
        return None
    if accept_session and not headers.get("authorization"):
        principal = session_principal(session_cookie(headers))
        if principal is None:
            raise ApiError(401, "unauthorized", "sign in first")
    else:
        principal = _bearer_principal(headers)
    if not principal.may_act_as(role):
        raise ApiError(403, "forbidden", f"this route needs the {role} role")
    return principal


def _bearer_principal(headers: Mapping[str, str]) -> Principal:
    scheme, _, raw_key = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not raw_key.strip():
        raise ApiError(401, "unauthorized", "an Authorization: Bearer <api key> header is required")
    principal = authenticate(raw_key.strip())
    if principal is None:
        raise ApiError(401, "unauthorized", "unknown API key")
    return principal


def session_cookie(headers: Mapping[str, str]) -> str | None:
    """The value of the session cookie the request carries, if any."""
    cookies = SimpleCookie()
    try:
        cookies.load(headers.get("cookie") or "")
    except CookieError:
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return None if morsel is None else morsel.value
