"""The SMTP listener in process: mail sent with smtplib becomes the SES inbound event and a card.

The listener, app.py's SNS handler and the API share moto's S3, SES and
tables; the card is then read over the API. The full local stack (``make
run``) starts the same listener on ``SMTP_PORT``.
"""

import json
import smtplib
import socket
from contextlib import ExitStack
from email.message import EmailMessage

import boto3
import pytest
from chalice.local import LambdaContext

from app import receive_inbound_mail
from devstack.emulator import LOOPBACK
from devstack.smtp_listener import INBOUND_BUCKET, SmtpListener
from tests.e2e.intake_support import acknowledgements, prepare_mail_services
from tests.e2e.payloads import BOARD


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port(api):
    prepare_mail_services()
    boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET)
    port = free_port()
    topic = "arn:aws:sns:us-east-1:000000000000:sladesk-inbound-mail"
    with ExitStack() as running:
        running.enter_context(SmtpListener(LOOPBACK, port, receive_inbound_mail, topic))
        yield port


def test_mail_sent_over_smtp_opens_a_card_routed_by_the_envelope(api, smtp_port):
    # GIVEN a board that takes mail for help@ (the envelope), not for the To header's address
    board = api.ok("POST", "/boards", {**BOARD, "intake_addresses": ["help@desk.example.com"]})
    mail = EmailMessage()
    mail["From"] = "Olga <olga@shop.example>"
    mail["To"] = "support@desk.example.com"
    mail["Subject"] = "Принтер горит"
    mail["Message-ID"] = "<smtp-1@shop.example>"
    mail.set_content("Срочно!\n")

    # WHEN it is sent over SMTP
    with smtplib.SMTP(LOOPBACK, smtp_port, timeout=10) as client:
        refused = client.send_message(
            mail, from_addr="olga@shop.example", to_addrs=["help@desk.example.com"]
        )

    # THEN the card is on that board, and the requester was acknowledged
    assert refused == {}
    card = api.ok("GET", "/cards/SUP-1", role="agent")
    assert (card["board_id"], card["title"], card["channel"]) == (
        board["id"],
        "Принтер горит",
        "email",
    )
    assert card["requester"] == {"email": "olga@shop.example", "name": "Olga"}
    assert [ack.card_id for ack in acknowledgements()] == ["SUP-1"]


def test_a_recipient_no_board_takes_is_refused_at_rcpt_naming_why(api, smtp_port):
    # GIVEN a board that takes mail for help@ only, and no default intake board
    api.ok("POST", "/boards", {**BOARD, "intake_addresses": ["help@desk.example.com"]})

    # WHEN a mail is sent to another address
    with (
        smtplib.SMTP(LOOPBACK, smtp_port, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("a@b.example", ["nobody@desk.example.com"], b"Subject: x\r\n\r\nbody\r\n")

    # THEN the recipient is refused for good (5xx), saying why, and nothing was stored
    code, reason = refused.value.recipients["nobody@desk.example.com"]
    assert code == 550
    assert b"No board takes mail for nobody@desk.example.com" in reason
    assert b"no board is the default intake board" in reason
    assert boto3.client("s3").list_objects_v2(Bucket=INBOUND_BUCKET)["KeyCount"] == 0


def test_a_default_intake_board_takes_mail_for_any_recipient(api, smtp_port):
    api.ok("POST", "/boards", {**BOARD, "default_intake": True})
    raw = b"From: a@b.example\r\nTo: anyone@else.example\r\nSubject: x\r\n\r\nbody\r\n"
    with smtplib.SMTP(LOOPBACK, smtp_port, timeout=10) as client:
        refused = client.sendmail("a@b.example", ["anyone@else.example"], raw)
    assert refused == {}
    assert api.ok("GET", "/cards/SUP-1", role="agent")["title"] == "x"


def test_mail_the_handler_cannot_take_is_refused_with_a_temporary_error(api, smtp_port):
    api.ok("POST", "/boards", {**BOARD, "default_intake": True})

    def failing(event, context):
        raise RuntimeError("tables unreachable")

    port = free_port()
    with (
        SmtpListener(LOOPBACK, port, failing, "arn:aws:sns:us-east-1:0:t"),
        smtplib.SMTP(LOOPBACK, port, timeout=10) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.sendmail("a@b.example", ["c@d.example"], b"Subject: x\r\n\r\nbody\r\n")
    assert refused.value.smtp_code == 451


def test_the_listener_hands_over_the_lambda_event_of_an_ses_notification(api, smtp_port):
    api.ok("POST", "/boards", {**BOARD, "default_intake": True})
    seen = []
    port = free_port()

    def record(event, context):
        assert isinstance(context, LambdaContext)
        seen.append(event)

    with (
        SmtpListener(LOOPBACK, port, record, "arn:aws:sns:us-east-1:0:t"),
        smtplib.SMTP(LOOPBACK, port, timeout=10) as client,
    ):
        client.sendmail("a@b.example", ["c@d.example"], b"Subject: x\r\n\r\nbody\r\n")
    [event] = seen
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    assert notification["receipt"]["recipients"] == ["c@d.example"]
    stored = boto3.client("s3").get_object(
        Bucket=notification["receipt"]["action"]["bucketName"],
        Key=notification["receipt"]["action"]["objectKey"],
    )
    assert stored["Body"].read().endswith(b"body\r\n")
