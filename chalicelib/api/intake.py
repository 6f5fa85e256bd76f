"""Public request form and the inbound mail door (``docs/api.md``, "Intake")."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from chalice import Response
from chalice.app import Request

from chalicelib.api.auth import PUBLIC
from chalicelib.api.pages import error_page, locale_of, page, wants_html
from chalicelib.api.registry import FORM, HTML, JSON, body_bytes, endpoint, media_type
from chalicelib.api.schemas.intake import IntakeCreated, IntakeForm, MailAccepted
from chalicelib.domain.boards import Board
from chalicelib.links import site_path
from chalicelib.rendering import render, texts
from chalicelib.services import intake
from chalicelib.services.boards import load_board
from chalicelib.services.errors import InvalidInputError, ServiceError

MAX_FORM_BYTES = 64 * 1024
# API Gateway's own limit on a request: larger mail has to come in through SES (S3).
MAX_MAIL_BYTES = 10 * 1024 * 1024
RFC822 = "message/rfc822"
_MAX_IDEMPOTENCY_KEY = 200
# The fields a requester fills in: shown again, as sent, when a post is refused.
_SHOWN_FIELDS = ("name", "email", "subject", "card_type", "service", "message")


@endpoint("GET", "/form/{board_id}", role=PUBLIC, answers=(HTML,), error_page=error_page)
def request_form(board_id: str, request: Request) -> Response:
    """The request form of a board: an HTML page in English or Russian (``Accept-Language``)."""
    return page(_form_html(load_board(board_id), locale_of(request), {}, []))


def _form_html(board: Board, locale: str, values: dict[str, str], errors: list[str]) -> str:
    return render(
        "form.html",
        locale,
        board_id=board.board_id,
        board_name=board.body["name"],
        card_types=board.body.get("card_types") or [],
        services=board.body.get("services") or [],
        values=values,
        errors=errors,
        # A double click posts the same key twice: one card. A form shown again after a
        # refusal gets a new key: the refused post stored nothing under its own.
        idempotency_key=secrets.token_urlsafe(16),
    )


def form_refused(request: Request, refusal: Response) -> Response:
    """A browser's form post with fields to correct: the form again, as filled, saying which.

    Other refusals (an unknown board, a body too large, a repeated key) are
    error pages, and API clients get the JSON refusal unchanged.
    """
    error = refusal.body.get("error", {}) if isinstance(refusal.body, dict) else {}
    correctable = error.get("code") == "validation_error"
    if not (correctable and media_type(request.headers) == FORM and wants_html(request)):
        return error_page(request, refusal)
    try:
        board = load_board((request.uri_params or {}).get("board_id", ""))
        sent = parse_qs(body_bytes(request).decode("utf-8"), max_num_fields=50)
    except (ServiceError, UnicodeDecodeError, ValueError):
        return error_page(request, refusal)
    values = {name: sent[name][0] for name in _SHOWN_FIELDS if sent.get(name)}
    locale = locale_of(request)
    errors = _form_errors(error.get("details") or [], texts(locale))
    return page(_form_html(board, locale, values, errors), refusal.status_code)


def _form_errors(details: list[dict[str, Any]], words: dict[str, Any]) -> list[str]:
    """One line per field to correct, in the page's language (pydantic's words are for APIs)."""
    lines = []
    for detail in details:
        field = str(detail.get("field") or "")
        label = words.get(f"field_{field}") if field in _SHOWN_FIELDS else None
        if label is None:
            lines.append(words["form_not_accepted"])
        elif detail.get("type") in ("missing", "string_too_short"):
            lines.append(words["form_field_missing"].format(field=label))
        else:
            lines.append(words["form_field_invalid"].format(field=label))
    return list(dict.fromkeys(lines)) or [words["form_not_accepted"]]


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
    error_page=form_refused,
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
        location = site_path(created["status_url"])
        return Response(body="", status_code=303, headers={"Location": location})
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
