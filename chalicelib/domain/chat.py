"""A chat callback sladesk has acted on: what it did and what the chat was told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ChatCallbackRecord:
    """One button press acted on, kept so that a repeat of it answers the same.

    ``outcome`` says what it did (``taken``, ``already_taken``, ...) and ``answer`` what
    the chat was told.
    """

    chat: str
    card_id: str
    outcome: str
    answer: str
    at: datetime
