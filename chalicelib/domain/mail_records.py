"""The Message-IDs sladesk has received or sent, as the intake services see them.

A received message is remembered with what it did (opened a card, or added a comment),
so that the same message delivered again answers the same and acts no more; a sent
message (an acknowledgement) is remembered so that a reply naming it finds its card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RECEIVED = "received"
SENT = "sent"


@dataclass(frozen=True, slots=True)
class MailRecord:
    """One Message-ID and the card it belongs to.

    ``direction`` is ``received`` or ``sent``; a received message also keeps its
    ``outcome`` (``card_opened`` or ``commented``) and, for a comment, its ``seq``.
    """

    card_id: str
    direction: str
    at: datetime
    outcome: str | None = None
    seq: int | None = None
