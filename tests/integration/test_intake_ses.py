"""SES inbound mail: the receipt rule's S3 object and SNS notification, through app.py's handler.

The handler is called with the Lambda event of the SNS notification, as
Lambda would call it, over moto's S3, SES and tables.
"""

import json

import boto3
import pytest
from chalice.local import LambdaContext

from app import receive_inbound_mail
from chalicelib.services.boards import create_board
from chalicelib.services.cards import get_card
from tests.e2e.intake_support import acknowledgements, prepare_mail_services
from tests.e2e.payloads import BOARD
from tests.unit import mail_corpus as corpus

INBOUND_BUCKET = "ses-inbound"


@pytest.fixture
def board(tables, clock):
    prepare_mail_services()
    boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET)
    return create_board({**BOARD, "intake_addresses": ["help@desk.example.com"]})


def deliver(raw, recipients, key="mail-1", notification_type="Received"):
    """Store ``raw`` as SES's S3 action does and call the handler with the SNS event."""
    boto3.client("s3").put_object(Bucket=INBOUND_BUCKET, Key=key, Body=raw)
    notification = {
        "notificationType": notification_type,
        "mail": {"messageId": key, "destination": recipients},
        "receipt": {
            "recipients": recipients,
            "action": {"type": "S3", "bucketName": INBOUND_BUCKET, "objectKey": key},
        },
    }
    event = {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {
                    "Message": json.dumps(notification),
                    "Subject": "Amazon SES Email Receipt Notification",
                    "TopicArn": "arn:aws:sns:us-east-1:000000000000:sladesk-inbound-mail",
                    "MessageAttributes": {},
                },
            }
        ]
    }
    receive_inbound_mail(event, LambdaContext("receive_inbound_mail", 512))


def test_mail_is_routed_by_the_envelope_recipients_not_the_headers(board):
    # The To header says support@, but SES received it for help@ (a Bcc or an alias).
    deliver(corpus.cyrillic_b_subject_base64_body(), ["help@desk.example.com"])
    card = get_card("SUP-1")
    assert (card["board_id"], card["title"]) == (board["id"], corpus.LOGIN_SUBJECT)
    assert [ack.card_id for ack in acknowledgements()] == ["SUP-1"]


def test_a_redelivered_notification_opens_one_card(board):
    deliver(corpus.cyrillic_b_subject_base64_body(), ["help@desk.example.com"])
    deliver(corpus.cyrillic_b_subject_base64_body(), ["help@desk.example.com"], key="mail-2")
    assert get_card("SUP-1")
    assert len(acknowledgements()) == 1


def test_an_attachment_over_the_limit_is_listed_but_not_kept(board):
    # Mail this big cannot come through API Gateway (10 MB); SES takes it.
    deliver(corpus.big_attachment(), ["help@desk.example.com"])
    [log] = get_card("SUP-1")["attachments"]
    assert (log["filename"], log["size"], log["too_large"], log["object_key"]) == (
        "server.log",
        corpus.BIG_ATTACHMENT_BYTES,
        True,
        None,
    )


def test_mail_no_board_takes_is_dropped_without_a_retry(board):
    deliver(corpus.cyrillic_b_subject_base64_body(), ["nobody@elsewhere.example"])
    assert acknowledgements() == []


def test_other_ses_notifications_are_ignored(board):
    deliver(
        corpus.cyrillic_b_subject_base64_body(),
        ["help@desk.example.com"],
        notification_type="Bounce",
    )
    assert acknowledgements() == []
