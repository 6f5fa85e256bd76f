"""The card id a subject names in brackets: how a requester's reply finds its card."""

from __future__ import annotations

import re

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
