"""Building blocks shared by every resource: strict bodies, durations, pages, errors."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from chalicelib.services.durations import ISO_DURATION, check_duration

Duration = Annotated[
    int | str,
    AfterValidator(check_duration),
    WithJsonSchema(
        {
            "oneOf": [
                {
                    "type": "string",
                    "pattern": re.sub(r"\?P<\w+>", "", ISO_DURATION.pattern),
                    "examples": ["PT10M", "P1D"],
                },
                {"type": "integer", "minimum": 0},
            ],
            "description": "ISO 8601 duration (P1D = 24 h of counted time) or whole seconds",
        }
    ),
]
"""A duration as sent: kept verbatim, converted with ``duration_seconds``."""

Name = Annotated[str, Field(min_length=1, max_length=200)]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Body(BaseModel):
    """A request body: JSON types are not coerced (``"5"`` is not a number)."""

    model_config = ConfigDict(strict=True, defer_build=True)


class Resource(BaseModel):
    """A response body."""

    model_config = ConfigDict(from_attributes=True, defer_build=True)


class PageQuery(BaseModel):
    """``?limit=`` (1-100, default 50) and ``?next=`` of a list route."""

    model_config = ConfigDict(defer_build=True)
    limit: int = Field(50, ge=1, le=100)
    next: str | None = None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``next`` is the cursor of the following page, or null."""

    items: list[T]
    next: str | None


class ErrorBody(BaseModel):
    """What every refusal carries."""

    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """Every 4xx/5xx answer."""

    error: ErrorBody
