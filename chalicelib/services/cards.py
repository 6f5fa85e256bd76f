"""Cards: open, read, list, change, move, comment, attach, detach and re-pin SLA policies.

Every change is one guarded write of the card and the events it adds
(``chalicelib.domain.events``); a change that lost a race answers 409 and
writes nothing.

A card's timers are evaluated live from its history at the server's clock
(``../shared/API.md``, "Cards": a running timer's elapsed time grows between
two reads with no card change). The stored timers the stream handler keeps
(``chalicelib.services.timers``) serve the breach scanner and the reports,
not these views. Reading a card costs one history query plus one config read
per distinct SLA and calendar version; a page of the card list costs one
history query per card it examines (``violated=`` examines the cards it
skips too) and reads each version once for the whole page.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from chalicelib.adapters.automation_store import get_automation_store
from chalicelib.adapters.card_items import CardEventItem, CardItem, CommentItem
from chalicelib.adapters.card_store import ClaimTakenError, get_card_store
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.config_items import BoardItem
from chalicelib.adapters.site import site_path
from chalicelib.adapters.store_errors import WriteConflictError
from chalicelib.domain.automations import Automation, CardState, slas_to_attach
from chalicelib.domain.events import CardEvent, EventKind
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.timers import (
    Pin,
    PinnedPolicy,
    Timer,
    TimerExplanation,
    evaluate,
    explain,
    pinned_versions,
)
from chalicelib.observability import count
from chalicelib.services.boards import find_board, load_board
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError
from chalicelib.services.pinning import PinnedVersions

_SHOWN_IN_LISTS = {"running", "paused", "missed"}

Claims = Callable[[Any], Sequence[Any]]
"""Given the new card's id (or the new comment's seq), items to write with it if new."""


# --- reading ----------------------------------------------------------------------------


def get_card(card_id: str) -> dict[str, Any]:
    """A card with its fields and timers."""
    return card_view(load_card(card_id))


def explain_card_timers(card_id: str) -> dict[str, Any]:
    """Each timer of the card with the stretches of time counted or not, and why."""
    load_card(card_id)
    history = load_history(card_id)
    versions = PinnedVersions()
    pinned = versions.for_history(history)
    now = get_clock().now()
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
    now = get_clock().now()
    timers_of: dict[str, list[dict[str, Any]]] = {}

    def timers(card: CardItem) -> list[dict[str, Any]]:
        if card.card_id not in timers_of:
            timers_of[card.card_id] = card_timers(card, versions, now)
        return timers_of[card.card_id]

    def keep(card: CardItem) -> bool:
        return violated is None or any(t["violated"] for t in timers(card)) == violated

    with refusals():
        items, next_cursor = get_card_store().list_board(board_id, filters, limit, cursor, keep)
    views = []
    for card in items:
        shown = timers(card)
        if not all_timers:
            shown = [t for t in shown if t["status"] in _SHOWN_IN_LISTS]
        views.append(card_view(card, shown))
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


def card_timers(
    card: CardItem,
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
    versions = versions or PinnedVersions()
    pinned = versions.for_history(history)
    with refusals():
        timers = evaluate(history, pinned, now or get_clock().now())
    return [timer_view(timer, pinned[timer.sla_id].policy) for timer in timers]


def timer_view(timer: Timer, policy: SlaPolicy) -> dict[str, Any]:
    """One timer as ``../shared/API.md`` shows it: whole seconds, the policy's name."""
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


def card_view(card: CardItem, timers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
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
        "slas": card.slas,
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


def _file_url(card_id: str, position: int, file: dict[str, Any]) -> str | None:
    """Where an agent downloads the card's ``position``-th file; None when it was not kept."""
    if not file.get("object_key"):
        return None
    return site_path(f"/cards/{quote(card_id, safe='')}/attachments/{position}")


def _whole_seconds(amount: timedelta) -> int:
    return amount // timedelta(seconds=1)


def _explained_view(item: TimerExplanation, pinned: dict[str, PinnedPolicy]) -> dict[str, Any]:
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


def open_card(fields: dict[str, Any], claims: Claims | None = None) -> dict[str, Any]:
    """Create a card on a board; answers it with its ``status_url`` (shown only here).

    ``claims(card_id)`` gives items to write with the card, each only if new
    (intake's Message-ID claim); ClaimTakenError when one exists already.
    """
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
        channel=fields.get("channel"),
        attachments=list(fields.get("attachments") or []),
        status_token_hash=hashlib.sha256(token.encode("ascii")).hexdigest(),
        created_at=now,
        updated_at=now,
    )
    events = [
        _event(card, EventKind.CREATED, _place_data(column, lane_id), now),
        *(_event(card, EventKind.SLA_ATTACHED, pin, now) for pin in pins),
    ]
    # The board's automation rules run here too, in the same write, so a new card
    # has its SLAs (and the acknowledgement its deadline) at once; the stream
    # handler then finds them attached and keeps running the rules on changes.
    for pin, automation_id in _automation_pins(card, PinnedVersions()):
        card.slas = [*card.slas, pin]
        events.append(
            _event(card, EventKind.SLA_ATTACHED, {**pin, "automation_id": automation_id}, now)
        )
    try:
        store.create(card, events, card.status_token_hash, claims(card.card_id) if claims else ())
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


def take_card(
    card: CardItem, assignee: str, column: dict[str, Any], claims: Claims | None = None
) -> dict[str, Any]:
    """Assign ``card`` (as read) and move it into ``column``: one write, two events.

    The ``updated`` and ``moved`` events are what a PATCH and a move would
    record, so history, timers and automations see an ordinary change. The
    write is guarded by the version ``card`` was read at (ConflictError when
    it changed since); ``claims(seq)`` are written as in ``open_card``.
    """
    now = get_clock().now()
    events = []
    if card.assignee != assignee:
        changes = {"assignee": assignee}
        card.assignee = assignee
        events.append(_event(card, EventKind.UPDATED, {"changes": changes}, now))
    if card.column_id != column["id"]:
        card.column_id = column["id"]
        events.append(_event(card, EventKind.MOVED, _place_data(column, card.lane_id), now))
    if events:
        _commit(card, events, now, (), claims(events[-1].seq) if claims else ())
    return card_view(card)


def add_comment(
    card_id: str,
    body: str,
    public: bool,
    author: str | None,
    *,
    author_role: str = "agent",
    attachments: Iterable[dict[str, Any]] = (),
    claims: Claims | None = None,
) -> dict[str, Any]:
    """Add a comment; an agent's public one counts as a first reaction, a requester's does not.

    ``attachments`` (files that came with a requester's reply) join the
    card's list; ``claims(seq)`` are written as in ``open_card``.
    """
    card = load_card(card_id)
    now = get_clock().now()
    event = _event(card, EventKind.COMMENTED, {"public": public, "author_role": author_role}, now)
    comment = get_card_store().new_comment(
        card,
        event,
        body=body,
        public=public,
        author=author,
        author_role=author_role,
        at=now,
    )
    files = [{**file, "comment_seq": event.seq} for file in attachments]
    if files:
        card.attachments = [*(card.attachments or []), *files]
    _commit(card, [event], now, [comment], claims(event.seq) if claims else ())
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


def repin_sla(card_id: str, sla_id: str, preview: bool) -> dict[str, Any]:
    """Re-pin an attached SLA to its latest version (and its calendar's), or preview that.

    The preview answers the card's timers under the pinned version beside
    those under the latest one, as of now; it writes nothing.
    """
    card = load_card(card_id)
    current = next((pin for pin in card.slas if pin["sla_id"] == sla_id), None)
    if current is None:
        raise NotFoundError(f"SLA {sla_id} is not attached to card {card_id}")
    versions = PinnedVersions()
    latest = versions.latest_pin(sla_id)
    if latest is None:
        raise ConflictError(f"SLA {sla_id} has no latest version to re-pin to")
    if preview:
        history = load_history(card_id)
        now = get_clock().now()
        pinned_now = pinned_versions(history)
        if sla_id not in pinned_now:
            raise ConflictError(f"card {card_id} changed meanwhile; read it again and retry")
        return {
            "current": _timers_under(history, versions, {sla_id: pinned_now[sla_id]}, now),
            "latest": _timers_under(history, versions, {sla_id: _pin_value(latest)}, now),
        }
    if _pin_value(latest) == _pin_value(current):
        return card_view(card)
    now = get_clock().now()
    card.slas = [latest if pin["sla_id"] == sla_id else pin for pin in card.slas]
    _commit(card, [_event(card, EventKind.SLA_REPINNED, latest, now)], now)
    return card_view(card)


def card_state(card: CardItem) -> CardState:
    """What automation rules may ask about the card, from its current item."""
    return CardState(
        board_id=card.board_id,
        column_id=card.column_id,
        lane_id=card.lane_id,
        card_type=card.card_type,
        service=card.service,
        assignee=card.assignee,
        priority=card.priority,
        tags=frozenset(card.tags or ()),
    )


def board_automations(board_id: str) -> list[Automation]:
    """The board's automation rules, as the pure matcher takes them (one query)."""
    return [
        Automation(
            id=item.automation_id,
            board_id=item.board_id,
            when=item.body.get("when", {}),
            attach=tuple(item.body.get("attach", ())),
        )
        for item in get_automation_store().for_board(board_id)
    ]


def _automation_pins(card: CardItem, versions: PinnedVersions) -> list[tuple[dict[str, Any], str]]:
    """Pins for the SLAs the board's rules attach to a card being opened.

    An SLA the card names itself stays as named; a rule naming a deleted SLA
    attaches nothing.
    """
    named = {pin["sla_id"] for pin in card.slas}
    pins = []
    for sla_id, automation_id in slas_to_attach(
        board_automations(card.board_id), card_state(card), ()
    ):
        pin = versions.latest_pin(sla_id)
        if pin is not None and sla_id not in named:
            pins.append((pin, automation_id))
    return pins


def attach_by_automation(
    card: CardItem, attachments: list[tuple[str, str]], versions: PinnedVersions
) -> list[CardEvent]:
    """Attach SLAs that automation rules matched; answers the events it added.

    Each attach is pinned to the SLA's version current now and records the
    rule (``automation_id``) in its event. The write is guarded by the card's
    version like any change, so a repeated or racing attempt cannot attach
    twice: it loses (ConflictError; read the card again) or finds the SLA
    attached already.
    """
    pins = []
    for sla_id, automation_id in attachments:
        pin = versions.latest_pin(sla_id)
        if pin is not None and all(p["sla_id"] != sla_id for p in card.slas):
            pins.append((pin, automation_id))
    if not pins:
        return []
    now = get_clock().now()
    card.slas = [*card.slas, *(pin for pin, _ in pins)]
    events = [
        _event(card, EventKind.SLA_ATTACHED, {**pin, "automation_id": automation_id}, now)
        for pin, automation_id in pins
    ]
    _commit(card, events, now)
    return [CardEvent(seq=e.seq, at=e.at, kind=EventKind(e.kind), data=e.data) for e in events]


def _timers_under(
    history: list[CardEvent], versions: PinnedVersions, pins: dict[str, Pin], now: datetime
) -> list[dict[str, Any]]:
    pinned = versions.pinned(pins)
    with refusals():
        timers = evaluate(history, pinned, now)
    return [timer_view(timer, pinned[timer.sla_id].policy) for timer in timers]


def _pin_value(pin: dict[str, Any]) -> Pin:
    return Pin(pin["sla_version"], pin.get("calendar_version"))


# --- helpers ----------------------------------------------------------------------------


def _commit(
    card: CardItem,
    events: list[CardEventItem],
    now: datetime,
    comments: Iterable[CommentItem] = (),
    claims: Sequence[Any] = (),
) -> None:
    card.updated_at = now
    try:
        get_card_store().save(card, events, comments, claims)
    except ClaimTakenError:
        raise
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
    pin = PinnedVersions().latest_pin(sla_id)
    if pin is None:
        raise InvalidInputError(f"no SLA policy {sla_id}", field=field)
    return pin
