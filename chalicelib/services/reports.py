"""Compliance reports (``docs/api.md``, "Reports"): the summary by bucket and the drill-down.

The summary reads the daily aggregates when it can: no filter, or filters
on board, SLA and rule kind plus at most one card dimension. Its cost then
grows with the days of the range (one query per month), not with the cards.
A combination of card dimensions, or a report zone whose midnights do not
fall on the aggregates' quarter hours, reads the finished timers of the
range instead, and says so in ``source``.

The range is read from the first day of its first month: what was owed
earlier in that month counts toward an SLA's monthly cap. Credits use the
terms of each SLA's latest version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.aggregates import BASE
from chalicelib.domain.reports import (
    Count,
    Granularity,
    Report,
    Tally,
    Terms,
    build_report,
    day_boundaries_align,
    day_start,
    local_day,
    month_start,
)
from chalicelib.domain.stored_timers import MISSED, FinishedRange, StoredTimer
from chalicelib.ports.config import sla_store
from chalicelib.ports.timers import aggregates, finished_timers
from chalicelib.services.aggregates import DIMENSIONS, SLOT
from chalicelib.services.common import page, refusals
from chalicelib.services.errors import InvalidInputError

FILTERS = ("board_id", "sla_id", "rule_kind", *DIMENSIONS)
"""The filters of every report route, in the contract's words."""

ROW_FIELDS = (
    "card_id",
    "title",
    "sla_id",
    "sla_name",
    "rule_id",
    "kind",
    "status",
    "target_seconds",
    "elapsed_seconds",
    "overdue_seconds",
    "assignee",
    "card_type",
    "tags",
    "stopped_at",
)
"""The drill-down columns, in order, as the contract names them."""

EXTRA_ROW_FIELDS = ("board_id", "service", "lane_id", "started_at", "deadline")
"""Further columns a drill-down may ask for with ``columns``."""

# Two years of days: longer ranges belong in a data warehouse, not one request.
MAX_RANGE_DAYS = 731
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ReportScope:
    """What a report covers: the local days ``first`` to ``last`` of ``tz``, and the filters."""

    first: date
    last: date
    tz: str
    filters: Mapping[str, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def span(self, first: date | None = None) -> tuple[datetime, datetime]:
        """The UTC instants from the start of ``first`` (default the range's) to the end of last."""
        start = day_start(first or self.first, self.zone)
        return start, day_start(self.last + timedelta(days=1), self.zone)


def report_scope(
    first: date, last: date, tz: str, filters: Mapping[str, str | None]
) -> ReportScope:
    """A checked scope: ``from`` not after ``to``, at most two years, a known IANA zone."""
    if first > last:
        raise InvalidInputError("from must not be after to", field="from")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInputError(f"a report covers at most {MAX_RANGE_DAYS} days", field="to")
    report_zone(tz)
    chosen = {name: value for name, value in filters.items() if value is not None}
    return ReportScope(first, last, tz, chosen)


def report_zone(tz: str) -> ZoneInfo:
    """The IANA zone named ``tz``; 400 naming ``tz`` when there is none."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise InvalidInputError(f"unknown time zone {tz!r}", field="tz") from error


def sla_report(scope: ReportScope, granularity: Granularity) -> dict[str, Any]:
    """The summary: buckets, totals, credits and the source they were read from."""
    source = _source(scope)
    read_from = month_start(scope.first)
    tallies = (
        _aggregate_tallies(scope, read_from)
        if source == "aggregates"
        else _timer_tallies(scope, read_from)
    )
    sla_ids = {tally.sla_id for tally in tallies}
    if "sla_id" in scope.filters:
        sla_ids.add(scope.filters["sla_id"])
    report = build_report(tallies, scope.first, scope.last, granularity, _terms(sla_ids))
    return _report_answer(scope, granularity, source, report)


def _source(scope: ReportScope) -> str:
    dimensions = [name for name in DIMENSIONS if name in scope.filters]
    aligned = day_boundaries_align(month_start(scope.first), scope.last, scope.zone, SLOT)
    return "aggregates" if len(dimensions) <= 1 and aligned else "timers"


def _aggregate_tallies(scope: ReportScope, read_from: date) -> list[Tally]:
    """Tallies from the aggregates of the one dimension filtered on (or the totals)."""
    dimension, value = next(
        ((name, scope.filters[name]) for name in DIMENSIONS if name in scope.filters), (BASE, "")
    )
    start, end = scope.span(read_from)
    sums: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for aggregate in aggregates().read(dimension, utc_days(start, end)):
        if not _keys_match(scope.filters, aggregate.board_id, aggregate.sla_id, aggregate.kind):
            continue
        midnight = datetime.fromisoformat(aggregate.day).replace(tzinfo=UTC)
        for slot, (met, missed, overdue) in aggregate.cells.get(value, {}).items():
            instant = midnight + int(slot) * SLOT
            if start <= instant < end:
                total = sums[(local_day(instant, scope.zone), aggregate.sla_id)]
                total[0] += met
                total[1] += missed
                total[2] += overdue
    return [_tally(key, total) for key, total in sums.items()]


def _timer_tallies(scope: ReportScope, read_from: date) -> list[Tally]:
    """Tallies from the finished timers themselves (a cost that grows with the cards)."""
    sums: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for timer in finished_in(scope, read_from):
        if timer.stopped_at is not None and timer_matches(timer, scope.filters):
            total = sums[(local_day(timer.stopped_at, scope.zone), timer.sla_id)]
            if timer.status == MISSED:
                total[1] += 1
                total[2] += timer.overdue_seconds
            else:
                total[0] += 1
    return [_tally(key, total) for key, total in sums.items()]


def _tally(key: tuple[date, str], total: list[float]) -> Tally:
    return Tally(key[0], key[1], int(total[0]), int(total[1]), total[2])


def finished_in(scope: ReportScope, read_from: date | None = None) -> Iterator[StoredTimer]:
    """Every finished timer that stopped within the scope's days, by stop time, unfiltered."""
    start, end = scope.span(read_from)
    store = finished_timers()
    for day in utc_days(start, end):
        yield from store.finished(day, start, end - _MICROSECOND)


def utc_days(start: datetime, end: datetime) -> list[str]:
    """The UTC dates from ``start`` up to (not including) ``end``, as ``YYYY-MM-DD``."""
    first = start.astimezone(UTC).date()
    last = (end - _MICROSECOND).astimezone(UTC).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _keys_match(filters: Mapping[str, str], board_id: str, sla_id: str, kind: str) -> bool:
    return (
        filters.get("board_id", board_id) == board_id
        and filters.get("sla_id", sla_id) == sla_id
        and filters.get("rule_kind", kind) == kind
    )


def timer_matches(timer: StoredTimer, filters: Mapping[str, str]) -> bool:
    """Whether a stored timer passes every filter of a report."""
    if not _keys_match(filters, timer.board_id, timer.sla_id, timer.kind):
        return False
    if "tag" in filters and filters["tag"] not in (timer.tags or ()):
        return False
    return all(
        getattr(timer, name) == filters[name]
        for name in DIMENSIONS
        if name != "tag" and name in filters
    )


def _terms(sla_ids: set[str]) -> dict[str, Terms]:
    """The terms of each SLA that has them (latest version); one read per SLA."""
    store = sla_store()
    found = {}
    for sla_id in sorted(sla_ids):
        item = store.latest(sla_id)
        terms = None if item is None else item.body.get("terms")
        if terms:
            cap = terms.get("monthly_cap")
            found[sla_id] = Terms(
                Decimal(str(terms.get("penalty_per_missed") or 0)),
                Decimal(str(terms.get("penalty_per_overdue_hour") or 0)),
                None if cap is None else Decimal(str(cap)),
                terms.get("currency") or "EUR",
            )
    return found


def _count_answer(count: Count) -> dict[str, Any]:
    return {
        "met": count.met,
        "missed": count.missed,
        "compliance": count.compliance,
        "overdue_seconds": int(count.overdue_seconds),
        "credits": None if count.credits is None else float(count.credits),
    }


def _report_answer(
    scope: ReportScope, granularity: Granularity, source: str, report: Report
) -> dict[str, Any]:
    return {
        "from": scope.first,
        "to": scope.last,
        "granularity": granularity.value,
        "tz": scope.tz,
        "filters": dict(scope.filters),
        "source": source,
        "buckets": [
            {
                "start": bucket.start,
                "end": bucket.end,
                "label": bucket.label,
                **_count_answer(count),
            }
            for bucket, count in report.buckets
        ],
        "totals": _count_answer(report.totals),
        "credits": None
        if report.credits is None
        else {"amount": float(report.credits.amount), "currency": report.credits.currency},
        "credits_by_sla": [
            {"sla_id": c.sla_id, "amount": float(c.amount), "currency": c.currency}
            for c in report.credits_by_sla
        ],
    }


def report_rows(
    scope: ReportScope, status: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of the drill-down: the finished timers of the scope, by stop time."""
    start, end = scope.span()

    def keep(timer: StoredTimer) -> bool:
        return timer_matches(timer, scope.filters) and status in (None, timer.status)

    with refusals():
        wanted = FinishedRange(tuple(utc_days(start, end)), start, end - _MICROSECOND, keep)
        found, next_cursor = finished_timers().finished_page(wanted, limit, cursor)
    return page([drill_down_row(timer) for timer in found], next_cursor)


def drill_down_row(timer: StoredTimer) -> dict[str, Any]:
    """A finished timer as a drill-down row (every column, extras included)."""
    target = int(timer.target_seconds)
    elapsed = int(timer.elapsed_seconds or 0)
    return {
        "card_id": timer.card_id,
        "title": timer.title,
        "sla_id": timer.sla_id,
        "sla_name": timer.sla_name,
        "rule_id": timer.rule_id,
        "kind": timer.kind,
        "status": timer.status,
        "target_seconds": target,
        "elapsed_seconds": elapsed,
        "overdue_seconds": max(0, elapsed - target),
        "assignee": timer.assignee,
        "card_type": timer.card_type,
        "tags": list(timer.tags or ()),
        "stopped_at": timer.stopped_at,
        "board_id": timer.board_id,
        "service": timer.service,
        "lane_id": timer.lane_id,
        "started_at": timer.started_at,
        "deadline": timer.deadline,
    }
