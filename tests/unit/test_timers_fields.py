"""Each field of docs/api.md's timer shape, as the timer engine derives it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.calendar import ALWAYS_OPEN
from chalicelib.domain.errors import DomainError
from chalicelib.domain.events import CardEvent, EventKind
from chalicelib.domain.sla import RuleKind
from chalicelib.domain.timers import PinnedPolicy, TimerStatus, evaluate
from tests.unit.timer_builders import (
    T0,
    Story,
    first_reaction,
    instant,
    minutes,
    policy,
    resolution,
    time_in,
    timer,
    timers,
)

MICROSECOND = timedelta(microseconds=1)


def test_identity_fields_come_from_the_policy_version_and_the_rule():
    sla = policy(first_reaction(10), time_in("work", 30), id="premium", version=3)
    story = Story("queue", at=0, attach=None).attach("premium", at=0, version=3).move("work", at=5)
    react, in_work = timers(story, sla, now=20)
    assert (react.sla_id, react.sla_version, react.rule_id, react.kind, react.column_id) == (
        "premium",
        3,
        "react",
        RuleKind.FIRST_REACTION,
        None,
    )
    assert (in_work.rule_id, in_work.kind, in_work.column_id) == (
        "in_column",
        RuleKind.TIME_IN_COLUMN,
        "work",
    )
    assert react.target == minutes(10)


def test_seq_is_the_last_event_the_timer_was_derived_from():
    story = Story("queue", at=0).move("work", at=5).update(at=6, title="New title")
    assert timer(story, resolution(60), now=10).seq == 4


def test_elapsed_is_exact_to_the_microsecond():
    story = Story("queue", at=0)
    assert timer(story, resolution(60), now=T0 + MICROSECOND).elapsed == MICROSECOND


@pytest.mark.parametrize(
    ("stop", "status", "violated"),
    [
        (instant(60), TimerStatus.MET, False),
        (instant(60) + MICROSECOND, TimerStatus.MISSED, True),
    ],
)
def test_a_stopped_timer_is_violated_one_microsecond_past_its_target_not_at_it(
    stop, status, violated
):
    resolve = timer(Story("queue", at=0).move("done", at=stop), resolution(60), now=90)
    assert (resolve.status, resolve.violated) == (status, violated)


@pytest.mark.parametrize(
    ("now", "violated"), [(instant(60), False), (instant(60) + MICROSECOND, True)]
)
def test_a_running_timer_turns_violated_as_soon_as_its_target_passes(now, violated):
    resolve = timer(Story("queue", at=0), resolution(60), now=now)
    assert resolve.status == TimerStatus.RUNNING
    assert resolve.violated == violated


@pytest.mark.parametrize(
    ("story", "rule", "now", "color"),
    [
        (Story("queue", at=0).move("done", at=60), resolution(60), 90, "green"),
        (Story("queue", at=0).move("done", at=61), resolution(60), 90, "red"),
        (Story("queue", at=0), resolution(60), 45, "gray"),
        (Story("queue", at=0), resolution(60), 61, "red"),
        (Story("queue", at=0).move("wait", at=30), resolution(60), 90, "gray"),
        (Story("queue", at=0).move("wait", at=70), resolution(60), 90, "red"),
        (Story("queue", at=0), time_in("work", 60), 90, "gray"),
    ],
    ids=[
        "met",
        "missed",
        "running",
        "running-past-target",
        "paused",
        "paused-past-target",
        "not-started",
    ],
)
def test_color_is_green_for_met_red_when_violated_and_gray_otherwise(story, rule, now, color):
    assert timer(story, rule, now=now).color == color


def test_remaining_and_overdue_within_the_target():
    resolve = timer(Story("queue", at=0), resolution(60), now=45)
    assert (resolve.remaining, resolve.overdue) == (minutes(15), timedelta(0))


def test_remaining_and_overdue_past_the_target():
    resolve = timer(Story("queue", at=0).move("done", at=80), resolution(60), now=90)
    assert (resolve.remaining, resolve.overdue) == (timedelta(0), minutes(20))


def test_deadline_is_null_while_paused():
    resolve = timer(Story("queue", at=0).move("wait", at=10), resolution(60), now=20)
    assert resolve.status == TimerStatus.PAUSED
    assert resolve.deadline is None


def test_deadline_is_null_while_not_started():
    assert timer(Story("queue", at=0), time_in("work", 30), now=20).deadline is None


def test_a_running_timers_deadline_moves_by_the_time_it_was_paused():
    story = Story("queue", at=0).move("wait", at=10).move("work", at=40)
    assert timer(story, resolution(60), now=45).deadline == instant(90)


def test_a_stopped_timer_keeps_the_deadline_in_force_when_it_stopped():
    # GIVEN a card paused for 30 minutes, then resolved early
    story = Story("queue", at=0).move("wait", at=10).move("work", at=40).move("done", at=50)
    # THEN the deadline shown is the one in force at the stop, shifted by the pause
    resolve = timer(story, resolution(60), now=500)
    assert (resolve.status, resolve.stopped_at, resolve.deadline) == (
        TimerStatus.MET,
        instant(50),
        instant(90),
    )


def test_a_missed_timer_keeps_the_deadline_it_missed():
    resolve = timer(Story("queue", at=0).move("done", at=80), resolution(60), now=90)
    assert resolve.deadline == instant(60)


def test_a_timer_stopped_while_paused_had_no_deadline_in_force():
    story = Story("queue", at=0).move("wait", at=10).move("done", at=50)
    resolve = timer(story, resolution(60), now=60)
    assert (resolve.status, resolve.deadline) == (TimerStatus.MET, None)


def test_a_running_timer_past_its_target_has_the_instant_the_target_was_used_up():
    assert timer(Story("queue", at=0), resolution(60), now=200).deadline == instant(60)


def test_the_target_used_up_before_a_pause_stays_the_deadline_after_it():
    # GIVEN a card that used up its 60 minutes, waited, and came back
    story = Story("queue", at=0).move("wait", at=70).move("work", at=100)
    resolve = timer(story, resolution(60), now=110)
    # THEN the deadline is still the instant the target was used up
    assert (resolve.elapsed, resolve.deadline) == (minutes(80), instant(60))


def test_started_at_and_stopped_at():
    running = timer(
        Story("queue", at=0).move("done", at=30).move("work", at=40), resolution(60), 50
    )
    stopped = timer(Story("queue", at=0).move("done", at=30), resolution(60), now=50)
    assert (running.started_at, running.stopped_at) == (T0, None)
    assert (stopped.started_at, stopped.stopped_at) == (T0, instant(30))


def test_a_now_before_the_last_event_counts_as_that_events_instant():
    story = Story("queue", at=0).move("work", at=30)
    assert timer(story, resolution(60), now=20) == timer(story, resolution(60), now=30)


def test_an_event_stamped_before_its_predecessor_counts_at_the_predecessors_instant():
    story = Story("queue", at=0).move("wait", at=30).move("work", at=20)
    resolve = timer(story, resolution(60), now=40)
    assert resolve.elapsed == minutes(40)


def test_timers_come_in_attachment_order_then_rule_order():
    story = Story("queue", at=0, attach="b").attach("a", at=1)
    a = policy(first_reaction(10), resolution(60), id="a")
    b = policy(resolution(60), id="b")
    assert [(t.sla_id, t.rule_id) for t in timers(story, a, b, now=5)] == [
        ("b", "resolve"),
        ("a", "react"),
        ("a", "resolve"),
    ]


def test_a_card_without_history_has_no_timers():
    assert evaluate([], {"sla": PinnedPolicy(policy(resolution(60)), ALWAYS_OPEN)}, T0) == []


def test_a_history_that_does_not_begin_with_created_is_refused():
    history = [CardEvent(1, T0, EventKind.MOVED, {"column_id": "work", "column_kind": "queue"})]
    with pytest.raises(DomainError) as refused:
        evaluate(history, {}, T0)
    assert refused.value.field == "history"


def test_a_second_created_event_is_refused():
    story = Story("queue", at=0)
    story.events.append(CardEvent(3, T0, EventKind.CREATED, story.events[0].data))
    with pytest.raises(DomainError):
        timer(story, resolution(60), now=10)


def test_now_in_another_zone_is_taken_in_utc():
    story = Story("queue", at=0)
    in_moscow = instant(30).astimezone(ZoneInfo("Europe/Moscow"))
    assert timer(story, resolution(60), now=in_moscow) == timer(story, resolution(60), now=30)


def test_a_naive_now_is_refused():
    with pytest.raises(DomainError) as refused:
        evaluate(Story().events, {}, datetime(2026, 11, 2, 9, 0))
    assert refused.value.field == "now"
