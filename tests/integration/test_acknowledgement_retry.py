"""A requester's acknowledgement whose first send fails is kept and sent by a later scanner tick.

SES is moto's, behind a sender that fails as each test asks; cards come in
through SES inbound mail (the SNS handler) and the request form, and the
breach scanner's ticks retry at the test clock's now.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters import mail_sender
from chalicelib.adapters.mail_records import get_mail_records
from chalicelib.domain.alerts import MAX_ATTEMPTS
from chalicelib.services.boards import create_board
from chalicelib.services.cards import get_card, list_comments
from chalicelib.services.deliveries import list_notifications
from chalicelib.services.intake import submit_form
from tests.e2e.intake_support import acknowledgements, prepare_mail_services
from tests.e2e.payloads import BOARD
from tests.integration.alert_support import tick
from tests.integration.test_intake_ses import INBOUND_BUCKET, deliver
from tests.unit import mail_corpus as corpus

HELP = ["help@desk.example.com"]


@dataclass
class FlakySes:
    """Wraps the real sender: the next ``failures`` sends raise ``code``, or all do when forever."""

    failures: int = 0
    code: str = "Throttling"
    forever: bool = False
    tried: list[str] = field(default_factory=list)
    sent: list[EmailMessage] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = mail_sender.MailSender.send

        def send(sender: mail_sender.MailSender, message: EmailMessage) -> str:
            self.tried.append(str(message["Message-ID"]))
            if self.forever or self.failures > 0:
                self.failures -= 1
                raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "SendRawEmail")
            self.sent.append(message)
            return real(sender, message)

        monkeypatch.setattr(mail_sender.MailSender, "send", send)


@pytest.fixture
def ses(monkeypatch):
    flaky = FlakySes()
    flaky.install(monkeypatch)
    return flaky


@pytest.fixture
def board(tables, clock):
    prepare_mail_services()
    boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET)
    return create_board({**BOARD, "intake_addresses": ["help@desk.example.com"]})


def notifications(status):
    return list_notifications(status, 50, None)["items"]


def later(clock, minutes):
    clock.set(clock.now() + timedelta(minutes=minutes))
    return tick()


def test_a_failed_acknowledgement_is_sent_once_by_the_next_tick_with_its_message_id(
    board, clock, ses
):
    # GIVEN SES fails the first send
    ses.failures = 1
    # WHEN mail opens a card
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP)
    # THEN the card is there, nothing went out, and the acknowledgement waits to be retried
    assert get_card("SUP-1")
    assert acknowledgements() == []
    [first_try] = ses.tried
    [pending] = notifications("pending")
    assert (pending["event"], pending["card_id"], pending["attempts"]) == (
        "acknowledgement",
        "SUP-1",
        1,
    )
    assert pending["target"] == corpus.IVAN
    assert pending["last_error"] == "email: Throttling"
    # WHEN the scanner ticks before the backoff is over, nothing is tried
    assert later(clock, 0)["sent"] == 0
    # WHEN it ticks once the backoff is over
    assert later(clock, 1)["sent"] == 1
    # THEN exactly one acknowledgement went out, with the Message-ID of the first try,
    # still threaded under the request and still naming the card
    [ack] = acknowledgements()
    assert ack.card_id == "SUP-1"
    [sent] = ses.sent
    assert str(sent["Message-ID"]) == first_try
    assert str(sent["In-Reply-To"]) == "<a1b2c3@mail.example.ru>"
    assert str(sent["Subject"]).startswith("[SUP-1] ")
    assert get_mail_records().find(first_try).card_id == "SUP-1"
    [done] = notifications("sent")
    assert (done["event"], done["attempts"]) == ("acknowledgement", 2)
    assert notifications("pending") == []
    # WHEN the scanner ticks twice more, nothing more is sent
    later(clock, 5)
    later(clock, 60)
    assert len(acknowledgements()) == 1
    assert len(ses.tried) == 2


def test_a_reply_to_a_retried_acknowledgement_becomes_a_comment(board, clock, ses):
    ses.failures = 1
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP)
    later(clock, 1)
    [sent] = ses.sent
    reply = EmailMessage()
    reply["From"] = corpus.IVAN
    reply["To"] = "help@desk.example.com"
    reply["Subject"] = "Re: your request"  # no card key: only the thread finds the card
    reply["Message-ID"] = "<reply-1@mail.example.ru>"
    reply["In-Reply-To"] = str(sent["Message-ID"])
    reply.set_content("Still broken.\n")
    deliver(reply.as_bytes(), HELP, key="mail-2")
    [comment] = list_comments("SUP-1", 50, None)["items"]
    assert "Still broken." in comment["body"]


def test_a_redelivered_notification_keeps_one_acknowledgement(board, clock, ses):
    ses.failures = 1
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP)
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP, key="mail-2")
    assert len(notifications("pending")) == 1
    later(clock, 1)
    later(clock, 10)
    assert len(acknowledgements()) == 1
    assert len(ses.tried) == 2


def test_a_form_posts_acknowledgement_is_retried_too(board, clock, ses):
    ses.failures = 1
    fields = {"name": "Ivan", "email": "ivan@example.com", "subject": "Login", "message": "Help"}
    answer = submit_form(board["id"], fields, locale="en")
    assert acknowledgements() == []
    later(clock, 1)
    [ack] = acknowledgements()
    assert (ack.card_id, ack.to) == (answer["id"], "ivan@example.com")
    assert str(ses.sent[0]["Auto-Submitted"]) == "auto-generated"


def test_an_acknowledgement_failing_every_time_gives_up_after_the_bound(board, clock, ses, caplog):
    caplog.set_level(logging.INFO)
    ses.forever = True
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP)
    for _ in range(MAX_ATTEMPTS + 2):
        later(clock, 60)
    assert len(ses.tried) == MAX_ATTEMPTS
    assert len(set(ses.tried)) == 1  # one message, tried again as it was
    assert acknowledgements() == []
    [failed] = notifications("failed")
    assert (failed["event"], failed["card_id"], failed["attempts"]) == (
        "acknowledgement",
        "SUP-1",
        MAX_ATTEMPTS,
    )
    assert notifications("pending") == []
    [gave_up] = [r for r in caplog.records if r.getMessage() == "delivery failed"]
    assert (gave_up.levelno, gave_up.card_id) == (logging.WARNING, "SUP-1")


def test_an_acknowledgement_ses_refuses_for_good_is_not_retried(board, clock, ses):
    ses.forever = True
    ses.code = "MessageRejected"
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP)
    later(clock, 1)
    later(clock, 60)
    assert len(ses.tried) == 1
    [failed] = notifications("failed")
    assert (failed["event"], failed["attempts"], failed["last_error"]) == (
        "acknowledgement",
        1,
        "email: MessageRejected",
    )


def test_an_acknowledgement_that_cannot_be_kept_is_logged_and_the_card_stands(
    board, clock, ses, monkeypatch, caplog
):
    from pynamodb.exceptions import PutError

    class Unreachable:
        """A transaction on the reports table that fails as DynamoDB fails, not a condition."""

        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            raise PutError("the reports table is unreachable")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr("chalicelib.adapters.alert_store.TransactWrite", Unreachable)
    ses.failures = 1
    deliver(corpus.cyrillic_b_subject_base64_body(), HELP)
    assert get_card("SUP-1")
    assert any(r.getMessage().startswith("acknowledgement lost") for r in caplog.records)
