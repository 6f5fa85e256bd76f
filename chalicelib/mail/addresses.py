"""Mail addresses read from headers: what counts as one, and one salvaged from a broken ``From``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import getaddresses
from typing import Any

from chalicelib.mail.cleaning import clean_header

# A plausible address: what an address read by the parser must look like, and
# what is searched for in a From header the parser could not read.
_ADDRESS = re.compile(r"[^\s<>()\[\]\",;:@]+@[^\s<>()\[\]\",;:@]+")


def is_address(spec: str) -> bool:
    """Whether ``spec`` looks like an address mail can be sent to (not ``""@x`` or ``<>``)."""
    return _ADDRESS.fullmatch(spec) is not None


def salvage_address(written: str) -> str | None:
    """Something shaped like an address in a header the parser could not read, or None."""
    found = _ADDRESS.search(written)
    return found.group() if found else None


def header_addresses(values: Iterable[Any]) -> list[str]:
    """The addresses in parsed header values, cleaned and lower-cased, in order.

    A value the email package does not parse as addresses (``Delivered-To``
    is no address header to it) is parsed here.
    """
    found: list[str] = []
    for value in values:
        parsed = getattr(value, "addresses", None)
        if parsed is None:
            candidates = [spec for _, spec in getaddresses([str(value)])]
        else:
            candidates = [address.addr_spec for address in parsed]
        cleaned = (clean_header(spec) for spec in candidates)
        found.extend(spec.lower() for spec in cleaned if is_address(spec))
    return found
