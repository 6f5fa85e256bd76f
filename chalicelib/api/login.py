"""Staff sign-in from a browser (``docs/api.md``, "Conventions"): ``GET`` and ``POST /login``.

A correct key answers 303 to ``next`` (only a local path: one ``/`` and not
``//`` or ``/\\``, so no other site) or to the dashboard, with the session
cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
sends it), Secure when the request came over HTTPS, and expiring with the
session. A wrong key gets the page again with 401. The page speaks the
language the browser's ``Accept-Language`` prefers (English by default).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chalice import Response
from chalice.app import Request

from chalicelib.api.auth import PUBLIC
from chalicelib.api.pages import locale_of, page
from chalicelib.api.registry import FORM, HTML, JSON, SIGN_IN_PATH, endpoint
from chalicelib.api.schemas.login import LoginForm, LoginQuery
from chalicelib.links import site_path
from chalicelib.rendering import render, texts
from chalicelib.services.sessions import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    SessionsUnavailableError,
    session_seconds,
    start_session,
)

DASHBOARD = "/reports/sla/view"
_MAX_LOGIN_BYTES = 8 * 1024


@endpoint("GET", SIGN_IN_PATH, role=PUBLIC, query=LoginQuery, answers=(HTML,))
def login_page(query: LoginQuery, request: Request) -> Response:
    """The staff sign-in page: one password field for the API key."""
    return _page(locale_of(request), safe_next(query.next), None, 200)


@endpoint(
    "POST",
    SIGN_IN_PATH,
    role=PUBLIC,
    body=LoginForm,
    body_types=(FORM, JSON),
    max_body_bytes=_MAX_LOGIN_BYTES,
    answers=(HTML,),
    status=303,
    other_statuses={
        401: "Unknown key: the sign-in page again",
        503: "The server has no session secret",
    },
)
def login(body: LoginForm, request: Request) -> Response:
    """Sign in with an API key: sets the session cookie and answers 303 to ``next``."""
    target = safe_next(body.next)
    locale = locale_of(request)
    try:
        session = start_session(body.key.strip()) if body.key.strip() else None
    except SessionsUnavailableError:
        return _page(locale, target, "login_unavailable", 503)
    if session is None:
        return _page(locale, target, "login_unknown_key", 401)
    value, _ = session
    cookie = (
        f"{SESSION_COOKIE}={value}; Path=/; Max-Age={session_seconds()}; HttpOnly; SameSite=Strict"
    )
    if (request.headers.get("x-forwarded-proto") or "").lower() == "https":
        cookie += "; Secure"
    # ``next`` is a route's path (as the sign-in redirect gives it); the link adds the site's.
    location = site_path(target or DASHBOARD)
    headers: dict[str, str | list[str]] = {
        "Location": location,
        "Set-Cookie": cookie,
        "Cache-Control": "no-store",
    }
    return Response(body="", status_code=303, headers=headers)


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path on this site, else None (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 0x20 for c in value):
        return None
    return value


def _page(locale: str, next_path: str | None, error: str | None, status: int) -> Response:
    """The sign-in page in ``locale``; ``error`` names the words of the refusal to show."""
    hours = int(SESSION_LIFETIME.total_seconds() // 3600)
    message = texts(locale)[error] if error else None
    html = render("login.html", locale, next=next_path or "", error=message, hours=hours)
    return page(html, status)
