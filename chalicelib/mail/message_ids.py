"""Message-IDs read from headers, and the one made up for a message that has none."""

from __future__ import annotations

import hashlib
import re

DERIVED_ID_DOMAIN = "derived.sladesk.invalid"
"""Domain of the Message-ID made up for a message that has none (``.invalid`` per RFC 2606)."""

_BRACKETED_ID = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> tuple[str, ...]:
    """The message ids in a Message-ID, In-Reply-To or References value, each once, in order.

    Ids belong in angle brackets; some clients leave them out, so a bare
    ``id@host`` token is taken too when there is no bracketed one.
    """
    found = _BRACKETED_ID.findall(value) or [
        f"<{token.strip('<>')}>" for token in value.split() if "@" in token
    ]
    return tuple(dict.fromkeys(found))


def derived_message_id(raw: bytes) -> str:
    """A Message-ID for a message without one: the same bytes always give the same id.

    Line endings are normalised first, so the same message delivered once
    over SMTP (CRLF) and once over HTTP (LF) is still recognised.
    """
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
    return f"<{digest[:40]}@{DERIVED_ID_DOMAIN}>"
