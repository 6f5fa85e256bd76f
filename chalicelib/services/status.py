"""The requester's status page: their request, its state and its SLA timers, nothing internal.

The page is found by the token of its link (at least 128 bits, stored only as
a SHA-256 hash). It shows the card's title, its state (the kind and name of
its column), the public conversation, the files listed on the card (with
the address each is downloaded from, ``chalicelib.services.attachments``), the
SLA timers as the card view computes them, and each SLA's promises and
agreement: every rule's target in words with the hours it counts, and the
escalation path, from the pinned SLA and calendar versions
(``chalicelib.domain.promises``), in the requester's language. Assignees,
tags, private comments and anything else agents keep for themselves are
never read into it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.promises import (
    Promise,
    SupportHours,
    escalation_in_words,
    promise_in_words,
)
from chalicelib.links import site_path
from chalicelib.ports.cards import card_store
from chalicelib.ports.config import calendar_store, sla_store
from chalicelib.services import cards
from chalicelib.services.boards import load_board
from chalicelib.services.durations import duration_seconds
from chalicelib.services.errors import InvalidInputError, NotFoundError

_TIMER_FIELDS = (
    "sla_name",
    "kind",
    "status",
    "violated",
    "color",
    "target_seconds",
    "elapsed_seconds",
    "remaining_seconds",
    "overdue_seconds",
    "started_at",
    "deadline",
    "stopped_at",
)
# Longer than any token sladesk hands out; anything longer is not worth hashing.
_MAX_TOKEN_LENGTH = 200
# A request with a very long conversation shows its first comments.
_MAX_MESSAGES = 500
_PAGE = 100


def request_status(token: str, zone: str | None = None, locale: str = "en") -> dict[str, Any]:
    """The status page's content for ``token``; 404 for a token that opens nothing.

    Instants stay in UTC; ``timezone`` is the zone to show them in: ``zone``
    when given (an IANA name), else the time zone of the card's SLA calendar,
    else UTC. Promises are worded in ``locale`` (``en`` or ``ru``).
    """
    if zone is not None:
        _check_zone(zone)
    card = cards.load_card(card_for_status_link(token))
    board = load_board(card.board_id)
    column = next(c for c in board.body["columns"] if c["id"] == card.column_id)
    timers = cards.card_timers(card)
    return {
        "id": card.card_id,
        "title": card.title,
        "state": column["kind"],
        "state_name": column["name"],
        "board_name": board.body["name"],
        "created_at": card.created_at,
        "updated_at": card.updated_at,
        "timezone": zone or display_zone(card.slas),
        "timers": [{name: timer[name] for name in _TIMER_FIELDS} for timer in timers],
        "promises": _promises(card.slas, _column_names(board.body), locale),
        "messages": _messages(card),
        "attachments": [
            {
                "filename": f["filename"],
                "size": f["size"],
                "url": _file_url(token, position) if f.get("object_key") else None,
            }
            for position, f in enumerate(card.attachments or [], start=1)
        ],
    }


def card_for_status_link(token: str) -> str:
    """The id of the card whose status link carries ``token``; 404 when it opens nothing."""
    card_id = None
    if 0 < len(token) <= _MAX_TOKEN_LENGTH:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        card_id = card_store().card_for_status_token(digest)
    if card_id is None:
        raise NotFoundError("no request behind this link", code="unknown_status_link")
    return card_id


def _file_url(token: str, position: int) -> str:
    """Where the requester downloads their ``position``-th file (``/status/{token}/files/{n}``)."""
    return site_path(f"/status/{quote(token, safe='')}/files/{position}")


def display_zone(pins: Sequence[Mapping[str, Any]]) -> str:
    """The time zone of the first pinned SLA that counts a calendar's hours; UTC without one."""
    for pin in pins:
        sla = sla_store().version(pin["sla_id"], pin["sla_version"])
        calendar_id = sla.body.get("calendar_id") if sla is not None else None
        if calendar_id is None or pin.get("calendar_version") is None:
            continue
        calendar = calendar_store().version(calendar_id, pin["calendar_version"])
        if calendar is not None:
            return str(calendar.body["timezone"])
    return "UTC"


def _check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInputError(f"{zone!r} is not an IANA time zone", field="tz") from error


def _promises(
    pins: Sequence[Mapping[str, Any]], columns: dict[str, str], locale: str
) -> list[dict[str, Any]]:
    """What each pinned SLA version promises: rules in words, escalation path, agreement."""
    promises = []
    for pin in pins:
        sla = sla_store().version(pin["sla_id"], pin["sla_version"])
        if sla is None:
            continue
        hours = _support_hours(sla.body.get("calendar_id"), pin.get("calendar_version"))
        rules = [(rule, _promise(rule, columns)) for rule in sla.body["rules"]]
        path = [escalation_in_words(promise, hours, locale) for _, promise in rules]
        promises.append(
            {
                "sla_name": sla.body["name"],
                "rules": [
                    {
                        "kind": rule["kind"],
                        "target_seconds": duration_seconds(rule["target"]),
                        "text": promise_in_words(promise, hours, locale),
                    }
                    for rule, promise in rules
                ],
                "escalation_path": [step for step in path if step],
                "agreement": sla.body.get("agreement"),
            }
        )
    return promises


def _promise(rule: dict[str, Any], columns: dict[str, str]) -> Promise:
    return Promise(
        kind=rule["kind"],
        target=timedelta(seconds=duration_seconds(rule["target"])),
        column_name=columns.get(rule.get("column_id") or ""),
        escalations=tuple(
            timedelta(seconds=duration_seconds(level["after_breach"]))
            for level in rule.get("escalations") or ()
        ),
    )


def _support_hours(calendar_id: str | None, version: int | None) -> SupportHours | None:
    """The hours the pinned calendar version counts; None for 24/7 (no calendar)."""
    if calendar_id is None or version is None:
        return None
    calendar = calendar_store().version(calendar_id, version)
    if calendar is None:
        return None
    body = calendar.body
    return SupportHours(
        timezone=str(body["timezone"]),
        week={day: [tuple(i) for i in intervals] for day, intervals in body["week"].items()},
        skips_holidays=bool(body.get("holidays") or body.get("holiday_country")),
    )


def _column_names(board: Mapping[str, Any]) -> dict[str, str]:
    return {column["id"]: column["name"] for column in board["columns"]}


def _messages(card: Any) -> list[dict[str, Any]]:
    """The request itself, then the public comments, oldest first."""
    messages = []
    if card.description:
        messages.append({"by": "requester", "body": card.description, "at": card.created_at})
    store = card_store()
    cursor = None
    while len(messages) < _MAX_MESSAGES:
        items, cursor = store.comments_page(card.card_id, _PAGE, cursor)
        messages.extend(
            {
                "by": "requester" if c.author_role == "requester" else "support",
                "body": c.body,
                "at": c.at,
            }
            for c in items
            if c.public
        )
        if cursor is None:
            break
    return messages[:_MAX_MESSAGES]
