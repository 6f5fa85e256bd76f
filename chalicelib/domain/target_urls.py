"""Webhook and Slack target URLs: read with a URL parser, and which addresses they may reach.

``target_url`` is the one reading of a target URL (the subscription check
and the delivery both use it); ``forbidden`` says whether an address
resolved for it is one a delivery never connects to (``docs/rules.md``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

SLACK_WEBHOOK_HOST = "hooks.slack.com"
MAX_URL_LENGTH = 2048

# Anything a URL must not carry: spaces, controls, line breaks (ASCII and Unicode).
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class TargetUrl:
    """A target URL as parsed: ``host`` IDNA-encoded and lower case, ``path`` with its query."""

    scheme: str
    host: str
    port: int
    path: str


def target_url(url: str, *, http_allowed: bool) -> TargetUrl | None:
    """``url`` parsed, or None when it cannot be a target.

    A target has at most ``MAX_URL_LENGTH`` characters and no space or
    control character, the scheme ``https`` (or ``http`` when
    ``http_allowed``: the local stack's sinks), a host IDNA can encode, no
    user part, and a port from 1 to 65535 when it names one.
    """
    if len(url) > MAX_URL_LENGTH or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for "44x" or 70000
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        return None
    schemes = ("https", "http") if http_allowed else ("https",)
    if parts.scheme not in schemes or not host or parts.username is not None or port == 0:
        return None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return TargetUrl(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def forbidden(address: IPAddress, *, loopback_allowed: bool = False) -> bool:
    """Whether a delivery must never connect to ``address``.

    Loopback, private (RFC 1918), link-local (the metadata service at
    169.254.169.254 among them), carrier-grade NAT, multicast, reserved and
    unspecified addresses, IPv6 unique-local and site-local ones, and IPv6
    addresses that carry an IPv4 one (mapped, 6to4, Teredo, NAT64) judged by
    the address they carry. ``loopback_allowed`` lets the local stack reach
    its sinks on loopback.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return forbidden(embedded, loopback_allowed=loopback_allowed)
        if address.is_site_local:
            return True
    if address.is_loopback:
        return not loopback_allowed
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_link_local
        or address in _SHARED
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
