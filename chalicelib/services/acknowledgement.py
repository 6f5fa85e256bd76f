"""The one e-mail a requester gets when their request becomes a card.

It names the card's key (in the subject too, so a reply finds the card), the
first-reaction deadline its SLA sets, and the link to the status page. It is
threaded under the message that opened the card, and its own Message-ID is
remembered so that replies to it become comments on the card. It is marked
``Auto-Submitted`` (RFC 3834) so that well-behaved autoresponders do not
answer it.

A failed send never undoes the card: the built message is kept
(``mail_retry.retry_mail``) and the breach scanner's tick tries it again
with backoff, a bounded number of times, as it does alerts; each try sends
the same message, Message-ID included, and one that went out is not sent
again. The outcome shows in ``GET /notifications`` (event ``acknowledgement``).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.domain.deliveries import CARD_HEADER, EVENT_HEADER, DeliveryError
from chalicelib.links import public_link
from chalicelib.mail.html_text import html_to_text
from chalicelib.mail.reading import InboundMessage
from chalicelib.ports.alerts import StoreUnavailableError
from chalicelib.ports.clock import now as clock_now
from chalicelib.ports.intake import mail_records
from chalicelib.rendering import render, texts
from chalicelib.services.boards import load_board
from chalicelib.services.mail_retry import retry_mail, send_mail
from chalicelib.services.status import display_zone
from chalicelib.settings import mail_from

logger = Logger(child=True)

EVENT = "acknowledgement"


def acknowledge(card: dict[str, Any], *, locale: str, reply_to: InboundMessage | None) -> None:
    """Send the acknowledgement of the new ``card`` (as ``open_card`` answers it) to its requester.

    ``reply_to`` is the message that opened the card, if mail did: the
    acknowledgement answers it in the same thread. A failed send is kept
    to be tried again by the breach scanner's tick; it never raises.
    """
    to = (card.get("requester") or {}).get("email")
    if not to:
        return
    now = clock_now()
    board = load_board(card["board_id"])
    words = texts(locale)
    sender = mail_from()
    message_id = make_msgid(idstring=f"ack.{card['id']}", domain=sender.rpartition("@")[2])
    reaction = _first_reaction_deadline(card["timers"])
    html = render(
        "acknowledgement.html",
        locale,
        card=card,
        board_name=board.body["name"],
        deadline=reaction,
        zone=display_zone(card["slas"]),
        status_link=public_link(card["status_url"]),
    )
    message = EmailMessage()
    message["From"] = formataddr((board.body["name"], sender))
    reply_address = next(iter(board.body.get("intake_addresses") or []), None)
    if reply_address:
        message["Reply-To"] = reply_address
    message["To"] = formataddr(((card["requester"] or {}).get("name") or "", to))
    message["Subject"] = f"[{card['id']}] {words['ack_subject']}: {card['title']}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if reply_to is not None:
        message["In-Reply-To"] = reply_to.message_id
        message["References"] = " ".join([*reply_to.references, reply_to.message_id])
    # RFC 3834: an answer to mail is auto-replied; one to a form post is auto-generated.
    message["Auto-Submitted"] = "auto-replied" if reply_to is not None else "auto-generated"
    message["Content-Language"] = locale
    message[EVENT_HEADER] = EVENT
    message[CARD_HEADER] = card["id"]
    # The text part is the HTML part read as text, so both say the same and only the
    # autoescaped template ever places the requester's words.
    message.set_content(html_to_text(html) + "\n")
    message.add_alternative(html, subtype="html")
    # Remembered before sending: a reply can never arrive before its thread is known.
    mail_records().record_sent(message_id, card["id"], now)
    try:
        send_mail(message)
    except DeliveryError as error:
        _retry_later(card["id"], message, error)


def _retry_later(card_id: str, message: EmailMessage, error: DeliveryError) -> None:
    logger.warning(
        "acknowledgement not sent",
        extra={"card_id": card_id, "reason": error.reason, "permanent": error.permanent},
    )
    try:
        outcome = retry_mail(card_id, EVENT, message, error, clock_now())
    except StoreUnavailableError:
        # Raising would not bring it back: the card is open and a retried intake finds its
        # Message-ID (or form key) taken, so it answers the card without acknowledging again.
        logger.exception("acknowledgement lost: not kept for a retry", extra={"card_id": card_id})
        return
    logger.info("acknowledgement kept for a retry", extra={"card_id": card_id, "outcome": outcome})


def _first_reaction_deadline(timers: list[dict[str, Any]]) -> Any:
    deadlines = [
        timer["deadline"]
        for timer in timers
        if timer["kind"] == "first_reaction" and timer["deadline"] is not None
    ]
    return min(deadlines, default=None)
