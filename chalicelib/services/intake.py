"""Intake: requests from the web form and from e-mail become cards, replies become comments.

Both mail doors (``POST /intake/email`` and SES inbound mail through S3 and
SNS) call ``receive_mail``; the form calls ``submit_form``. A new card gets
one acknowledgement (``services.acknowledgement``) unless the mail that
opened it was sent by a machine.

SES judges the mail it receives (``mail.verdicts.judge_receipt``): a
virus, spam, or a DMARC failure under ``p=reject`` is dropped unread (no
card, no comment, no answer, no attachment kept) and logged with the SES ids
only; a DMARC failure under ``p=quarantine`` may open a card but is not
acknowledged.

Repeats act once:

- mail, by its Message-ID: the claim of the Message-ID
  (``ports.intake.mail_records``) is written in the same transaction as the card
  or comment, so a message delivered twice, even at once, changes nothing
  the second time and answers the same. A permanent conditional put suits
  mail better than Powertools idempotency: a provider may redeliver days
  later (Powertools records expire), and the same item threads later
  replies to the card.
- form posts, by their ``Idempotency-Key``, with Powertools idempotency
  (``ports.intake.form_idempotency``): a browser or client retries within minutes, a
  concurrent retry must wait (409), and the same key with other fields is a
  client error (422). Its records expire, which is what a retry key needs.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from chalicelib.domain.boards import Board
from chalicelib.domain.mail_records import MailRecord
from chalicelib.mail.errors import InvalidSenderError, MessageTooLargeError
from chalicelib.mail.limits import MAX_MESSAGE_BYTES
from chalicelib.mail.reading import InboundMessage, parse_message
from chalicelib.mail.verdicts import judge_receipt
from chalicelib.observability import count
from chalicelib.ports.cards import board_store, card_store
from chalicelib.ports.clock import now as clock_now
from chalicelib.ports.errors import ClaimTakenError
from chalicelib.ports.intake import (
    FormAnswer,
    FormRequest,
    KeyReusedError,
    RequestInProgressError,
    attachment_store,
    form_idempotency,
    mail_records,
    stored_mail,
)
from chalicelib.services import cards
from chalicelib.services.acknowledgement import acknowledge
from chalicelib.services.boards import load_board
from chalicelib.services.errors import (
    ConflictError,
    InvalidInputError,
    ServiceError,
    UnprocessableError,
)
from chalicelib.settings import mail_from

logger = Logger(child=True)

CARD_OPENED = "card_opened"
COMMENTED = "commented"
# What a card and a comment can hold (the limits of POST /cards and of comments).
_MAX_TITLE = 500
_MAX_TEXT = 100_000
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@dataclass(frozen=True, slots=True)
class MailOutcome:
    """What one inbound message did: ``created`` is True only when this delivery opened a card."""

    card_id: str
    outcome: str
    created: bool

    def answer(self) -> dict[str, str]:
        """The body of the answer, the same for a message and its repeats."""
        return {"card_id": self.card_id, "outcome": self.outcome}


# --- e-mail -----------------------------------------------------------------------------


def receive_mail(
    raw: bytes, envelope_recipients: Sequence[str] = (), *, answer: bool = True
) -> MailOutcome:
    """Open a card from a new message, or add a reply to its card as the requester's comment.

    ``envelope_recipients`` (SES inbound mail, the local SMTP listener) route
    a new message instead of its To, Cc and Delivered-To headers. With
    ``answer`` False a card it opens is not acknowledged. Refuses
    (400) a message without a sender and (422 ``no_board_for_address``) a
    new message no board takes.
    """
    boards = _boards()
    message = _parse(raw, boards)
    records = mail_records()
    known = records.find(message.message_id)
    if known is not None:
        return _repeat(known)
    card_id = _card_replied_to(message)
    try:
        if card_id is not None:
            return _add_reply(card_id, message)
        return _open_from_mail(message, boards, envelope_recipients, answer)
    except ClaimTakenError:
        # The same message was delivered again meanwhile and acted first.
        known = records.find(message.message_id)
        if known is None:
            raise
        return _repeat(known)


def receive_stored_mail(notification: str) -> MailOutcome | None:
    """Take mail SES received: ``notification`` is the SNS message of its receipt rule.

    The rule's S3 action stored the raw message; the notification names the
    object, the envelope recipients, which route it, and SES's verdicts,
    which may drop it unread. A message dropped or refused for what it is
    (a virus, spam, spoofed, no sender, no board) is logged and answers
    None, since delivering it again would not change that; a failure to
    reach S3 or the tables raises, so that Lambda retries.
    """
    data = json.loads(notification)
    if data.get("notificationType") != "Received":
        logger.info("SES notification ignored", extra={"type": data.get("notificationType")})
        return None
    receipt = data["receipt"]
    action = receipt["action"]
    if action.get("type") != "S3":
        raise ValueError(f"the receipt rule must store mail in S3, not {action.get('type')!r}")
    judged = judge_receipt(receipt)
    if judged.dropped is not None:
        # Not even read: a virus must never reach an attachment, spam must never be answered.
        logger.warning(
            "inbound mail dropped on SES verdicts",
            extra={
                "reason": judged.dropped,
                "verdicts": judged.verdicts,
                "object": action["objectKey"],
                "ses_message_id": data.get("mail", {}).get("messageId"),
            },
        )
        count("InboundMailDropped", reason=judged.dropped)
        return None
    raw = stored_mail().read(action["bucketName"], action["objectKey"], MAX_MESSAGE_BYTES)
    recipients = receipt.get("recipients") or data.get("mail", {}).get("destination") or []
    try:
        return receive_mail(raw, recipients, answer=judged.answer)
    except ServiceError as error:
        logger.warning(
            "inbound mail refused",
            extra={"code": error.code, "reason": error.message, "object": action["objectKey"]},
        )
        return None


def _parse(raw: bytes, boards: list[Board]) -> InboundMessage:
    # Mail from our own addresses (the sender, any intake address) is never answered.
    own = {mail_from(), *(address for board in boards for address in _intake_addresses(board))}
    try:
        message = parse_message(raw, own_addresses=own)
    except MessageTooLargeError as error:
        raise InvalidInputError(str(error), code="message_too_large") from error
    except InvalidSenderError as error:
        raise InvalidInputError(str(error), field="From", code="no_sender_address") from error
    if message.defects:
        logger.info("inbound mail read despite defects", extra={"defects": message.defects})
    return message


def _repeat(known: MailRecord) -> MailOutcome:
    return MailOutcome(known.card_id, known.outcome or CARD_OPENED, created=False)


def _card_replied_to(message: InboundMessage) -> str | None:
    """The card a reply belongs to, or None for a new request.

    A card key in the subject counts only when the sender is that card's
    requester: anyone can type ``[SUP-12]``, but only a reply to our own mail
    carries its Message-ID, so threading by ``In-Reply-To``/``References``
    admits everyone on the thread.
    """
    key = message.card_key_in_subject
    if key is not None:
        card = card_store().get(key)
        requester = (card.requester or {}) if card is not None else {}
        if card is not None and (requester.get("email") or "").lower() == message.sender_address:
            return card.card_id
    # In-Reply-To names the message answered; References list the thread, newest last.
    thread = [*message.in_reply_to, *reversed(message.references)]
    known = mail_records().first_known(thread)
    return known.card_id if known is not None else None


def _add_reply(card_id: str, message: InboundMessage) -> MailOutcome:
    now = clock_now()
    files = _store_attachments(message)
    body = (message.reply_text or message.text or "(no text)")[:_MAX_TEXT]
    records = mail_records()
    cards.add_comment(
        card_id,
        body,
        True,
        message.sender_name or message.sender_address,
        author_role="requester",
        attachments=files,
        claims=lambda seq: [records.claim(message.message_id, card_id, COMMENTED, now, seq)],
    )
    return MailOutcome(card_id, COMMENTED, created=False)


def _open_from_mail(
    message: InboundMessage,
    boards: list[Board],
    envelope_recipients: Sequence[str],
    answer: bool,
) -> MailOutcome:
    board = _route(boards, envelope_recipients or message.recipients)
    now = clock_now()
    records = mail_records()
    fields = {
        "board_id": board.board_id,
        "title": (message.subject or "(no subject)")[:_MAX_TITLE],
        "description": message.text[:_MAX_TEXT] or None,
        "requester": {"email": message.sender_address, "name": message.sender_name or None},
        "channel": "email",
        "attachments": _store_attachments(message),
        "tags": [],
        "sla_ids": [],
    }
    opened = cards.open_card(
        fields,
        claims=lambda card_id: [records.claim(message.message_id, card_id, CARD_OPENED, now)],
    )
    if message.auto_submitted:
        logger.info(
            "no acknowledgement to automatic mail",
            extra={"card_id": opened["id"], "reason": str(message.auto_submitted_reason)},
        )
    elif not answer:
        logger.info("no acknowledgement to mail failing DMARC", extra={"card_id": opened["id"]})
    else:
        acknowledge(opened, locale=_mail_locale(message), reply_to=message)
    return MailOutcome(opened["id"], CARD_OPENED, created=True)


def _route(boards: list[Board], recipients: Sequence[str]) -> Board:
    """The board taking the first recipient that a board's intake addresses hold, else the default.

    Refuses (422 ``no_board_for_address``) when neither exists.
    """
    by_address = {address: board for board in boards for address in _intake_addresses(board)}
    for recipient in recipients:
        board = by_address.get(recipient.strip().lower())
        if board is not None:
            return board
    store = board_store()
    default_id = store.default_board_id()
    board = store.get(default_id) if default_id else None
    if board is None:
        raise UnprocessableError(
            f"no board takes mail for {', '.join(recipients) or 'these recipients'} "
            "and no board is the default for unmatched mail",
            code="no_board_for_address",
        )
    return board


def _boards() -> list[Board]:
    # Boards are few (one partition, read with a query); intake addresses live in them.
    store = board_store()
    boards: list[Board] = []
    cursor = None
    while True:
        items, cursor = store.list(100, cursor)
        boards.extend(items)
        if cursor is None:
            return boards


def _intake_addresses(board: Board) -> list[str]:
    return [address.lower() for address in board.body.get("intake_addresses") or []]


def _store_attachments(message: InboundMessage) -> list[dict[str, Any]]:
    """Keep the message's files in the attachment store; answers how the card lists them."""
    store = attachment_store() if any(not f.too_large for f in message.attachments) else None
    listed = []
    for position, attachment in enumerate(message.attachments, start=1):
        key = None
        if store is not None and attachment.content is not None:
            key = store.keep(
                message.message_id,
                position,
                attachment.filename,
                attachment.content,
                attachment.content_type,
            )
        listed.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "too_large": attachment.too_large,
                "object_key": key,
            }
        )
    return listed


def _mail_locale(message: InboundMessage) -> str:
    """Russian for mail written in Russian, English otherwise."""
    return "ru" if _CYRILLIC.search(message.subject + message.text[:2000]) else "en"


# --- the web form -----------------------------------------------------------------------


def submit_form(
    board_id: str,
    fields: dict[str, Any],
    *,
    locale: str,
    idempotency_key: str | None = None,
    lambda_context: LambdaContext | None = None,
) -> FormAnswer:
    """Open a card from the request form; answers its ``id`` and ``status_url``.

    A filled ``website`` field (the honeypot) means a bot: nothing is written,
    and the answer looks like a real one. With ``idempotency_key`` a retried
    post answers the card the first one opened.
    """
    board = load_board(board_id)
    if fields.get("website"):
        logger.info("form post with the honeypot filled: no card", extra={"board_id": board_id})
        return _decoy(board)
    request = {"board_id": board_id, "fields": fields, "locale": locale}
    if idempotency_key is None:
        return _open_from_form(request)
    try:
        return form_idempotency().once(
            _open_from_form, {**request, "key": idempotency_key}, lambda_context
        )
    except RequestInProgressError as error:
        raise ConflictError(
            "a post with this Idempotency-Key is still being processed; retry shortly",
            code="idempotency_key_in_progress",
        ) from error
    except KeyReusedError as error:
        raise UnprocessableError(
            "this Idempotency-Key was used with other fields",
            field="Idempotency-Key",
            code="idempotency_key_reused",
        ) from error


def _open_from_form(request: FormRequest) -> FormAnswer:
    fields = request["fields"]
    opened = cards.open_card(
        {
            "board_id": request["board_id"],
            "title": fields["subject"],
            "description": fields["message"],
            "requester": {"email": fields["email"], "name": fields["name"]},
            "card_type": fields.get("card_type"),
            "service": fields.get("service"),
            "channel": "form",
            "tags": [],
            "sla_ids": [],
        }
    )
    acknowledge(opened, locale=request["locale"], reply_to=None)
    return {"id": opened["id"], "status_url": opened["status_url"]}


def _decoy(board: Board) -> FormAnswer:
    """An answer shaped like a real one (the id the next card would get), for a bot."""
    number = card_store().peek_number(board.key)
    return {"id": f"{board.key}-{number}", "status_url": f"/status/{secrets.token_urlsafe(32)}"}
