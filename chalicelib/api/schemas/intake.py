"""Intake: what the request form and the mail door accept and answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field

from chalicelib.api.schemas.common import Body, Resource


def _empty_is_none(value: object) -> object:
    # A form's "no choice" option sends an empty string.
    return value or None


# One line of text: no line breaks or other control characters (they would end up in mail headers).
_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
# An address mail can go to, and nothing a mail header would read as more than one address.
_ADDRESS_PART = r"[^\s@,;:<>()\[\]\"\\]+"
_EMAIL = rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$"
Choice = Annotated[
    Annotated[str, Field(min_length=1, max_length=100)] | None, BeforeValidator(_empty_is_none)
]


class IntakeForm(Body):
    """``POST /intake/form/{board_id}``: the request form's fields (form-encoded or JSON).

    ``website`` is a trap for bots and must stay empty. ``idempotency_key``
    (set by the form page) does what the ``Idempotency-Key`` header does, for
    browsers, which cannot send that header.
    """

    model_config = ConfigDict(strict=True, str_strip_whitespace=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200, pattern=_ONE_LINE)]
    email: Annotated[str, Field(max_length=254, pattern=_EMAIL)]
    subject: Annotated[str, Field(min_length=1, max_length=500, pattern=_ONE_LINE)]
    message: Annotated[str, Field(min_length=1, max_length=20_000)]
    card_type: Choice = None
    service: Choice = None
    website: Annotated[str, Field(max_length=2000)] = ""
    idempotency_key: Annotated[str, Field(max_length=200, pattern=_ONE_LINE)] | None = None


class IntakeCreated(Resource):
    """The card a form post opened, and the requester's status page."""

    id: str
    status_url: str


class MailAccepted(Resource):
    """What one inbound message did: opened ``card_id`` or became a comment on it."""

    card_id: str
    outcome: Annotated[str, Field(examples=["card_opened", "commented"])]
