"""Check points of running timers (warning, breach, escalation levels) and next_check_at."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.timers import Checkpoint, CheckpointKind, TimerStatus
from tests.unit.timer_builders import Story, first_reaction, instant, resolution, time_in, timer
from tests.unit.timer_calendars import msk, support_hours

MICROSECOND = timedelta(microseconds=1)
WARNING, BREACH, ESCALATION = (
    CheckpointKind.WARNING,
    CheckpointKind.BREACH,
    CheckpointKind.ESCALATION,
)

# 24/7


def test_a_running_timer_has_its_warning_breach_and_escalation_levels():
    # GIVEN a 60-minute resolution, warned 15 minutes before, escalated 30 and 90 minutes after
    resolve = timer(Story("queue", at=0), resolution(60, warn=15, escalations=(30, 90)), now=5)
    # THEN each check point is that much counted time after creation
    assert resolve.checkpoints == (
        Checkpoint(WARNING, 0, instant(45)),
        Checkpoint(BREACH, 0, instant(60) + MICROSECOND),
        Checkpoint(ESCALATION, 1, instant(90)),
        Checkpoint(ESCALATION, 2, instant(150)),
    )


def test_the_breach_is_due_once_elapsed_exceeds_the_target():
    rule = resolution(60)
    story = Story("queue", at=0)
    (breach,) = timer(story, rule, now=5).checkpoints
    assert not timer(story, rule, now=breach.at - MICROSECOND).violated
    assert timer(story, rule, now=breach.at).violated


def test_escalation_levels_are_listed_in_time_order_and_keep_their_level():
    resolve = timer(Story("queue", at=0), resolution(60, escalations=(90, 30)), now=5)
    assert [(c.kind, c.level, c.at) for c in resolve.checkpoints[1:]] == [
        (ESCALATION, 2, instant(90)),
        (ESCALATION, 1, instant(150)),
    ]


def test_an_escalation_right_at_the_breach_is_due_with_it():
    resolve = timer(Story("queue", at=0), resolution(60, escalations=(0,)), now=5)
    breach, escalation = resolve.checkpoints
    assert escalation.at == breach.at


def test_a_rule_without_warn_before_has_no_warning():
    react = timer(Story("queue", at=0), first_reaction(10), now=1)
    assert [c.kind for c in react.checkpoints] == [BREACH]


def test_a_warning_larger_than_the_target_is_due_at_the_start():
    react = timer(Story("queue", at=0), first_reaction(10, warn=20), now=1)
    assert react.checkpoints[0] == Checkpoint(WARNING, 0, instant(0))


def test_next_check_at_is_the_earliest_check_point_strictly_after_now():
    story = Story("queue", at=0)
    rule = resolution(60, warn=15, escalations=(30,))
    assert timer(story, rule, now=10).next_check_at == instant(45)
    assert timer(story, rule, now=45).next_check_at == instant(60) + MICROSECOND
    assert timer(story, rule, now=70).next_check_at == instant(90)
    assert timer(story, rule, now=90).next_check_at is None


def test_paused_and_stopped_timers_have_no_check_points():
    rule = resolution(60, warn=15, escalations=(30,))
    paused = timer(Story("queue", at=0).move("wait", at=10), rule, now=20)
    stopped = timer(Story("queue", at=0).move("done", at=10), rule, now=20)
    not_started = timer(Story("queue", at=0), time_in("work", 60, warn=15), now=20)
    for quiet in (paused, stopped, not_started):
        assert (quiet.checkpoints, quiet.next_check_at) == ((), None)
    assert (paused.status, stopped.status) == (TimerStatus.PAUSED, TimerStatus.MET)


def test_a_pause_moves_the_check_points_still_ahead():
    # GIVEN 20 minutes waiting for the customer after 10 minutes of work
    story = Story("queue", at=0).move("wait", at=10).move("work", at=30)
    resolve = timer(story, resolution(60, warn=15), now=35)
    # THEN warning and breach come 20 minutes later than without the pause
    assert [c.at for c in resolve.checkpoints] == [instant(65), instant(80) + MICROSECOND]
    assert resolve.next_check_at == instant(65)


def test_a_check_point_passed_before_a_pause_keeps_its_instant():
    # GIVEN a warning passed at 45 minutes, then a pause from 50 to 100
    story = Story("queue", at=0).move("wait", at=50).move("work", at=100)
    resolve = timer(story, resolution(60, warn=15), now=101)
    # THEN the warning stays at 45 and the breach moved by the pause
    assert [c.at for c in resolve.checkpoints] == [instant(45), instant(110) + MICROSECOND]
    assert resolve.next_check_at == instant(110) + MICROSECOND


def test_check_points_passed_between_two_pauses_keep_their_instants():
    # GIVEN 10 minutes of work, a pause, 50 minutes of work reaching the target, a pause
    story = Story("queue", at=0).move("wait", at=10).move("work", at=30).move("wait", at=80)
    story.move("work", at=100)
    resolve = timer(story, resolution(60, warn=15), now=101)
    # THEN the warning and the deadline fell in the second stretch of work
    assert resolve.deadline == instant(80)
    # AND the breach came the instant work resumed, the target being used up exactly
    assert [c.at for c in resolve.checkpoints] == [instant(65), instant(100) + MICROSECOND]


def test_a_time_in_column_timer_back_in_its_column_has_check_points_again():
    story = Story("queue", at=0).move("work", at=0).move("review", at=20).move("work", at=60)
    in_work = timer(story, time_in("work", 30, warn=5), now=61)
    assert [c.at for c in in_work.checkpoints] == [instant(65), instant(70) + MICROSECOND]


# business hours (Mon–Fri 10:30–16:00 Moscow time)


def test_check_points_count_working_time_across_the_night():
    # GIVEN a 4-hour resolution, warned 30 minutes before, escalated 30 minutes after,
    # on a card created on Monday at 14:00 (two working hours left that day)
    story = Story("queue", at=msk("2026-11-02 14:00"))
    rule = resolution(240, warn=30, escalations=(30,))
    resolve = timer(story, rule, now=msk("2026-11-02 20:00"), calendar=support_hours())
    # THEN the rest falls on Tuesday from 10:30
    assert resolve.deadline == msk("2026-11-03 12:30")
    assert resolve.checkpoints == (
        Checkpoint(WARNING, 0, msk("2026-11-03 12:00")),
        Checkpoint(BREACH, 0, msk("2026-11-03 12:30") + MICROSECOND),
        Checkpoint(ESCALATION, 1, msk("2026-11-03 13:00")),
    )
    assert resolve.next_check_at == msk("2026-11-03 12:00")


def test_a_deadline_at_closing_time_breaches_when_work_resumes():
    # GIVEN a 2-hour target on a card created on Friday at 14:00
    story = Story("queue", at=msk("2026-11-06 14:00"))
    hours = support_hours()
    resolve = timer(story, resolution(120), now=msk("2026-11-06 15:00"), calendar=hours)
    # THEN the deadline is Friday's closing time, and the breach comes on Monday's opening
    assert resolve.deadline == msk("2026-11-06 16:00")
    (breach,) = resolve.checkpoints
    assert breach.at == msk("2026-11-09 10:30") + MICROSECOND
    # AND over the weekend the timer is due but not yet violated
    weekend = timer(story, resolution(120), now=msk("2026-11-08 12:00"), calendar=hours)
    assert not weekend.violated
    assert weekend.next_check_at == breach.at
    assert timer(story, resolution(120), now=breach.at, calendar=hours).violated
