"""The requester's status page (public; the token in its address is the secret)."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from chalice import Response
from chalice.app import Request

from chalicelib.api.auth import PUBLIC
from chalicelib.api.downloads import DOWNLOAD_STATUSES, download_redirect
from chalicelib.api.pages import error_page, locale_of, page, wants_html
from chalicelib.api.registry import HTML, JSON, endpoint
from chalicelib.api.schemas.status import RequestStatus, StatusQuery
from chalicelib.rendering import render
from chalicelib.services.attachments import status_file_link
from chalicelib.services.status import request_status


@cache
def _zones() -> list[str]:
    return sorted(available_timezones())


@endpoint(
    "GET",
    "/status/{token}",
    role=PUBLIC,
    query=StatusQuery,
    response=RequestStatus,
    answers=(HTML, JSON),
    headers={"Accept": "text/html for the page, application/json for JSON"},
    error_page=error_page,
)
def status_page(token: str, query: StatusQuery, request: Request) -> dict | Response:
    """The requester's view of their request and its SLA timers: HTML or JSON by ``Accept``."""
    locale = locale_of(request)
    shown = request_status(token, query.tz, locale)
    if not wants_html(request):
        return shown
    html = render("status.html", locale, request=shown, zones=_zones())
    return page(html)


@endpoint(
    "GET",
    "/status/{token}/files/{n}",
    role=PUBLIC,
    answers=(),
    status=302,
    other_statuses=DOWNLOAD_STATUSES,
    error_page=error_page,
)
def status_file(token: str, n: str) -> Response:
    """Download the n-th file (from 1) the status page lists: saved, never shown."""
    return download_redirect(status_file_link(token, n))
