"""Compliance report maths: buckets of a date range in a time zone, compliance, service credits.

Pure and deterministic: the standard library only. The services hand in
tallies (met and missed counts and overdue seconds of one SLA on one local
day of the report's time zone) and get back the buckets the contract answers
(``docs/api.md``, "Reports"):

- a bucket is a day, an ISO week (Monday to Sunday) or a calendar month of
  the report's zone, clipped to the requested range, so a bucket's ``start``
  and ``end`` are exactly the days it counts;
- ``compliance`` is met / (met + missed), None when both are 0;
- credits are ``penalty_per_missed`` x missed + ``penalty_per_overdue_hour`` x
  overdue hours (fractions of an hour count), per SLA, with the SLA's
  ``monthly_cap`` applied to each calendar month of the zone.

Money is ``Decimal``. Amounts are rounded to cents once, on running totals:
a bucket's amount is the rounded total owed at its end minus the rounded
total owed at its start, so the buckets always add up to the total and a
capped month never shows a cent more than its cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

_CENT = Decimal("0.01")
_HOUR_SECONDS = Decimal(3600)


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Bucket:
    """The days ``start`` to ``end`` (both included) of one period; ``label`` names the period."""

    start: date
    end: date
    label: str


@dataclass(frozen=True, slots=True)
class Tally:
    """What one SLA's timers that stopped on one local ``day`` came to."""

    day: date
    sla_id: str
    met: int
    missed: int
    overdue_seconds: float


@dataclass(frozen=True, slots=True)
class Terms:
    """An SLA's service credits: what each miss and each overdue hour costs, and a monthly cap."""

    penalty_per_missed: Decimal
    penalty_per_overdue_hour: Decimal
    monthly_cap: Decimal | None
    currency: str

    def penalty(self, missed: int, overdue_seconds: float) -> Decimal:
        """The uncapped, unrounded amount owed for ``missed`` timers and their overdue time."""
        hours = Decimal(str(overdue_seconds)) / _HOUR_SECONDS
        return self.penalty_per_missed * missed + self.penalty_per_overdue_hour * hours


@dataclass(frozen=True, slots=True)
class Count:
    """Met and missed timers and their overdue seconds, with the credits owed (None: no terms)."""

    met: int = 0
    missed: int = 0
    overdue_seconds: float = 0.0
    credits: Decimal | None = None

    @property
    def compliance(self) -> float | None:
        return compliance(self.met, self.missed)


@dataclass(frozen=True, slots=True)
class Credits:
    """An amount owed in one currency."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class SlaCredits:
    """What one SLA's terms make owed over the whole report."""

    sla_id: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Report:
    """The buckets of a range with their counts, the totals and the credits.

    ``credits`` (and each bucket's ``credits``) is set when the SLAs in the
    report that have terms share one currency; ``credits_by_sla`` lists each
    such SLA whatever its currency.
    """

    buckets: tuple[tuple[Bucket, Count], ...]
    totals: Count
    credits: Credits | None
    credits_by_sla: tuple[SlaCredits, ...]


def compliance(met: int, missed: int) -> float | None:
    """met / (met + missed); None when nothing stopped."""
    total = met + missed
    return None if total == 0 else met / total


def buckets(first: date, last: date, granularity: Granularity) -> list[Bucket]:
    """Every bucket of the days ``first`` to ``last``, in order, the empty ones included."""
    result = []
    day = first
    while day <= last:
        start, end, label = _period(day, granularity)
        result.append(Bucket(max(start, first), min(end, last), label))
        day = end + timedelta(days=1)
    return result


def _period(day: date, granularity: Granularity) -> tuple[date, date, str]:
    """The whole day, ISO week or month holding ``day``, and its label."""
    if granularity == Granularity.DAY:
        return day, day, day.isoformat()
    if granularity == Granularity.WEEK:
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return monday, monday + timedelta(days=6), f"{year}-W{week:02d}"
    start = day.replace(day=1)
    return start, _next_month(start) - timedelta(days=1), f"{start.year}-{start.month:02d}"


def _next_month(first_of_month: date) -> date:
    if first_of_month.month == 12:
        return date(first_of_month.year + 1, 1, 1)
    return date(first_of_month.year, first_of_month.month + 1, 1)


def month_start(day: date) -> date:
    """The first day of ``day``'s month (where a monthly cap starts counting)."""
    return day.replace(day=1)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    """The date of ``instant`` on the clocks of ``zone``."""
    return instant.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) of the local ``day`` in ``zone``.

    A midnight that does not exist (a DST gap at midnight) resolves with the
    offset in force before the gap, which is the instant the day begins.
    """
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def day_boundaries_align(first: date, last: date, zone: ZoneInfo, step: timedelta) -> bool:
    """Whether every local midnight from ``first`` to the day after ``last`` falls on ``step``.

    Counts kept per ``step`` of UTC time (15 minutes for the daily aggregates)
    can be split into the local days of ``zone`` only when this holds; it
    does for every zone whose offsets are whole quarters of an hour.
    """
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    day = first
    while day <= last + timedelta(days=1):
        if (day_start(day, zone) - epoch) % step:
            return False
        day += timedelta(days=1)
    return True


def build_report(
    tallies: Iterable[Tally],
    first: date,
    last: date,
    granularity: Granularity,
    terms: Mapping[str, Terms],
) -> Report:
    """The report of the days ``first`` to ``last`` from ``tallies`` (local days).

    Counts come from the tallies inside the range. Tallies of earlier days
    of ``first``'s month are read only for the monthly caps: what was owed
    before ``first`` in that month uses up its cap. ``terms`` holds the
    SLAs in the report that have terms, with or without tallies.
    """
    periods = buckets(first, last, granularity)
    counts: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    by_sla_day: dict[str, dict[date, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0.0])
    )
    starts = [bucket.start for bucket in periods]
    for tally in tallies:
        if tally.sla_id in terms and tally.day >= month_start(first) and tally.day <= last:
            cell = by_sla_day[tally.sla_id][tally.day]
            cell[0] += tally.missed
            cell[1] += tally.overdue_seconds
        if first <= tally.day <= last:
            count = counts[_index_of(tally.day, starts)]
            count[0] += tally.met
            count[1] += tally.missed
            count[2] += tally.overdue_seconds
    owed_by_bucket = _credits_by_bucket(by_sla_day, terms, first, starts)
    currencies = {t.currency for t in terms.values()}
    single = next(iter(currencies)) if len(currencies) == 1 else None
    rows = []
    for index, bucket in enumerate(periods):
        met, missed, overdue = counts[index]
        amount = sum(owed_by_bucket[index].values(), Decimal(0)) if single else None
        rows.append((bucket, Count(int(met), int(missed), overdue, amount)))
    by_sla = tuple(
        SlaCredits(
            sla_id,
            sum((owed[sla_id] for owed in owed_by_bucket.values()), Decimal(0)),
            terms[sla_id].currency,
        )
        for sla_id in sorted(terms)
    )
    total = sum((credit.amount for credit in by_sla), Decimal(0)) if single else None
    totals = Count(
        sum(count.met for _, count in rows),
        sum(count.missed for _, count in rows),
        sum(count.overdue_seconds for _, count in rows),
        total,
    )
    credits = None if single is None or total is None else Credits(total, single)
    return Report(tuple(rows), totals, credits, by_sla)


def _index_of(day: date, starts: list[date]) -> int:
    """The bucket holding ``day``: the last one starting on or before it."""
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= day:
            low = middle
        else:
            high = middle - 1
    return low


def _credits_by_bucket(
    by_sla_day: Mapping[str, Mapping[date, list[float]]],
    terms: Mapping[str, Terms],
    first: date,
    starts: list[date],
) -> dict[int, dict[str, Decimal]]:
    """Per bucket, the cents each SLA owes in it (capped per month, rounded on running totals)."""
    owed: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for sla_id, sla_terms in terms.items():
        month_total: dict[date, Decimal] = defaultdict(Decimal)
        running = Decimal(0)
        for day in sorted(by_sla_day.get(sla_id, {})):
            missed, overdue = by_sla_day[sla_id][day]
            month = month_start(day)
            before = month_total[month]
            month_total[month] = before + sla_terms.penalty(int(missed), overdue)
            added = _capped(month_total[month], sla_terms) - _capped(before, sla_terms)
            if day < first:
                continue  # only uses up the month's cap
            index = _index_of(day, starts)
            owed[index][sla_id] += _cents(running + added) - _cents(running)
            running += added
    return owed


def _capped(amount: Decimal, terms: Terms) -> Decimal:
    return amount if terms.monthly_cap is None else min(amount, terms.monthly_cap)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)
