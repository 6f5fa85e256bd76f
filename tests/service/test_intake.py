"""Intake through the services on the in-memory fakes: form posts, mail, repeats, lost races.

A request opens exactly one card and is acknowledged once; a repeated ``Idempotency-Key``
or Message-ID opens nothing more and answers the same; mail's files are kept. The fakes
refuse what DynamoDB and Powertools refuse: a Message-ID claimed already, a form key
still in progress or reused with other fields.
"""

import json

import pytest

from chalicelib import ports
from chalicelib.domain.mail_records import SENT
from chalicelib.ports.cards import card_store
from chalicelib.ports.intake import form_idempotency, mail_records
from chalicelib.services import attachments, cards, intake
from chalicelib.services.errors import ConflictError, InvalidInputError, UnprocessableError
from tests.service.card_support import new_board
from tests.unit import mail_corpus as corpus

FIELDS = {
    "name": "Ann Lee",
    "email": "ann@example.com",
    "subject": "Cannot log in",
    "message": "Since this morning.",
}


@pytest.fixture
def board(world):
    return new_board(intake_addresses=[corpus.SUPPORT])


def sent_mail(world):
    return world.stores["mail"].sent


def board_cards(board):
    return cards.list_cards(board["id"], {}, None, False, 100, None)["items"]


def post(board, key="key-1", fields=FIELDS):
    return intake.submit_form(board["id"], dict(fields), locale="en", idempotency_key=key)


# --- the form ---------------------------------------------------------------------------


def test_a_form_post_opens_one_card_and_acknowledges_it_once(world, board):
    answer = intake.submit_form(board["id"], dict(FIELDS), locale="en")

    assert answer["id"] == "SUP-1"
    assert answer["status_url"].startswith("/status/")
    [card] = board_cards(board)
    assert (card["id"], card["channel"], card["title"]) == ("SUP-1", "form", "Cannot log in")
    [ack] = sent_mail(world)
    assert ack["To"] == "Ann Lee <ann@example.com>"
    assert ack["Subject"].startswith("[SUP-1] ")
    assert ack["Auto-Submitted"] == "auto-generated"
    record = mail_records().find(ack["Message-ID"])
    assert (record.card_id, record.direction) == ("SUP-1", SENT)


def test_a_retried_post_with_the_same_key_answers_the_same_card_and_opens_no_other(world, board):
    first = post(board)
    again = post(board)

    assert again == first
    assert [card["id"] for card in board_cards(board)] == ["SUP-1"]
    assert len(sent_mail(world)) == 1


def test_another_key_opens_another_card(world, board):
    post(board, key="key-1")
    post(board, key="key-2")
    assert [card["id"] for card in board_cards(board)] == ["SUP-1", "SUP-2"]


def test_a_key_reused_with_other_fields_is_refused_and_opens_nothing(world, board):
    post(board)
    with pytest.raises(UnprocessableError) as refused:
        post(board, fields={**FIELDS, "subject": "Something else"})
    assert refused.value.code == "idempotency_key_reused"
    assert len(board_cards(board)) == 1


def test_a_retry_while_the_first_post_runs_is_a_conflict(world, board):
    class RetryWhileSending:
        """The mail sender, but the client retries the post while its card is acknowledged."""

        def __init__(self, mail):
            self.mail = mail
            self.refusal = None

        def send(self, message):
            try:
                post(board)
            except ConflictError as error:
                self.refusal = error
            return self.mail.send(message)

    racing = RetryWhileSending(world.stores["mail"])
    ports.provide("alerts.mail_sender", lambda: racing)

    first = post(board)

    assert racing.refusal is not None
    assert racing.refusal.code == "idempotency_key_in_progress"
    assert post(board) == first
    assert [card["id"] for card in board_cards(board)] == ["SUP-1"]


def test_a_post_that_failed_leaves_its_key_free_for_the_retry(world, board):
    class FailsOnce:
        def __init__(self, store):
            self.store = store
            self.armed = True

        def __getattr__(self, name):
            return getattr(self.store, name)

        def create(self, card, events, claims=()):
            if self.armed:
                self.armed = False
                raise ConnectionError("the table is out of reach")
            return self.store.create(card, events, claims)

    flaky = FailsOnce(card_store())
    ports.provide("cards.card_store", lambda: flaky)
    with pytest.raises(ConnectionError):
        post(board)

    answer = post(board)

    assert answer["id"] == "SUP-2"
    assert [card["id"] for card in board_cards(board)] == ["SUP-2"]


def test_a_key_is_forgotten_after_its_lifetime(world, board):
    post(board)
    world.clock.advance(24 * 3600 + 1)
    assert post(board)["id"] == "SUP-2"


def test_a_filled_honeypot_opens_nothing_and_sends_nothing(world, board):
    answer = intake.submit_form(board["id"], {**FIELDS, "website": "x"}, locale="en")
    assert answer["id"] == "SUP-1"
    assert board_cards(board) == []
    assert sent_mail(world) == []
    assert form_idempotency() is world.stores["intake.form_idempotency"]


# --- mail -------------------------------------------------------------------------------


def test_a_new_message_opens_one_card_acknowledged_in_its_thread(world, board):
    outcome = intake.receive_mail(corpus.cyrillic_b_subject_base64_body())

    assert (outcome.card_id, outcome.outcome, outcome.created) == ("SUP-1", "card_opened", True)
    card = cards.get_card("SUP-1")
    assert (card["channel"], card["title"]) == ("email", corpus.LOGIN_SUBJECT)
    assert card["requester"] == {"email": corpus.IVAN, "name": "Иван Петров"}
    [ack] = sent_mail(world)
    assert ack["In-Reply-To"] == "<a1b2c3@mail.example.ru>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert mail_records().find(ack["Message-ID"]).card_id == "SUP-1"


def test_the_same_message_delivered_again_opens_no_second_card(world, board):
    raw = corpus.cyrillic_b_subject_base64_body()
    first = intake.receive_mail(raw)
    again = intake.receive_mail(raw)

    assert again.answer() == first.answer()
    assert again.created is False
    assert [card["id"] for card in board_cards(board)] == ["SUP-1"]
    assert len(sent_mail(world)) == 1


def test_a_delivery_that_lost_the_race_answers_the_card_the_other_opened(world, board):
    raw = corpus.cyrillic_b_subject_base64_body()

    class DeliveredTwiceAtOnce:
        """The Message-ID records, but the other delivery acts right after our first look."""

        def __init__(self, records):
            self.records = records
            self.armed = True
            self.other = None

        def __getattr__(self, name):
            return getattr(self.records, name)

        def find(self, message_id):
            seen = self.records.find(message_id)
            if self.armed:
                self.armed = False
                self.other = intake.receive_mail(raw)
            return seen

    racing = DeliveredTwiceAtOnce(mail_records())
    ports.provide("intake.mail_records", lambda: racing)

    ours = intake.receive_mail(raw)

    assert racing.other.created is True
    assert (ours.outcome, ours.created) == ("card_opened", False)
    assert ours.card_id == racing.other.card_id
    assert [card["id"] for card in board_cards(board)] == [ours.card_id]
    assert len(sent_mail(world)) == 1


def test_the_files_of_a_message_are_kept_and_listed_on_its_card(world, board):
    outcome = intake.receive_mail(corpus.mixed_with_attachments())

    listed = cards.get_card(outcome.card_id)["attachments"]
    assert [file["filename"] for file in listed] == ["отчёт за ноябрь.pdf", "скриншот.png"]
    kept = world.stores["intake.attachments"].files
    assert kept[listed[0]["object_key"]].content == corpus.PDF
    assert kept[listed[1]["object_key"]].content_type == "image/png"
    link = attachments.card_file_link(outcome.card_id, "1")
    assert link.startswith(f"memory://attachments/{listed[0]['object_key']}?")


def test_a_file_too_large_is_listed_but_not_kept(world, board):
    outcome = intake.receive_mail(corpus.big_attachment())

    [file] = cards.get_card(outcome.card_id)["attachments"]
    assert (file["too_large"], file["object_key"]) == (True, None)
    assert world.stores["intake.attachments"].files == {}


def test_a_reply_in_the_thread_becomes_one_comment_of_the_requester(world, board):
    intake.receive_mail(corpus.cyrillic_b_subject_base64_body())
    reply = corpus.reply_gmail_english()

    first = intake.receive_mail(reply)
    again = intake.receive_mail(reply)

    assert (first.card_id, first.outcome) == ("SUP-1", "commented")
    assert again.answer() == first.answer()
    [comment] = cards.list_comments("SUP-1", 100, None)["items"]
    assert comment["body"] == "Thanks, it works now."
    assert len(sent_mail(world)) == 1


def test_mail_no_board_takes_is_refused(world):
    new_board()
    with pytest.raises(UnprocessableError) as refused:
        intake.receive_mail(corpus.cyrillic_b_subject_base64_body())
    assert refused.value.code == "no_board_for_address"


def test_a_message_without_a_sender_is_refused(world, board):
    raw = corpus.cyrillic_b_subject_base64_body().replace(b"From:", b"X-From:")
    with pytest.raises(InvalidInputError):
        intake.receive_mail(raw)


def test_mail_stored_on_receipt_is_read_and_routed_by_its_envelope(world, board):
    world.stores["intake.stored_mail"].mail[("inbound", "mail-1")] = (
        corpus.cyrillic_b_subject_base64_body()
    )
    notification = {
        "notificationType": "Received",
        "mail": {"messageId": "mail-1"},
        "receipt": {
            "recipients": [corpus.SUPPORT],
            "action": {"type": "S3", "bucketName": "inbound", "objectKey": "mail-1"},
        },
    }

    outcome = intake.receive_stored_mail(json.dumps(notification))

    assert (outcome.card_id, outcome.created) == ("SUP-1", True)
    assert intake.receive_stored_mail(json.dumps(notification)).created is False
    assert len(sent_mail(world)) == 1
