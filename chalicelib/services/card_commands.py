"""Card commands: open, change, move, take, comment, attach, detach and re-pin SLA policies.

Every change is one guarded write of the card and the events it adds
(``chalicelib.domain.events``, ``services.card_writes.commit``); a change that lost
a race answers 409 and writes nothing. Each command answers the card (or comment) as
``services.card_views`` shows it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from chalicelib.domain.boards import Column
from chalicelib.domain.cards import Card, Comment, EventKind, card_id_of, same_pin
from chalicelib.domain.timers import Pin, pinned_versions
from chalicelib.observability import count
from chalicelib.ports.cards import card_store
from chalicelib.ports.clock import now as clock_now
from chalicelib.ports.errors import ClaimTakenError, WriteConflictError
from chalicelib.services.boards import find_board, load_board
from chalicelib.services.card_automations import attached_entries, pins_at_open
from chalicelib.services.card_views import (
    card_view,
    comment_view,
    load_card,
    load_history,
    timers_under,
)
from chalicelib.services.card_writes import Claims, commit
from chalicelib.services.common import refusals
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError
from chalicelib.services.pinning import PinnedVersions


def open_card(fields: dict[str, Any], claims: Claims | None = None) -> dict[str, Any]:
    """Create a card on a board; answers it with its ``status_url`` (shown only here).

    ``claims(card_id)`` gives claims to write with the card, each only if new
    (intake's Message-ID claim); ClaimTakenError when one exists already.
    """
    board = find_board(fields["board_id"], "board_id")
    with refusals():
        column = board.column(fields.get("column_id"), "column_id")
        lane_id = board.lane(fields.get("lane_id"), "lane_id")
        board.check_labels(fields)
    pins: list[dict[str, Any]] = []
    for index, sla_id in enumerate(fields["sla_ids"]):
        if all(pin["sla_id"] != sla_id for pin in pins):
            pins.append(_pin(sla_id, f"sla_ids[{index}]"))
    store = card_store()
    number = store.next_number(board.key)
    now = clock_now()
    token = secrets.token_urlsafe(32)
    card = Card(
        card_id=card_id_of(board.key, number),
        board_id=board.board_id,
        number=number,
        title=fields["title"],
        description=fields.get("description"),
        requester=fields.get("requester"),
        card_type=fields.get("card_type"),
        service=fields.get("service"),
        priority=fields.get("priority"),
        tags=list(fields.get("tags") or []),
        column_id=column.id,
        lane_id=lane_id,
        assignee=fields.get("assignee"),
        slas=pins,
        channel=fields.get("channel"),
        attachments=list(fields.get("attachments") or []),
        status_token_hash=hashlib.sha256(token.encode("ascii")).hexdigest(),
        created_at=now,
        updated_at=now,
    )
    # The board's automation rules run here too, in the same write, so a new card
    # has its SLAs (and the acknowledgement its deadline) at once; the stream
    # handler then finds them attached and keeps running the rules on changes.
    by_rules = pins_at_open(card, PinnedVersions())
    card = replace(card, slas=[*pins, *(pin for pin, _ in by_rules)])
    card, events = card.record(
        [
            (EventKind.CREATED, column.place(lane_id)),
            *((EventKind.SLA_ATTACHED, pin) for pin in pins),
            *attached_entries(by_rules),
        ],
        now,
    )
    try:
        card = store.create(card, events, claims(card.card_id) if claims else ())
    except ClaimTakenError:
        raise
    except WriteConflictError as error:
        # Card numbers come from an atomic counter, so this means the counter was reset.
        raise ConflictError(f"card {card.card_id} already exists") from error
    count("CardsOpened", channel=card.channel or "api")
    return {**card_view(card), "status_url": f"/status/{token}"}


def update_card(card_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a card's fields (only those given); records one ``updated`` event."""
    card = load_card(card_id)
    board = load_board(card.board_id)
    if "title" in changes and changes["title"] is None:
        raise InvalidInputError("a card needs a title", field="title")
    with refusals():
        if changes.get("lane_id") is not None:
            board.lane(changes["lane_id"], "lane_id")
        board.check_labels(changes)
    if "tags" in changes and changes["tags"] is None:
        changes = {**changes, "tags": []}
    changed = {name: value for name, value in changes.items() if _value(card, name) != value}
    if not changed:
        return card_view(card)
    card, events = replace(card, **changed).record(
        [(EventKind.UPDATED, {"changes": changed})], clock_now()
    )
    return card_view(commit(card, events))


def _value(card: Card, name: str) -> Any:
    value = getattr(card, name)
    # Tags compare as the list a request gives.
    return list(value) if name == "tags" else value


def move_card(card_id: str, column_id: str, lane_id: str | None) -> dict[str, Any]:
    """Move a card to a column (and lane); records one ``moved`` event."""
    card = load_card(card_id)
    board = load_board(card.board_id)
    with refusals():
        column = board.column(column_id, "column_id")
        new_lane = card.lane_id if lane_id is None else board.lane(lane_id, "lane_id")
    if column.id == card.column_id and new_lane == card.lane_id:
        return card_view(card)
    card, events = replace(card, column_id=column.id, lane_id=new_lane).record(
        [(EventKind.MOVED, column.place(new_lane))], clock_now()
    )
    return card_view(commit(card, events))


def take_card(
    card: Card,
    assignee: str,
    column: Column | Mapping[str, Any],
    claims: Claims | None = None,
) -> dict[str, Any]:
    """Assign ``card`` (as read) and move it into ``column``: one write, two events.

    The ``updated`` and ``moved`` events are what a PATCH and a move would
    record, so history, timers and automations see an ordinary change. The
    write is guarded by the version ``card`` was read at (ConflictError when
    it changed since); ``claims(seq)`` are written as in ``open_card``.
    """
    into = column if isinstance(column, Column) else Column.of(column)
    entries: list[tuple[EventKind, Mapping[str, Any]]] = []
    if card.assignee != assignee:
        entries.append((EventKind.UPDATED, {"changes": {"assignee": assignee}}))
    if card.column_id != into.id:
        entries.append((EventKind.MOVED, into.place(card.lane_id)))
    if not entries:
        return card_view(card)
    card, events = replace(card, assignee=assignee, column_id=into.id).record(entries, clock_now())
    return card_view(commit(card, events, (), claims(events[-1].seq) if claims else ()))


def add_comment(
    card_id: str,
    body: str,
    public: bool,
    author: str | None,
    *,
    author_role: str = "agent",
    attachments: Iterable[Mapping[str, Any]] = (),
    claims: Claims | None = None,
) -> dict[str, Any]:
    """Add a comment; an agent's public one counts as a first reaction, a requester's does not.

    ``attachments`` (files that came with a requester's reply) join the
    card's list; ``claims(seq)`` are written as in ``open_card``.
    """
    card = load_card(card_id)
    now = clock_now()
    seq = card.last_seq + 1
    files = [{**file, "comment_seq": seq} for file in attachments]
    if files:
        card = replace(card, attachments=[*card.attachments, *files])
    card, events = card.record(
        [(EventKind.COMMENTED, {"public": public, "author_role": author_role})], now
    )
    comment = Comment(
        card_id=card.card_id,
        seq=events[0].seq,
        body=body,
        public=public,
        author=author,
        author_role=author_role,
        at=now,
    )
    commit(card, events, [comment], claims(seq) if claims else ())
    return comment_view(comment)


def attach_sla(card_id: str, sla_id: str) -> dict[str, Any]:
    """Pin an SLA policy's latest version (and its calendar's) to the card."""
    card = load_card(card_id)
    if card.pin(sla_id) is not None:
        return card_view(card)
    pin = _pin(sla_id, "sla_id")
    card, events = replace(card, slas=[*card.slas, pin]).record(
        [(EventKind.SLA_ATTACHED, pin)], clock_now()
    )
    return card_view(commit(card, events))


def detach_sla(card_id: str, sla_id: str) -> None:
    """Take an SLA policy off the card; its timers stop being shown."""
    card = load_card(card_id)
    if card.pin(sla_id) is None:
        raise NotFoundError(f"SLA {sla_id} is not attached to card {card_id}")
    kept = [pin for pin in card.slas if pin["sla_id"] != sla_id]
    card, events = replace(card, slas=kept).record(
        [(EventKind.SLA_DETACHED, {"sla_id": sla_id})], clock_now()
    )
    commit(card, events)


def repin_sla(card_id: str, sla_id: str, preview: bool) -> dict[str, Any]:
    """Re-pin an attached SLA to its latest version (and its calendar's), or preview that.

    The preview answers the card's timers under the pinned version beside
    those under the latest one, as of now; it writes nothing.
    """
    card = load_card(card_id)
    current = card.pin(sla_id)
    if current is None:
        raise NotFoundError(f"SLA {sla_id} is not attached to card {card_id}")
    versions = PinnedVersions()
    latest = versions.latest_pin(sla_id)
    if latest is None:
        raise ConflictError(f"SLA {sla_id} has no latest version to re-pin to")
    if preview:
        history = load_history(card_id)
        now = clock_now()
        pinned_now = pinned_versions(history)
        if sla_id not in pinned_now:
            raise ConflictError(f"card {card_id} changed meanwhile; read it again and retry")
        latest_pin = Pin(latest["sla_version"], latest.get("calendar_version"))
        return {
            "current": timers_under(history, versions, {sla_id: pinned_now[sla_id]}, now),
            "latest": timers_under(history, versions, {sla_id: latest_pin}, now),
        }
    if same_pin(latest, current):
        return card_view(card)
    repinned = [latest if pin["sla_id"] == sla_id else pin for pin in card.slas]
    card, events = replace(card, slas=repinned).record(
        [(EventKind.SLA_REPINNED, latest)], clock_now()
    )
    return card_view(commit(card, events))


def _pin(sla_id: str, field: str) -> dict[str, Any]:
    """The versions a card gets pinned to: the policy's latest and its calendar's latest."""
    pin = PinnedVersions().latest_pin(sla_id)
    if pin is None:
        raise InvalidInputError(f"no SLA policy {sla_id}", field=field)
    return pin
