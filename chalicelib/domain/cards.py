"""Cards as the services see them: a card's state, its comments, and the events a change adds.

A card is a value: a change makes a new ``Card`` (``dataclasses.replace``) together with
the events it records (``Card.record``), and the card store writes both at once, guarded
by the version the card was read at (``docs/design.md``, "Cards"). ``CardEvent`` and
``EventKind`` (``chalicelib.domain.events``) are the history the timer engine reads;
they are exported here too so that card code needs one import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.automations import CardState
from chalicelib.domain.events import CardEvent, ColumnKind, EventKind

__all__ = [
    "Card",
    "CardEvent",
    "Claim",
    "ColumnKind",
    "Comment",
    "EventKind",
    "card_id_of",
    "same_pin",
]


def card_id_of(board_key: str, number: int) -> str:
    """A card's id: its board's key and its number on that board (``SUP-42``)."""
    return f"{board_key}-{number}"


@dataclass(frozen=True, slots=True)
class Card:
    """A card's current state.

    ``slas`` are the pins of the attached SLA policies (``sla_id``, ``sla_version``,
    ``calendar_version``); ``requester`` and each of ``attachments`` are kept as
    received. ``last_seq`` is the sequence number of the newest event; ``version``
    counts stored writes (0 for a card not stored yet) and guards the next one.
    """

    card_id: str
    board_id: str
    number: int
    title: str
    column_id: str
    status_token_hash: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    requester: Mapping[str, Any] | None = None
    card_type: str | None = None
    service: str | None = None
    priority: str | None = None
    tags: Sequence[str] = ()
    lane_id: str | None = None
    assignee: str | None = None
    slas: Sequence[Mapping[str, Any]] = ()
    channel: str | None = None
    attachments: Sequence[Mapping[str, Any]] = ()
    last_seq: int = 0
    version: int = 0

    def record(
        self, entries: Sequence[tuple[EventKind, Mapping[str, Any]]], at: datetime
    ) -> tuple[Card, list[CardEvent]]:
        """The card after a change at ``at`` and the events (numbered on) that record it."""
        events = [
            CardEvent(seq=self.last_seq + offset, at=at, kind=kind, data=data)
            for offset, (kind, data) in enumerate(entries, start=1)
        ]
        return replace(self, last_seq=self.last_seq + len(events), updated_at=at), events

    def pin(self, sla_id: str) -> Mapping[str, Any] | None:
        """The pin of an attached SLA policy, or None when it is not attached."""
        return next((pin for pin in self.slas if pin["sla_id"] == sla_id), None)

    def state(self) -> CardState:
        """What automation rules may ask about the card now."""
        return CardState(
            board_id=self.board_id,
            column_id=self.column_id,
            lane_id=self.lane_id,
            card_type=self.card_type,
            service=self.service,
            assignee=self.assignee,
            priority=self.priority,
            tags=frozenset(self.tags or ()),
        )


def same_pin(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether two pins name the same policy version and calendar version."""
    return (one["sla_version"], one.get("calendar_version")) == (
        other["sla_version"],
        other.get("calendar_version"),
    )


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment's text; ``seq`` is the ``commented`` event written with it."""

    card_id: str
    seq: int
    body: str
    public: bool
    author_role: str
    at: datetime
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A record written with a card change only if nothing is stored under its key yet.

    It makes a repeated delivery act once: a received Message-ID, a chat callback id.
    ``key`` identifies it among all claims; ``record`` is what the area that owns the
    claim keeps under that key (its store builds it and reads it back). The card store
    raises ClaimTakenError, and writes nothing, when the key is taken.
    """

    key: str
    record: object = field(default=None, compare=False)
