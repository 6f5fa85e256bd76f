"""Pages of query results behind opaque ``next`` cursors.

A cursor is the key of the last item handed out, so the following page
starts right after it even when filters skip items in between.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pynamodb.exceptions import QueryError
from pynamodb.models import Model

from chalicelib.adapters.store_errors import InvalidCursorError

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The start key encoded in a cursor (None for the first page)."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
    except (ValueError, binascii.Error, UnicodeEncodeError) as error:
        raise InvalidCursorError("not a cursor of this list") from error
    if not isinstance(key, dict) or not all(isinstance(v, dict) for v in key.values()):
        raise InvalidCursorError("not a cursor of this list")
    return key


def _encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def read_page(
    results: Iterable[M],
    limit: int,
    key_names: tuple[str, ...],
    keep: Callable[[M], bool] | None = None,
) -> tuple[list[M], str | None]:
    """Up to ``limit`` items that ``keep`` accepts, and the cursor of the next page.

    ``key_names`` are the attributes of the queried key (table key plus the
    index key for index queries). One extra item is read to know whether a
    next page exists, so the last page answers ``next: null``.
    """
    return read_mapped_page(results, limit, key_names, _same, keep)


def _same(item: M) -> M:
    return item


def read_mapped_page(
    results: Iterable[M],
    limit: int,
    key_names: tuple[str, ...],
    convert: Callable[[M], T],
    keep: Callable[[T], bool] | None = None,
) -> tuple[list[T], str | None]:
    """As ``read_page``, each item handed out (and asked about) as ``convert`` makes it."""
    items: list[T] = []
    last: M | None = None
    try:
        for item in results:
            value = convert(item)
            if keep is not None and not keep(value):
                continue
            if len(items) == limit and last is not None:
                key = last.serialize(null_check=False)
                return items, _encode_cursor({name: key[name] for name in key_names})
            items.append(value)
            last = item
    except QueryError as error:
        # DynamoDB refuses a start key that does not belong to the query.
        if error.cause_response_code != "ValidationException":
            raise
        raise InvalidCursorError("not a cursor of this list") from error
    return items, None
