"""Small helpers every use case shares: new ids, list pages and store refusals."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.ports.errors import InvalidCursorError
from chalicelib.services.errors import InvalidInputError


def new_id(prefix: str) -> str:
    """A fresh random id such as ``cal_3f9a0c1d2b4e5f60``."""
    return f"{prefix}_{secrets.token_hex(8)}"


def page(items: list[Any], cursor: str | None) -> dict[str, Any]:
    """A list answer: ``{"items": [...], "next": cursor or None}``."""
    return {"items": items, "next": cursor}


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a bad cursor or a domain refusal into a 400 naming the field."""
    try:
        yield
    except InvalidCursorError as error:
        raise InvalidInputError("not a cursor of this list", field="next") from error
    except DomainError as error:
        raise InvalidInputError(error.message, field=error.field) from error
