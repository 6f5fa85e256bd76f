"""E-mail alerts through SES: HTML and plain text, marked for the outbox.

Sent from ``SLADESK_MAIL_FROM``, raw, so that ``X-Sladesk-Event`` and
``X-Sladesk-Card-Id`` (what the local outbox reads) and ``Auto-Submitted``
(no autoresponder answers an alert) reach the recipient.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import settings
from chalicelib.adapters.channels import DeliveryError, Message
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.outbox import CARD_HEADER, EVENT_HEADER
from chalicelib.domain.deliveries import one_line

# SES refuses these for good (unverified sender, rejected message); others may pass.
_PERMANENT = {"MessageRejected", "MailFromDomainNotVerifiedException", "InvalidParameterValue"}


def alert_mail(to: str, message: Message) -> EmailMessage:
    """The alert as a MIME message: plain text first, HTML as the alternative."""
    sender = settings.mail_from()
    mail = EmailMessage()
    mail["From"] = formataddr(("sladesk", sender))
    mail["To"] = one_line(to)
    mail["Subject"] = one_line(message.subject)
    mail["Date"] = format_datetime(get_clock().now())
    mail["Message-ID"] = make_msgid(idstring="alert", domain=sender.rpartition("@")[2])
    mail["Auto-Submitted"] = "auto-generated"
    mail["Content-Language"] = one_line(message.locale)
    mail[EVENT_HEADER] = one_line(message.event)
    if message.card_id is not None:
        mail[CARD_HEADER] = one_line(message.card_id)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


class EmailChannel:
    """Sends the alert to one address."""

    def send(self, target: str, message: Message, secret: str | None) -> str:
        """Send through SES; answers the SES message id."""
        try:
            answer = boto3.client("ses").send_raw_email(
                RawMessage={"Data": alert_mail(target, message).as_bytes()}
            )
        except (ClientError, BotoCoreError) as error:
            raise ses_delivery_error(error) from error
        return str(answer["MessageId"])


def ses_delivery_error(error: ClientError | BotoCoreError) -> DeliveryError:
    """What a failed SES send means for its delivery: permanent when SES refuses it for good."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return DeliveryError(f"email: {code}", permanent=code in _PERMANENT)
    return DeliveryError(f"email: {error}")
