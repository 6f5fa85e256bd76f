"""The local stack's SMTP listener: mail sent to it opens cards as SES inbound mail would.

It plays the part of SES receiving: every message accepted over SMTP is
stored in the emulator's S3 (as a receipt rule's S3 action does) and handed
to app.py's inbound-mail handler as the Lambda event of the SNS
notification that follows, routed by the SMTP envelope's recipients. So any
mail client or ``smtplib`` pointed at ``SMTP_PORT`` (default 2525) goes
through the same code as mail in a deployed stack.

It listens on loopback only. A recipient that no board takes (no board's
``intake_addresses`` holds it and no board is the default intake board) is
refused at ``RCPT TO`` with ``550``, naming why, as ``docs/api.md`` says,
instead of being accepted and dropped; a message the handler fails on is
answered with a temporary SMTP error, so the sender retries.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import boto3
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from chalice import Chalice
from chalice.app import SNSEventConfig
from chalice.local import LambdaContext

from chalicelib.adapters.attachments import attachments_bucket
from chalicelib.adapters.mail_sender import mail_from
from chalicelib.mail.limits import MAX_MESSAGE_BYTES
from chalicelib.ports.cards import board_store
from chalicelib.settings import PUBLIC_URL as PUBLIC_URL_ENV
from devstack.emulator import LOOPBACK, REGION
from devstack.part import Part

DEFAULT_SMTP_PORT = 2525
INBOUND_BUCKET = "sladesk-local-inbound-mail"
FUNCTION_NAME = "sladesk-receive_inbound_mail"
logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], LambdaContext], Any]


_VERDICTS = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")


def ses_notification(bucket: str, key: str, recipients: list[str], sender: str) -> dict[str, Any]:
    """The SNS message SES publishes once a receipt rule stored a message in S3 (trimmed)."""
    return {
        "notificationType": "Received",
        "mail": {
            "timestamp": datetime.now(UTC).isoformat(),
            "source": sender,
            "messageId": key,
            "destination": recipients,
        },
        "receipt": {
            "recipients": recipients,
            # The local stack scans nothing: every verdict passes, as SES reports a clean message.
            **{verdict: {"status": "PASS"} for verdict in _VERDICTS},
            "action": {"type": "S3", "bucketName": bucket, "objectKey": key},
        },
    }


def sns_event(topic_arn: str, message: dict[str, Any]) -> dict[str, Any]:
    """The Lambda event of one SNS notification."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Subject": "Amazon SES Email Receipt Notification",
                    "Message": json.dumps(message),
                    "Timestamp": datetime.now(UTC).isoformat(),
                    "MessageAttributes": {},
                },
            }
        ]
    }


def board_takes(recipient: str) -> bool:
    """Whether mail to ``recipient`` opens cards: a board's intake address, or a default board."""
    store = board_store()
    if store.default_board_id() is not None:
        return True
    wanted = recipient.strip().lower()
    cursor = None
    while True:
        boards, cursor = store.list(100, cursor)
        for board in boards:
            addresses = board.body.get("intake_addresses") or []
            if wanted in (address.lower() for address in addresses):
                return True
        if cursor is None:
            return False


class _Delivery:
    """aiosmtpd's handler: each accepted message becomes the SES inbound event."""

    def __init__(self, handler: Handler, topic_arn: str) -> None:
        self._handler = handler
        self._topic_arn = topic_arn

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        try:
            taken = board_takes(address)
        except Exception:
            logger.exception("cannot look up the boards for %s", address)
            return "451 Requested action aborted: local error in processing"
        if not taken:
            return (
                f"550 5.1.1 No board takes mail for {address} "
                "and no board is the default intake board"
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8")
        key = f"inbound/{uuid.uuid4()}"
        try:
            boto3.client("s3").put_object(Bucket=INBOUND_BUCKET, Key=key, Body=raw)
            notification = ses_notification(
                INBOUND_BUCKET, key, list(envelope.rcpt_tos), envelope.mail_from or ""
            )
            context = LambdaContext(FUNCTION_NAME, memory_size=512, max_runtime_ms=30_000)
            self._handler(sns_event(self._topic_arn, notification), context)
        except Exception:
            logger.exception("inbound mail not taken")
            return "451 Requested action aborted: local error in processing"
        return "250 Message accepted"


class SmtpListener(Part):
    """aiosmtpd on ``host:port`` in its own thread; entering starts it, leaving stops it.

    The S3 bucket for received mail must exist (``create_inbound_bucket``).
    """

    def __init__(self, host: str, port: int, handler: Handler, topic_arn: str) -> None:
        self._controller = Controller(
            _Delivery(handler, topic_arn),
            hostname=host,
            port=port,
            data_size_limit=MAX_MESSAGE_BYTES,
            # Bytes as received: the parser decodes headers and charsets itself.
            decode_data=False,
        )
        self.address = f"{host}:{port}"

    def start(self) -> None:
        """Listen in aiosmtpd's thread; OSError when the port is taken."""
        try:
            self._controller.start()
        except (OSError, RuntimeError) as error:
            raise OSError(
                f"cannot listen for SMTP on {self.address}: {error} (set SMTP_PORT)"
            ) from error

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()


def create_inbound_bucket() -> None:
    """The bucket the listener stores received mail in, as SES's S3 action would."""
    boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET)


def start_mail(running: ExitStack, app: Chalice, api_url: str, port: int) -> SmtpListener:
    """Make the emulator ready for mail and start the SMTP listener on loopback ``port``.

    The sender address is verified in the emulator's SES (as ops verify it in
    AWS), the attachments and received-mail buckets are created, and mail
    links point at ``api_url`` unless ``SLADESK_PUBLIC_URL`` says otherwise.
    Received mail goes to ``app``'s one SNS handler.
    """
    os.environ.setdefault(PUBLIC_URL_ENV, api_url)
    boto3.client("ses").verify_email_identity(EmailAddress=mail_from())
    boto3.client("s3").create_bucket(Bucket=attachments_bucket())
    create_inbound_bucket()
    sources = [s for s in app.event_sources if isinstance(s, SNSEventConfig)]
    if len(sources) != 1:
        raise RuntimeError(f"expected one SNS handler in app.py, found {len(sources)}")
    handler = app.handler_map[sources[0].name]
    topic_arn = f"arn:aws:sns:{REGION}:000000000000:{sources[0].topic}"
    return running.enter_context(SmtpListener(LOOPBACK, port, handler, topic_arn))
