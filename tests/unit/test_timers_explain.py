"""explain: the segments of each timer's life, counted or not, with the reason."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.calendar import ALWAYS_OPEN, WorkingTime
from chalicelib.domain.sla import SlaRule
from chalicelib.domain.timers import (
    ExplainedSegment,
    PinnedPolicy,
    SegmentReason,
    TimerExplanation,
    explain,
)
from tests.unit.timer_builders import (
    Story,
    first_reaction,
    instant,
    policy,
    resolution,
    time_in,
)
from tests.unit.timer_calendars import msk, support_hours

WORKING, NON_WORKING, HOLIDAY, PAUSED, STOPPED = (
    SegmentReason.WORKING,
    SegmentReason.NON_WORKING,
    SegmentReason.HOLIDAY,
    SegmentReason.PAUSED,
    SegmentReason.STOPPED,
)


def explained(story: Story, rule: SlaRule, now, calendar: WorkingTime = ALWAYS_OPEN):
    (only,) = explain(story.events, {"sla": PinnedPolicy(policy(rule), calendar)}, instant(now))
    return only


def told(explanation: TimerExplanation) -> list[tuple]:
    return [(s.start, s.end, s.reason, s.counted) for s in explanation.segments]


def test_why_is_this_due_at_14_30():
    # GIVEN a 2-hour resolution on a card created on Friday at 15:00, that waited for
    # the customer on Monday from 11:00 to 14:00
    story = Story("queue", at=msk("2026-11-06 15:00"))
    story.move("wait", at=msk("2026-11-09 11:00")).move("work", at=msk("2026-11-09 14:00"))
    # WHEN the agent asks on Monday at 14:10
    answer = explained(story, resolution(120), msk("2026-11-09 14:10"), support_hours())
    # THEN one hour on Friday, half an hour on Monday morning and ten minutes since 14:00
    # counted: twenty minutes are left, so it is due at 14:30
    assert answer.timer.deadline == msk("2026-11-09 14:30")
    assert told(answer) == [
        (msk("2026-11-06 15:00"), msk("2026-11-06 16:00"), WORKING, True),
        (msk("2026-11-06 16:00"), msk("2026-11-09 10:30"), NON_WORKING, False),
        (msk("2026-11-09 10:30"), msk("2026-11-09 11:00"), WORKING, True),
        (msk("2026-11-09 11:00"), msk("2026-11-09 14:00"), PAUSED, False),
        (msk("2026-11-09 14:00"), msk("2026-11-09 14:10"), WORKING, True),
    ]
    assert sum((s.duration for s in answer.segments if s.counted), timedelta(0)) == (
        answer.timer.elapsed
    )


def test_a_holiday_is_told_apart_from_ordinary_non_working_time():
    story = Story("queue", at=msk("2026-12-30 12:00"))
    answer = explained(story, resolution(120), msk("2027-01-01 11:00"), support_hours())
    assert told(answer) == [
        (msk("2026-12-30 12:00"), msk("2026-12-30 13:00"), WORKING, True),
        (msk("2026-12-30 13:00"), msk("2026-12-31 00:00"), NON_WORKING, False),
        (msk("2026-12-31 00:00"), msk("2027-01-01 00:00"), HOLIDAY, False),
        (msk("2027-01-01 00:00"), msk("2027-01-01 10:30"), NON_WORKING, False),
        (msk("2027-01-01 10:30"), msk("2027-01-01 11:00"), WORKING, True),
    ]


def test_time_in_done_before_a_reopen_is_told_as_stopped():
    story = Story("queue", at=0).move("wait", at=10).move("done", at=20).move("work", at=50)
    answer = explained(story, resolution(60), now=55)
    assert told(answer) == [
        (instant(0), instant(10), WORKING, True),
        (instant(10), instant(20), PAUSED, False),
        (instant(20), instant(50), STOPPED, False),
        (instant(50), instant(55), WORKING, True),
    ]


def test_a_stopped_timers_segments_end_at_its_stop():
    story = Story("queue", at=0).move("done", at=30)
    assert told(explained(story, resolution(60), now=500)) == [
        (instant(0), instant(30), WORKING, True),
    ]


def test_time_outside_the_column_between_visits_is_told_as_stopped():
    story = Story("queue", at=0).move("work", at=10).move("review", at=20).move("work", at=40)
    assert told(explained(story, time_in("work", 60), now=45)) == [
        (instant(10), instant(20), WORKING, True),
        (instant(20), instant(40), STOPPED, False),
        (instant(40), instant(45), WORKING, True),
    ]


def test_a_timer_that_never_ran_has_no_segments():
    assert explained(Story("queue", at=0), time_in("work", 60), now=45).segments == ()
    assert explained(Story("work", at=0), first_reaction(10), now=45).segments == ()


def test_a_paused_timers_segments_run_to_now():
    story = Story("queue", at=0).move("wait", at=10)
    assert explained(story, resolution(60), now=30).segments[-1] == ExplainedSegment(
        instant(10), instant(30), PAUSED, False
    )
