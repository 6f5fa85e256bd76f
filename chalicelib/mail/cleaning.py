"""Outsider text made safe to store and to log: no control characters, no undecodable bytes."""

from __future__ import annotations

import re

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_header(value: str) -> str:
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


def one_line(value: str) -> str:
    """Header text unfolded onto one line, runs of white space made one space."""
    return " ".join(clean_header(value).split())


def clean_text(text: str) -> str:
    """Body text with Unix line ends, no trailing blanks and no control characters but tabs."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = "\n".join(_CONTROL_CHARACTERS.sub("", line).rstrip() for line in lines)
    return cleaned.strip("\n")


def excerpt(value: str, limit: int = 200) -> str:
    """The start of ``value`` for a log line or an error: at most ``limit`` characters."""
    return value if len(value) <= limit else value[:limit] + "…"


def describe(defect: Exception) -> str:
    """A defect as one line for the log: its kind, and what it says when it says anything."""
    detail = one_line(str(defect))
    return f"{type(defect).__name__}: {detail}" if detail else type(defect).__name__
