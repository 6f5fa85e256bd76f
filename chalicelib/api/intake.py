"""Public request form and the inbound mail door (``../shared/API.md``, "Intake")."""

from __future__ import annotations

import secrets
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.adapters.templates import render
from chalicelib.api.auth import PUBLIC
from chalicelib.api.pages import error_page, locale_of, page
from chalicelib.api.registry import FORM, HTML, JSON, endpoint, media_type
from chalicelib.api.schemas.intake import IntakeCreated, IntakeForm, MailAccepted
from chalicelib.services import intake
from chalicelib.services.boards import load_board
from chalicelib.services.errors import InvalidInputError

MAX_FORM_BYTES = 64 * 1024
# API Gateway's own limit on a request: larger mail has to come in through SES (S3).
MAX_MAIL_BYTES = 10 * 1024 * 1024
RFC822 = "message/rfc822"
_MAX_IDEMPOTENCY_KEY = 200


@endpoint("GET", "/form/{board_id}", role=PUBLIC, answers=(HTML,), error_page=error_page)
def request_form(board_id: str, request: Request) -> Response:
    """The request form of a board: an HTML page in English or Russian (``Accept-Language``)."""
    board = load_board(board_id)
    html = render(
        "form.html",
        locale_of(request),
        board_id=board.board_id,
        board_name=board.body["name"],
        card_types=board.body.get("card_types") or [],
        services=board.body.get("services") or [],
        values={},
        errors=[],
        # A double click posts the same key twice: one card.
        idempotency_key=secrets.token_urlsafe(16),
    )
    return page(html)


@endpoint(
    "POST",
    "/intake/form/{board_id}",
    role=PUBLIC,
    body=IntakeForm,
    body_types=(JSON, FORM),
    max_body_bytes=MAX_FORM_BYTES,
    response=IntakeCreated,
    status=201,
    other_statuses={
        303: "A form post: see the requester's status page (Location)",
        409: "A post with the same Idempotency-Key is still being processed",
        422: "The Idempotency-Key was used before with other fields",
    },
    headers={"Idempotency-Key": "A retried post with the same key answers the same card"},
    error_page=error_page,
)
def post_form(
    board_id: str, body: IntakeForm, request: Request, lambda_context: Any
) -> dict | Response:
    """Open a card from the request form; form posts are sent on to the status page."""
    key = request.headers.get("idempotency-key") or body.idempotency_key
    if key is not None and not 0 < len(key) <= _MAX_IDEMPOTENCY_KEY:
        raise InvalidInputError(
            f"give 1 to {_MAX_IDEMPOTENCY_KEY} characters", field="Idempotency-Key"
        )
    created = intake.submit_form(
        board_id,
        body.model_dump(exclude={"idempotency_key"}),
        locale=locale_of(request),
        idempotency_key=key,
        lambda_context=lambda_context,
    )
    if media_type(request.headers) == FORM:
        return Response(body="", status_code=303, headers={"Location": created["status_url"]})
    return created


@endpoint(
    "POST",
    "/intake/email",
    role="intake",
    body_types=(RFC822,),
    max_body_bytes=MAX_MAIL_BYTES,
    response=MailAccepted,
    status=201,
    other_statuses={
        200: "A reply became a comment on its card, or the message was seen before",
        422: "no_board_for_address: no board takes mail for the recipients",
    },
)
def post_mail(raw_body: bytes) -> Response:
    """Take one raw RFC 822 message: a new request opens a card, a reply becomes a comment."""
    outcome = intake.receive_mail(raw_body)
    body = MailAccepted.model_validate(outcome.answer()).model_dump(mode="json")
    return Response(body=body, status_code=201 if outcome.created else 200)
