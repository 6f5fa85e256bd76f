"""Public holidays of a calendar's ``holiday_country``, resolved into plain dates.

The domain knows no holiday tables: a service resolves the country here and
hands the dates to ``chalicelib.domain.calendar.build_calendar`` as
``extra_holidays``. The years covered are fixed rather than taken from the
clock, so the same calendar version always yields the same dates (timers are
derived, never edited: ``docs/design.md``, invariant 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

from chalicelib.domain.errors import DomainError

HOLIDAY_YEARS = range(2000, 2101)
"""The years whose public holidays a calendar gets by default."""


def public_holidays(country: object, years: Iterable[int] = HOLIDAY_YEARS) -> frozenset[date]:
    """The public holidays of ``country`` (an ISO 3166 code such as ``"RU"``) in ``years``.

    Raises DomainError on field ``holiday_country`` for anything that is not a
    country the ``holidays`` package knows.
    """
    # Imported on first use: most calendars name no country, and a cold start
    # should not pay for the package's tables.
    import holidays

    if not isinstance(country, str) or country not in holidays.list_supported_countries():
        raise DomainError(
            f"unknown holiday_country {country!r}: use an ISO 3166 country code",
            field="holiday_country",
        )
    return _public_holidays(country, tuple(years))


@cache
def _public_holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    # Building a country's table for a century takes up to ~0.1 s: once per process.
    import holidays

    return frozenset(holidays.country_holidays(country, years=years))
