"""The MIME parts of a message: which hold its text, which are files, and their decoded bytes."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from chalicelib.mail.cleaning import clean_header
from chalicelib.mail.limits import MAX_ATTACHMENTS_KEPT

_PATH_SEPARATORS = re.compile(r"[\\/]")
_MAX_FILENAME_LENGTH = 255


NOT_KEPT_TOO_LARGE = "too_large"
"""Why a file's bytes were not kept: it is over the size limit."""
NOT_KEPT_TOO_MANY = "too_many"
"""Why a file's bytes were not kept: the message already gave as many files as are kept."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message. ``content`` is None when it was not kept (see ``not_kept``)."""

    filename: str
    content_type: str
    size: int
    content: bytes | None = field(repr=False)
    not_kept: str | None = None
    """Why the bytes were not kept (``NOT_KEPT_TOO_LARGE``, ``NOT_KEPT_TOO_MANY``); None if kept."""

    @property
    def too_large(self) -> bool:
        """Listed on the card by name and size, but its bytes were over the size limit."""
        return self.not_kept == NOT_KEPT_TOO_LARGE


def attachments(
    message: EmailMessage, max_bytes: int, max_kept: int = MAX_ATTACHMENTS_KEPT
) -> tuple[Attachment, ...]:
    """The files sent with ``message``, in order; only the first ``max_kept`` keep their bytes.

    Files over ``max_bytes`` never keep their bytes; neither do the files
    after the first ``max_kept`` kept ones. Each file is listed either way.
    """
    body = message.get_body(preferencelist=("plain", "html"))
    found: list[Attachment] = []
    kept = 0
    for part in leaf_parts(message):
        if part is body or not _is_file(part):
            continue
        content = part_bytes(part)
        not_kept = None
        if len(content) > max_bytes:
            not_kept = NOT_KEPT_TOO_LARGE
        elif kept >= max_kept:
            not_kept = NOT_KEPT_TOO_MANY
        kept += not_kept is None
        found.append(
            Attachment(
                filename=safe_filename(
                    part.get_filename(), part.get_content_type(), len(found) + 1
                ),
                content_type=part.get_content_type(),
                size=len(content),
                content=content if not_kept is None else None,
                not_kept=not_kept,
            )
        )
    return tuple(found)


def decoded_text(part: Message, notes: list[str]) -> str:
    """A text part's content decoded with its charset, or as well as can be done without it.

    The email package raises on an unknown charset; mail that declares
    none, or the wrong one, is most often UTF-8, so that is tried next,
    and as a last resort undecodable bytes become U+FFFD (noted in ``notes``).
    """
    payload = part_bytes(part)
    charset = part.get_content_charset()
    for candidate in (charset, "utf-8"):
        if candidate is None:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, ValueError):
            continue
    notes.append(f"text not decodable as {charset or 'us-ascii'}: read as UTF-8")
    return payload.decode("utf-8", errors="replace")


def leaf_parts(part: Message) -> Iterator[Message]:
    """The parts of a message that hold content, in order.

    Unlike ``Message.walk``, a ``message/rfc822`` part (a forwarded message,
    the original of a bounce) is one part here: it is a file, not more body.
    """
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart" and isinstance(payload, list):
        for subpart in payload:
            if isinstance(subpart, Message):
                yield from leaf_parts(subpart)
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


def part_bytes(part: Message) -> bytes:
    """A part's content with its transfer encoding undone."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    # message/* parts hold parsed messages, which are given back as written.
    inner = part.get_payload()
    if isinstance(inner, list):
        return b"".join(message.as_bytes() for message in inner if isinstance(message, Message))
    return str(inner).encode("utf-8", errors="surrogateescape")


def safe_filename(filename: str | None, content_type: str, position: int) -> str:
    """A file name safe to show and to store: no directories, no control characters.

    A part without a usable name is called ``attachment-<position>`` with the
    usual extension of its content type.
    """
    name = _PATH_SEPARATORS.split(clean_header(filename or ""))[-1].strip()
    if not name.strip("."):
        extension = mimetypes.guess_extension(content_type) or ".bin"
        return f"attachment-{position}{extension}"
    stem, dot, extension = name.rpartition(".")
    if len(name) > _MAX_FILENAME_LENGTH and dot and len(extension) < 16:
        return stem[: _MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
    return name[:_MAX_FILENAME_LENGTH]
