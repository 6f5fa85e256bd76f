"""What SES's checks of a received message (spam, virus, SPF, DKIM, DMARC) allow sladesk to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class DropReason(StrEnum):
    """Why mail SES received is dropped unread: it opens no card and adds no comment."""

    VIRUS = "virus"
    """``virusVerdict`` FAIL: its files must never reach a card."""
    SPAM = "spam"
    """``spamVerdict`` FAIL: answering it would send backscatter to a forged sender."""
    SPOOFED = "spoofed"
    """``dmarcVerdict`` FAIL where the sender's domain asks for ``p=reject``."""


_VERDICTS = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")
_FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class ReceiptJudgement:
    """What SES's checks of one received message allow (see ``judge_receipt``)."""

    dropped: DropReason | None
    """Why the message is dropped unread; None when it is taken."""
    answer: bool
    """Whether a card it opens may be acknowledged to its sender."""
    verdicts: dict[str, str]
    """Each verdict's status as SES gave it (a missing one counts as ``PASS``), for logs."""


def judge_receipt(receipt: dict[str, Any]) -> ReceiptJudgement:
    """Judge a message by the ``receipt`` object of its SES notification.

    A virus, spam, or a DMARC failure whose domain asks for ``p=reject``
    (spoofed) drops it. A DMARC failure under ``p=quarantine`` takes it
    but never answers it: the sender may be forged, and an acknowledgement
    would go to whoever was impersonated. ``GRAY`` and ``PROCESSING_FAILED``
    take it as usual, as do SPF or DKIM failures alone (forwarding breaks
    them; DMARC is what says whether the sender's domain vouches for it).
    A verdict that is missing (a receipt rule without scanning, the local
    stack) counts as ``PASS``.
    """
    verdicts = {name: _status(receipt.get(name)) for name in _VERDICTS}
    policy = str(receipt.get("dmarcPolicy") or "").strip().lower()
    dmarc_failed = verdicts["dmarcVerdict"] == _FAIL
    dropped = None
    if verdicts["virusVerdict"] == _FAIL:
        dropped = DropReason.VIRUS
    elif verdicts["spamVerdict"] == _FAIL:
        dropped = DropReason.SPAM
    elif dmarc_failed and policy == "reject":
        dropped = DropReason.SPOOFED
    answer = dropped is None and not (dmarc_failed and policy == "quarantine")
    return ReceiptJudgement(dropped=dropped, answer=answer, verdicts=verdicts)


def _status(verdict: Any) -> str:
    status = verdict.get("status") if isinstance(verdict, dict) else None
    return str(status).strip().upper() if status else "PASS"
