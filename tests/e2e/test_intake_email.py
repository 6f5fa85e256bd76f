"""Inbound mail through ``POST /intake/email``: the outcome each corpus message must have.

The messages are those of the parser's corpus (``tests/unit/mail_corpus.py``),
shaped like real mail; here each goes through the HTTP door and the card,
comment, acknowledgement or refusal it must lead to is checked over the API.
"""

import email
import email.policy

import pytest

from tests.e2e.intake_support import acknowledgements, post_mail, prepare_mail_services
from tests.e2e.payloads import BOARD
from tests.unit import mail_corpus as corpus


@pytest.fixture
def board(api):
    prepare_mail_services()
    return api.ok("POST", "/boards", {**BOARD, "intake_addresses": [corpus.SUPPORT]})


def opened(api, raw):
    response = post_mail(api, raw)
    assert response.status_code == 201, response.body
    assert response.json_body["outcome"] == "card_opened"
    return api.ok("GET", f"/cards/{response.json_body['card_id']}", role="agent")


def test_a_new_message_opens_a_card_and_is_acknowledged_in_its_thread(api, board):
    card = opened(api, corpus.cyrillic_b_subject_base64_body())

    assert (card["id"], card["board_id"], card["channel"]) == ("SUP-1", board["id"], "email")
    assert card["title"] == corpus.LOGIN_SUBJECT
    assert card["description"] == corpus.LOGIN_TEXT.strip()
    assert card["requester"] == {"email": corpus.IVAN, "name": "Иван Петров"}
    [ack] = acknowledgements()
    assert (ack.card_id, ack.to) == ("SUP-1", corpus.IVAN)
    assert ack.subject.startswith("[SUP-1] ")
    assert "/status/" in ack.body
    sent = sent_message(ack.message_id)
    assert sent["To"] == f"Иван Петров <{corpus.IVAN}>"
    assert sent["In-Reply-To"] == "<a1b2c3@mail.example.ru>"
    assert sent["Auto-Submitted"] == "auto-replied"


def sent_message(ses_message_id):
    import requests

    data = requests.get("http://motoapi.amazonaws.com/moto-api/data.json", timeout=10).json()
    [raw] = [m["raw_data"] for m in data["ses"]["RawMessage"] if m["id"] == ses_message_id]
    return email.message_from_bytes(raw.encode(), policy=email.policy.default)


@pytest.mark.parametrize(
    "build",
    [
        corpus.auto_reply,
        corpus.out_of_office_bulk,
        corpus.vacation_x_autoreply,
        corpus.newsletter,
        corpus.null_return_path_notice,
        corpus.bounce,
        corpus.plain_bounce_from_mailer_daemon,
        corpus.own_message_reflected,
    ],
)
def test_automatic_mail_opens_a_card_but_is_never_answered(api, board, build):
    opened(api, build())
    assert acknowledgements() == []


def test_mail_from_our_own_sender_address_is_never_answered(api, board):
    raw = corpus.cyrillic_b_subject_base64_body().replace(
        corpus.IVAN.encode(), b"support@sladesk.local"
    )
    opened(api, raw)
    assert acknowledgements() == []


def test_the_same_message_id_twice_changes_nothing_and_answers_the_same(api, board):
    first = post_mail(api, corpus.mixed_with_attachments())
    before = api.stored()
    again = post_mail(api, corpus.mixed_with_attachments())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json_body == first.json_body == {"card_id": "SUP-1", "outcome": "card_opened"}
    assert api.stored() == before
    assert len(acknowledgements()) == 1


def test_a_message_without_message_id_is_recognised_by_its_bytes(api, board):
    raw = corpus.missing_message_id()
    assert post_mail(api, raw).status_code == 201
    assert post_mail(api, raw.replace(b"\n", b"\r\n")).status_code == 200


def test_attachments_are_stored_and_listed_on_the_card(api, board):
    card = opened(api, corpus.mixed_with_attachments())
    assert [(a["filename"], a["content_type"], a["too_large"]) for a in card["attachments"]] == [
        ("отчёт за ноябрь.pdf", "application/pdf", False),
        ("скриншот.png", "image/png", False),
    ]
    import boto3

    s3 = boto3.client("s3")
    stored = s3.get_object(Bucket="sladesk-attachments", Key=card["attachments"][0]["object_key"])
    assert stored["Body"].read() == corpus.PDF


def test_a_reply_naming_our_acknowledgement_becomes_a_requester_comment(api, board):
    opened(api, corpus.cyrillic_b_subject_base64_body())
    [ack] = acknowledgements()
    our_id = sent_message(ack.message_id)["Message-ID"]
    reply = (
        corpus.reply_outlook_russian()
        .replace(corpus.OUR_MESSAGE_ID.encode(), our_id.encode())
        .replace(b"<a1b2c3@mail.example.ru>", b"<outlook-1@example.ru>")
    )

    response = post_mail(api, reply)

    assert response.status_code == 200, response.body
    assert response.json_body == {"card_id": "SUP-1", "outcome": "commented"}
    [comment] = api.ok("GET", "/cards/SUP-1/comments", role="agent")["items"]
    assert comment["body"] == "Спасибо, всё работает.\n\nС уважением,\nИван"
    assert (comment["public"], comment["author_role"]) == (True, "requester")
    assert len(acknowledgements()) == 1


def test_a_card_key_in_the_subject_from_the_requester_becomes_a_comment(api, board):
    for _ in range(12):
        opened(
            api,
            corpus.cyrillic_b_subject_base64_body().replace(
                b"a1b2c3", b"x" + bytes(str(_), "ascii")
            ),
        )
    response = post_mail(api, corpus.reply_thunderbird_russian())
    assert response.json_body == {"card_id": "SUP-12", "outcome": "commented"}
    [comment] = api.ok("GET", "/cards/SUP-12/comments", role="agent")["items"]
    assert comment["body"] == "Всё равно не пускает."


def test_a_card_key_from_a_stranger_opens_a_new_card(api, board):
    raw = corpus.cyrillic_b_subject_base64_body()
    opened(api, raw)
    stranger = (
        corpus.reply_thunderbird_russian()
        .replace(b"SUP-12", b"SUP-1")
        .replace(corpus.IVAN.encode(), b"mallory@example.net")
        .replace(b"<a1b2c3@mail.example.ru>", b"<m1@example.net>")
    )
    response = post_mail(api, stranger)
    assert response.status_code == 201
    assert response.json_body["card_id"] == "SUP-2"


def test_mail_no_board_takes_is_refused_and_writes_nothing(api):
    prepare_mail_services()
    api.ok("POST", "/boards", {**BOARD, "intake_addresses": ["other@desk.example.com"]})
    error = api.refused(
        "POST",
        "/intake/email",
        raw=corpus.cyrillic_b_subject_base64_body(),
        role="intake",
        headers={"Content-Type": "message/rfc822"},
        status=422,
    )
    assert error["code"] == "no_board_for_address"


def test_unmatched_mail_goes_to_the_default_intake_board(api):
    prepare_mail_services()
    api.ok("POST", "/boards", {**BOARD, "intake_addresses": ["other@desk.example.com"]})
    default = api.ok("POST", "/boards", {**BOARD, "key": "GEN", "default_intake": True})
    card = opened(api, corpus.cyrillic_b_subject_base64_body())
    assert (card["id"], card["board_id"]) == ("GEN-1", default["id"])


def test_cc_and_delivered_to_route_a_message_too(api):
    prepare_mail_services()
    ops = api.ok(
        "POST", "/boards", {**BOARD, "key": "OPS", "intake_addresses": ["ops@desk.example.com"]}
    )
    card = opened(api, corpus.mixed_with_attachments())
    assert card["board_id"] == ops["id"]


@pytest.mark.parametrize(
    ("role", "headers", "status"),
    [
        (None, {"Content-Type": "message/rfc822"}, 401),
        ("agent", {"Content-Type": "message/rfc822"}, 403),
        ("intake", {"Content-Type": "text/plain"}, 415),
    ],
)
def test_the_mail_door_needs_the_intake_role_and_a_raw_message(api, board, role, headers, status):
    api.refused(
        "POST", "/intake/email", raw=corpus.auto_reply(), role=role, headers=headers, status=status
    )


def test_a_message_without_a_sender_is_refused(api, board):
    raw = b"To: support@desk.example.com\r\nSubject: hi\r\nMessage-ID: <x@y>\r\n\r\nhello\r\n"
    error = api.refused(
        "POST",
        "/intake/email",
        raw=raw,
        role="intake",
        headers={"Content-Type": "message/rfc822"},
        status=400,
    )
    assert error["code"] == "no_sender_address"
