"""Item types of the compliance aggregates in the reports table.

``AggregateItem`` holds what the timers that stopped on one UTC day came to,
for one board x SLA x rule kind, either in total (dimension ``base``) or
split by the values of one card dimension (``card_type``, ``tag``,
``assignee``, ``service``, ``lane_id``). Within an item the counts are kept
per quarter hour of the UTC day, so that a report in any zone whose offset
is a whole number of quarter hours can put each count on its local day.

``TouchedDayItem`` marks a UTC day whose aggregates must be recomputed: the
timer store adds to its ``touches`` in the same transaction that writes or
deletes a finished timer of that day, so no change can be missed.
"""

from __future__ import annotations

import zlib

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.adapters.table_base import ReportsTable
from chalicelib.domain.aggregates import BASE

__all__ = ["BASE", "AggregateItem", "TouchedDayItem", "aggregate_pk", "aggregate_sk", "touched_sk"]

TOUCHED_PK = "AGG#TOUCHED"
# Timers of many cards stop on the same day at once; spreading a day's mark over
# this many items keeps concurrent timer transactions from colliding on one item.
TOUCHED_SHARDS = 16


def aggregate_pk(day: str) -> str:
    """The partition of a UTC day's aggregates: one per month (``AGG#2026-11``)."""
    return f"AGG#{day[:7]}"


def aggregate_sk(dimension: str, day: str, board_id: str, sla_id: str, kind: str, part: int) -> str:
    """The range key of one aggregate item (dimension first: a report reads one dimension)."""
    return f"{dimension}#{day}#{board_id}#{sla_id}#{kind}#{part:03d}"


class AggregateItem(ReportsTable):
    """One day's counts. Key: pk ``AGG#<YYYY-MM>``, sk ``<dim>#<day>#<board>#<sla>#<kind>#<part>``.

    ``cells`` maps a dimension value (``""`` for ``base``) to
    ``{quarter hour of the UTC day (0-95): [met, missed, overdue seconds]}``.
    Overdue seconds are those of the missed timers (a met timer has none).
    A day with more values than fit one item spreads them over several
    ``part``s.
    """

    day = UnicodeAttribute()
    dimension = UnicodeAttribute()
    board_id = UnicodeAttribute()
    sla_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    cells = JSONAttribute()


def touched_sk(day: str, card_id: str) -> str:
    """The range key of the mark a card's timer write leaves on ``day``: one of its shards."""
    return f"{day}#{zlib.crc32(card_id.encode('utf-8')) % TOUCHED_SHARDS:02d}"


class TouchedDayItem(ReportsTable):
    """A UTC day whose aggregates are due. Key: pk ``AGG#TOUCHED``, sk ``<YYYY-MM-DD>#<shard>``.

    ``touches`` counts the timer writes that touched the day; ``settled`` is
    the count the aggregate job last recomputed the day at. The job deletes
    the mark only once a second run finds it unchanged, so a finished timer
    that the stop-day index had not yet shown to the first run is counted by
    the second.
    """

    touches = NumberAttribute(default=0)
    settled = NumberAttribute(null=True)
