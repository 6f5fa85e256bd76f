"""A calendar's holiday_country: resolved into plain dates, and refused when unknown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.adapters.public_holidays import HOLIDAY_YEARS, public_holidays
from chalicelib.domain.calendar import build_calendar
from chalicelib.domain.errors import DomainError


def test_resolves_a_countrys_public_holidays_into_dates() -> None:
    russian = public_holidays("RU")

    assert date(2026, 1, 1) in russian
    assert date(2026, 5, 9) in russian  # Victory Day
    assert date(2026, 5, 12) not in russian
    assert {day.year for day in russian} == set(HOLIDAY_YEARS)


def test_resolves_only_the_years_asked_for() -> None:
    assert {day.year for day in public_holidays("US", years=[2027])} == {2027}


@pytest.mark.parametrize("country", ["XX", "ru", "", None, 7, ["RU"]])
def test_refuses_an_unknown_country(country: object) -> None:
    with pytest.raises(DomainError) as refused:
        public_holidays(country)

    assert refused.value.field == "holiday_country"


def test_the_resolved_holidays_are_days_off_in_the_calendar() -> None:
    spec = {
        "timezone": "Europe/Moscow",
        "week": {day: [["10:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holiday_country": "RU",
    }
    calendar = build_calendar(spec, extra_holidays=public_holidays(spec["holiday_country"]))
    # 2026-05-11 is a Monday off in Russia (Victory Day, moved from Saturday the 9th)
    monday = datetime(2026, 5, 11, 7, 0, tzinfo=UTC)

    assert calendar.elapsed(monday, monday + timedelta(days=1)) == timedelta(0)
