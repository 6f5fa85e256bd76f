"""Sends mail through Amazon SES (the emulator's SES on the local stack).

Messages are built by the services as ``EmailMessage`` objects and sent raw,
so that every header they set (Message-ID for threading, In-Reply-To,
Auto-Submitted, the outbox's ``X-Sladesk-*``) reaches the recipient as set.
The SES client is made on first use, never at import time.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import settings

MAIL_FROM_ENV = settings.MAIL_FROM
mail_from = settings.mail_from


class MailSender:
    """Sends one built message through SES."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, message: EmailMessage) -> str:
        """Send ``message`` to its ``To`` addresses; answers the SES message id."""
        answer = self._client.send_raw_email(RawMessage={"Data": message.as_bytes()})
        return str(answer["MessageId"])


def get_mail_sender() -> MailSender:
    """The mail sender of this process, for the endpoint and region of the environment."""
    # A client per use: cheap next to a send, and it always sees the current environment
    # (the local stack's emulator, or moto in tests).
    return MailSender(boto3.client("ses"))


class SesMail:
    """The ``MailSender`` port: SES, with its refusals told as ``DeliveryError``."""

    def send(self, message: EmailMessage) -> str:
        """Send ``message``; answers the SES message id (permanent error: SES refused it)."""
        from chalicelib.adapters.channels.email import ses_delivery_error

        try:
            return get_mail_sender().send(message)
        except (ClientError, BotoCoreError) as error:
            raise ses_delivery_error(error) from error
