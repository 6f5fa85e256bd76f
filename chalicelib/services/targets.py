"""Where an alert can go: the shape a target must have on each channel.

Subscriptions name a channel and a target; an SLA's escalation levels name
bare targets (``notify``), each an e-mail address or an SNS topic ARN.
Webhook and Slack targets are read with a URL parser, not a pattern: a
scheme of ``https`` (the local stack also takes ``http``, for its sinks on
loopback), a host that IDNA can encode, a valid port, no user part, and for
Slack only Slack's webhook host (``docs/rules.md``). Whether the host's
addresses may be reached is decided when a delivery connects
(``adapters/channels/egress.py``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from chalicelib import settings

SLACK_WEBHOOK_HOST = "hooks.slack.com"
MAX_URL_LENGTH = 2048

_PATTERNS = {
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an e-mail address"),
    "sns": (
        re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$"),
        "an SNS topic ARN",
    ),
    "telegram": (re.compile(r"^-?\d+$|^@\w{5,}$"), "a Telegram chat id or @channel"),
}
_URLS = {"slack": "a Slack incoming webhook URL", "webhook": "an https URL"}
# Anything a URL must not carry: spaces, controls, line breaks (ASCII and Unicode).
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def target_problem(channel: str, target: str) -> str | None:
    """Why ``target`` cannot be a ``channel`` target (``"target must be ..."``), or None."""
    if channel in _URLS:
        host = url_host(target)
        ok = host is not None and (channel != "slack" or host == SLACK_WEBHOOK_HOST)
        return None if ok else f"target must be {_URLS[channel]}"
    pattern, what = _PATTERNS[channel]
    return None if pattern.fullmatch(target) else f"target must be {what}"


def url_host(url: str) -> str | None:
    """The host (IDNA-encoded, lower case) of an acceptable webhook URL, or None.

    Acceptable: at most ``MAX_URL_LENGTH`` characters with no space or
    control character, ``https`` (or ``http`` on the local stack), a host,
    no user part, and a port (when given) from 1 to 65535.
    """
    if len(url) > MAX_URL_LENGTH or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for "44x" or 70000
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        return None
    schemes = ("https", "http") if settings.dev() else ("https",)
    if parts.scheme not in schemes or not host or parts.username is not None or port == 0:
        return None
    return host


def notify_channel(target: str) -> str:
    """The channel of an escalation's ``notify`` target: SNS for a topic ARN, else e-mail."""
    return "sns" if target.startswith("arn:") else "email"
