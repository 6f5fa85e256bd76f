"""Automation matching: which SLA policies a card's rules want attached to it.

An automation names a board, conditions (``when``) and the SLA policies to
attach (``attach``), as ``docs/api.md`` ("Automations") describes. Every
key of ``when`` must hold (they are AND-ed); a rule without conditions
matches every card of its board. Matching reads the card's current state,
not its history: the rules ask about fields (card type, service, priority,
tags) that only the card itself carries.

Deciding what to attach also reads the history: an SLA already attached
stays as it is, and an SLA that someone detached from the card by hand is not
attached again by a rule (otherwise a detach could never stick, since the
detach is itself a change that runs the rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.events import CardEvent, EventKind
from chalicelib.domain.timers import pinned_versions

_SINGLE_VALUED = ("column_id", "lane_id", "card_type", "service", "assignee", "priority")


@dataclass(frozen=True, slots=True)
class CardState:
    """What automation rules may ask about a card: its place and its labels now."""

    board_id: str
    column_id: str
    lane_id: str | None = None
    card_type: str | None = None
    service: str | None = None
    assignee: str | None = None
    priority: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Automation:
    """One rule: on ``board_id``, when every condition holds, attach ``attach`` in order.

    ``body`` is the rule as the API accepted it and ``created_at`` when it was stored
    (what ``/automations`` answers); matching reads only the fields above them.
    """

    id: str
    board_id: str
    when: Mapping[str, Any]
    attach: tuple[str, ...]
    body: Mapping[str, Any] = field(default_factory=dict, compare=False)
    created_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_body(
        cls, automation_id: str, board_id: str, body: Mapping[str, Any], created_at: datetime
    ) -> Automation:
        """A rule from its stored body."""
        return cls(
            id=automation_id,
            board_id=board_id,
            when=body.get("when", {}),
            attach=tuple(body.get("attach", ())),
            body=body,
            created_at=created_at,
        )


def matches(automation: Automation, card: CardState) -> bool:
    """True when the card is on the rule's board and meets every condition of ``when``."""
    if automation.board_id != card.board_id:
        return False
    for key, wanted in automation.when.items():
        if wanted is None:
            continue
        if key == "tags_any":
            if not card.tags.intersection(wanted):
                return False
        elif key in _SINGLE_VALUED:
            if getattr(card, key) != wanted:
                return False
        else:
            # An unknown condition cannot be met: better to attach nothing than too much.
            return False
    return True


def slas_to_attach(
    automations: Iterable[Automation], card: CardState, history: Sequence[CardEvent]
) -> list[tuple[str, str]]:
    """The (sla_id, automation_id) pairs to attach now, each SLA once, in rule order.

    Leaves out SLAs attached to the card already and SLAs that were detached
    from it; the first matching rule that names an SLA is the one credited.
    """
    attached = pinned_versions(history)
    detached = {event.data["sla_id"] for event in history if event.kind == EventKind.SLA_DETACHED}
    wanted: dict[str, str] = {}
    for automation in automations:
        if not matches(automation, card):
            continue
        for sla_id in automation.attach:
            if sla_id in attached or sla_id in detached:
                continue
            wanted.setdefault(sla_id, automation.id)
    return list(wanted.items())
