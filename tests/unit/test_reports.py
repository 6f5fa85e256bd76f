"""Report maths without AWS: buckets in a zone, ISO weeks, compliance, credits and their cap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.reports import (
    Granularity,
    Tally,
    Terms,
    buckets,
    build_report,
    compliance,
    day_boundaries_align,
    day_start,
    local_day,
)

MOSCOW = ZoneInfo("Europe/Moscow")
TERMS = Terms(Decimal(50), Decimal(10), None, "EUR")
CAPPED = Terms(Decimal(50), Decimal(10), Decimal(120), "EUR")


def spans(result):
    return [(b.start.isoformat(), b.end.isoformat(), b.label) for b in result]


def test_days_are_one_bucket_each_including_the_empty_ones():
    result = buckets(date(2026, 11, 1), date(2026, 11, 3), Granularity.DAY)
    assert spans(result) == [
        ("2026-11-01", "2026-11-01", "2026-11-01"),
        ("2026-11-02", "2026-11-02", "2026-11-02"),
        ("2026-11-03", "2026-11-03", "2026-11-03"),
    ]


def test_weeks_are_iso_weeks_clipped_to_the_range():
    # 2026-11-01 is a Sunday: the end of ISO week 44.
    result = buckets(date(2026, 11, 1), date(2026, 11, 10), Granularity.WEEK)
    assert spans(result) == [
        ("2026-11-01", "2026-11-01", "2026-W44"),
        ("2026-11-02", "2026-11-08", "2026-W45"),
        ("2026-11-09", "2026-11-10", "2026-W46"),
    ]


def test_an_iso_week_across_new_year_belongs_to_the_year_of_its_thursday():
    result = buckets(date(2026, 12, 28), date(2027, 1, 4), Granularity.WEEK)
    assert spans(result) == [
        ("2026-12-28", "2027-01-03", "2026-W53"),
        ("2027-01-04", "2027-01-04", "2027-W01"),
    ]


def test_months_are_calendar_months_clipped_to_the_range():
    result = buckets(date(2026, 11, 15), date(2027, 2, 3), Granularity.MONTH)
    assert spans(result) == [
        ("2026-11-15", "2026-11-30", "2026-11"),
        ("2026-12-01", "2026-12-31", "2026-12"),
        ("2027-01-01", "2027-01-31", "2027-01"),
        ("2027-02-01", "2027-02-03", "2027-02"),
    ]


def test_compliance_is_met_over_all_and_none_when_nothing_stopped():
    assert compliance(12, 3) == 0.8
    assert compliance(0, 0) is None
    assert compliance(0, 2) == 0.0


def test_a_stop_counts_on_its_local_day_of_the_report_zone():
    late_evening_utc = datetime(2026, 11, 1, 22, 30, tzinfo=UTC)
    assert local_day(late_evening_utc, UTC) == date(2026, 11, 1)
    assert local_day(late_evening_utc, MOSCOW) == date(2026, 11, 2)
    assert day_start(date(2026, 11, 2), MOSCOW) == datetime(2026, 11, 1, 21, tzinfo=UTC)


def test_quarter_hour_zones_align_and_odd_historic_offsets_do_not():
    quarter = timedelta(minutes=15)
    for zone in ("UTC", "Europe/Moscow", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York"):
        assert day_boundaries_align(date(2026, 1, 1), date(2026, 12, 31), ZoneInfo(zone), quarter)
    # Amsterdam kept local mean time (+00:19:32) until 1937.
    assert not day_boundaries_align(
        date(1930, 1, 1), date(1930, 1, 2), ZoneInfo("Europe/Amsterdam"), quarter
    )


def test_counts_land_in_their_buckets_and_add_up_to_the_totals():
    tallies = [
        Tally(date(2026, 11, 2), "sla_a", 3, 1, 1800),
        Tally(date(2026, 11, 3), "sla_b", 2, 0, 0),
        Tally(date(2026, 11, 9), "sla_a", 0, 2, 7200),
        Tally(date(2026, 10, 31), "sla_a", 5, 5, 1),  # before the range
    ]
    report = build_report(tallies, date(2026, 11, 1), date(2026, 11, 10), Granularity.WEEK, {})
    assert [(c.met, c.missed) for _, c in report.buckets] == [(0, 0), (5, 1), (0, 2)]
    assert report.buckets[0][1].compliance is None
    assert (report.totals.met, report.totals.missed) == (5, 3)
    assert report.totals.overdue_seconds == 9000
    assert report.credits is None
    assert report.buckets[1][1].credits is None


def test_credits_are_per_miss_plus_per_overdue_hour_in_fractions_rounded_to_cents():
    # 2 missed, 1,000 s overdue: 2 x 50 + 10 x 1000/3600 = 102.777... -> 102.78
    tallies = [Tally(date(2026, 11, 2), "sla_a", 1, 2, 1000)]
    report = build_report(
        tallies, date(2026, 11, 1), date(2026, 11, 2), Granularity.DAY, {"sla_a": TERMS}
    )
    assert report.buckets[0][1].credits == Decimal(0)
    assert report.buckets[1][1].credits == Decimal("102.78")
    assert report.credits.amount == Decimal("102.78")
    assert report.credits.currency == "EUR"


def test_buckets_add_up_to_the_total_to_the_cent():
    # Three buckets of 1/3 of an hour's penalty each: 3.33 + 3.34 + 3.33 = 10.00
    tallies = [Tally(date(2026, 11, d), "sla_a", 0, 0, 1200) for d in (1, 2, 3)]
    report = build_report(
        tallies, date(2026, 11, 1), date(2026, 11, 3), Granularity.DAY, {"sla_a": TERMS}
    )
    amounts = [count.credits for _, count in report.buckets]
    assert sum(amounts) == report.credits.amount == Decimal("10.00")


def test_the_monthly_cap_stops_the_amount_for_the_rest_of_that_month_only():
    tallies = [
        Tally(date(2026, 11, 28), "sla_a", 0, 2, 0),  # 100
        Tally(date(2026, 11, 29), "sla_a", 0, 2, 0),  # +100, capped at 120 -> +20
        Tally(date(2026, 11, 30), "sla_a", 0, 1, 0),  # cap reached -> 0
        Tally(date(2026, 12, 1), "sla_a", 0, 1, 0),  # a new month -> 50
    ]
    report = build_report(
        tallies, date(2026, 11, 28), date(2026, 12, 1), Granularity.DAY, {"sla_a": CAPPED}
    )
    assert [count.credits for _, count in report.buckets] == [
        Decimal(100),
        Decimal(20),
        Decimal(0),
        Decimal(50),
    ]
    assert report.credits.amount == Decimal(170)


def test_without_a_cap_the_same_misses_owe_everything():
    tallies = [Tally(date(2026, 11, d), "sla_a", 0, 2, 0) for d in (28, 29, 30)]
    report = build_report(
        tallies, date(2026, 11, 28), date(2026, 11, 30), Granularity.MONTH, {"sla_a": TERMS}
    )
    assert report.credits.amount == Decimal(300)


def test_what_was_owed_earlier_in_the_month_uses_up_the_cap_of_a_later_range():
    earlier = Tally(date(2026, 11, 5), "sla_a", 0, 2, 0)  # 100 before the range
    inside = Tally(date(2026, 11, 20), "sla_a", 0, 2, 0)  # +100, only 20 left under the cap
    report = build_report(
        [earlier, inside],
        date(2026, 11, 15),
        date(2026, 11, 30),
        Granularity.MONTH,
        {"sla_a": CAPPED},
    )
    assert report.credits.amount == Decimal(20)
    assert report.totals.missed == 2


def test_slas_in_different_currencies_are_listed_apart_and_not_added_up():
    usd = Terms(Decimal(5), Decimal(0), None, "USD")
    tallies = [
        Tally(date(2026, 11, 2), "sla_a", 0, 1, 0),
        Tally(date(2026, 11, 2), "sla_b", 0, 1, 0),
    ]
    report = build_report(
        tallies,
        date(2026, 11, 2),
        date(2026, 11, 2),
        Granularity.DAY,
        {"sla_a": TERMS, "sla_b": usd},
    )
    assert report.credits is None
    assert report.buckets[0][1].credits is None
    assert [(c.sla_id, c.amount, c.currency) for c in report.credits_by_sla] == [
        ("sla_a", Decimal(50), "EUR"),
        ("sla_b", Decimal(5), "USD"),
    ]


@pytest.mark.parametrize("granularity", list(Granularity))
def test_every_day_of_the_range_is_in_exactly_one_bucket(granularity):
    first, last = date(2026, 1, 1), date(2027, 3, 1)
    covered = []
    for bucket in buckets(first, last, granularity):
        covered.extend(
            bucket.start + timedelta(days=n) for n in range((bucket.end - bucket.start).days + 1)
        )
    assert covered == [first + timedelta(days=n) for n in range((last - first).days + 1)]
