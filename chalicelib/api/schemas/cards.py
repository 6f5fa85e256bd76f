"""Cards: what ``/cards`` accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, RootModel

from chalicelib.api.schemas.common import Body, Identifier, PageQuery, Resource
from chalicelib.api.schemas.status import PublicTimer

Title = Annotated[str, Field(min_length=1, max_length=500)]
Description = Annotated[str, Field(max_length=100_000)]
Label = Annotated[str, Field(min_length=1, max_length=100)]
Tags = Annotated[list[Label], Field(max_length=50)]


class Requester(Body):
    """Who asked; the status page and acknowledgements go to them."""

    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)] | None = None
    name: Annotated[str, Field(max_length=200)] | None = None


class CardCreate(Body):
    """``POST /cards``: without ``column_id`` the card enters the board's first queue column."""

    board_id: str
    title: Title
    description: Description | None = None
    requester: Requester | None = None
    card_type: Label | None = None
    service: Label | None = None
    priority: Label | None = None
    tags: Tags = Field(default_factory=list)
    lane_id: Identifier | None = None
    column_id: Identifier | None = None
    assignee: Label | None = None
    sla_ids: Annotated[list[str], Field(max_length=20)] = Field(default_factory=list)


class CardPatch(Body):
    """``PATCH /cards/{id}``: the fields given change; ``null`` clears an optional field."""

    title: Title | None = None
    description: Description | None = None
    assignee: Label | None = None
    tags: Tags | None = None
    card_type: Label | None = None
    service: Label | None = None
    priority: Label | None = None
    lane_id: Identifier | None = None


class CardMove(Body):
    """``POST /cards/{id}/move``: a new column, and optionally a new lane."""

    column_id: Identifier
    lane_id: Identifier | None = None


class CommentCreate(Body):
    """``POST /cards/{id}/comments``: a public comment by an agent counts as a first reaction."""

    body: Annotated[str, Field(min_length=1, max_length=100_000)]
    public: bool = True


class SlaAttach(Body):
    """``POST /cards/{id}/sla``."""

    sla_id: str


class SlaRepin(Body):
    """``POST /cards/{id}/sla/{sla_id}/repin``: a ``preview`` shows both timers, writes nothing."""

    preview: bool = False


class CardListQuery(PageQuery):
    """``GET /cards``: one board's cards, filtered."""

    board_id: str
    column_id: str | None = None
    lane_id: str | None = None
    assignee: str | None = None
    violated: bool | None = None
    timers: Literal["all"] | None = None


class RequesterOut(Resource):
    email: str | None = None
    name: str | None = None


class SlaPin(Resource):
    """An attached SLA and the versions the card is pinned to."""

    sla_id: str
    sla_version: int
    calendar_version: int | None


class Timer(PublicTimer):
    """One SLA rule's timer on a card, as of the request: the public fields plus the ids."""

    sla_id: str
    sla_version: int
    rule_id: str


class CardAttachment(Resource):
    """A file that came with the request or a requester's reply (kept unless too large)."""

    filename: str
    content_type: str
    size: int
    too_large: bool
    object_key: str | None = None
    comment_seq: int | None = None
    url: str | None = None
    """Where an agent downloads it (``GET /cards/{id}/attachments/{n}``); null when not kept."""


class Card(Resource):
    """A card with its timers; ``channel`` is where the request came from (form, email)."""

    id: str
    board_id: str
    number: int
    title: str
    description: str | None
    requester: RequesterOut | None
    card_type: str | None
    service: str | None
    priority: str | None
    tags: list[str]
    column_id: str
    lane_id: str | None
    assignee: str | None
    slas: list[SlaPin]
    channel: str | None = None
    attachments: list[CardAttachment] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int
    timers: list[Timer]


class RepinPreview(Resource):
    """The card's timers under its pinned version beside those under the SLA's latest version."""

    current: list[Timer]
    latest: list[Timer]


class RepinAnswer(RootModel[Card | RepinPreview]):
    """The card once re-pinned, or the preview when ``preview`` was asked."""


class ExplainedSegment(Resource):
    """A stretch of a timer's life, counted or not, and why."""

    start: datetime
    end: datetime
    reason: Literal["working", "non_working", "holiday", "paused", "stopped"]
    counted: bool
    seconds: int


class ExplainedTimer(Timer):
    """A timer with the segments from its start to now (or to its stop)."""

    segments: list[ExplainedSegment]


class TimerExplanations(Resource):
    """``GET /cards/{id}/timers/explain``: every timer of the card as of ``now``, explained."""

    card_id: str
    now: datetime
    timers: list[ExplainedTimer]


class CardCreated(Card):
    """The answer to ``POST /cards``: ``status_url`` is shown only here."""

    status_url: str


class Comment(Resource):
    """A comment on a card."""

    seq: int
    body: str
    public: bool
    author: str | None
    author_role: str
    at: datetime


class CardEvent(Resource):
    """One entry of a card's history."""

    seq: int
    kind: str
    at: datetime
    data: dict[str, Any]
