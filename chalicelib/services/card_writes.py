"""The one guarded write every card change goes through, and what a lost race answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.domain.cards import Card, CardEvent, Claim, Comment
from chalicelib.ports.cards import card_store
from chalicelib.ports.errors import ClaimTakenError, WriteConflictError
from chalicelib.services.errors import ConflictError

Claims = Callable[[Any], Sequence[Claim]]
"""Given the new card's id (or the new comment's seq), claims to write with it if new."""


def commit(
    card: Card,
    events: Sequence[CardEvent],
    comments: Sequence[Comment] = (),
    claims: Sequence[Claim] = (),
) -> Card:
    """Store a changed card with its events; the card as stored (ConflictError if it moved on).

    ClaimTakenError passes through: the caller knows what its claim means.
    """
    try:
        return card_store().save(card, events, comments, claims)
    except ClaimTakenError:
        raise
    except WriteConflictError as error:
        raise ConflictError(
            f"card {card.card_id} changed meanwhile; read it again and retry"
        ) from error
