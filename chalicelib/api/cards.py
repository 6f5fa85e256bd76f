"""Routes for cards (agent)."""

from chalice import Response

from chalicelib.api.downloads import DOWNLOAD_STATUSES, download_redirect
from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.cards import (
    Card,
    CardCreate,
    CardCreated,
    CardEvent,
    CardListQuery,
    CardMove,
    CardPatch,
    Comment,
    CommentCreate,
    RepinAnswer,
    SlaAttach,
    SlaRepin,
    TimerExplanations,
)
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.services import attachments, cards
from chalicelib.services.keys import Principal


@endpoint("POST", "/cards", role="agent", body=CardCreate, response=CardCreated, status=201)
def open_card(body: CardCreate) -> dict:
    """Open a card on a board; answers its id (board key + number) and status_url."""
    return cards.open_card(body.model_dump(mode="json"))


@endpoint("GET", "/cards", role="agent", query=CardListQuery, response=Page[Card])
def list_cards(query: CardListQuery) -> dict:
    """List a board's cards, filtered by column, lane, assignee or violation."""
    filters = query.model_dump(include={"column_id", "lane_id", "assignee"}, exclude_none=True)
    return cards.list_cards(
        query.board_id, filters, query.violated, query.timers == "all", query.limit, query.next
    )


@endpoint("GET", "/cards/{card_id}", role="agent", response=Card)
def get_card(card_id: str) -> dict:
    """Read a card with its timers."""
    return cards.get_card(card_id)


@endpoint("PATCH", "/cards/{card_id}", role="agent", body=CardPatch, response=Card)
def update_card(card_id: str, body: CardPatch) -> dict:
    """Change some of a card's fields; null clears an optional one."""
    return cards.update_card(card_id, body.model_dump(mode="json", include=body.model_fields_set))


@endpoint("POST", "/cards/{card_id}/move", role="agent", body=CardMove, response=Card)
def move_card(card_id: str, body: CardMove) -> dict:
    """Move a card to another column (and lane)."""
    return cards.move_card(card_id, body.column_id, body.lane_id)


@endpoint(
    "POST",
    "/cards/{card_id}/comments",
    role="agent",
    body=CommentCreate,
    response=Comment,
    status=201,
)
def add_comment(card_id: str, body: CommentCreate, principal: Principal) -> dict:
    """Comment on a card as the calling key's owner."""
    return cards.add_comment(card_id, body.body, body.public, principal.name)


@endpoint(
    "GET",
    "/cards/{card_id}/comments",
    role="agent",
    query=PageQuery,
    response=Page[Comment],
)
def list_comments(card_id: str, query: PageQuery) -> dict:
    """List a card's comments, oldest first."""
    return cards.list_comments(card_id, query.limit, query.next)


@endpoint("POST", "/cards/{card_id}/sla", role="agent", body=SlaAttach, response=Card)
def attach_sla(card_id: str, body: SlaAttach) -> dict:
    """Attach an SLA policy, pinned to its latest version and its calendar's."""
    return cards.attach_sla(card_id, body.sla_id)


@endpoint("DELETE", "/cards/{card_id}/sla/{sla_id}", role="agent", status=204)
def detach_sla(card_id: str, sla_id: str) -> None:
    """Detach an SLA policy from a card."""
    cards.detach_sla(card_id, sla_id)


@endpoint(
    "GET",
    "/cards/{card_id}/history",
    role="agent",
    query=PageQuery,
    response=Page[CardEvent],
)
def card_history(card_id: str, query: PageQuery) -> dict:
    """List a card's events, oldest first."""
    return cards.card_history(card_id, query.limit, query.next)


@endpoint(
    "GET",
    "/cards/{card_id}/timers/explain",
    role="agent",
    response=TimerExplanations,
)
def explain_timers(card_id: str) -> dict:
    """Explain each timer: the stretches counted or not, with the reason."""
    return cards.explain_card_timers(card_id)


@endpoint(
    "POST",
    "/cards/{card_id}/sla/{sla_id}/repin",
    role="agent",
    body=SlaRepin,
    response=RepinAnswer,
)
def repin_sla(card_id: str, sla_id: str, body: SlaRepin) -> dict:
    """Re-pin an SLA to its latest version, or preview the timers under both versions."""
    return cards.repin_sla(card_id, sla_id, body.preview)


@endpoint(
    "GET",
    "/cards/{card_id}/attachments/{n}",
    role="agent",
    answers=(),
    status=302,
    other_statuses=DOWNLOAD_STATUSES,
)
def download_attachment(card_id: str, n: str) -> Response:
    """Download the card's n-th file (from 1, as ``attachments`` lists them): saved, never shown."""
    return download_redirect(attachments.card_file_link(card_id, n))
