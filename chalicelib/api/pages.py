"""HTML answers of the public pages: the page response, its language, and refusals as pages.

Pages are served with headers that keep them self-contained (no external
assets, no scripts: ``Content-Security-Policy``), uncached (they show
personal data), and without a ``Referer`` leaving them (the status page's
address is its secret).
"""

from __future__ import annotations

from chalice import Response
from chalice.app import Request

from chalicelib.rendering import choose_locale, render

_PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def page(html: str, status: int = 200) -> Response:
    """An HTML page."""
    return Response(body=html, status_code=status, headers=dict(_PAGE_HEADERS))


def locale_of(request: Request) -> str:
    """The page language the request's ``Accept-Language`` prefers (en or ru)."""
    return choose_locale(request.headers.get("accept-language"))


def wants_html(request: Request) -> bool:
    """Whether the client prefers an HTML page to JSON (a browser does; an API client does not)."""
    html = _quality(request.headers.get("accept") or "", "text/html")
    json = _quality(request.headers.get("accept") or "", "application/json")
    return html > json


def error_page(request: Request, refusal: Response) -> Response:
    """A refusal as a page for browsers, with the same status; JSON clients get it unchanged."""
    if not wants_html(request) or not isinstance(refusal.body, dict):
        return refusal
    message = str(refusal.body.get("error", {}).get("message", ""))
    html = render("error.html", locale_of(request), message=message)
    return page(html, refusal.status_code)


def _quality(accept: str, media_type: str) -> float:
    """The ``q`` an Accept header gives ``media_type`` (exact, ``type/*`` or ``*/*``); 0 if none."""
    kind = media_type.split("/", 1)[0]
    best = (-1, 0.0)
    for item in accept.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        name = name.lower()
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(name)
        if specificity is None:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = max(best, (specificity, quality))
    return best[1]
