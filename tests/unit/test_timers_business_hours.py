"""Timers on a business calendar: only working time counts (Mon–Fri 10:30–16:00 Moscow time)."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.calendar import ALWAYS_OPEN
from chalicelib.domain.timers import TimerStatus
from tests.unit.timer_builders import Story, first_reaction, minutes, resolution, time_in, timer
from tests.unit.timer_calendars import msk, support_hours

HOURS = support_hours()


def test_only_working_time_of_the_slas_calendar_counts():
    # GIVEN a card created on Monday at 15:00 with a 2-hour resolution
    story = Story("queue", at=msk("2026-11-02 15:00"))
    # WHEN it is still open on Tuesday at 11:30
    resolve = timer(story, resolution(120), now=msk("2026-11-03 11:30"), calendar=HOURS)
    # THEN one hour on Monday and one on Tuesday counted: exactly the target
    assert resolve.elapsed == minutes(120)
    assert resolve.deadline == msk("2026-11-03 11:30")
    assert not resolve.violated


def test_an_sla_without_a_calendar_counts_24_7():
    story = Story("queue", at=msk("2026-11-02 15:00"))
    resolve = timer(story, resolution(120), now=msk("2026-11-03 11:30"), calendar=ALWAYS_OPEN)
    assert resolve.elapsed == timedelta(hours=20, minutes=30)


def test_a_card_created_at_the_weekend_starts_counting_on_monday_morning():
    story = Story("queue", at=msk("2026-11-07 12:00"))
    react = timer(story, first_reaction(30), now=msk("2026-11-09 10:40"), calendar=HOURS)
    assert (react.started_at, react.elapsed, react.deadline) == (
        msk("2026-11-07 12:00"),
        minutes(10),
        msk("2026-11-09 11:00"),
    )


def test_a_deadline_at_the_end_of_a_working_interval_stays_there():
    story = Story("queue", at=msk("2026-11-02 10:30"))
    resolve = timer(story, resolution(330), now=msk("2026-11-02 11:00"), calendar=HOURS)
    assert resolve.deadline == msk("2026-11-02 16:00")


def test_holidays_are_whole_non_working_days():
    # GIVEN a card created on the shortened 30 December at 12:00, with a 2-hour target
    story = Story("queue", at=msk("2026-12-30 12:00"))
    # THEN one hour counts that day, none on the 31st (a holiday), the rest on 1 January
    resolve = timer(story, resolution(120), now=msk("2027-01-01 11:00"), calendar=HOURS)
    assert resolve.elapsed == minutes(90)
    assert resolve.deadline == msk("2027-01-01 11:30")


def test_a_date_exception_makes_an_extra_working_saturday():
    story = Story("queue", at=msk("2026-12-25 15:00"))
    resolve = timer(story, resolution(180), now=msk("2026-12-26 11:00"), calendar=HOURS)
    assert resolve.elapsed == minutes(120)
    assert resolve.deadline == msk("2026-12-26 12:00")


def test_a_pause_overnight_counts_neither_the_night_nor_the_waiting_hours():
    # GIVEN a card waiting for the customer from Monday 15:00 to Tuesday 12:00
    story = Story("queue", at=msk("2026-11-02 14:00"))
    story.move("wait", at=msk("2026-11-02 15:00")).move("work", at=msk("2026-11-03 12:00"))
    resolve = timer(story, resolution(240), now=msk("2026-11-03 13:00"), calendar=HOURS)
    # THEN an hour before and an hour after counted, and 2 hours are left from 13:00
    assert resolve.elapsed == minutes(120)
    assert resolve.deadline == msk("2026-11-03 15:00")


def test_time_in_column_counts_working_time_only():
    story = Story("queue", at=msk("2026-11-06 15:00")).move("work", at=msk("2026-11-06 15:30"))
    story.move("review", at=msk("2026-11-09 11:00"))
    in_work = timer(story, time_in("work", 60), now=msk("2026-11-09 12:00"), calendar=HOURS)
    assert (in_work.status, in_work.elapsed) == (TimerStatus.MET, minutes(60))
