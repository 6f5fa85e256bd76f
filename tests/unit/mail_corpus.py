"""A corpus of inbound e-mail shaped like real mail, built with the ``email`` package.

Each builder returns the raw bytes a mail server would hand sladesk. The
``email.mime`` classes write headers exactly as given, so they are used where
the corpus needs a particular encoding on the wire (RFC 2047 B or Q, koi8-r);
where real mailers write something no library would (broken headers, raw
8-bit headers), the bytes are spelled out. What each message must give is in
``test_mail_reading.py``.
"""

from __future__ import annotations

import base64
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

SUPPORT = "support@desk.example.com"
IVAN = "ivan.petrov@example.ru"
LOGIN_SUBJECT = "Не работает вход"
LOGIN_TEXT = "Добрый день!\nНе могу войти в личный кабинет с утра.\n"
OUR_MESSAGE_ID = "<card.SUP-12.1@desk.example.com>"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
BIG_ATTACHMENT_BYTES = 15 * 1024 * 1024


def encoded_word(text: str, charset: str, encoding: int) -> str:
    """``text`` as RFC 2047 encoded words in ``charset``, B (``BASE64``) or Q (``QP``) encoded."""
    chosen = Charset(charset)
    chosen.header_encoding = encoding
    return Header(text, chosen).encode()


def _address(name: str, address: str, charset: str = "utf-8") -> str:
    return formataddr((name, address), charset=charset)


def _envelope(message, subject: str, *, sender: str = "", message_id: str = "") -> bytes:
    """The usual headers on ``message``, then its bytes as a mail server stores them."""
    message["From"] = sender or _address("Иван Петров", IVAN)
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Date"] = "Mon, 02 Nov 2026 10:15:00 +0300"
    if message_id != "none":
        message["Message-ID"] = message_id or "<a1b2c3@mail.example.ru>"
    return message.as_bytes()


def cyrillic_b_subject_base64_body() -> bytes:
    """A request as Thunderbird sends it: RFC 2047 B subject in UTF-8, base64 body."""
    message = MIMEText(LOGIN_TEXT, "plain", "utf-8")
    return _envelope(message, encoded_word(LOGIN_SUBJECT, "utf-8", BASE64))


def koi8r_q_subject_quoted_printable_body() -> bytes:
    """An old Russian mailer: koi8-r throughout, RFC 2047 Q subject, quoted-printable body."""
    charset = Charset("koi8-r")
    charset.body_encoding = QP
    message = MIMEText("Пароль не подходит, хотя я его не менял.\n", "plain", charset)
    sender = _address("Пётр Сидоров", "Petr@Example.RU", "koi8-r")
    return _envelope(message, encoded_word(LOGIN_SUBJECT, "koi8-r", QP), sender=sender)


def long_folded_subject() -> bytes:
    """A subject long enough to be split into several encoded words over folded lines."""
    subject = "Срочно: не работает вход в личный кабинет после смены пароля [EXTERNAL]"
    message = MIMEText("Подробности в теме.\n", "plain", "utf-8")
    return _envelope(message, encoded_word(subject, "utf-8", BASE64))


def html_only_hostile() -> bytes:
    """An HTML-only message carrying script, styles and event handlers."""
    html = """<!DOCTYPE html><html><head><title>Mail</title>
<style>p { color: red }</style><script>steal(document.cookie)</script></head>
<body><p>Не могу войти &mdash; Tom &amp; Jerry's account.</p>
<img src="x" onerror="alert('pwned')">
<div onclick="alert(2)">Second line<br>third line</div>
<a href="javascript:alert(3)">click me</a>
<script type="text/javascript">alert("again")</script>
<iframe src="https://evil.example.com/frame"></iframe>
</body></html>"""
    return _envelope(MIMEText(html, "html", "utf-8"), "HTML only")


def alternative_text_and_html() -> bytes:
    """multipart/alternative as most clients send it: the text version is taken."""
    message = MIMEMultipart("alternative")
    message.attach(MIMEText("Plain version: the report page is blank.\n", "plain", "utf-8"))
    message.attach(MIMEText("<p>HTML version: the <b>report</b> page is blank.</p>", "html"))
    return _envelope(message, "Report page is blank")


def alternative_with_empty_text() -> bytes:
    """An alternative whose text version is empty (some mailers): the HTML is read instead."""
    message = MIMEMultipart("alternative")
    message.attach(MIMEText("\n", "plain", "utf-8"))
    message.attach(MIMEText("<p>Only the <b>HTML</b> says something.</p>", "html", "utf-8"))
    return _envelope(message, "Empty text part")


def mixed_with_attachments() -> bytes:
    """A request with a PDF (RFC 2231 file name) and a screenshot (RFC 2047 name, as Outlook)."""
    message = MIMEMultipart("mixed")
    message["Cc"] = "Ops Team <OPS@Desk.Example.com>, " + SUPPORT
    message["Delivered-To"] = "Intake+SUP@desk.example.com"
    message.attach(MIMEText("Отчёт и скриншот во вложении.\n", "plain", "utf-8"))
    pdf = MIMEApplication(PDF, "pdf")
    pdf.add_header(
        "Content-Disposition", "attachment", filename=("utf-8", "", "отчёт за ноябрь.pdf")
    )
    message.attach(pdf)
    image = MIMEImage(PNG, "png")
    image.add_header(
        "Content-Disposition", "attachment", filename=encoded_word("скриншот.png", "utf-8", BASE64)
    )
    message.attach(image)
    return _envelope(message, encoded_word("Отчёт и скриншот", "utf-8", BASE64))


def missing_message_id() -> bytes:
    """Some scripts and old mailers send no Message-ID at all."""
    return _envelope(MIMEText("Sent by a script.\n"), "No id", message_id="none")


def broken_headers() -> bytes:
    """Everything a careless mailer gets wrong: encoded words, date, From, ids, charset."""
    return (
        b"From: Ivan Petrov ivan.petrov@example.ru\r\n"
        b'To: "Support <support@desk.example.com>\r\n'
        b"Subject: =?utf-8?B?not*base64?= =?x-unknown?Q?caf=E9?= login\r\n"
        b"Date: yesterday at teatime\r\n"
        b"Message-ID: not a message id\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n" + "Пароль не подходит.\r\n".encode() + b"Broken \xff\xfe bytes.\r\n"
    )


def raw_8bit_headers() -> bytes:
    """Headers in raw UTF-8, not encoded (RFC 6532, and many misconfigured mailers)."""
    return (
        "From: Иван Петров <ivan.petrov@example.ru>\n"
        f"To: {SUPPORT}\n"
        f"Subject: {LOGIN_SUBJECT}\n"
        "Message-ID: <raw8bit@example.ru>\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Сообщение без кодировки заголовков.\n"
    ).encode()


def auto_reply() -> bytes:
    """An RFC 3834 auto-reply."""
    message = MIMEText("Я в отпуске до 10 ноября.\n", "plain", "utf-8")
    message["Auto-Submitted"] = "auto-replied"
    return _envelope(message, encoded_word("Автоответ: " + LOGIN_SUBJECT, "utf-8", BASE64))


def out_of_office_bulk() -> bytes:
    """An out-of-office notice marked only with ``Precedence: bulk``."""
    message = MIMEText("I am out of the office until November 10.\n")
    message["Precedence"] = "bulk"
    return _envelope(message, "Out of Office: Report page is blank")


def vacation_x_autoreply() -> bytes:
    """The Unix vacation program's answer: ``X-Autoreply`` and nothing from RFC 3834."""
    message = MIMEText("I am away.\n")
    message["X-Autoreply"] = "yes"
    return _envelope(message, "Away")


def newsletter() -> bytes:
    """A mailing-list message sent to the intake address."""
    message = MIMEText("This month in our product...\n")
    message["List-Id"] = "Product news <news.example.com>"
    message["List-Unsubscribe"] = "<mailto:leave@news.example.com>"
    return _envelope(message, "Product news", sender="news@news.example.com")


def null_return_path_notice() -> bytes:
    """A notice whose envelope sender is empty, as delivered with ``Return-Path: <>``."""
    return b"Return-Path: <>\n" + _envelope(
        MIMEText("Notice.\n"), "Notice", sender="bot@example.com"
    )


def bounce() -> bytes:
    """A delivery failure report (RFC 3464) from MAILER-DAEMON, with the original message."""
    original = MIMEText("Your request SUP-12 was received.\n")
    original["From"] = SUPPORT
    original["To"] = "nobody@example.ru"
    original["Subject"] = "[SUP-12] Request received"
    original["Message-ID"] = OUR_MESSAGE_ID
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.example.ru"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = "rfc822; nobody@example.ru"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    status = MIMEBase("message", "delivery-status")
    status.set_payload([per_message, per_recipient])
    report = MIMEMultipart("report", report_type="delivery-status")
    report.attach(MIMEText("The message could not be delivered to nobody@example.ru.\n"))
    report.attach(status)
    report.attach(MIMEMessage(original))
    sender = _address("Mail Delivery System", "MAILER-DAEMON@mx.example.ru")
    return _envelope(report, "Undelivered Mail Returned to Sender", sender=sender)


def plain_bounce_from_mailer_daemon() -> bytes:
    """An old-style bounce: plain text, no report, from postmaster."""
    message = MIMEText("Delivery to nobody@example.ru failed permanently.\n")
    return _envelope(message, "failure notice", sender="Postmaster@mx.example.ru")


def own_message_reflected() -> bytes:
    """One of our own acknowledgements coming back to the intake address (a forwarding loop)."""
    message = MIMEText("Your request SUP-12 was received.\n")
    sender = _address("Sladesk Support", SUPPORT.upper())
    return _envelope(message, "[SUP-12] Request received", sender=sender)


def reply_gmail_english() -> bytes:
    """A reply from Gmail: key in the subject, In-Reply-To and References, quote wrapped."""
    message = MIMEText(
        "Thanks, it works now.\n"
        "\n"
        "On Mon, Nov 2, 2026 at 10:20 AM Sladesk Support <\n"
        "support@desk.example.com> wrote:\n"
        "\n"
        "> Please try to log in again.\n"
        ">\n"
        "> On Mon, Nov 2, 2026 at 10:15 AM Ivan wrote:\n"
        "> > I cannot log in.\n"
    )
    message["In-Reply-To"] = OUR_MESSAGE_ID
    message["References"] = f"<a1b2c3@mail.example.ru>\n {OUR_MESSAGE_ID}"
    return _envelope(
        message, "Re: [SUP-12] " + LOGIN_SUBJECT, message_id="<gmail-1@mail.gmail.com>"
    )


def reply_outlook_russian() -> bytes:
    """A reply from Russian Outlook: top-posted, no ``>`` quoting, only In-Reply-To."""
    message = MIMEText(
        "Спасибо, всё работает.\n"
        "\n"
        "С уважением,\nИван\n"
        "\n"
        "________________________________\n"
        "От: Поддержка <support@desk.example.com>\n"
        "Отправлено: 2 ноября 2026 г. 10:20\n"
        "Кому: Иван Петров <ivan.petrov@example.ru>\n"
        "Тема: [SUP-12] Не работает вход\n"
        "\n"
        "Попробуйте войти ещё раз.\n",
        "plain",
        "utf-8",
    )
    message["In-Reply-To"] = OUR_MESSAGE_ID
    return _envelope(message, encoded_word("RE: " + LOGIN_SUBJECT, "utf-8", BASE64))


def reply_thunderbird_russian() -> bytes:
    """A reply from Russian Thunderbird: bottom-posted after the quote, References only."""
    message = MIMEText(
        "02.11.2026 10:20, Поддержка пишет:\n"
        "> Попробуйте войти ещё раз.\n"
        "\n"
        "Всё равно не пускает.\n",
        "plain",
        "utf-8",
    )
    message["References"] = OUR_MESSAGE_ID
    return _envelope(message, encoded_word("Re: [SUP-12] " + LOGIN_SUBJECT, "utf-8", QP))


def big_attachment() -> bytes:
    """A request with a 15 MB log file: over the attachment limit, under the message limit."""
    message = EmailMessage()
    message.set_content("The full log is attached.\n")
    message.add_attachment(
        b"0123456789abcdef" * (BIG_ATTACHMENT_BYTES // 16),
        maintype="application",
        subtype="octet-stream",
        filename="server.log",
    )
    return _envelope(message, "Huge log")


def attachment_only() -> bytes:
    """A scanner's mail: no text at all, a PDF with no file name."""
    message = MIMEApplication(PDF, "pdf")
    return _envelope(message, "Scan", sender="scanner@office.example.ru")
