"""Where an alert can go: the shape a target must have on each channel.

Subscriptions name a channel and a target; an SLA's escalation levels name
bare targets (``notify``), each an e-mail address or an SNS topic ARN.
Webhook and Slack targets are read with a URL parser, not a pattern
(``domain.target_urls.target_url``): ``https`` (the local stack also takes
``http``, for its sinks on loopback), and for Slack only Slack's webhook
host. Whether the host's addresses may be reached is decided when a
delivery connects (``adapters/channels/egress.py``).
"""

from __future__ import annotations

import re

from chalicelib import settings
from chalicelib.domain.target_urls import SLACK_WEBHOOK_HOST, target_url

_PATTERNS = {
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an e-mail address"),
    "sns": (
        re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$"),
        "an SNS topic ARN",
    ),
    "telegram": (re.compile(r"^-?\d+$|^@\w{5,}$"), "a Telegram chat id or @channel"),
}
_URLS = {"slack": "a Slack incoming webhook URL", "webhook": "an https URL"}


def target_problem(channel: str, target: str) -> str | None:
    """Why ``target`` cannot be a ``channel`` target (``"target must be ..."``), or None."""
    if channel in _URLS:
        url = target_url(target, http_allowed=settings.dev())
        ok = url is not None and (channel != "slack" or _on_slack(url.host, url.scheme))
        return None if ok else f"target must be {_URLS[channel]}"
    pattern, what = _PATTERNS[channel]
    return None if pattern.fullmatch(target) else f"target must be {what}"


def _on_slack(host: str, scheme: str) -> bool:
    return host == SLACK_WEBHOOK_HOST and scheme == "https"


def notify_channel(target: str) -> str:
    """The channel of an escalation's ``notify`` target: SNS for a topic ARN, else e-mail."""
    return "sns" if target.startswith("arn:") else "email"
