"""One raw inbound message read into what intake needs: who wrote, about what, replying to what.

``parse_message`` turns one raw RFC 822 message (``POST /intake/email``, SES
inbound mail, the local SMTP listener) into an ``InboundMessage``: decoded
subject, sender, recipients, the ids it replies to, the card key in its
subject, its text (HTML reduced to plain text), the text of a reply without
the quoted previous messages, its attachments, and whether it was sent by a
machine and must never be answered (RFC 3834).

Parsing is done by the standard ``email`` package with the default policy,
which decodes RFC 2047 headers, RFC 2231 parameters, quoted-printable and
base64. This package adds what the ``email`` package leaves to us: surviving
bad charsets and malformed headers (hostile or broken mail degrades, it does
not crash), choosing the body, trimming quotes, and spotting automatic mail.

What one message may cost is bounded (``limits``): at most ``MAX_PARTS`` parts
are read (``parsing``), the first ``MAX_HEADER_VALUES`` values of a header and
the first ``MAX_HEADER_CHARS`` of each, long address headers are searched in
one pass instead of being parsed, and every step on the text is linear in it.
"""

from __future__ import annotations

import email.policy
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import Any

from chalicelib.mail.addresses import header_addresses, is_address, salvage_address
from chalicelib.mail.automatic import AutoSubmittedReason, auto_submitted_reason
from chalicelib.mail.card_keys import find_card_key
from chalicelib.mail.cleaning import clean_header, clean_text, describe, excerpt, one_line
from chalicelib.mail.errors import InvalidSenderError, MessageTooLargeError
from chalicelib.mail.html_text import html_to_text
from chalicelib.mail.limits import (
    MAX_ATTACHMENT_BYTES,
    MAX_HEADER_CHARS,
    MAX_HEADER_VALUES,
    MAX_HTML_CHARS,
    MAX_MESSAGE_BYTES,
    MAX_PARSED_HEADER_CHARS,
    MAX_PARTS,
    MAX_TEXT_CHARS,
)
from chalicelib.mail.message_ids import derived_message_id, message_ids
from chalicelib.mail.parsing import parse_bounded
from chalicelib.mail.parts import Attachment, attachments, decoded_text
from chalicelib.mail.quotes import trim_quoted_reply


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
    """The files read, in order; the first ``MAX_ATTACHMENTS_KEPT`` under the size limit keep
    their bytes, the others are listed without them (``Attachment.not_kept``)."""
    parts_not_read: bool
    """The message had more than ``MAX_PARTS`` parts: those after it were not read at all."""
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

    Raises ``MessageTooLargeError`` when ``raw`` is over ``max_message_bytes``,
    ``MessageTooComplexError`` when its parts nest deeper than
    ``MAX_MIME_DEPTH`` or reading it runs out of stack or memory, and
    ``InvalidSenderError`` when no sender address can be read. Anything
    else that is broken (malformed headers, unknown charsets, bad encodings)
    is read as well as it can be and listed in ``defects``; so is a message
    cut after ``MAX_PARTS`` parts.
    """
    if len(raw) > max_message_bytes:
        raise MessageTooLargeError(len(raw), max_message_bytes)
    reader = _Reader(raw)
    sender_address, sender_name = reader.sender()
    subject = reader.first("Subject")
    ids = message_ids(reader.first("Message-ID"))
    text = reader.body_text()
    recipients = reader.addresses("To", "Cc", "Delivered-To")
    in_reply_to = message_ids(reader.first("In-Reply-To"))
    references = message_ids(reader.first("References"))
    files = attachments(reader.message, max_attachment_bytes)
    reason = auto_submitted_reason(
        sender_address,
        {address.lower() for address in own_addresses},
        reader.first,
        reader.message.get_content_type(),
    )
    return InboundMessage(
        message_id=ids[0] if ids else derived_message_id(raw),
        subject=subject,
        sender_address=sender_address,
        sender_name=sender_name,
        recipients=recipients,
        in_reply_to=in_reply_to,
        references=references,
        card_key_in_subject=find_card_key(subject),
        text=text,
        reply_text=trim_quoted_reply(text) or text,
        attachments=files,
        parts_not_read=reader.parts_not_read,
        auto_submitted_reason=reason,
        # Read last: reading the headers and parts above is what records them.
        defects=reader.defects(),
    )


# Headers the email package parses as address lists (``email.headerregistry``).
_ADDRESS_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "sender", "reply-to", "resent-from", "resent-to", "resent-cc"}
    | {"resent-bcc", "resent-sender"}
)


class _Reader:
    """Reads one parsed message defensively, noting each defect found on the way."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        parsed = parse_bounded(raw)
        self.message = parsed.message
        self.parts_not_read = parsed.parts_not_read
        self._notes: list[str] = []
        if parsed.parts_not_read:
            self._notes.append(f"more than {MAX_PARTS} parts: the parts after them were not read")

    def first(self, name: str) -> str:
        """The first ``name`` header as clean one-line text; empty when absent or unreadable."""
        values = self._values(name)
        return one_line(str(values[0])) if values else ""

    def sender(self) -> tuple[str, str]:
        """The sender's address (lower-cased) and display name, from the first ``From`` header.

        When the parser finds no address (``Ivan Petrov ivan@example.com``
        is read as one odd local part), the header as written is searched for
        something shaped like an address before the message is refused.
        """
        values = self._values("From")
        for address in getattr(values[0], "addresses", ()) if values else ():
            spec = clean_header(address.addr_spec)
            if is_address(spec):
                return spec.lower(), one_line(address.display_name)
        written = self._as_written("From")
        if written is None:
            raise InvalidSenderError("the message has no From header")
        salvaged = salvage_address(written)
        if salvaged is None:
            raise InvalidSenderError(f"no address in the From header {excerpt(repr(written))}")
        self._notes.append(f"From header {excerpt(repr(written))} read as {salvaged!r}")
        return salvaged.lower(), ""

    def addresses(self, *names: str) -> tuple[str, ...]:
        """The addresses in the ``names`` headers, lower-cased, each once, in order."""
        found = [address for name in names for address in header_addresses(self._values(name))]
        return tuple(dict.fromkeys(found))

    def body_text(self) -> str:
        """The message text: its text/plain body, else its HTML body reduced to text.

        A text/plain alternative with nothing in it (some mailers send one
        beside the HTML) does not hide the HTML.
        """
        plain = self.message.get_body(preferencelist=("plain",))
        text = ""
        if plain is not None:
            text = clean_text(decoded_text(plain, self._notes)[:MAX_TEXT_CHARS])
        if text:
            return text
        html = self.message.get_body(preferencelist=("html",))
        if html is None:
            return ""
        return clean_text(html_to_text(decoded_text(html, self._notes)[:MAX_HTML_CHARS]))

    def defects(self) -> tuple[str, ...]:
        """What the email package and this reader found wrong so far, each once."""
        found = [
            describe(defect) for part in self.message.walk() for defect in part.defects
        ] + self._notes
        return tuple(dict.fromkeys(found))

    def _values(self, name: str) -> list[Any]:
        """The first ``MAX_HEADER_VALUES`` ``name`` headers, parsed; none when parsing fails on one.

        Each is cut to its first ``MAX_HEADER_CHARS``. An address header longer
        than ``MAX_PARSED_HEADER_CHARS`` is given as its text, unparsed
        (``header_addresses`` searches it), because the package's address
        parser costs more than linear time on long hostile values.
        """
        wanted = name.lower()
        written = [value for key, value in self.message.raw_items() if key.lower() == wanted]
        if len(written) > MAX_HEADER_VALUES:
            self._notes.append(f"{name}: only the first {MAX_HEADER_VALUES} of {len(written)} read")
        policy = self.message.policy
        address_header = wanted in _ADDRESS_HEADERS
        try:
            values = [
                value[:MAX_HEADER_CHARS]
                if address_header and len(value) > MAX_PARSED_HEADER_CHARS
                else policy.header_fetch_parse(name, value[:MAX_HEADER_CHARS])
                for value in written[:MAX_HEADER_VALUES]
            ]
        except Exception as error:
            # The package's header parser has raised on hostile input before
            # (IndexError, AttributeError, HeaderParseError); a header it cannot
            # read is treated as missing rather than refusing the whole message.
            self._notes.append(f"{name} header unreadable: {error!r}")
            return []
        for value in values:
            self._notes.extend(
                f"{name}: {describe(defect)}" for defect in getattr(value, "defects", ())
            )
        return values

    def _as_written(self, name: str) -> str | None:
        """The first ``name`` header exactly as written (on one line), without parsing it."""
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(self._raw)
        value = headers.get(name)
        return None if value is None else one_line(str(value)[:MAX_HEADER_CHARS])
