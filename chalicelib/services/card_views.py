"""Cards as the API answers them: read, list, history, comments and live timers.

A card's timers are evaluated live from its history at the server's clock
(``docs/api.md``, "Cards": a running timer's elapsed time grows between two reads
with no card change). The stored timers the stream handler keeps
(``chalicelib.services.timers``) serve the breach scanner and the reports, not
these views. Reading a card costs one history query plus one config read per
distinct SLA and calendar version; a page of the card list costs one history query
per card it examines (``violated=`` examines the cards it skips too) and reads each
version once for the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from chalicelib.domain.cards import Card, CardEvent, Comment
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.timers import (
    Pin,
    PinnedPolicy,
    Timer,
    TimerExplanation,
    evaluate,
    explain,
)
from chalicelib.links import site_path
from chalicelib.ports.cards import card_store
from chalicelib.ports.clock import now as clock_now
from chalicelib.services.boards import find_board
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import NotFoundError
from chalicelib.services.pinning import PinnedVersions

_SHOWN_IN_LISTS = {"running", "paused", "missed"}


def get_card(card_id: str) -> dict[str, Any]:
    """A card with its fields and timers."""
    return card_view(load_card(card_id))


def explain_card_timers(card_id: str) -> dict[str, Any]:
    """Each timer of the card with the stretches of time counted or not, and why."""
    load_card(card_id)
    history = load_history(card_id)
    pinned = PinnedVersions().for_history(history)
    now = clock_now()
    with refusals():
        explained = explain(history, pinned, now)
    return {
        "card_id": card_id,
        "now": now,
        "timers": [_explained_view(item, pinned) for item in explained],
    }


def list_cards(
    board_id: str,
    filters: dict[str, str],
    violated: bool | None,
    all_timers: bool,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """One page of a board's cards, filtered by place, assignee and violation."""
    find_board(board_id, "board_id")
    versions = PinnedVersions()
    now = clock_now()
    timers_of: dict[str, list[dict[str, Any]]] = {}

    def timers(card: Card) -> list[dict[str, Any]]:
        if card.card_id not in timers_of:
            timers_of[card.card_id] = card_timers(card, versions, now)
        return timers_of[card.card_id]

    def keep(card: Card) -> bool:
        return violated is None or any(t["violated"] for t in timers(card)) == violated

    with refusals():
        found, next_cursor = card_store().list_board(board_id, filters, limit, cursor, keep)
    views = []
    for card in found:
        shown = timers(card)
        if not all_timers:
            shown = [t for t in shown if t["status"] in _SHOWN_IN_LISTS]
        views.append(card_view(card, shown))
    return page(views, next_cursor)


def card_history(card_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the card's events, oldest first."""
    load_card(card_id)
    with refusals():
        events, next_cursor = card_store().events_page(card_id, limit, cursor)
    return page([event_view(event) for event in events], next_cursor)


def list_comments(card_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the card's comments, oldest first."""
    load_card(card_id)
    with refusals():
        comments, next_cursor = card_store().comments_page(card_id, limit, cursor)
    return page([comment_view(comment) for comment in comments], next_cursor)


def load_history(card_id: str) -> list[CardEvent]:
    """The card's whole history as the timer engine reads it, oldest first."""
    return card_store().events(card_id)


def load_card(card_id: str) -> Card:
    """The stored card, or 404."""
    card = card_store().get(card_id)
    if card is None:
        raise NotFoundError(f"no card {card_id}")
    return card


def card_timers(
    card: Card,
    versions: PinnedVersions | None = None,
    now: datetime | None = None,
    history: list[CardEvent] | None = None,
) -> list[dict[str, Any]]:
    """The card's timers as of ``now`` (the server's clock), as the API answers them.

    ``versions`` may be shared by the cards of one request; ``history`` saves
    the history query when the caller has it already.
    """
    if history is None:
        history = load_history(card.card_id)
    pinned = (versions or PinnedVersions()).for_history(history)
    return _timer_views(history, pinned, now or clock_now())


def timers_under(
    history: Sequence[CardEvent], versions: PinnedVersions, pins: Mapping[str, Pin], now: datetime
) -> list[dict[str, Any]]:
    """The timers of ``history`` as of ``now`` if its SLAs were pinned as ``pins`` say."""
    return _timer_views(history, versions.pinned(pins), now)


def _timer_views(
    history: Sequence[CardEvent], pinned: Mapping[str, PinnedPolicy], now: datetime
) -> list[dict[str, Any]]:
    with refusals():
        timers = evaluate(history, pinned, now)
    return [timer_view(timer, pinned[timer.sla_id].policy) for timer in timers]


def timer_view(timer: Timer, policy: SlaPolicy) -> dict[str, Any]:
    """One timer as ``docs/api.md`` shows it: whole seconds, the policy's name."""
    target = _whole_seconds(timer.target)
    elapsed = _whole_seconds(timer.elapsed)
    return {
        "sla_id": timer.sla_id,
        "sla_name": policy.name,
        "sla_version": timer.sla_version,
        "rule_id": timer.rule_id,
        "kind": timer.kind.value,
        "status": timer.status.value,
        "violated": timer.violated,
        "color": timer.color,
        "target_seconds": target,
        "elapsed_seconds": elapsed,
        "remaining_seconds": max(0, target - elapsed),
        "overdue_seconds": max(0, elapsed - target),
        "started_at": timer.started_at,
        "deadline": timer.deadline,
        "stopped_at": timer.stopped_at,
    }


def card_view(card: Card, timers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The card as the API answers it; its timers are evaluated now unless given."""
    return {
        "id": card.card_id,
        "board_id": card.board_id,
        "number": card.number,
        "title": card.title,
        "description": card.description,
        "requester": card.requester,
        "card_type": card.card_type,
        "service": card.service,
        "priority": card.priority,
        "tags": list(card.tags or []),
        "column_id": card.column_id,
        "lane_id": card.lane_id,
        "assignee": card.assignee,
        "slas": [dict(pin) for pin in card.slas],
        "channel": card.channel,
        "attachments": [
            {**file, "url": _file_url(card.card_id, position, file)}
            for position, file in enumerate(card.attachments or [], start=1)
        ],
        "created_at": card.created_at,
        "updated_at": card.updated_at,
        "version": card.version,
        "timers": card_timers(card) if timers is None else timers,
    }


def event_view(event: CardEvent) -> dict[str, Any]:
    """One history entry as the API answers it."""
    return {"seq": event.seq, "kind": event.kind.value, "at": event.at, "data": event.data}


def comment_view(comment: Comment) -> dict[str, Any]:
    """One comment as the API answers it."""
    return {
        "seq": comment.seq,
        "body": comment.body,
        "public": comment.public,
        "author": comment.author,
        "author_role": comment.author_role,
        "at": comment.at,
    }


def _file_url(card_id: str, position: int, file: Mapping[str, Any]) -> str | None:
    """Where an agent downloads the card's ``position``-th file; None when it was not kept."""
    if not file.get("object_key"):
        return None
    return site_path(f"/cards/{quote(card_id, safe='')}/attachments/{position}")


def _whole_seconds(amount: timedelta) -> int:
    return amount // timedelta(seconds=1)


def _explained_view(item: TimerExplanation, pinned: Mapping[str, PinnedPolicy]) -> dict[str, Any]:
    return {
        **timer_view(item.timer, pinned[item.timer.sla_id].policy),
        "segments": [
            {
                "start": segment.start,
                "end": segment.end,
                "reason": segment.reason.value,
                "counted": segment.counted,
                "seconds": _whole_seconds(segment.duration),
            }
            for segment in item.segments
        ],
    }
