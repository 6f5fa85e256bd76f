"""Where the site's pages live under the address requesters and staff use.

``SLADESK_PUBLIC_URL`` is that address (links in mail start with it). Its
path is the prefix of every link a page or redirect gives: empty on a custom
domain mapped at its root, ``/api`` when people use API Gateway's own stage
address (``https://<id>.execute-api.<region>.amazonaws.com/api``), whose
paths all start with the stage.

Pure (it reads a setting and joins strings), so services, pages and adapters all
build their links here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chalicelib import settings


def public_link(path: str) -> str:
    """``path`` of the API as a link for mail: prefixed with ``SLADESK_PUBLIC_URL`` when set."""
    return settings.public_url() + path


def site_path(path: str) -> str:
    """``path`` (of a route, such as ``/login``) as a link on the public address."""
    base = urlsplit(settings.public_url()).path.rstrip("/")
    return base + path
