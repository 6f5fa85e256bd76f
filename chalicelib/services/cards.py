"""Cards: open, read, list, change, move, comment, attach and detach SLA policies.

Every change is one guarded write of the card and the events it adds
(``chalicelib.domain.events``); a change that lost a race answers 409 and
writes nothing. Timers are derived from the events elsewhere; until the timer
engine is wired in, a card shows none.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.adapters.card_items import CardEventItem, CardItem, CommentItem
from chalicelib.adapters.card_store import get_card_store
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.config_items import BoardItem
from chalicelib.adapters.store_errors import WriteConflictError
from chalicelib.adapters.versioned_store import get_sla_store
from chalicelib.domain.events import CardEvent, EventKind
from chalicelib.services.boards import find_board, load_board
from chalicelib.services.calendars import latest_calendar_version
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError

_SHOWN_IN_LISTS = {"running", "paused", "missed"}


# --- reading ----------------------------------------------------------------------------


def get_card(card_id: str) -> dict[str, Any]:
    """A card with its fields and timers."""
    return card_view(load_card(card_id))


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

    def keep(card: CardItem) -> bool:
        return violated is None or any(t["violated"] for t in card_timers(card)) == violated

    with refusals():
        items, next_cursor = get_card_store().list_board(board_id, filters, limit, cursor, keep)
    views = []
    for card in items:
        view = card_view(card)
        if not all_timers:
            view["timers"] = [t for t in view["timers"] if t["status"] in _SHOWN_IN_LISTS]
        views.append(view)
    return page(views, next_cursor)


def card_history(card_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the card's events, oldest first."""
    load_card(card_id)
    with refusals():
        items, next_cursor = get_card_store().events_page(card_id, limit, cursor)
    events = [{"seq": e.seq, "kind": e.kind, "at": e.at, "data": e.data} for e in items]
    return page(events, next_cursor)


def list_comments(card_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the card's comments, oldest first."""
    load_card(card_id)
    with refusals():
        items, next_cursor = get_card_store().comments_page(card_id, limit, cursor)
    return page([_comment_view(item) for item in items], next_cursor)


def load_history(card_id: str) -> list[CardEvent]:
    """The card's whole history as the timer engine reads it, oldest first."""
    return [
        CardEvent(seq=item.seq, at=item.at, kind=EventKind(item.kind), data=item.data)
        for item in get_card_store().events(card_id)
    ]


def load_card(card_id: str) -> CardItem:
    """The stored card, or 404."""
    card = get_card_store().get(card_id)
    if card is None:
        raise NotFoundError(f"no card {card_id}")
    return card


def card_timers(card: CardItem) -> list[dict[str, Any]]:
    """The card's timers as of now (none until the timer engine is wired in)."""
    return []


def card_view(card: CardItem) -> dict[str, Any]:
    """The card as the API answers it."""
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
        "slas": card.slas,
        "created_at": card.created_at,
        "updated_at": card.updated_at,
        "version": card.version,
        "timers": card_timers(card),
    }


def _comment_view(item: CommentItem) -> dict[str, Any]:
    return {
        "seq": item.seq,
        "body": item.body,
        "public": item.public,
        "author": item.author,
        "author_role": item.author_role,
        "at": item.at,
    }


# --- writing ----------------------------------------------------------------------------


def open_card(fields: dict[str, Any]) -> dict[str, Any]:
    """Create a card on a board; answers it with its ``status_url`` (shown only here)."""
    board = find_board(fields["board_id"], "board_id")
    column = _column(board, fields.get("column_id"), "column_id")
    lane_id = _lane(board, fields.get("lane_id"), "lane_id")
    _check_labels(board, fields)
    pins: list[dict[str, Any]] = []
    for index, sla_id in enumerate(fields["sla_ids"]):
        if all(pin["sla_id"] != sla_id for pin in pins):
            pins.append(_pin(sla_id, f"sla_ids[{index}]"))
    store = get_card_store()
    number = store.next_number(board.key)
    now = get_clock().now()
    token = secrets.token_urlsafe(32)
    card = store.new_card(
        f"{board.key}-{number}",
        board_id=board.board_id,
        number=number,
        title=fields["title"],
        description=fields.get("description"),
        requester=fields.get("requester"),
        card_type=fields.get("card_type"),
        service=fields.get("service"),
        priority=fields.get("priority"),
        tags=list(fields.get("tags") or []),
        column_id=column["id"],
        lane_id=lane_id,
        assignee=fields.get("assignee"),
        slas=pins,
        status_token_hash=hashlib.sha256(token.encode("ascii")).hexdigest(),
        created_at=now,
        updated_at=now,
    )
    events = [
        _event(card, EventKind.CREATED, _place_data(column, lane_id), now),
        *(_event(card, EventKind.SLA_ATTACHED, pin, now) for pin in pins),
    ]
    try:
        store.create(card, events, card.status_token_hash)
    except WriteConflictError as error:
        # Card numbers come from an atomic counter, so this means the counter was reset.
        raise ConflictError(f"card {card.card_id} already exists") from error
    return {**card_view(card), "status_url": f"/status/{token}"}


def update_card(card_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a card's fields (only those given); records one ``updated`` event."""
    card = load_card(card_id)
    board = load_board(card.board_id)
    if "title" in changes and changes["title"] is None:
        raise InvalidInputError("a card needs a title", field="title")
    if changes.get("lane_id") is not None:
        _lane(board, changes["lane_id"], "lane_id")
    _check_labels(board, changes)
    if "tags" in changes and changes["tags"] is None:
        changes = {**changes, "tags": []}
    changed = {name: value for name, value in changes.items() if getattr(card, name) != value}
    if not changed:
        return card_view(card)
    now = get_clock().now()
    for name, value in changed.items():
        setattr(card, name, value)
    _commit(card, [_event(card, EventKind.UPDATED, {"changes": changed}, now)], now)
    return card_view(card)


def move_card(card_id: str, column_id: str, lane_id: str | None) -> dict[str, Any]:
    """Move a card to a column (and lane); records one ``moved`` event."""
    card = load_card(card_id)
    board = load_board(card.board_id)
    column = _column(board, column_id, "column_id")
    new_lane = card.lane_id if lane_id is None else _lane(board, lane_id, "lane_id")
    if column["id"] == card.column_id and new_lane == card.lane_id:
        return card_view(card)
    now = get_clock().now()
    card.column_id, card.lane_id = column["id"], new_lane
    _commit(card, [_event(card, EventKind.MOVED, _place_data(column, new_lane), now)], now)
    return card_view(card)


def add_comment(card_id: str, body: str, public: bool, author: str | None) -> dict[str, Any]:
    """Add an agent's comment; a public one counts as a first reaction."""
    card = load_card(card_id)
    now = get_clock().now()
    event = _event(card, EventKind.COMMENTED, {"public": public, "author_role": "agent"}, now)
    comment = get_card_store().new_comment(
        card,
        event,
        body=body,
        public=public,
        author=author,
        author_role="agent",
        at=now,
    )
    _commit(card, [event], now, [comment])
    return _comment_view(comment)


def attach_sla(card_id: str, sla_id: str) -> dict[str, Any]:
    """Pin an SLA policy's latest version (and its calendar's) to the card."""
    card = load_card(card_id)
    if any(pin["sla_id"] == sla_id for pin in card.slas):
        return card_view(card)
    pin = _pin(sla_id, "sla_id")
    now = get_clock().now()
    card.slas = [*card.slas, pin]
    _commit(card, [_event(card, EventKind.SLA_ATTACHED, pin, now)], now)
    return card_view(card)


def detach_sla(card_id: str, sla_id: str) -> None:
    """Take an SLA policy off the card; its timers stop being shown."""
    card = load_card(card_id)
    if not any(pin["sla_id"] == sla_id for pin in card.slas):
        raise NotFoundError(f"SLA {sla_id} is not attached to card {card_id}")
    now = get_clock().now()
    card.slas = [pin for pin in card.slas if pin["sla_id"] != sla_id]
    _commit(card, [_event(card, EventKind.SLA_DETACHED, {"sla_id": sla_id}, now)], now)


# --- helpers ----------------------------------------------------------------------------


def _commit(
    card: CardItem,
    events: list[CardEventItem],
    now: datetime,
    comments: Iterable[CommentItem] = (),
) -> None:
    card.updated_at = now
    try:
        get_card_store().save(card, events, comments)
    except WriteConflictError as error:
        raise ConflictError(
            f"card {card.card_id} changed meanwhile; read it again and retry"
        ) from error


def _event(card: CardItem, kind: EventKind, data: dict[str, Any], at: datetime) -> CardEventItem:
    return get_card_store().next_event(card, kind.value, data, at)


def _place_data(column: dict[str, Any], lane_id: str | None) -> dict[str, Any]:
    return {"column_id": column["id"], "column_kind": column["kind"], "lane_id": lane_id}


def _column(board: BoardItem, column_id: str | None, field: str) -> dict[str, Any]:
    columns = board.body["columns"]
    if column_id is None:
        queue = next((column for column in columns if column["kind"] == "queue"), None)
        if queue is None:
            raise InvalidInputError("the board has no queue column: name one", field=field)
        return queue
    for column in columns:
        if column["id"] == column_id:
            return column
    raise InvalidInputError(f"board {board.key} has no column {column_id!r}", field=field)


def _lane(board: BoardItem, lane_id: str | None, field: str) -> str | None:
    lanes = board.body.get("lanes", [])
    if lane_id is None:
        return lanes[0]["id"] if lanes else None
    if any(lane["id"] == lane_id for lane in lanes):
        return lane_id
    raise InvalidInputError(f"board {board.key} has no lane {lane_id!r}", field=field)


def _check_labels(board: BoardItem, fields: dict[str, Any]) -> None:
    for field, allowed in (("card_type", "card_types"), ("service", "services")):
        value = fields.get(field)
        if value is not None and value not in board.body.get(allowed, []):
            raise InvalidInputError(
                f"board {board.key} has no {field} {value!r} (see its {allowed})", field=field
            )


def _pin(sla_id: str, field: str) -> dict[str, Any]:
    """The versions a card gets pinned to: the policy's latest and its calendar's latest."""
    sla = get_sla_store().latest(sla_id)
    if sla is None:
        raise InvalidInputError(f"no SLA policy {sla_id}", field=field)
    calendar_id = sla.body.get("calendar_id")
    calendar_version = None if calendar_id is None else latest_calendar_version(calendar_id)
    return {"sla_id": sla_id, "sla_version": sla.version, "calendar_version": calendar_version}
