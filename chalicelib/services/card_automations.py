"""Automation rules applied to cards: what they attach when a card opens or changes.

Matching is pure (``chalicelib.domain.automations``); this module reads a board's
rules, pins each matched SLA to its version current now, and records the rule
(``automation_id``) in the ``sla_attached`` event it adds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from chalicelib.domain.automations import Automation, CardState, slas_to_attach
from chalicelib.domain.cards import Card, CardEvent, EventKind
from chalicelib.ports.cards import automation_store
from chalicelib.ports.clock import now
from chalicelib.services.card_writes import commit
from chalicelib.services.pinning import PinnedVersions

Attach = tuple[Mapping[str, Any], str]
"""A pin to attach and the id of the rule that asks for it."""


def card_state(card: Card) -> CardState:
    """What automation rules may ask about the card, from its current state."""
    return card.state()


def board_automations(board_id: str) -> list[Automation]:
    """The board's automation rules, as the pure matcher takes them (one query)."""
    return automation_store().for_board(board_id)


def pins_at_open(card: Card, versions: PinnedVersions) -> list[Attach]:
    """Pins for the SLAs the board's rules attach to a card being opened.

    An SLA the card names itself stays as named; a rule naming a deleted SLA
    attaches nothing.
    """
    matched = slas_to_attach(board_automations(card.board_id), card.state(), ())
    return _new_pins(card, matched, versions)


def attached_entries(pins: Sequence[Attach]) -> list[tuple[EventKind, Mapping[str, Any]]]:
    """The ``sla_attached`` events that record rules' attaches."""
    return [
        (EventKind.SLA_ATTACHED, {**pin, "automation_id": automation_id})
        for pin, automation_id in pins
    ]


def attach_by_automation(
    card: Card, attachments: list[tuple[str, str]], versions: PinnedVersions
) -> list[CardEvent]:
    """Attach SLAs that automation rules matched; answers the events it added.

    Each attach is pinned to the SLA's version current now and records the
    rule (``automation_id``) in its event. The write is guarded by the card's
    version like any change, so a repeated or racing attempt cannot attach
    twice: it loses (ConflictError; read the card again) or finds the SLA
    attached already.
    """
    pins = _new_pins(card, attachments, versions)
    if not pins:
        return []
    attached = replace(card, slas=[*card.slas, *(pin for pin, _ in pins)])
    changed, events = attached.record(attached_entries(pins), now())
    commit(changed, events)
    return events


def _new_pins(
    card: Card, attachments: Sequence[tuple[str, str]], versions: PinnedVersions
) -> list[Attach]:
    pins: list[Attach] = []
    for sla_id, automation_id in attachments:
        pin = versions.latest_pin(sla_id)
        if pin is not None and card.pin(sla_id) is None:
            pins.append((pin, automation_id))
    return pins
