"""Inbound e-mail read into the facts intake needs: who wrote, about what, in reply to what.

``parse_message`` turns one raw RFC 822 message (``POST /intake/email``, SES
inbound mail, the local SMTP listener) into an ``InboundMessage``: decoded
subject, sender, recipients, the ids it replies to, the card key in its
subject, its text (HTML reduced to plain text), the text of a reply without
the quoted previous messages, its attachments, and whether it was sent by a
machine and must never be answered (RFC 3834). ``judge_receipt`` reads what
SES's checks (spam, virus, SPF, DKIM, DMARC) say about mail it received.

Parsing is done by the standard ``email`` package with the default policy,
which decodes RFC 2047 headers, RFC 2231 parameters, quoted-printable and
base64. This module adds what the package leaves to us: surviving bad
charsets and malformed headers (hostile or broken mail degrades, it does not
crash), choosing the body, trimming quotes, and spotting automatic mail.

It uses only the standard library and touches no storage: callers store the
attachments and write the card. Every string it returns is plain text written
by an outsider and must be escaped wherever it is shown.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import mimetypes
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from enum import StrEnum
from typing import Any

from chalicelib.adapters.html_text import html_to_text

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
"""Raw messages above this size are refused before parsing (SES itself accepts up to 40 MB)."""

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""Attachments above this decoded size are listed on the card but not kept."""

MAX_HTML_CHARS = 1024 * 1024
"""How much of an HTML-only body is read for its text: the start of a longer one (a card
keeps far less text than this; reducing HTML costs about a second per megabyte)."""

DERIVED_ID_DOMAIN = "derived.sladesk.invalid"
"""Domain of the Message-ID made up for a message that has none (``.invalid`` per RFC 2606)."""


class InboundMailError(ValueError):
    """A message that cannot become a card or a comment."""


class MessageTooLargeError(InboundMailError):
    """The raw message is over the size limit; it was not parsed."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes is over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class InvalidSenderError(InboundMailError):
    """The message has no ``From`` header, or no address can be read from it."""


class AutoSubmittedReason(StrEnum):
    """Why a message counts as sent by a machine (RFC 3834): it must never be answered."""

    OWN_ADDRESS = "own_address"
    """Sent from one of our own addresses: answering it would answer ourselves."""
    AUTO_SUBMITTED_HEADER = "auto_submitted_header"
    """``Auto-Submitted`` with any value but ``no`` (RFC 3834)."""
    DELIVERY_REPORT = "delivery_report"
    """``multipart/report``: a bounce (RFC 3464) or a read receipt (RFC 8098)."""
    SYSTEM_SENDER = "system_sender"
    """From ``mailer-daemon@`` or ``postmaster@``."""
    NULL_RETURN_PATH = "null_return_path"
    """``Return-Path: <>``: RFC 3834 forbids answering mail with a null return path."""
    AUTORESPONDER_HEADER = "autoresponder_header"
    """``X-Autoreply`` or ``X-Autorespond``, set by autoresponders that predate RFC 3834."""
    BULK_PRECEDENCE = "bulk_precedence"
    """``Precedence: bulk``, ``junk`` or ``list``."""
    MAILING_LIST = "mailing_list"
    """``List-Id`` or ``List-Unsubscribe`` (RFC 2369, RFC 2919)."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message. ``content`` is None when it was over the size limit."""

    filename: str
    content_type: str
    size: int
    content: bytes | None = field(repr=False)

    @property
    def too_large(self) -> bool:
        """Listed on the card by name and size, but its bytes were not kept."""
        return self.content is None


@dataclass(frozen=True)
class InboundMessage:
    """What intake needs from one inbound message; every string is plain, decoded text."""

    message_id: str
    """``<id@host>``; made up from a hash of the raw message when it has none."""
    subject: str
    sender_address: str
    """The ``From`` address, lower-cased."""
    sender_name: str
    recipients: tuple[str, ...]
    """To, Cc and Delivered-To addresses, lower-cased, each once, in that order."""
    in_reply_to: tuple[str, ...]
    """The message ids this one answers, as ``<id@host>``, each once, in the order written."""
    references: tuple[str, ...]
    """The message ids of the thread so far, as ``<id@host>``, each once, in the order written."""
    card_key_in_subject: str | None
    """A card id in brackets in the subject (``[SUP-12]`` gives ``SUP-12``)."""
    text: str
    """The body as plain text: text/plain when there is one, else the HTML reduced to text."""
    reply_text: str
    """``text`` without the quoted previous messages; all of ``text`` if nothing else is left."""
    attachments: tuple[Attachment, ...]
    auto_submitted_reason: AutoSubmittedReason | None
    """Why a machine sent the message (see ``auto_submitted``); None when a person did."""
    defects: tuple[str, ...]
    """What was wrong with the message and how it was read anyway, for logs."""

    @property
    def auto_submitted(self) -> bool:
        """Sent by a machine: it may open a card but is never answered."""
        return self.auto_submitted_reason is not None


def parse_message(
    raw: bytes,
    *,
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
    own_addresses: Iterable[str] = (),
) -> InboundMessage:
    """Read one raw RFC 822 message.

    ``own_addresses`` are the addresses sladesk sends from: mail from them is
    treated as automatic, so that sladesk never answers itself.

    Raises ``MessageTooLargeError`` when ``raw`` is over ``max_message_bytes``
    and ``InvalidSenderError`` when no sender address can be read. Anything
    else that is broken (malformed headers, unknown charsets, bad encodings)
    is read as well as it can be and listed in ``defects``.
    """
    if len(raw) > max_message_bytes:
        raise MessageTooLargeError(len(raw), max_message_bytes)
    reader = _Reader(raw)
    sender_address, sender_name = reader.sender()
    subject = reader.first("Subject")
    message_ids = _message_ids(reader.first("Message-ID"))
    text = reader.body_text()
    recipients = reader.addresses("To", "Cc", "Delivered-To")
    in_reply_to = _message_ids(reader.first("In-Reply-To"))
    references = _message_ids(reader.first("References"))
    attachments = reader.attachments(max_attachment_bytes)
    reason = reader.auto_submitted_reason(
        sender_address, {address.lower() for address in own_addresses}
    )
    return InboundMessage(
        message_id=message_ids[0] if message_ids else _derived_message_id(raw),
        subject=subject,
        sender_address=sender_address,
        sender_name=sender_name,
        recipients=recipients,
        in_reply_to=in_reply_to,
        references=references,
        card_key_in_subject=find_card_key(subject),
        text=text,
        reply_text=trim_quoted_reply(text) or text,
        attachments=attachments,
        auto_submitted_reason=reason,
        # Read last: reading the headers and parts above is what records them.
        defects=reader.defects(),
    )


# A card id as sladesk writes it in subjects: the board key (as ``POST /boards``
# accepts it: a capital letter, then up to nine capitals or digits), a dash and
# the card number, which counts from 1.
_CARD_KEY = re.compile(r"\[([A-Z][A-Z0-9]{0,9}-[1-9][0-9]{0,9})\]")


def find_card_key(subject: str) -> str | None:
    """The first card id in square brackets in ``subject``: ``Re: [SUP-12] Login`` gives ``SUP-12``.

    Tags that are not card ids (``[EXTERNAL]``, ``[SUP]``, ``[sup-12]``,
    ``[SUP-012]``) are not taken for one.
    """
    match = _CARD_KEY.search(subject)
    return match.group(1) if match else None


class DropReason(StrEnum):
    """Why mail SES received is dropped unread: it opens no card and adds no comment."""

    VIRUS = "virus"
    """``virusVerdict`` FAIL: its files must never reach a card."""
    SPAM = "spam"
    """``spamVerdict`` FAIL: answering it would send backscatter to a forged sender."""
    SPOOFED = "spoofed"
    """``dmarcVerdict`` FAIL where the sender's domain asks for ``p=reject``."""


_VERDICTS = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")
_FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class ReceiptJudgement:
    """What SES's checks of one received message allow (see ``judge_receipt``)."""

    dropped: DropReason | None
    """Why the message is dropped unread; None when it is taken."""
    answer: bool
    """Whether a card it opens may be acknowledged to its sender."""
    verdicts: dict[str, str]
    """Each verdict's status as SES gave it (a missing one counts as ``PASS``), for logs."""


def judge_receipt(receipt: dict[str, Any]) -> ReceiptJudgement:
    """Judge a message by the ``receipt`` object of its SES notification.

    A virus, spam, or a DMARC failure whose domain asks for ``p=reject``
    (spoofed) drops it. A DMARC failure under ``p=quarantine`` takes it
    but never answers it: the sender may be forged, and an acknowledgement
    would go to whoever was impersonated. ``GRAY`` and ``PROCESSING_FAILED``
    take it as usual, as do SPF or DKIM failures alone (forwarding breaks
    them; DMARC is what says whether the sender's domain vouches for it).
    A verdict that is missing (a receipt rule without scanning, the local
    stack) counts as ``PASS``.
    """
    verdicts = {name: _status(receipt.get(name)) for name in _VERDICTS}
    policy = str(receipt.get("dmarcPolicy") or "").strip().lower()
    dmarc_failed = verdicts["dmarcVerdict"] == _FAIL
    dropped = None
    if verdicts["virusVerdict"] == _FAIL:
        dropped = DropReason.VIRUS
    elif verdicts["spamVerdict"] == _FAIL:
        dropped = DropReason.SPAM
    elif dmarc_failed and policy == "reject":
        dropped = DropReason.SPOOFED
    answer = dropped is None and not (dmarc_failed and policy == "quarantine")
    return ReceiptJudgement(dropped=dropped, answer=answer, verdicts=verdicts)


def _status(verdict: Any) -> str:
    status = verdict.get("status") if isinstance(verdict, dict) else None
    return str(status).strip().upper() if status else "PASS"


# Where a quoted previous message starts, line by line. Attributions
# ("On <date>, <name> wrote:") may be wrapped over up to three lines by the
# mail client, so they are matched on the joined lines (see _attribution_at).
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|исходное сообщение)\s*-{2,}\s*$", re.IGNORECASE
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|от)\s*:", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(sent|date|отправлено|дата)\s*:", re.IGNORECASE)
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
_ATTRIBUTION_END = re.compile(
    r"\b(wrote|пишет|написала?|написал\(а\))\s*:\s*$|@[^\s<>]+>\s*:\s*$", re.IGNORECASE
)
# An attribution always carries the date of the quoted message: a time or a year.
_DATE_IN_ATTRIBUTION = re.compile(r"\b\d{1,2}:\d{2}\b|\b(19|20)\d{2}\b")
_QUOTED_LINE = re.compile(r"^\s*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


def trim_quoted_reply(text: str) -> str:
    """``text`` without the previous messages a reply quotes: what the sender wrote this time.

    Lines quoted with ``>`` are dropped wherever they are, with the
    attribution above them ("On <date>, <name> wrote:", "<date>, <name>
    пишет:", Gmail's Russian "<date>, <name> <address>:"), so an answer
    written below or between quotes is kept. A quote without ``>`` marks
    (Outlook's "-----Original Message-----", its "From: … Sent: …" header
    block, or an attribution followed by unmarked text) runs to the end of the
    message, so everything from its first line on is cut. Empty when nothing
    new is left.
    """
    lines = text.split("\n")
    kept: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        if _QUOTED_LINE.match(line):
            continue
        start = _outlook_quote_start(lines, index)
        unmarked_quote = start is not None
        if start is None:
            start = _attribution_at(lines, index)
            unmarked_quote = start is not None and not _quote_follows(lines, index)
        if start is None:
            kept.append((index, line))
            continue
        # A separator may begin on a line already kept (a wrapped attribution).
        while kept and kept[-1][0] >= start:
            kept.pop()
        if unmarked_quote:
            break
    new_text = "\n".join(line for _, line in kept)
    return _BLANK_RUNS.sub("\n\n", new_text).strip()


def _outlook_quote_start(lines: list[str], index: int) -> int | None:
    """Where Outlook's quote of the previous message starts, when it starts on line ``index``."""
    line = lines[index]
    if _ORIGINAL_MESSAGE.match(line):
        return index
    if _OUTLOOK_FROM.match(line) and any(
        _OUTLOOK_SENT.match(following) for following in lines[index + 1 : index + 4]
    ):
        return _after_rule(lines, index)
    return None


def _quote_follows(lines: list[str], index: int) -> bool:
    """Whether the first non-blank line after line ``index`` is quoted with ``>``."""
    for following in range(index + 1, len(lines)):
        if lines[following].strip():
            return bool(_QUOTED_LINE.match(lines[following]))
    return False


def _after_rule(lines: list[str], index: int) -> int:
    """``index``, or the line of underscores Outlook draws just above it."""
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    return above if above >= 0 and _OUTLOOK_RULE.match(lines[above]) else index


def _attribution_at(lines: list[str], index: int) -> int | None:
    """The first line of an attribution that ends on line ``index``, if one does.

    An attribution names the date of the message it quotes; it is the
    nearest run of lines ending here that contains that date, or, when one of
    them opens with "On", the nearest such line (the date may be wrapped onto
    the line below it). A line of the sender's own just above an attribution
    is therefore never cut.
    """
    if _QUOTED_LINE.match(lines[index]) or not _ATTRIBUTION_END.search(lines[index]):
        return None
    starts = []
    for start in range(index, max(index - 3, -1), -1):
        if not lines[start].strip() or _QUOTED_LINE.match(lines[start]):
            break
        if _DATE_IN_ATTRIBUTION.search(" ".join(lines[start : index + 1])):
            starts.append(start)
    opening = [start for start in starts if lines[start].lstrip().lower().startswith("on ")]
    return (opening or starts or [None])[0]


def _message_ids(value: str) -> tuple[str, ...]:
    """The message ids in a Message-ID, In-Reply-To or References value, each once, in order.

    Ids belong in angle brackets; some clients leave them out, so a bare
    ``id@host`` token is taken too when there is no bracketed one.
    """
    found = re.findall(r"<[^<>\s]+>", value) or [
        f"<{token.strip('<>')}>" for token in value.split() if "@" in token
    ]
    return tuple(dict.fromkeys(found))


def _derived_message_id(raw: bytes) -> str:
    """A Message-ID for a message without one: the same bytes always give the same id.

    Line endings are normalised first, so the same message delivered once
    over SMTP (CRLF) and once over HTTP (LF) is still recognised.
    """
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
    return f"<{digest[:40]}@{DERIVED_ID_DOMAIN}>"


# Local parts of the addresses mail systems send bounces and reports from.
_SYSTEM_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
# A plausible address: what an address read by the parser must look like, and
# what is searched for in a From header the parser could not read.
_ADDRESS = re.compile(r"[^\s<>()\[\]\",;:@]+@[^\s<>()\[\]\",;:@]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")
_PATH_SEPARATORS = re.compile(r"[\\/]")
_MAX_FILENAME_LENGTH = 255


class _Reader:
    """Reads one parsed message defensively, noting each defect found on the way."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._message = email.message_from_bytes(raw, policy=email.policy.default)
        self._notes: list[str] = []

    def first(self, name: str) -> str:
        """The first ``name`` header as clean one-line text; empty when absent or unreadable."""
        values = self._values(name)
        return _one_line(str(values[0])) if values else ""

    def sender(self) -> tuple[str, str]:
        """The sender's address (lower-cased) and display name, from the first ``From`` header.

        When the parser finds no address (``Ivan Petrov ivan@example.com``
        is read as one odd local part), the header as written is searched for
        something shaped like an address before the message is refused.
        """
        values = self._values("From")
        for address in getattr(values[0], "addresses", ()) if values else ():
            spec = _clean_header(address.addr_spec)
            if _is_address(spec):
                return spec.lower(), _one_line(address.display_name)
        written = self._as_written("From")
        if written is None:
            raise InvalidSenderError("the message has no From header")
        salvaged = _ADDRESS.search(written)
        if salvaged is None:
            raise InvalidSenderError(f"no address in the From header {written!r}")
        self._notes.append(f"From header {written!r} read as {salvaged.group()!r}")
        return salvaged.group().lower(), ""

    def addresses(self, *names: str) -> tuple[str, ...]:
        """The addresses in the ``names`` headers, lower-cased, each once, in order."""
        found: list[str] = []
        for name in names:
            for value in self._values(name):
                # Delivered-To is not an address header to the email package: parse it here.
                parsed = getattr(value, "addresses", None)
                if parsed is None:
                    candidates = [spec for _, spec in getaddresses([str(value)])]
                else:
                    candidates = [address.addr_spec for address in parsed]
                cleaned = (_clean_header(spec) for spec in candidates)
                found.extend(spec.lower() for spec in cleaned if _is_address(spec))
        return tuple(dict.fromkeys(found))

    def body_text(self) -> str:
        """The message text: its text/plain body, else its HTML body reduced to text.

        A text/plain alternative with nothing in it (some mailers send one
        beside the HTML) does not hide the HTML.
        """
        plain = self._message.get_body(preferencelist=("plain",))
        text = _clean_text(self._decoded_text(plain)) if plain is not None else ""
        if text:
            return text
        html = self._message.get_body(preferencelist=("html",))
        if html is None:
            return ""
        return _clean_text(html_to_text(self._decoded_text(html)[:MAX_HTML_CHARS]))

    def attachments(self, max_bytes: int) -> tuple[Attachment, ...]:
        """The files sent with the message; those over ``max_bytes`` without their bytes."""
        body = self._message.get_body(preferencelist=("plain", "html"))
        found: list[Attachment] = []
        for part in _leaf_parts(self._message):
            if part is body or not _is_file(part):
                continue
            content = _part_bytes(part)
            found.append(
                Attachment(
                    filename=_safe_filename(
                        part.get_filename(), part.get_content_type(), len(found) + 1
                    ),
                    content_type=part.get_content_type(),
                    size=len(content),
                    content=content if len(content) <= max_bytes else None,
                )
            )
        return tuple(found)

    def auto_submitted_reason(
        self, sender_address: str, own_addresses: set[str]
    ) -> AutoSubmittedReason | None:
        """Why the message must not be answered, or None when a person sent it.

        Checked from the most to the least certain sign; the first that holds is the reason.
        """
        if sender_address in own_addresses:
            return AutoSubmittedReason.OWN_ADDRESS
        if _first_word(self.first("Auto-Submitted")) not in ("", "no"):
            return AutoSubmittedReason.AUTO_SUBMITTED_HEADER
        if self._message.get_content_type() == "multipart/report":
            return AutoSubmittedReason.DELIVERY_REPORT
        if sender_address.partition("@")[0] in _SYSTEM_SENDERS:
            return AutoSubmittedReason.SYSTEM_SENDER
        if self.first("Return-Path").replace(" ", "") == "<>":
            return AutoSubmittedReason.NULL_RETURN_PATH
        if any(
            _first_word(self.first(name)) not in ("", "no")
            for name in ("X-Autoreply", "X-Autorespond")
        ):
            return AutoSubmittedReason.AUTORESPONDER_HEADER
        if _first_word(self.first("Precedence")) in _BULK_PRECEDENCE:
            return AutoSubmittedReason.BULK_PRECEDENCE
        # List-Id and List-Unsubscribe count as automatic too. RFC 3834 (section 2)
        # lets a responder stay silent on List-* fields, and it should: an answer
        # to a list post goes to every member or loops through the list, and
        # newsletters carry List-Unsubscribe. A person writing from their own
        # mail client never sends these headers. The price: mail that reaches
        # sladesk through a group address (a Google Group forwarding support@)
        # gets no acknowledgement; it still opens a card.
        if self.first("List-Id") or self.first("List-Unsubscribe"):
            return AutoSubmittedReason.MAILING_LIST
        return None

    def defects(self) -> tuple[str, ...]:
        """What the email package and this reader found wrong so far, each once."""
        found = [
            _describe(defect) for part in self._message.walk() for defect in part.defects
        ] + self._notes
        return tuple(dict.fromkeys(found))

    def _values(self, name: str) -> list[Any]:
        """Every ``name`` header, parsed by the email package; none when it fails on one."""
        try:
            values = self._message.get_all(name) or []
        except Exception as error:
            # The package's header parser has raised on hostile input before
            # (IndexError, AttributeError, HeaderParseError); a header it cannot
            # read is treated as missing rather than refusing the whole message.
            self._notes.append(f"{name} header unreadable: {error!r}")
            return []
        for value in values:
            self._notes.extend(
                f"{name}: {_describe(defect)}" for defect in getattr(value, "defects", ())
            )
        return values

    def _as_written(self, name: str) -> str | None:
        """The first ``name`` header exactly as written (on one line), without parsing it."""
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(self._raw)
        value = headers.get(name)
        return None if value is None else _one_line(str(value))

    def _decoded_text(self, part: Message) -> str:
        """A text part's content decoded with its charset, or as well as can be done without it.

        The email package raises on an unknown charset; mail that declares
        none, or the wrong one, is most often UTF-8, so that is tried next,
        and as a last resort undecodable bytes become U+FFFD.
        """
        payload = _part_bytes(part)
        charset = part.get_content_charset()
        for candidate in (charset, "utf-8"):
            if candidate is None:
                continue
            try:
                return payload.decode(candidate)
            except (LookupError, ValueError):
                continue
        self._notes.append(f"text not decodable as {charset or 'us-ascii'}: read as UTF-8")
        return payload.decode("utf-8", errors="replace")


def _leaf_parts(part: Message) -> Iterator[Message]:
    """The parts of a message that hold content, in order.

    Unlike ``Message.walk``, a ``message/rfc822`` part (a forwarded message,
    the original of a bounce) is one part here: it is a file, not more body.
    """
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart" and isinstance(payload, list):
        for subpart in payload:
            yield from _leaf_parts(subpart)
    else:
        yield part


def _is_file(part: Message) -> bool:
    """Whether a part is a file sent with the message rather than (a version of) its text.

    Parts marked as attachments, parts with a file name, and parts that are
    not text are files (an inline image is a file too). Text parts without a
    name are the body and its alternatives; ``message/*`` parts without a
    name are the pieces of a delivery report. A multipart part left here has
    a broken boundary and holds nothing that can be named.
    """
    maintype = part.get_content_maintype()
    if maintype == "multipart":
        return False
    return bool(
        part.get_filename()
        or part.get_content_disposition() == "attachment"
        or maintype not in ("text", "message")
    )


def _part_bytes(part: Message) -> bytes:
    """A part's content with its transfer encoding undone."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    # message/* parts hold parsed messages, which are given back as written.
    inner = part.get_payload()
    if isinstance(inner, list):
        return b"".join(message.as_bytes() for message in inner)
    return str(inner).encode("utf-8", errors="surrogateescape")


def _safe_filename(filename: str | None, content_type: str, position: int) -> str:
    """A file name safe to show and to store: no directories, no control characters.

    A part without a usable name is called ``attachment-<position>`` with the
    usual extension of its content type.
    """
    name = _PATH_SEPARATORS.split(_clean_header(filename or ""))[-1].strip()
    if not name.strip("."):
        extension = mimetypes.guess_extension(content_type) or ".bin"
        return f"attachment-{position}{extension}"
    stem, dot, extension = name.rpartition(".")
    if len(name) > _MAX_FILENAME_LENGTH and dot and len(extension) < 16:
        return stem[: _MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
    return name[:_MAX_FILENAME_LENGTH]


def _is_address(spec: str) -> bool:
    """Whether ``spec`` looks like an address mail can be sent to (not ``""@x`` or ``<>``)."""
    return _ADDRESS.fullmatch(spec) is not None


def _first_word(value: str) -> str:
    """The keyword of a header like ``Auto-Submitted: auto-replied (vacation)``, lower-cased."""
    match = re.match(r"[\w-]+", value.strip())
    return match.group().lower() if match else ""


def _describe(defect: Exception) -> str:
    """A defect as one line for the log: its kind, and what it says when it says anything."""
    detail = _one_line(str(defect))
    return f"{type(defect).__name__}: {detail}" if detail else type(defect).__name__


def _clean_header(value: str) -> str:
    """Header text with undecodable bytes and control characters gone.

    The email package keeps raw 8-bit bytes in headers as lone surrogates.
    Headers written in raw UTF-8 (RFC 6532) are decoded as such; any other
    byte that is not text becomes U+FFFD, so the result can always be stored.
    """
    try:
        value = value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    except UnicodeEncodeError:
        value = _LONE_SURROGATES.sub("\ufffd", value)
    return _CONTROL_CHARACTERS.sub(" ", value)


def _one_line(value: str) -> str:
    """Header text unfolded onto one line, runs of white space made one space."""
    return " ".join(_clean_header(value).split())


def _clean_text(text: str) -> str:
    """Body text with Unix line ends, no trailing blanks and no control characters but tabs."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = "\n".join(_CONTROL_CHARACTERS.sub("", line).rstrip() for line in lines)
    return cleaned.strip("\n")
