"""Inbound e-mail read whole: what each corpus message gives, and what cannot break the reader."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from email.message import EmailMessage

import pytest

from chalicelib.mail.automatic import AutoSubmittedReason
from chalicelib.mail.card_keys import find_card_key
from chalicelib.mail.errors import InvalidSenderError, MessageTooLargeError
from chalicelib.mail.limits import MAX_HTML_CHARS, MAX_MESSAGE_BYTES
from chalicelib.mail.message_ids import DERIVED_ID_DOMAIN
from chalicelib.mail.reading import InboundMessage, parse_message
from tests.unit import mail_corpus as corpus
from tests.unit.mail_corpus import IVAN, LOGIN_SUBJECT, OUR_MESSAGE_ID, PDF, PNG, SUPPORT

Reason = AutoSubmittedReason
IVAN_NAME = "Иван Петров"
FIRST_ID = "<a1b2c3@mail.example.ru>"


@dataclass(frozen=True)
class Outcome:
    """What one corpus message must give. Attachments are (file name, type, size, too large)."""

    subject: str
    sender: str = IVAN
    sender_name: str = IVAN_NAME
    text_has: tuple[str, ...] = ()
    text_lacks: tuple[str, ...] = ()
    reply_text: str | None = None
    card_key: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    auto: AutoSubmittedReason | None = None
    attachments: tuple[tuple[str, str, int, bool], ...] = ()
    recipients: tuple[str, ...] = (SUPPORT,)
    message_id: str | None = FIRST_ID
    """None: the message has none, and one is derived."""
    defects: bool = False


CORPUS = [
    pytest.param(
        corpus.cyrillic_b_subject_base64_body,
        Outcome(LOGIN_SUBJECT, text_has=("Добрый день!\nНе могу войти",)),
        id="cyrillic-utf8-b-subject-base64-body",
    ),
    pytest.param(
        corpus.koi8r_q_subject_quoted_printable_body,
        Outcome(
            LOGIN_SUBJECT,
            sender="petr@example.ru",
            sender_name="Пётр Сидоров",
            text_has=("Пароль не подходит, хотя я его не менял.",),
        ),
        id="cyrillic-koi8r-q-subject-quoted-printable-body",
    ),
    pytest.param(
        corpus.long_folded_subject,
        Outcome(
            "Срочно: не работает вход в личный кабинет после смены пароля [EXTERNAL]",
            text_has=("Подробности в теме.",),
        ),
        id="long-folded-subject-external-tag-is-no-card-key",
    ),
    pytest.param(
        corpus.html_only_hostile,
        Outcome(
            "HTML only",
            text_has=("Не могу войти — Tom & Jerry's account.", "Second line\nthird line"),
            text_lacks=("<", ">", "alert", "onerror", "steal", "cookie", "color", "javascript"),
        ),
        id="html-only-hostile-markup",
    ),
    pytest.param(
        corpus.alternative_text_and_html,
        Outcome(
            "Report page is blank",
            text_has=("Plain version: the report page is blank.",),
            text_lacks=("HTML version",),
        ),
        id="alternative-prefers-text",
    ),
    pytest.param(
        corpus.alternative_with_empty_text,
        Outcome("Empty text part", text_has=("Only the HTML says something.",)),
        id="alternative-with-empty-text-reads-html",
    ),
    pytest.param(
        corpus.mixed_with_attachments,
        Outcome(
            "Отчёт и скриншот",
            text_has=("Отчёт и скриншот во вложении.",),
            attachments=(
                ("отчёт за ноябрь.pdf", "application/pdf", len(PDF), False),
                ("скриншот.png", "image/png", len(PNG), False),
            ),
            recipients=(SUPPORT, "ops@desk.example.com", "intake+sup@desk.example.com"),
        ),
        id="mixed-with-pdf-and-image",
    ),
    pytest.param(
        corpus.attachment_only,
        Outcome(
            "Scan",
            sender="scanner@office.example.ru",
            sender_name="",
            attachments=(("attachment-1.pdf", "application/pdf", len(PDF), False),),
        ),
        id="attachment-only-without-file-name",
    ),
    pytest.param(
        corpus.missing_message_id,
        Outcome("No id", text_has=("Sent by a script.",), message_id=None),
        id="missing-message-id",
    ),
    pytest.param(
        corpus.broken_headers,
        Outcome(
            "not*base64caf\ufffd login",
            sender_name="",
            text_has=("Пароль не подходит.", "Broken \ufffd\ufffd bytes."),
            recipients=(),
            message_id=None,
            defects=True,
        ),
        id="broken-headers-and-unknown-charset",
    ),
    pytest.param(
        corpus.raw_8bit_headers,
        Outcome(
            LOGIN_SUBJECT,
            text_has=("Сообщение без кодировки заголовков.",),
            message_id="<raw8bit@example.ru>",
            defects=True,
        ),
        id="raw-utf8-headers",
    ),
    pytest.param(
        corpus.auto_reply,
        Outcome(
            "Автоответ: " + LOGIN_SUBJECT,
            text_has=("Я в отпуске",),
            auto=Reason.AUTO_SUBMITTED_HEADER,
        ),
        id="auto-reply",
    ),
    pytest.param(
        corpus.out_of_office_bulk,
        Outcome("Out of Office: Report page is blank", auto=Reason.BULK_PRECEDENCE),
        id="out-of-office-precedence-bulk",
    ),
    pytest.param(
        corpus.vacation_x_autoreply,
        Outcome("Away", auto=Reason.AUTORESPONDER_HEADER),
        id="vacation-x-autoreply",
    ),
    pytest.param(
        corpus.newsletter,
        Outcome(
            "Product news",
            sender="news@news.example.com",
            sender_name="",
            auto=Reason.MAILING_LIST,
        ),
        id="newsletter-list-id",
    ),
    pytest.param(
        corpus.null_return_path_notice,
        Outcome("Notice", sender="bot@example.com", sender_name="", auto=Reason.NULL_RETURN_PATH),
        id="null-return-path",
    ),
    pytest.param(
        corpus.bounce,
        Outcome(
            "Undelivered Mail Returned to Sender",
            sender="mailer-daemon@mx.example.ru",
            sender_name="Mail Delivery System",
            text_has=("could not be delivered",),
            text_lacks=("Final-Recipient", "Your request SUP-12"),
            auto=Reason.DELIVERY_REPORT,
        ),
        id="bounce-multipart-report",
    ),
    pytest.param(
        corpus.plain_bounce_from_mailer_daemon,
        Outcome(
            "failure notice",
            sender="postmaster@mx.example.ru",
            sender_name="",
            auto=Reason.SYSTEM_SENDER,
        ),
        id="plain-bounce-from-postmaster",
    ),
    pytest.param(
        corpus.own_message_reflected,
        Outcome(
            "[SUP-12] Request received",
            sender=SUPPORT,
            sender_name="Sladesk Support",
            card_key="SUP-12",
            auto=Reason.OWN_ADDRESS,
        ),
        id="our-own-mail-reflected",
    ),
    pytest.param(
        corpus.reply_gmail_english,
        Outcome(
            "Re: [SUP-12] " + LOGIN_SUBJECT,
            text_has=("> Please try to log in again.",),
            reply_text="Thanks, it works now.",
            card_key="SUP-12",
            in_reply_to=(OUR_MESSAGE_ID,),
            references=(FIRST_ID, OUR_MESSAGE_ID),
            message_id="<gmail-1@mail.gmail.com>",
        ),
        id="reply-gmail-english",
    ),
    pytest.param(
        corpus.reply_outlook_russian,
        Outcome(
            "RE: " + LOGIN_SUBJECT,
            text_has=("Попробуйте войти ещё раз.",),
            reply_text="Спасибо, всё работает.\n\nС уважением,\nИван",
            in_reply_to=(OUR_MESSAGE_ID,),
        ),
        id="reply-outlook-russian",
    ),
    pytest.param(
        corpus.reply_thunderbird_russian,
        Outcome(
            "Re: [SUP-12] " + LOGIN_SUBJECT,
            reply_text="Всё равно не пускает.",
            card_key="SUP-12",
            references=(OUR_MESSAGE_ID,),
        ),
        id="reply-thunderbird-russian-bottom-posted",
    ),
]


@pytest.mark.parametrize(("build", "outcome"), CORPUS)
def test_each_corpus_message_gives_its_outcome(
    build: Callable[[], bytes], outcome: Outcome
) -> None:
    message = parse_message(build(), own_addresses=[SUPPORT])

    assert message.subject == outcome.subject
    assert (message.sender_address, message.sender_name) == (outcome.sender, outcome.sender_name)
    assert message.recipients == outcome.recipients
    for fragment in outcome.text_has:
        assert fragment in message.text
    for fragment in outcome.text_lacks:
        assert fragment not in message.text
    assert message.reply_text == (outcome.reply_text or message.text)
    assert message.card_key_in_subject == outcome.card_key
    assert (message.in_reply_to, message.references) == (outcome.in_reply_to, outcome.references)
    assert message.auto_submitted_reason == outcome.auto
    assert message.auto_submitted == (outcome.auto is not None)
    assert _attachments(message) == outcome.attachments
    if outcome.message_id is None:
        assert message.message_id.endswith(f"@{DERIVED_ID_DOMAIN}>")
    else:
        assert message.message_id == outcome.message_id
    assert bool(message.defects) == outcome.defects


@pytest.mark.parametrize(("build", "outcome"), CORPUS)
def test_every_string_read_from_the_corpus_can_be_stored(
    build: Callable[[], bytes], outcome: Outcome
) -> None:
    # Lone surrogates (undecodable bytes) or control characters would break
    # DynamoDB writes and JSON answers later.
    message = parse_message(build())
    stored = json.dumps(asdict(message), default=lambda value: None, ensure_ascii=False)
    stored.encode("utf-8")
    assert not any(ord(character) < 32 and character not in "\t\n" for character in message.text)


# --- message ids ------------------------------------------------------------------------------


def test_a_missing_message_id_is_derived_from_the_bytes_so_a_redelivery_matches() -> None:
    raw = corpus.missing_message_id()
    first = parse_message(raw).message_id
    assert first == parse_message(raw).message_id
    assert first == parse_message(raw.replace(b"\n", b"\r\n")).message_id
    assert first.endswith(f"@{DERIVED_ID_DOMAIN}>")
    assert first != parse_message(raw.replace(b"script", b"person")).message_id


def test_message_ids_are_normalised_to_angle_brackets() -> None:
    raw = (
        b"From: ivan.petrov@example.ru\n"
        b"Message-ID:   bare-id@host.example \n"
        b"In-Reply-To: <one@host> (a comment) <two@host>\n"
        b"References: <one@host>\n <two@host> <one@host>\n"
        b"\nhi\n"
    )
    message = parse_message(raw)
    assert message.message_id == "<bare-id@host.example>"
    assert message.in_reply_to == ("<one@host>", "<two@host>")
    assert message.references == ("<one@host>", "<two@host>")


# --- refusals ---------------------------------------------------------------------------------


def test_a_message_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(MessageTooLargeError) as refused:
        parse_message(b"x" * (MAX_MESSAGE_BYTES + 1))
    assert (refused.value.size, refused.value.limit) == (MAX_MESSAGE_BYTES + 1, MAX_MESSAGE_BYTES)

    raw = corpus.cyrillic_b_subject_base64_body()
    with pytest.raises(MessageTooLargeError):
        parse_message(raw, max_message_bytes=len(raw) - 1)
    assert parse_message(raw, max_message_bytes=len(raw)).subject == LOGIN_SUBJECT


@pytest.mark.parametrize(
    "sender",
    [None, "", "undisclosed-recipients:;", "Ivan Petrov", "ivan at example dot ru", "<>"],
)
def test_a_message_without_a_readable_sender_is_refused(sender: str | None) -> None:
    raw = b"To: support@desk.example.com\nSubject: hello\n\nhi\n"
    if sender is not None:
        raw = f"From: {sender}\n".encode() + raw
    with pytest.raises(InvalidSenderError):
        parse_message(raw)


def test_nothing_at_all_is_refused_as_having_no_sender() -> None:
    with pytest.raises(InvalidSenderError):
        parse_message(b"")


# --- what cannot break the parser -------------------------------------------------------------


def test_a_multipart_without_its_boundary_gives_what_it_can() -> None:
    raw = (
        b"From: ivan.petrov@example.ru\nSubject: broken\n"
        b"Content-Type: multipart/mixed\n\n--nothing\nContent-Type: text/plain\n\nhi\n"
    )
    message = parse_message(raw)
    assert (message.subject, message.attachments) == ("broken", ())
    assert message.defects


def test_a_text_body_stays_plain_text_for_pages_to_escape() -> None:
    # GIVEN a text/plain body that looks like markup
    raw = _plain_message(body="<script>alert(1)</script> & <b>bold</b>\n")
    # THEN it is given back as the text it is: escaping is the job of whatever shows it
    assert parse_message(raw).text == "<script>alert(1)</script> & <b>bold</b>"


def test_auto_submitted_no_is_a_person_writing() -> None:
    raw = _plain_message(**{"Auto-Submitted": "no (a person wrote this)"})
    assert parse_message(raw).auto_submitted is False


def test_own_addresses_are_matched_whatever_their_case() -> None:
    raw = _plain_message(From="Support <Support@Desk.Example.com>")
    reason = parse_message(raw, own_addresses=["SUPPORT@desk.example.COM"]).auto_submitted_reason
    assert reason is Reason.OWN_ADDRESS


# --- attachments ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_message() -> InboundMessage:
    return parse_message(corpus.big_attachment())


def test_a_15_mb_attachment_is_listed_without_its_bytes(big_message: InboundMessage) -> None:
    (log,) = big_message.attachments
    assert (log.filename, log.size, log.too_large, log.content) == (
        "server.log",
        corpus.BIG_ATTACHMENT_BYTES,
        True,
        None,
    )
    assert big_message.text == "The full log is attached."


def test_attachments_keep_their_bytes_up_to_the_limit_exactly() -> None:
    raw = corpus.mixed_with_attachments()
    pdf, png = parse_message(raw, max_attachment_bytes=len(PDF)).attachments
    assert (pdf.content, pdf.too_large) == (PDF, False)
    assert (png.content, png.too_large, png.size) == (None, True, len(PNG))


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ivan\\Desktop\\report.pdf", "report.pdf"),
        ("bad\x07name.pdf", "bad name.pdf"),
        ("..", "attachment-1.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_attachment_names_are_safe_to_show_and_store(filename: str, stored_as: str) -> None:
    message = EmailMessage()
    message["From"] = IVAN
    message.set_content("see attached")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename=filename)
    (attachment,) = parse_message(message.as_bytes()).attachments
    assert attachment.filename == stored_as


def test_a_forwarded_message_is_an_attachment() -> None:
    forwarded = EmailMessage()
    forwarded["From"] = "boss@example.ru"
    forwarded["Subject"] = "Please handle"
    forwarded.set_content("Original text.\n")
    message = EmailMessage()
    message["From"] = IVAN
    message.set_content("Forwarding the message below.\n")
    message.add_attachment(forwarded)
    parsed = parse_message(message.as_bytes())
    (attachment,) = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("attachment-1.eml", "message/rfc822")
    assert b"Original text." in (attachment.content or b"")
    assert "Original text." not in parsed.text


# --- card keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("[SUP-12] Не работает вход", "SUP-12"),
        ("Re: Fwd: [OPS2-7] Disk full", "OPS2-7"),
        ("[EXTERNAL] RE: [SUP-12] Login", "SUP-12"),
        ("Re: [SUP-12] answer to [SUP-9]", "SUP-12"),
        ("[EXTERNAL] Login", None),
        ("[SUP] Login", None),
        ("[sup-12] Login", None),
        ("[SUP-012] Login", None),
        ("[SUP-0] Login", None),
        ("SUP-12 without brackets", None),
        ("[SUP-12a] Login", None),
        ("[SUP-12 ] Login", None),
        ("[2SUP-12] Login", None),
        ("[ABCDEFGHIJK-1] key longer than a board key", None),
    ],
)
def test_only_a_card_id_in_brackets_is_a_card_key(subject: str, key: str | None) -> None:
    assert find_card_key(subject) == key


# --- replies and HTML read whole ---------------------------------------------------------------


def test_a_reply_that_is_all_quote_keeps_its_whole_text() -> None:
    raw = _plain_message(body="> quoted only\n> nothing else\n")
    message = parse_message(raw)
    assert message.reply_text == message.text == "> quoted only\n> nothing else"


def test_an_html_reply_is_trimmed_like_a_text_one() -> None:
    html = (
        '<div dir="ltr">Works now, thanks!</div><br><div class="gmail_quote">'
        '<div class="gmail_attr">On Mon, Nov 2, 2026 at 10:20 AM Support &lt;'
        '<a href="mailto:support@desk.example.com">support@desk.example.com</a>&gt; wrote:<br>'
        "</div><blockquote>Try again.</blockquote></div>"
    )
    message = EmailMessage()
    message["From"] = IVAN
    message.set_content(html, subtype="html")
    assert parse_message(message.as_bytes()).reply_text == "Works now, thanks!"


def test_only_the_start_of_a_huge_html_only_body_is_read_for_its_text() -> None:
    filler = "<p style='color:#333;margin:0'>Line of a very long newsletter.</p>"
    html = "<p>The report page is blank.</p>" + filler * (MAX_HTML_CHARS // len(filler) + 1000)
    message = EmailMessage()
    message["From"] = IVAN
    message.set_content(html + "<p>BEYOND THE CAP</p>", subtype="html")

    text = parse_message(message.as_bytes()).text

    assert text.startswith("The report page is blank.")
    assert "Line of a very long newsletter." in text
    assert "BEYOND THE CAP" not in text


# --- helpers ----------------------------------------------------------------------------------


def _plain_message(body: str = "Hello.\n", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", IVAN)
    message["To"] = SUPPORT
    message["Subject"] = "Hello"
    for name, value in headers.items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _attachments(message: InboundMessage) -> tuple[tuple[str, str, int, bool], ...]:
    return tuple(
        (attachment.filename, attachment.content_type, attachment.size, attachment.too_large)
        for attachment in message.attachments
    )
