"""The answer that hands out a file: a redirect to its short-lived download link.

The link is a bearer credential for a few minutes, so the redirect is never
cached, and the page it was followed from (a status page, whose address is
its secret) is not sent on as the ``Referer``.
"""

from __future__ import annotations

from chalice import Response

DOWNLOAD_STATUSES = {
    302: "To the file's download link (Location), valid for 5 minutes",
    400: "n is not a whole number",
}
"""What a download route answers besides its refusals, for ``/openapi.json``."""


def download_redirect(link: str) -> Response:
    """302 to ``link``."""
    headers: dict[str, str | list[str]] = {
        "Location": link,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }
    return Response(body="", status_code=302, headers=headers)
