"""Mail addresses read from headers: what counts as one, and those found in unparsed text.

Everything here runs in one pass over its input: no pattern that can rescan
(a line of 100,000 ``@`` or letters costs its length, not its square).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from chalicelib.mail.cleaning import clean_header

# What can never be part of an address as sladesk takes one: white space and
# the delimiters of address lists, comments, quotes and groups. An address is
# a run of other characters holding one "@" with something on each side.
_SEPARATORS = re.compile(r"[\s<>()\[\]\",;:]+")


def is_address(spec: str) -> bool:
    """Whether ``spec`` looks like an address mail can be sent to (not ``""@x`` or ``<>``)."""
    local, at, domain = spec.partition("@")
    return bool(at and local and domain) and "@" not in domain and _SEPARATORS.search(spec) is None


def salvage_address(written: str) -> str | None:
    """The first thing shaped like an address in a header the parser could not read, or None."""
    return next(addresses_in(written), None)


def addresses_in(text: str) -> Iterator[str]:
    """Everything shaped like an address in ``text``, in order.

    Where a run holds several ``@`` (``a@b@c``), the first two neighbouring
    pieces that are both non-empty are the address, as a search of
    ``local@domain`` would find them.
    """
    for run in _SEPARATORS.split(text):
        pieces = run.split("@")
        for local, domain in pairwise(pieces):
            if local and domain:
                yield f"{local}@{domain}"
                break


def header_addresses(values: Iterable[Any]) -> list[str]:
    """The addresses in header values, cleaned and lower-cased, in order.

    Values the ``email`` package parsed as address lists give their
    addresses; any other value (``Delivered-To`` is no address header to the
    package, and long address headers are not given to its parser) is
    searched for addresses.
    """
    found: list[str] = []
    for value in values:
        parsed = getattr(value, "addresses", None)
        if parsed is None:
            candidates: Iterable[str] = addresses_in(clean_header(str(value)))
        else:
            candidates = (clean_header(address.addr_spec) for address in parsed)
        found.extend(spec.lower() for spec in candidates if is_address(spec))
    return found
