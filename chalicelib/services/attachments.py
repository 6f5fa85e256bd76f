"""Downloads of the files a card lists: a short-lived link straight to the object store.

A file is named by its position in the card's ``attachments`` list, counting
from 1; the list only ever grows, so a position keeps naming the same file.
Agents reach any card's files; a requester reaches the files of their own
card through its status link. Either way the answer is a presigned GET, valid
for ``DOWNLOAD_LINK_SECONDS``, that makes the store answer with
``Content-Disposition: attachment``: a browser saves the file instead of
showing it, so an HTML file someone mailed in never renders as a page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from chalicelib.ports.intake import attachment_store
from chalicelib.services import cards
from chalicelib.services.errors import InvalidInputError, NotFoundError
from chalicelib.services.status import card_for_status_link

DOWNLOAD_LINK_SECONDS = 5 * 60
"""How long a download link works: long enough to follow, too short to pass around."""
FALLBACK_CONTENT_TYPE = "application/octet-stream"
_POSITION = re.compile(r"[0-9]{1,9}")
# type/subtype as RFC 6838 allows it; anything else a mailer wrote is served as bytes.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_MAX_NAME_LENGTH = 200


def card_file_link(card_id: str, position: str) -> str:
    """A download link for the ``position``-th file of card ``card_id``.

    400 when ``position`` is not a whole number, 404 for an unknown card or
    a position the card does not list, or a file too large to have been kept.
    """
    number = file_position(position)
    return _link(cards.load_card(card_id).attachments or [], number, f"card {card_id}")


def status_file_link(token: str, position: str) -> str:
    """A download link for the ``position``-th file of the card behind a status link.

    404 for a token that opens nothing (as the status page answers), then as
    ``card_file_link``.
    """
    number = file_position(position)
    card = cards.load_card(card_for_status_link(token))
    return _link(card.attachments or [], number, "this request")


def file_position(text: str) -> int:
    """The position in a download address as a number; 400 when it is not a whole number."""
    if _POSITION.fullmatch(text) is None:
        raise InvalidInputError(
            f"{text[:40]!r} is not a file number (1 for the first file listed)", field="n"
        )
    return int(text)


def download_disposition(filename: str) -> str:
    """``Content-Disposition`` that saves the file under (a safe form of) its name.

    The name goes only in the RFC 8187 form (UTF-8, percent-encoded), so
    quotes, semicolons and line breaks cannot end the header value or start
    another; control and invisible format characters (a right-to-left
    override that disguises ``.exe`` as ``.pdf``) and path separators become
    ``_`` first.
    """
    return f"attachment; filename*=UTF-8''{quote(safe_download_name(filename), safe='')}"


def safe_download_name(filename: str) -> str:
    """``filename`` without control or format characters or path separators; never empty."""
    shown = "".join(
        "_" if char in "/\\" or unicodedata.category(char).startswith("C") else char
        for char in filename.strip()
    )
    # A leading dot hides the saved file on Unix; trailing dots and spaces vanish on Windows.
    shown = shown.lstrip(".").rstrip(". ")[:_MAX_NAME_LENGTH]
    return shown or "attachment"


def download_content_type(content_type: str | None) -> str:
    """The stored content type without parameters if well formed, else ``FALLBACK_CONTENT_TYPE``."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type if _MEDIA_TYPE.fullmatch(media_type) else FALLBACK_CONTENT_TYPE


def _link(files: Sequence[Mapping[str, Any]], position: int, owner: str) -> str:
    if not 1 <= position <= len(files):
        raise NotFoundError(
            f"{owner} lists no file {position} ({len(files)} listed)", code="unknown_attachment"
        )
    file = files[position - 1]
    if not file.get("object_key"):
        raise NotFoundError(
            f"file {position} of {owner} was too large to keep", code="attachment_not_kept"
        )
    return attachment_store().download_link(
        file["object_key"],
        content_type=download_content_type(file.get("content_type")),
        disposition=download_disposition(str(file.get("filename") or "")),
        expires_seconds=DOWNLOAD_LINK_SECONDS,
    )
