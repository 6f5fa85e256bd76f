"""Pages of in-memory lists behind opaque ``next`` cursors, as the DynamoDB stores hand them out.

A cursor names its list and the key of the last item handed out, so the following page
starts right after it even when ``keep`` skips items in between; a cursor of another
list (or no cursor at all) is refused with InvalidCursorError, as DynamoDB refuses a
start key outside the query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from typing import TypeVar

from chalicelib.ports.errors import InvalidCursorError

T = TypeVar("T")
Key = str | int


def _encode(list_name: str, key: Key) -> str:
    raw = json.dumps({"list": list_name, "after": key}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(list_name: str, cursor: str) -> Key:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
    except (ValueError, binascii.Error, UnicodeEncodeError) as error:
        raise InvalidCursorError("not a cursor of this list") from error
    if not isinstance(decoded, dict) or decoded.get("list") != list_name:
        raise InvalidCursorError("not a cursor of this list")
    after = decoded.get("after")
    if not isinstance(after, str | int):
        raise InvalidCursorError("not a cursor of this list")
    return after


def memory_page(
    items: Iterable[T],
    list_name: str,
    key: Callable[[T], Key],
    limit: int,
    cursor: str | None,
    keep: Callable[[T], bool] | None = None,
) -> tuple[list[T], str | None]:
    """Up to ``limit`` of ``items`` (in ``key`` order) that ``keep`` accepts; the next cursor."""
    ordered = sorted(items, key=key)
    if cursor:
        after = _decode(list_name, cursor)
        ordered = [item for item in ordered if _after(key(item), after)]
    page: list[T] = []
    for item in ordered:
        if keep is not None and not keep(item):
            continue
        if len(page) == limit:
            return page, _encode(list_name, key(page[-1]))
        page.append(item)
    return page, None


def _after(item_key: Key, after: Key) -> bool:
    if type(item_key) is not type(after):
        raise InvalidCursorError("not a cursor of this list")
    return item_key > after  # type: ignore[operator]
