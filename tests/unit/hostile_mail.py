"""A bounded corpus of hostile inbound mail: each builder returns the raw bytes an attacker sends.

Every message here once cost sladesk far more than its size (seconds to
minutes of CPU, hundreds of megabytes, a ``RecursionError``, a card too
large to write) or forges what a reader trusts. Each stays small (at most a
few hundred KiB) so the whole corpus reads in a few seconds;
``test_mail_hostile.py`` holds what each must give and its budget.
"""

from __future__ import annotations

SENDER = b"From: Mallory <mallory@example.net>\r\n"
HEADERS = SENDER + (
    b"To: support@desk.example.com\r\nSubject: hello\r\nMessage-ID: <hostile@example.net>\r\n"
)


def plain(body: bytes, headers: bytes = HEADERS) -> bytes:
    """A text/plain message with ``body``."""
    return headers + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body


def html(body: bytes) -> bytes:
    """An HTML-only message with ``body``."""
    return HEADERS + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + body


def line_of_at(size: int) -> bytes:
    """One body line of ``size`` ``@`` ending as a Gmail attribution ends (``…>:``)."""
    return plain(b"Hi\r\n" + b"@" * size + b">:\r\n> quoted\r\n")


def lines_of_at(count: int, size: int) -> bytes:
    """``count`` lines of ``size`` ``@`` each, every one shaped like an attribution."""
    return plain((b"x" + b"@" * size + b"> :\r\n") * count)


def nested_blockquotes(size: int) -> bytes:
    """About ``size`` bytes of HTML, each line one ``<blockquote>`` deeper than the last."""
    line = b"<blockquote>quoted text\n"
    return html(b"<p>Reply</p>" + line * (size // len(line)))


def tiny_attachments(count: int) -> bytes:
    """A text body and ``count`` one-byte attachments."""
    parts = [b"--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"]
    parts += [
        b"--B\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=f%d.bin\r\n\r\nx\r\n" % number
        for number in range(count)
    ]
    return (
        HEADERS
        + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        + b"".join(parts)
        + b"--B--\r\n"
    )


def nested_multiparts(depth: int) -> bytes:
    """A text body inside ``depth`` multiparts, each the only part of the one around it."""
    opening = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
        for level in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--\r\n" % level for level in reversed(range(depth)))
    return (
        HEADERS
        + b"MIME-Version: 1.0\r\n"
        + opening
        + b"Content-Type: text/plain\r\n\r\nhi"
        + closing
    )


def nested_forwards(depth: int) -> bytes:
    """A text body inside ``depth`` forwarded messages (``message/rfc822``), one in the other."""
    forward = b"Content-Type: message/rfc822\r\n\r\nFrom: a@example.org\r\n"
    return (
        HEADERS + b"MIME-Version: 1.0\r\n" + forward * depth + b"Content-Type: text/plain\r\n\r\nhi"
    )


def forged_from(value: bytes) -> bytes:
    """A message whose ``From`` is ``value``."""
    return plain(b"hi\r\n", b"From: " + value + b"\r\nTo: support@desk.example.com\r\n")


def many_headers(name: bytes, count: int) -> bytes:
    """A message carrying ``count`` copies of the header ``name``."""
    return plain(b"hi\r\n", SENDER + b"%s: x@example.org\r\n" % name * count)


def long_header(name: bytes, value: bytes) -> bytes:
    """A message whose ``name`` header is ``value`` (one very long line)."""
    return plain(b"hi\r\n", HEADERS + name + b": " + value + b"\r\n")


def content_type_parameters(count: int) -> bytes:
    """A text body whose ``Content-Type`` carries ``count`` parameters."""
    return HEADERS + b"Content-Type: text/plain; " + b"p=v; " * count + b"\r\n\r\nhi\r\n"
