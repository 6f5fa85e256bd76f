"""The aggregate job on the fakes: each touched day recomputed from its finished timers and
replaced as a whole; a mark dropped only once a second run finds it unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chalicelib.domain.aggregates import BASE
from chalicelib.domain.stored_timers import StoredTimer
from chalicelib.services.aggregates import day_aggregates, run_aggregate, touched_days

DAY = "2026-11-02"
MIDNIGHT = datetime(2026, 11, 2, tzinfo=UTC)


def finished(card_id: str, status: str, minutes: int, **fields) -> StoredTimer:
    stopped = MIDNIGHT + timedelta(minutes=minutes)
    return StoredTimer(
        card_id=card_id,
        board_id="b1",
        title=card_id,
        sla_id="sla1",
        sla_name="Premium",
        sla_version=1,
        rule_id="react",
        kind="first_reaction",
        status=status,
        target_seconds=600,
        elapsed_seconds=900 if status == "missed" else 300,
        stopped_at=stopped,
        stop_day=DAY,
        derived_seq=2,
        **fields,
    )


def store(world, *timers: StoredTimer) -> None:
    """Finished timers as a write left them, with the marks of their stop day."""
    world.stores["timers"].seed(*timers)
    for timer in timers:
        mark(world, timer.card_id)


def mark(world, card_id: str = "SUP-1") -> None:
    """A write of the card's timers touching the day."""
    world.stores["timers"].touch([DAY], card_id)


def test_a_touched_day_is_counted_per_quarter_hour_and_dimension(world):
    store(
        world,
        finished("SUP-1", "met", 5, assignee="ann", tags=("vip",)),
        finished("SUP-2", "missed", 20, assignee="ann"),
    )
    answer = run_aggregate(MIDNIGHT + timedelta(hours=1))
    assert answer["days"] == [{"day": DAY, "items": 3}]
    cells = {a.dimension: a.cells for a in world.stores["timers"].days[DAY]}
    assert cells[BASE] == {"": {"0": [1, 0, 0.0], "1": [0, 1, 300.0]}}
    assert cells["assignee"] == {"ann": {"0": [1, 0, 0.0], "1": [0, 1, 300.0]}}
    assert cells["tag"] == {"vip": {"0": [1, 0, 0.0]}}


def test_a_mark_is_dropped_on_the_second_unchanged_run_and_a_rerun_writes_the_same(world):
    store(world, finished("SUP-1", "met", 5))
    first = run_aggregate(MIDNIGHT)
    assert world.stores["timers"].touched_days() != []
    second = run_aggregate(MIDNIGHT)
    assert second["days"] == first["days"]
    assert world.stores["timers"].touched_days() == []
    assert run_aggregate(MIDNIGHT)["days"] == []


def test_a_write_between_two_runs_keeps_the_day_marked(world):
    store(world, finished("SUP-1", "met", 5))
    run_aggregate(MIDNIGHT)
    mark(world)  # a timer written meanwhile
    run_aggregate(MIDNIGHT)
    assert [t.day for t in world.stores["timers"].touched_days()] == [DAY]


def test_running_timers_count_nothing():
    running = replace(finished("SUP-1", "met", 5), status="running", stop_day=None)
    assert day_aggregates(DAY, [running]) == []


def test_a_write_touches_the_day_a_timer_left_and_the_day_it_stops_on():
    before = finished("SUP-1", "met", 5)
    reopened = replace(before, status="running", stopped_at=None, stop_day=None)
    later = replace(before, stop_day="2026-11-03")
    assert touched_days({before.key: before}, [reopened], []) == [DAY]
    assert touched_days({before.key: before}, [later], []) == [DAY, "2026-11-03"]
    assert touched_days({before.key: before}, [], [before.key]) == [DAY]
