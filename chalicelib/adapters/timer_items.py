"""Item type of the timers table: one stored timer per card x SLA x rule, and its indexes.

The stored timers are what the stream handler derived from a card's history
(``chalicelib.services.timers``); card views do not read them (they evaluate
live), the breach scanner and the reports do. Two sparse indexes serve them:

``due``      hash ``due_bucket`` (``DUE#<UTC date>``), range ``next_check_at``: running
             timers with a check point (warning, breach, escalation) still to raise.
``stopped``  hash ``stop_day`` (UTC date of ``stopped_at``), range ``stopped_at``:
             met and missed timers, for the daily aggregates and the drill-down.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.adapters.card_items import card_pk
from chalicelib.adapters.table_base import TimersTable
from chalicelib.domain.stored_timers import StoredTimer


def timer_sk(sla_id: str, rule_id: str) -> str:
    """The range key of one rule's timer of one SLA on a card."""
    return f"TIMER#{sla_id}#{rule_id}"


class DueTimers(GlobalSecondaryIndex["TimerItem"]):
    """Running timers by the next instant the breach scanner must look at them.

    Hash ``due_bucket`` is ``DUE#<UTC date>`` of ``next_check_at``, or of the
    card's last event when that is later (a check point already past when the
    timer was derived lands in the bucket of the day it was derived, which the
    scanner still walks). Range ``next_check_at``. Only items with a
    ``due_bucket`` appear.
    """

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_bucket = UnicodeAttribute(hash_key=True)
    next_check_at = UTCDateTimeAttribute(range_key=True)


class StoppedTimers(GlobalSecondaryIndex["TimerItem"]):
    """Met and missed timers by the UTC day they stopped.

    Hash ``stop_day`` (``YYYY-MM-DD``), range ``stopped_at``.
    """

    class Meta:
        index_name = "stopped"
        projection = AllProjection()

    stop_day = UnicodeAttribute(hash_key=True)
    stopped_at = UTCDateTimeAttribute(range_key=True)


class TimerItem(TimersTable):
    """One timer. Key: pk ``CARD#<card id>``, sk ``TIMER#<sla id>#<rule id>``.

    Everything but ``next_check_at`` and ``due_bucket`` is a function of the
    card's history and pinned versions alone: ``elapsed_seconds`` is stored
    for paused and stopped timers only (a running timer's grows with the
    clock; read it live). ``checkpoints`` lists a running timer's warning,
    breach and escalation instants; ``next_check_at`` starts at the earliest
    of them, and the breach scanner moves it past the ones it has raised.
    ``derived_seq`` is the card event the timer was derived from: a write
    never replaces a timer derived from a later event. The card's fields
    (board, type, service, priority, assignee, lane, tags, title) are copied
    for the reports' filters and drill-down rows.
    """

    card_id = UnicodeAttribute()
    board_id = UnicodeAttribute()
    title = UnicodeAttribute()
    card_type = UnicodeAttribute(null=True)
    service = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    lane_id = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    sla_id = UnicodeAttribute()
    sla_name = UnicodeAttribute()
    sla_version = NumberAttribute()
    rule_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    column_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    target_seconds = NumberAttribute()
    elapsed_seconds = NumberAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    deadline = UTCDateTimeAttribute(null=True)
    stopped_at = UTCDateTimeAttribute(null=True)
    checkpoints = JSONAttribute(default=list)
    next_check_at = UTCDateTimeAttribute(null=True)
    due_bucket = UnicodeAttribute(null=True)
    stop_day = UnicodeAttribute(null=True)
    derived_seq = NumberAttribute()

    due = DueTimers()
    stopped = StoppedTimers()


def due_bucket(day: date) -> str:
    """The ``due`` index partition of a UTC day."""
    return f"DUE#{day.isoformat()}"


def stored_timer_of(item: TimerItem) -> StoredTimer:
    """The domain view of a stored timer."""
    bucket = item.due_bucket
    return StoredTimer(
        card_id=item.card_id,
        board_id=item.board_id,
        title=item.title,
        sla_id=item.sla_id,
        sla_name=item.sla_name,
        sla_version=int(item.sla_version),
        rule_id=item.rule_id,
        kind=item.kind,
        status=item.status,
        target_seconds=item.target_seconds,
        card_type=item.card_type,
        service=item.service,
        priority=item.priority,
        assignee=item.assignee,
        lane_id=item.lane_id,
        tags=tuple(cast(list[str], item.tags) or ()),
        column_id=item.column_id,
        elapsed_seconds=item.elapsed_seconds,
        started_at=item.started_at,
        deadline=item.deadline,
        stopped_at=item.stopped_at,
        checkpoints=tuple(item.checkpoints or ()),
        next_check_at=item.next_check_at,
        due_day=date.fromisoformat(bucket.removeprefix("DUE#")) if bucket else None,
        stop_day=item.stop_day,
        derived_seq=int(item.derived_seq),
    )


def timer_item(timer: StoredTimer, derived_seq: int) -> TimerItem:
    """The stored item of a timer derived from the card's event ``derived_seq``."""
    fields: dict[str, Any] = {
        name: getattr(timer, name)
        for name in StoredTimer.__dataclass_fields__
        if name not in ("due_day", "derived_seq")
    }
    fields["tags"] = list(timer.tags)
    fields["checkpoints"] = list(timer.checkpoints)
    return TimerItem(
        card_pk(timer.card_id),
        timer_sk(timer.sla_id, timer.rule_id),
        **fields,
        due_bucket=None if timer.due_day is None else due_bucket(timer.due_day),
        derived_seq=derived_seq,
    )
