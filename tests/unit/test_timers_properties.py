"""Property tests of the timer engine: random card histories, policies and calendars.

The engine must agree with the slow minute-by-minute reference, depend on
``now`` only through elapsed time, agree with itself on every prefix of a
history, and never break the status invariants.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import ALWAYS_OPEN
from chalicelib.domain.events import CardEvent
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.timers import PinnedPolicy, Timer, TimerStatus, evaluate, explain
from tests.unit.timer_builders import (
    COLUMNS,
    Story,
    first_reaction,
    minutes,
    policy,
    resolution,
    time_in,
)
from tests.unit.timer_calendars import is_support_time, msk, support_hours
from tests.unit.timer_reference import expected_timers

# Each calendar with the plain predicate the reference counts with.
CALENDARS = {
    "24/7": (ALWAYS_OPEN, lambda at: True),
    "support hours": (support_hours(), is_support_time),
}
BEGINNINGS = [msk("2026-11-02 09:00"), msk("2026-11-06 14:17"), msk("2026-12-24 12:00")]

PROPERTIES = settings(max_examples=120, deadline=None)


@dataclasses.dataclass
class Case:
    events: list[CardEvent]
    policy: SlaPolicy
    calendar_name: str
    now: datetime

    @property
    def pinned(self) -> dict[str, PinnedPolicy]:
        return {"sla": PinnedPolicy(self.policy, CALENDARS[self.calendar_name][0])}


columns = st.sampled_from(sorted(COLUMNS))
gaps = st.one_of(st.just(0), st.integers(1, 30), st.integers(31, 24 * 60))


@st.composite
def rules(draw, kind):
    target = draw(st.integers(1, 60) | st.integers(61, 600))
    warn = draw(st.none() | st.integers(1, target - 1)) if target > 1 else None
    escalations = tuple(draw(st.lists(st.integers(0, 180), max_size=2)))
    if kind == "time_in_column":
        return time_in(draw(columns), target, warn, escalations, id="in_column")
    builder = first_reaction if kind == "first_reaction" else resolution
    return builder(target, warn, escalations)


@st.composite
def cases(draw) -> Case:
    start = draw(st.sampled_from(BEGINNINGS)) + minutes(draw(st.integers(0, 3 * 24 * 60)))
    # Mostly born in a queue, so that first reaction has something to wait for.
    story = Story(draw(st.just("queue") | columns), at=start)
    at = start
    for _ in range(draw(st.integers(0, 12))):
        at += minutes(draw(gaps))
        step = draw(st.sampled_from(["move", "move", "move", "comment", "update"]))
        if step == "move":
            story.move(draw(columns), at)
        elif step == "comment":
            story.comment(at, draw(st.booleans()), draw(st.sampled_from(["agent", "requester"])))
        else:
            story.update(at, title="edited")
    now = at + minutes(draw(gaps))
    pause = draw(st.none() | st.sets(columns, max_size=3))
    kinds = ["first_reaction", "resolution", "time_in_column"]
    sla = policy(*(draw(rules(kind)) for kind in kinds), pause=pause)
    return Case(story.events, sla, draw(st.sampled_from(sorted(CALENDARS))), now)


def evaluated(case: Case, now: datetime | None = None, events=None) -> list[Timer]:
    return evaluate(case.events if events is None else events, case.pinned, now or case.now)


@PROPERTIES
@given(cases())
def test_the_engine_agrees_with_the_minute_by_minute_reference(case):
    is_working = CALENDARS[case.calendar_name][1]
    expected = expected_timers(case.events, case.policy, is_working, case.now)
    for timer, want in zip(evaluated(case), expected, strict=True):
        got = (
            timer.status,
            timer.elapsed,
            timer.started_at,
            timer.stopped_at,
            timer.deadline,
            tuple((c.kind, c.level, c.at) for c in timer.checkpoints),
            timer.next_check_at,
        )
        assert got == dataclasses.astuple(want), timer.rule_id


@PROPERTIES
@given(cases(), st.integers(0, 5 * 24 * 60 * 60), st.integers(0, 5 * 24 * 60 * 60))
def test_now_only_changes_elapsed_time_after_the_last_event(case, later, latest):
    at, after = case.events[-1].at, sorted([later, latest])
    early = evaluated(case, at + timedelta(seconds=after[0]))
    late = evaluated(case, at + timedelta(seconds=after[1]))
    for one, other in zip(early, late, strict=True):
        assert one.elapsed <= other.elapsed
        if one.status != TimerStatus.RUNNING:
            assert one == other
        assert _without_now(one) == _without_now(other)


def _without_now(timer: Timer) -> Timer:
    return dataclasses.replace(timer, elapsed=timedelta(0), next_check_at=None)


@PROPERTIES
@given(cases())
def test_a_prefix_evaluated_at_the_next_event_agrees_with_the_whole_history(case):
    full = explain(case.events, case.pinned, case.now)
    # The prefixes start after the created and sla_attached events.
    for k in range(2, len(case.events)):
        at = case.events[k].at
        for prefix, whole in zip(evaluated(case, at, case.events[:k]), full, strict=True):
            counted_before = sum(
                (min(s.end, at) - s.start for s in whole.segments if s.counted and s.start < at),
                timedelta(0),
            )
            assert prefix.elapsed == counted_before
            if prefix.started_at is not None:
                assert prefix.started_at == whole.timer.started_at
            stopped = whole.timer.stopped_at
            if stopped is not None and stopped < at:
                assert dataclasses.replace(prefix, seq=whole.timer.seq) == whole.timer


@PROPERTIES
@given(cases())
def test_status_invariants_hold(case):
    for timer in evaluated(case):
        end = timer.stopped_at or case.now
        if timer.started_at is not None:
            assert timer.elapsed <= end - timer.started_at
        if timer.status == TimerStatus.MET:
            assert not timer.violated
            assert timer.color == "green"
        if timer.status == TimerStatus.MISSED:
            assert timer.violated
            assert timer.color == "red"
        assert timer.remaining - timer.overdue == timer.target - timer.elapsed
        if timer.status in (TimerStatus.PAUSED, TimerStatus.NOT_STARTED):
            assert timer.deadline is None
        if timer.status != TimerStatus.RUNNING:
            assert (timer.checkpoints, timer.next_check_at) == ((), None)


@PROPERTIES
@given(cases())
def test_explain_covers_each_timers_life_and_counts_its_elapsed_time(case):
    explanations = explain(case.events, case.pinned, case.now)
    for explanation, timer in zip(explanations, evaluated(case), strict=True):
        assert explanation.timer == timer
        segments = explanation.segments
        counted = sum((s.duration for s in segments if s.counted), timedelta(0))
        assert counted == timer.elapsed
        if segments:
            assert segments[0].start == timer.started_at
            assert segments[-1].end == (timer.stopped_at or case.now)
            assert all(a.end == b.start for a, b in pairwise(segments))
