"""Reads and writes of the compliance reports: daily aggregates, touched days, finished timers.

The aggregates of a day are replaced as a whole (``replace_day``): the new
items are put, then the day's items that the new set no longer has are
deleted. Nothing is ever incremented, so a rerun or a retry writes the same
items again. Reading a dimension over a range of days is one query per month
of the range, whatever the number of cards.

Finished timers are read from the timers table's ``stopped`` index, one UTC
day at a time (``finished``, ``finished_page``), for the aggregate job, the reports that
combine dimensions, the drill-down and the what-if simulation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.report_items import (
    TOUCHED_PK,
    AggregateItem,
    TouchedDayItem,
    aggregate_pk,
    aggregate_sk,
    touched_sk,
)
from chalicelib.adapters.table_base import bind_tables
from chalicelib.adapters.timer_items import TimerItem, stored_timer_of
from chalicelib.domain.aggregates import DayAggregate, TouchedDay
from chalicelib.domain.stored_timers import FinishedRange, StoredTimer
from chalicelib.ports.errors import InvalidCursorError

# An item may hold 400 KB; a part stays well below that however long its values are.
_PART_BYTES = 300_000
_DIMENSION_PREFIXES = ("base", "card_type", "tag", "assignee", "service", "lane_id")
# The key of the stopped index's items: what a drill-down cursor holds.
_INDEX_KEY = ("pk", "sk", "stop_day", "stopped_at")


class ReportStore:
    """The reports table's aggregates and touched days, and the finished timers they come from.

    It answers the ``Aggregates`` and ``FinishedTimers`` ports.
    """

    def touched_days(self) -> list[TouchedDay]:
        """Every day marked since the aggregate job last settled it, oldest first."""
        return [
            TouchedDay(
                item.sk.split("#", 1)[0],
                item.sk,
                int(item.touches),
                None if item.settled is None else int(item.settled),
            )
            for item in TouchedDayItem.query(TOUCHED_PK)
        ]

    def settle(self, touched: TouchedDay) -> None:
        """Record that ``touched`` was recomputed; drop the mark if it already was at that count.

        Both writes are conditional on ``touches`` being unchanged: a timer
        written meanwhile keeps the day marked for the next run.
        """
        item = TouchedDayItem(TOUCHED_PK, touched.mark)
        unchanged = TouchedDayItem.touches == touched.touches
        try:
            if touched.settled == touched.touches:
                item.delete(condition=unchanged)
            else:
                item.update(
                    actions=[TouchedDayItem.settled.set(touched.touches)], condition=unchanged
                )
        except (DeleteError, UpdateError) as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def replace_day(self, day: str, aggregates: Iterable[DayAggregate]) -> int:
        """Make ``aggregates`` (all of ``day``) the whole of its items; answers how many."""
        wanted: dict[str, AggregateItem] = {}
        for aggregate in aggregates:
            for part, cells in enumerate(_parts(aggregate.cells)):
                sk = aggregate_sk(
                    aggregate.dimension,
                    day,
                    aggregate.board_id,
                    aggregate.sla_id,
                    aggregate.kind,
                    part,
                )
                wanted[sk] = AggregateItem(
                    aggregate_pk(day),
                    sk,
                    day=day,
                    dimension=aggregate.dimension,
                    board_id=aggregate.board_id,
                    sla_id=aggregate.sla_id,
                    kind=aggregate.kind,
                    cells=cells,
                )
        stale = [sk for sk in self._day_keys(day) if sk not in wanted]
        with AggregateItem.batch_write() as batch:
            for item in wanted.values():
                batch.save(item)
            for sk in stale:
                batch.delete(AggregateItem(aggregate_pk(day), sk))
        return len(wanted)

    def _day_keys(self, day: str) -> list[str]:
        """The range keys of the items ``day`` has now, one key-only query per dimension."""
        keys: list[str] = []
        for dimension in _DIMENSION_PREFIXES:
            results = AggregateItem.query(
                aggregate_pk(day),
                AggregateItem.sk.startswith(f"{dimension}#{day}#"),
                attributes_to_get=["pk", "sk"],
            )
            keys.extend(item.sk for item in results)
        return keys

    def read(self, dimension: str, days: list[str]) -> Iterator[DayAggregate]:
        """The items of ``dimension`` for the UTC ``days`` (consecutive, in order).

        One query per month the days span, paged by DynamoDB at 1 MB.
        """
        by_month: dict[str, list[str]] = {}
        for day in days:
            by_month.setdefault(day[:7], []).append(day)
        for month_days in by_month.values():
            low = f"{dimension}#{month_days[0]}#"
            high = f"{dimension}#{month_days[-1]}#\uffff"
            for item in AggregateItem.query(
                aggregate_pk(month_days[0]), AggregateItem.sk.between(low, high)
            ):
                yield DayAggregate(
                    item.day, item.dimension, item.board_id, item.sla_id, item.kind, item.cells
                )

    def finished(
        self, day: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[StoredTimer]:
        """The met and missed timers that stopped on the UTC ``day``, in stop order.

        ``start`` and ``end`` (both included) narrow it to part of the day.
        """
        return (stored_timer_of(item) for item in self._stopped(day, start, end))

    def finished_page(
        self, wanted: FinishedRange, limit: int, cursor: str | None
    ) -> tuple[list[StoredTimer], str | None]:
        """One page of the ``wanted`` finished timers, in stop order.

        The cursor is the index key of the last timer handed out: the page goes
        on from its day, right after it.
        """
        days, start, end = wanted.days, wanted.start, wanted.end
        after = decode_cursor(cursor)
        first_day = 0
        if after is not None:
            day = after.get("stop_day", {}).get("S")
            if day not in days:
                raise InvalidCursorError("not a cursor of this list")
            first_day = days.index(day)

        def results() -> Iterator[TimerItem]:
            for index in range(first_day, len(days)):
                key = after if index == first_day else None
                yield from self._stopped(days[index], start, end, key)

        items, next_cursor = read_page(
            results(), limit, _INDEX_KEY, lambda item: wanted.keep(stored_timer_of(item))
        )
        return [stored_timer_of(item) for item in items], next_cursor

    def _stopped(
        self,
        day: str,
        start: datetime | None,
        end: datetime | None,
        after: dict[str, dict[str, Any]] | None = None,
    ) -> Iterator[TimerItem]:
        """The index query of ``day``'s stopped timers, from ``start`` to ``end`` (included)."""
        condition = None
        if start is not None and end is not None:
            condition = TimerItem.stopped_at.between(start, end)
        return TimerItem.stopped.query(day, condition, last_evaluated_key=after)


def touch_operation(transaction: TransactWrite, day: str, card_id: str) -> None:
    """Add to a write of ``card_id``'s timers the mark that ``day``'s aggregates are due."""
    transaction.update(
        TouchedDayItem(TOUCHED_PK, touched_sk(day, card_id)),
        actions=[TouchedDayItem.touches.add(1)],
    )


def _parts(cells: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``cells`` split by value into maps whose JSON stays under ``_PART_BYTES``."""
    parts: list[dict[str, Any]] = [{}]
    size = 0
    for value, slots in sorted(cells.items()):
        cost = len(json.dumps({value: slots}, separators=(",", ":")))
        if parts[-1] and size + cost > _PART_BYTES:
            parts.append({})
            size = 0
        parts[-1][value] = slots
        size += cost
    return parts


def get_report_store() -> ReportStore:
    """The report store of this process."""
    bind_tables()
    return ReportStore()
