"""Mail sent by a machine (RFC 3834): it may open a card but must never be answered."""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from enum import StrEnum


class AutoSubmittedReason(StrEnum):
    """Why a message counts as sent by a machine (RFC 3834): it must never be answered."""

    OWN_ADDRESS = "own_address"
    """Sent from one of our own addresses: answering it would answer ourselves."""
    AUTO_SUBMITTED_HEADER = "auto_submitted_header"
    """``Auto-Submitted`` with any value but ``no`` (RFC 3834)."""
    DELIVERY_REPORT = "delivery_report"
    """``multipart/report``: a bounce (RFC 3464) or a read receipt (RFC 8098)."""
    SYSTEM_SENDER = "system_sender"
    """From ``mailer-daemon@`` or ``postmaster@``."""
    NULL_RETURN_PATH = "null_return_path"
    """``Return-Path: <>``: RFC 3834 forbids answering mail with a null return path."""
    AUTORESPONDER_HEADER = "autoresponder_header"
    """``X-Autoreply`` or ``X-Autorespond``, set by autoresponders that predate RFC 3834."""
    BULK_PRECEDENCE = "bulk_precedence"
    """``Precedence: bulk``, ``junk`` or ``list``."""
    MAILING_LIST = "mailing_list"
    """``List-Id`` or ``List-Unsubscribe`` (RFC 2369, RFC 2919)."""


# Local parts of the addresses mail systems send bounces and reports from.
_SYSTEM_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
_KEYWORD = re.compile(r"[\w-]+")


def auto_submitted_reason(
    sender_address: str,
    own_addresses: Set[str],
    header: Callable[[str], str],
    content_type: str,
) -> AutoSubmittedReason | None:
    """Why the message must not be answered, or None when a person sent it.

    ``header`` gives a header's first value as one line (empty when absent),
    ``content_type`` is the message's own. Checked from the most to the least
    certain sign; the first that holds is the reason.
    """
    if sender_address in own_addresses:
        return AutoSubmittedReason.OWN_ADDRESS
    if _first_word(header("Auto-Submitted")) not in ("", "no"):
        return AutoSubmittedReason.AUTO_SUBMITTED_HEADER
    if content_type == "multipart/report":
        return AutoSubmittedReason.DELIVERY_REPORT
    if sender_address.partition("@")[0] in _SYSTEM_SENDERS:
        return AutoSubmittedReason.SYSTEM_SENDER
    if header("Return-Path").replace(" ", "") == "<>":
        return AutoSubmittedReason.NULL_RETURN_PATH
    if any(
        _first_word(header(name)) not in ("", "no") for name in ("X-Autoreply", "X-Autorespond")
    ):
        return AutoSubmittedReason.AUTORESPONDER_HEADER
    if _first_word(header("Precedence")) in _BULK_PRECEDENCE:
        return AutoSubmittedReason.BULK_PRECEDENCE
    # List-Id and List-Unsubscribe count as automatic too. RFC 3834 (section 2)
    # lets a responder stay silent on List-* fields, and it should: an answer
    # to a list post goes to every member or loops through the list, and
    # newsletters carry List-Unsubscribe. A person writing from their own
    # mail client never sends these headers. The price: mail that reaches
    # sladesk through a group address (a Google Group forwarding support@)
    # gets no acknowledgement; it still opens a card.
    if header("List-Id") or header("List-Unsubscribe"):
        return AutoSubmittedReason.MAILING_LIST
    return None


def _first_word(value: str) -> str:
    """The keyword of a header like ``Auto-Submitted: auto-replied (vacation)``, lower-cased."""
    match = _KEYWORD.match(value.strip())
    return match.group().lower() if match else ""
