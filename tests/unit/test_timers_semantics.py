"""Timer semantics, one test per sentence of docs/design.md's "Timer semantics" (24/7)."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.timers import TimerStatus
from tests.unit.timer_builders import (
    T0,
    Story,
    first_reaction,
    instant,
    minutes,
    resolution,
    time_in,
    timer,
)

# first_reaction


def test_first_reaction_starts_when_the_card_is_created():
    # GIVEN a card created in a queue column at T0
    story = Story("queue", at=0)
    # WHEN nothing happens for 7 minutes
    react = timer(story, first_reaction(10), now=7)
    # THEN the timer runs from creation
    assert react.status == TimerStatus.RUNNING
    assert react.started_at == T0
    assert react.elapsed == minutes(7)
    assert react.deadline == instant(10)


def test_first_reaction_stops_the_first_time_the_card_is_in_a_column_whose_kind_is_not_queue():
    # GIVEN a card that moves from one queue column to another, then into work
    story = Story("queue", at=0).move("hold", at=3).move("work", at=8)
    # WHEN it goes back to the queue and time passes
    story.move("queue", at=12)
    react = timer(story, first_reaction(10), now=60)
    # THEN it stopped on entering work, and going back to a queue does not restart it
    assert react.status == TimerStatus.MET
    assert react.stopped_at == instant(8)
    assert react.elapsed == minutes(8)


def test_first_reaction_is_not_stopped_by_moves_between_queue_columns():
    story = Story("queue", at=0).move("hold", at=3).move("queue", at=5)
    assert timer(story, first_reaction(10), now=6).status == TimerStatus.RUNNING


def test_a_card_created_straight_into_a_non_queue_column_has_met_first_reaction_at_once():
    react = timer(Story("work", at=0), first_reaction(10), now=60)
    assert react.status == TimerStatus.MET
    assert react.elapsed == timedelta(0)
    assert react.started_at == react.stopped_at == T0
    assert react.deadline == instant(10)


def test_first_reaction_stops_when_an_agent_posts_a_public_comment():
    story = Story("queue", at=0).comment(at=4, public=True, role="agent")
    react = timer(story, first_reaction(10), now=30)
    assert react.status == TimerStatus.MET
    assert react.stopped_at == instant(4)


def test_an_agents_private_comment_does_not_stop_first_reaction():
    story = Story("queue", at=0).comment(at=4, public=False, role="agent")
    assert timer(story, first_reaction(10), now=5).status == TimerStatus.RUNNING


def test_first_reaction_stops_at_whichever_comes_first_comment_or_move():
    by_comment = Story("queue", at=0).comment(at=4).move("work", at=6)
    by_move = Story("queue", at=0).move("work", at=4).comment(at=6)
    assert timer(by_comment, first_reaction(10), now=30).stopped_at == instant(4)
    assert timer(by_move, first_reaction(10), now=30).stopped_at == instant(4)


def test_a_requesters_own_reply_does_not_stop_first_reaction():
    # GIVEN the requester replies publicly on their own card
    story = Story("queue", at=0).comment(at=4, public=True, role="requester")
    # THEN first reaction still runs, and goes past its target
    react = timer(story, first_reaction(10), now=15)
    assert react.status == TimerStatus.RUNNING
    assert react.violated


# resolution


def test_resolution_starts_when_the_card_is_created_and_stops_when_it_enters_a_done_column():
    story = Story("queue", at=0).move("work", at=5).move("done", at=50)
    resolve = timer(story, resolution(60), now=90)
    assert resolve.started_at == T0
    assert resolve.status == TimerStatus.MET
    assert resolve.stopped_at == instant(50)
    assert resolve.elapsed == minutes(50)


def test_moving_a_card_out_of_done_resumes_the_same_resolution_timer():
    # GIVEN a card resolved after 50 minutes and reopened 30 minutes later
    story = Story("queue", at=0).move("done", at=50).move("work", at=80)
    # WHEN 5 more minutes pass
    resolve = timer(story, resolution(60), now=85)
    # THEN the same timer runs on from 50 minutes, with its original start
    assert resolve.status == TimerStatus.RUNNING
    assert resolve.started_at == T0
    assert resolve.stopped_at is None
    assert resolve.elapsed == minutes(55)
    assert resolve.deadline == instant(90)


def test_resolution_is_judged_at_the_last_stop():
    # GIVEN a card met in time, reopened, and resolved again too late
    story = Story("queue", at=0).move("done", at=50).move("work", at=80).move("done", at=100)
    resolve = timer(story, resolution(60), now=200)
    # THEN the second stop decides: 50 + 20 minutes is past the 60-minute target
    assert resolve.status == TimerStatus.MISSED
    assert resolve.stopped_at == instant(100)
    assert resolve.elapsed == minutes(70)


def test_moving_between_done_columns_keeps_the_first_stop():
    story = Story("queue", at=0).move("done", at=50).move("closed", at=70)
    resolve = timer(story, resolution(60), now=90)
    assert resolve.status == TimerStatus.MET
    assert resolve.stopped_at == instant(50)


def test_time_spent_in_done_before_a_reopen_does_not_count():
    story = Story("queue", at=0).move("done", at=10).move("queue", at=1000)
    resolve = timer(story, resolution(60), now=1005)
    assert resolve.elapsed == minutes(15)
    assert not resolve.violated


# time_in_column


def test_time_in_column_runs_while_the_card_is_in_that_column():
    story = Story("queue", at=0).move("work", at=10)
    in_work = timer(story, time_in("work", 30), now=25)
    assert in_work.status == TimerStatus.RUNNING
    assert in_work.started_at == instant(10)
    assert in_work.elapsed == minutes(15)


def test_time_in_column_is_summed_over_visits():
    story = Story("queue", at=0).move("work", at=10).move("wait", at=20).move("work", at=40)
    story.move("review", at=45)
    assert timer(story, time_in("work", 30), now=60).elapsed == minutes(15)


def test_time_in_column_is_met_or_missed_when_the_card_leaves():
    quick = Story("queue", at=0).move("work", at=10).move("review", at=30)
    slow = Story("queue", at=0).move("work", at=10).move("review", at=50)
    met = timer(quick, time_in("work", 30), now=60)
    missed = timer(slow, time_in("work", 30), now=60)
    assert (met.status, met.stopped_at) == (TimerStatus.MET, instant(30))
    assert (missed.status, missed.stopped_at) == (TimerStatus.MISSED, instant(50))


def test_time_in_column_runs_again_from_the_sum_so_far_when_the_card_comes_back():
    # GIVEN 20 minutes in work, then a visit to review
    story = Story("queue", at=0).move("work", at=10).move("review", at=30)
    # WHEN the card comes back to work for 5 minutes
    story.move("work", at=100)
    in_work = timer(story, time_in("work", 30), now=105)
    # THEN it runs from 20 minutes, with 10 minutes left, and no stop
    assert in_work.status == TimerStatus.RUNNING
    assert in_work.elapsed == minutes(25)
    assert in_work.stopped_at is None
    assert in_work.started_at == instant(10)
    assert in_work.deadline == instant(110)


def test_time_in_column_counts_from_creation_for_a_card_created_in_that_column():
    in_work = timer(Story("work", at=0), time_in("work", 30), now=12)
    assert (in_work.started_at, in_work.elapsed) == (T0, minutes(12))


# pause columns


def test_resolution_does_not_count_while_the_card_sits_in_a_waiting_column_by_default():
    # GIVEN 10 minutes of work, then 60 minutes waiting for the customer
    story = Story("queue", at=0).move("work", at=10).move("wait", at=10).move("work", at=70)
    # WHEN 5 more minutes pass
    resolve = timer(story, resolution(60), now=75)
    # THEN only the 15 minutes outside the waiting column counted
    assert resolve.elapsed == minutes(15)


def test_a_timer_in_a_pause_column_is_paused():
    story = Story("queue", at=0).move("wait", at=10)
    resolve = timer(story, resolution(60), now=500)
    assert resolve.status == TimerStatus.PAUSED
    assert resolve.elapsed == minutes(10)
    assert resolve.deadline is None


def test_an_explicit_pause_list_replaces_the_waiting_columns():
    # GIVEN a policy that pauses in the "hold" queue column only
    story = Story("queue", at=0).move("hold", at=5).move("wait", at=20)
    # WHEN the card sat on hold, then in the waiting column
    react = timer(story, first_reaction(60), now=30, pause={"hold"})
    resolve = timer(story, resolution(60), now=30, pause={"hold"})
    # THEN hold paused first reaction, which stopped on entering wait (not a queue)
    assert (react.status, react.elapsed, react.stopped_at) == (
        TimerStatus.MET,
        minutes(5),
        instant(20),
    )
    # AND resolution counted in wait, which is no pause column for this policy
    assert (resolve.status, resolve.elapsed) == (TimerStatus.RUNNING, minutes(15))


def test_first_reaction_does_not_count_while_the_card_sits_in_a_pause_column():
    story = Story("hold", at=0).move("queue", at=30)
    react = timer(story, first_reaction(10), now=35, pause={"hold"})
    assert react.elapsed == minutes(5)
    assert react.started_at == T0


def test_pause_columns_do_not_pause_time_in_column():
    story = Story("queue", at=0).move("wait", at=10)
    assert timer(story, time_in("wait", 30), now=40).elapsed == minutes(30)


def test_a_card_created_in_a_pause_column_starts_resolution_paused():
    resolve = timer(Story("wait", at=0), resolution(60), now=30)
    assert (resolve.status, resolve.started_at, resolve.elapsed) == (
        TimerStatus.PAUSED,
        T0,
        timedelta(0),
    )


def test_a_card_created_in_done_has_met_resolution_at_once():
    resolve = timer(Story("done", at=0), resolution(60), now=30)
    assert (resolve.status, resolve.elapsed, resolve.stopped_at) == (
        TimerStatus.MET,
        timedelta(0),
        T0,
    )


# statuses and violation


def test_time_in_column_is_not_started_while_the_card_never_entered_the_column():
    in_work = timer(Story("queue", at=0).move("wait", at=5), time_in("work", 30), now=60)
    assert in_work.status == TimerStatus.NOT_STARTED
    assert (in_work.elapsed, in_work.started_at, in_work.deadline, in_work.stopped_at) == (
        timedelta(0),
        None,
        None,
        None,
    )
    assert not in_work.violated


def test_a_stopped_timer_within_its_target_is_met_and_past_it_is_missed():
    quick = Story("queue", at=0).move("done", at=60)
    slow = Story("queue", at=0).move("done", at=61)
    assert timer(quick, resolution(60), now=90).status == TimerStatus.MET
    assert timer(slow, resolution(60), now=90).status == TimerStatus.MISSED


def test_every_missed_timer_is_violated_and_so_is_a_running_or_paused_one_past_its_target():
    missed = timer(Story("queue", at=0).move("done", at=61), resolution(60), now=90)
    running = timer(Story("queue", at=0), resolution(60), now=61)
    paused = timer(Story("queue", at=0).move("wait", at=61), resolution(60), now=90)
    assert missed.violated
    assert running.violated
    assert running.status == TimerStatus.RUNNING
    assert paused.violated
    assert paused.status == TimerStatus.PAUSED


def test_reaching_the_target_exactly_is_still_within_it():
    exactly = timer(Story("queue", at=0).move("done", at=60), resolution(60), now=90)
    running = timer(Story("queue", at=0), resolution(60), now=60)
    assert exactly.status == TimerStatus.MET
    assert not exactly.violated
    assert not running.violated


# SLAs attached late


def test_an_sla_attached_after_creation_is_evaluated_over_the_whole_history():
    # GIVEN a card created without SLA, worked on, and given an SLA an hour later
    story = Story("queue", at=0, attach=None).move("work", at=5).move("wait", at=20)
    story.move("work", at=40).attach("sla", at=60)
    # THEN its timers count from creation, pauses included
    react = timer(story, first_reaction(10), now=70)
    resolve = timer(story, resolution(60), now=70)
    assert (react.status, react.stopped_at, react.elapsed) == (
        TimerStatus.MET,
        instant(5),
        minutes(5),
    )
    assert (resolve.started_at, resolve.elapsed) == (T0, minutes(50))
