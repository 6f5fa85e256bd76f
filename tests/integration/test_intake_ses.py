"""SES inbound mail: the receipt rule's S3 object and SNS notification, through app.py's handler.

The handler is called with the Lambda event of the SNS notification, as
Lambda would call it, over moto's S3, SES and tables.
"""

import json
import logging

import boto3
import pytest
from chalice.local import LambdaContext

from app import receive_inbound_mail
from chalicelib.adapters.attachments import attachments_bucket
from chalicelib.services.boards import create_board
from chalicelib.services.cards import get_card, list_comments
from chalicelib.services.errors import NotFoundError
from tests.e2e.intake_support import acknowledgements, prepare_mail_services
from tests.e2e.payloads import BOARD
from tests.unit import mail_corpus as corpus

INBOUND_BUCKET = "ses-inbound"


@pytest.fixture
def board(tables, clock):
    prepare_mail_services()
    boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET)
    return create_board({**BOARD, "intake_addresses": ["help@desk.example.com"]})


def deliver(raw, recipients, key="mail-1", notification_type="Received", **verdicts):
    """Store ``raw`` as SES's S3 action does and call the handler with the SNS event.

    ``verdicts`` are added to the receipt as given (``spamVerdict={"status": "FAIL"}``,
    ``dmarcPolicy="reject"``); without them the receipt has none, as the local stack's.
    """
    boto3.client("s3").put_object(Bucket=INBOUND_BUCKET, Key=key, Body=raw)
    notification = {
        "notificationType": notification_type,
        "mail": {"messageId": key, "destination": recipients},
        "receipt": {
            "recipients": recipients,
            "action": {"type": "S3", "bucketName": INBOUND_BUCKET, "objectKey": key},
            **verdicts,
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


# --- SES verdicts -----------------------------------------------------------------------

HELP = ["help@desk.example.com"]
PASSED = {
    name: {"status": "PASS"}
    for name in ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")
}


def fail(name):
    return {**PASSED, name: {"status": "FAIL"}}


def kept_files():
    return boto3.client("s3").list_objects_v2(Bucket=attachments_bucket()).get("KeyCount", 0)


def no_card(card_id="SUP-1"):
    with pytest.raises(NotFoundError):
        get_card(card_id)
    return True


def test_all_verdicts_passed_open_a_card_and_answer_it(board):
    deliver(corpus.mixed_with_attachments(), HELP, **PASSED)
    assert len(get_card("SUP-1")["attachments"]) == 2
    assert [ack.card_id for ack in acknowledgements()] == ["SUP-1"]


def test_a_virus_opens_nothing_keeps_no_file_and_is_logged(board, caplog):
    caplog.set_level(logging.WARNING)
    deliver(corpus.mixed_with_attachments(), HELP, **fail("virusVerdict"))
    assert no_card()
    assert kept_files() == 0
    assert acknowledgements() == []
    [dropped] = [
        r for r in caplog.records if r.getMessage() == "inbound mail dropped on SES verdicts"
    ]
    assert (dropped.levelno, dropped.reason, dropped.object) == (logging.WARNING, "virus", "mail-1")
    assert not hasattr(dropped, "card_id")


def test_spam_opens_nothing_and_is_never_answered(board):
    deliver(corpus.mixed_with_attachments(), HELP, **fail("spamVerdict"))
    assert no_card()
    assert kept_files() == 0
    assert acknowledgements() == []


def test_a_virus_in_a_reply_adds_no_comment(board):
    # GIVEN a card opened by clean mail from Ivan
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP, **PASSED)
    # WHEN his reply naming the card carries a virus
    reply = (
        corpus.mixed_with_attachments()
        .replace(b"Subject: ", b"Subject: [SUP-1] ", 1)
        .replace(b"<a1b2c3@mail.example.ru>", b"<reply-1@mail.example.ru>")
    )
    deliver(reply, HELP, key="mail-2", **fail("virusVerdict"))
    # THEN the card has no comment and no file was kept
    assert list_comments("SUP-1", 50, None)["items"] == []
    assert kept_files() == 0
    # AND the same reply, clean, is taken: the virus was what kept it out
    deliver(reply, HELP, key="mail-3", **PASSED)
    assert len(list_comments("SUP-1", 50, None)["items"]) == 1
    assert kept_files() == 2


def test_a_dmarc_failure_under_p_reject_is_taken_for_spoofed(board):
    deliver(
        corpus.cyrillic_b_subject_base64_body(), HELP, **fail("dmarcVerdict"), dmarcPolicy="reject"
    )
    assert no_card()
    assert acknowledgements() == []


def test_a_dmarc_failure_under_p_quarantine_opens_a_card_without_an_answer(board):
    deliver(
        corpus.cyrillic_b_subject_base64_body(),
        HELP,
        **fail("dmarcVerdict"),
        dmarcPolicy="quarantine",
    )
    assert get_card("SUP-1")
    assert acknowledgements() == []


@pytest.mark.parametrize(
    "verdicts",
    [
        {**PASSED, "spamVerdict": {"status": "GRAY"}},
        {**PASSED, "virusVerdict": {"status": "PROCESSING_FAILED"}},
        {**PASSED, "dmarcVerdict": {"status": "GRAY"}, "dmarcPolicy": "reject"},
        {**fail("spfVerdict"), "dkimVerdict": {"status": "FAIL"}},
        {**fail("dmarcVerdict"), "dmarcPolicy": "none"},
        {"spamVerdict": {}, "virusVerdict": None},
    ],
    ids=["spam-gray", "virus-unscanned", "dmarc-gray", "spf-dkim-fail", "dmarc-p-none", "empty"],
)
def test_undecided_or_harmless_verdicts_are_taken_as_today(board, verdicts):
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP, **verdicts)
    assert get_card("SUP-1")
    assert [ack.card_id for ack in acknowledgements()] == ["SUP-1"]
