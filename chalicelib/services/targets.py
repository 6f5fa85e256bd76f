"""Where an alert can go: the shape a target must have on each channel.

Subscriptions name a channel and a target; an SLA's escalation levels name
bare targets (``notify``), each an e-mail address or an SNS topic ARN.
"""

from __future__ import annotations

import re

_TARGETS = {
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an e-mail address"),
    "sns": (
        re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$"),
        "an SNS topic ARN",
    ),
    "slack": (re.compile(r"^https?://\S+$"), "a Slack incoming webhook URL"),
    "telegram": (re.compile(r"^-?\d+$|^@\w{5,}$"), "a Telegram chat id or @channel"),
    "webhook": (re.compile(r"^https?://\S+$"), "an http(s) URL"),
}


def target_problem(channel: str, target: str) -> str | None:
    """Why ``target`` cannot be a ``channel`` target (``"target must be ..."``), or None."""
    pattern, what = _TARGETS[channel]
    return None if pattern.match(target) else f"target must be {what}"


def notify_channel(target: str) -> str:
    """The channel of an escalation's ``notify`` target: SNS for a topic ARN, else e-mail."""
    return "sns" if target.startswith("arn:") else "email"
