"""Durations as the API accepts them: ISO 8601 (days, hours, minutes, seconds) or whole seconds."""

from __future__ import annotations

import re

ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def check_duration(value: int | str) -> int | str:
    """``value`` unchanged if it is a duration sladesk accepts; ValueError says why not.

    Months and years are refused (they have no fixed length), so are negative
    and fractional amounts. ``P1D`` is 24 hours of counted time.
    """
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration must not be negative")
        return value
    if value.startswith("-"):
        raise ValueError("a duration must not be negative")
    date_part = value.split("T", 1)[0].upper()
    if "Y" in date_part or "M" in date_part:
        raise ValueError("months and years have no fixed length: use days (P30D)")
    if ISO_DURATION.match(value) is None:
        raise ValueError("expected an ISO 8601 duration such as PT10M or P1D, or whole seconds")
    return value


def duration_seconds(value: int | str) -> int:
    """Whole seconds of an accepted duration."""
    if isinstance(value, int):
        return value
    check_duration(value)  # ValueError says why a refused one is refused
    match = ISO_DURATION.match(value)
    assert match is not None  # check_duration accepted it
    parts = {unit: int(amount or 0) for unit, amount in match.groupdict().items()}
    days = parts["w"] * 7 + parts["d"]
    return ((days * 24 + parts["h"]) * 60 + parts["m"]) * 60 + parts["s"]
