"""Unit tests of the calendar engine: reading calendar JSON, and each working-time rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.calendar import (
    ALWAYS_OPEN,
    Segment,
    SegmentKind,
    WorkCalendar,
    build_calendar,
)
from chalicelib.domain.errors import DomainError

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MOSCOW = ZoneInfo("Europe/Moscow")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def office(timezone: str = "Europe/Moscow", **fields: object) -> dict:
    """The API's example calendar: Mon–Fri 10:30–16:00, with overrides."""
    return {
        "name": "Support hours",
        "timezone": timezone,
        "week": {day: [["10:30", "16:00"]] for day in WORKDAYS},
        **fields,
    }


def around_the_clock(timezone: str, **fields: object) -> dict:
    return {
        "timezone": timezone,
        "week": {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sun")},
        **fields,
    }


def at(zone: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# --- Reading calendar JSON -------------------------------------------------------------------


def test_builds_the_api_example() -> None:
    spec = office(
        holidays=["2026-12-31"],
        holiday_country="RU",
        exceptions={"2026-12-30": [["10:30", "13:00"]], "2026-12-26": [["10:00", "14:00"]]},
    )

    calendar = build_calendar(spec, extra_holidays=[date(2027, 1, 1)])

    assert calendar.name == "Support hours"
    assert calendar.timezone == MOSCOW
    assert calendar.hours_on(date(2026, 12, 28)) == ((630, 960),)
    assert calendar.hours_on(date(2026, 12, 30)) == ((630, 780),)
    assert calendar.hours_on(date(2026, 12, 26)) == ((600, 840),)  # a working Saturday
    assert calendar.hours_on(date(2026, 12, 27)) == ()  # Sunday is missing from the week
    assert calendar.hours_on(date(2026, 12, 31)) == ()
    assert calendar.hours_on(date(2027, 1, 1)) == ()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"week": {"mon": [["10:30", "25:00"]]}}, "week.mon[0]"),
        ({"week": {"mon": [["9:00", "17:00"]]}}, "week.mon[0]"),
        ({"week": {"mon": [["10:60", "17:00"]]}}, "week.mon[0]"),
        ({"week": {"mon": [["24:00", "24:00"]]}}, "week.mon[0]"),
        ({"week": {"mon": [["10:00", "17:00:00"]]}}, "week.mon[0]"),
        ({"week": {"mon": [[600, 900]]}}, "week.mon[0]"),
        ({"week": {"mon": [["09:00"]]}}, "week.mon[0]"),
        ({"week": {"mon": ["09:00-17:00"]}}, "week.mon[0]"),
        ({"week": {"tue": [["09:00", "12:00"], ["12:00", "11:00"]]}}, "week.tue[1]"),
        ({"week": {"tue": [["09:00", "12:00"], ["13:00", "13:00"]]}}, "week.tue[1]"),
        ({"week": {"wed": [["09:00", "12:00"], ["11:00", "14:00"]]}}, "week.wed[1]"),
        ({"week": {"wed": [["13:00", "18:00"], ["09:00", "14:00"]]}}, "week.wed[1]"),
        ({"week": {"wed": [["09:00", "18:00"], ["10:00", "11:00"]]}}, "week.wed[1]"),
        ({"week": {"monday": [["09:00", "17:00"]]}}, "week.monday"),
        ({"week": {"mon": "09:00-17:00"}}, "week.mon"),
        ({"week": {"mon": None}}, "week.mon"),
        ({"week": [["09:00", "17:00"]]}, "week"),
        ({"week": {}}, "week"),
        ({"week": {"mon": [], "sat": []}}, "week"),
        ({"holidays": ["2026-12-31", "2026-12-32"]}, "holidays[1]"),
        ({"holidays": ["2026-12-31", "tomorrow", "2027-01-01"]}, "holidays[1]"),
        ({"holidays": ["2026-12-31", "2027-01-01", "20270102"]}, "holidays[2]"),
        ({"holidays": [20261231]}, "holidays[0]"),
        ({"holidays": "2026-12-31"}, "holidays"),
        ({"exceptions": {"2026-12-30": [["10:30", "13:00"], ["12:00", "14:00"]]}}, None),
        ({"exceptions": {"2026-02-30": []}}, "exceptions.2026-02-30"),
        ({"exceptions": {"2026-12-30": "closed"}}, "exceptions.2026-12-30"),
        ({"exceptions": {"2026-12-30": [["10:30", "33:00"]]}}, "exceptions.2026-12-30[0]"),
        ({"exceptions": [["2026-12-30", []]]}, "exceptions"),
        ({"name": 7}, "name"),
        ({"holiday_country": ["RU"]}, "holiday_country"),
    ],
)
def test_refuses_bad_calendars_naming_the_field(change: dict, field: str | None) -> None:
    expected = field or "exceptions.2026-12-30[1]"

    with pytest.raises(DomainError) as refused:
        build_calendar(office(**change))

    assert refused.value.field == expected
    assert refused.value.message


def test_refuses_a_calendar_that_is_not_an_object() -> None:
    with pytest.raises(DomainError, match="JSON object"):
        build_calendar(["Europe/London"])  # type: ignore[arg-type]


def test_names_the_later_of_two_overlapping_intervals() -> None:
    with pytest.raises(DomainError, match=r"week.mon\[1\] overlaps week.mon\[0\]"):
        build_calendar(office(week={"mon": [["12:00", "14:00"], ["09:00", "13:00"]]}))


def test_a_week_without_work_is_refused_even_with_working_exceptions() -> None:
    # A deadline past the last exception could never be reached.
    with pytest.raises(DomainError) as refused:
        build_calendar(office(week={}, exceptions={"2026-12-26": [["10:00", "14:00"]]}))

    assert refused.value.field == "week"


def test_ignores_keys_that_are_not_part_of_the_calendar() -> None:
    calendar = build_calendar(office(id="cal-1", version=3, holiday_country=None))

    assert calendar.hours_on(date(2026, 12, 28)) == ((630, 960),)


def test_touching_intervals_join_and_are_listed_in_order() -> None:
    calendar = build_calendar(
        office(week={"mon": [["14:00", "18:00"], ["09:00", "12:00"], ["12:00", "13:00"]]})
    )

    assert calendar.hours_on(date(2026, 12, 28)) == ((540, 780), (840, 1080))


# --- deadline and elapsed ---------------------------------------------------------------------


def test_counts_only_working_hours_of_working_days() -> None:
    calendar = build_calendar(office())
    friday_afternoon = at(MOSCOW, 2026, 12, 4, 15, 0)

    deadline = calendar.deadline(friday_afternoon, hours(2))

    assert deadline == at(MOSCOW, 2026, 12, 7, 11, 30)
    assert deadline.tzinfo is UTC
    assert calendar.elapsed(friday_afternoon, deadline) == hours(2)


def test_start_outside_working_time_waits_for_the_next_opening() -> None:
    calendar = build_calendar(office())
    saturday = at(MOSCOW, 2026, 12, 5, 12, 0)
    monday_early = at(MOSCOW, 2026, 12, 7, 8, 0)

    assert calendar.deadline(saturday, hours(1)) == at(MOSCOW, 2026, 12, 7, 11, 30)
    assert calendar.deadline(monday_early, hours(1)) == at(MOSCOW, 2026, 12, 7, 11, 30)
    assert calendar.elapsed(saturday, monday_early) == timedelta(0)


def test_start_inside_working_time_counts_from_start() -> None:
    calendar = build_calendar(office())
    start = at(MOSCOW, 2026, 12, 7, 11, 0, 30, 250)

    assert calendar.deadline(start, hours(3)) == at(MOSCOW, 2026, 12, 7, 14, 0, 30, 250)
    assert calendar.elapsed(start, at(MOSCOW, 2026, 12, 7, 20, 0)) == timedelta(
        hours=4, minutes=59, seconds=29, microseconds=999_750
    )


def test_a_deadline_at_the_end_of_an_interval_stays_there() -> None:
    calendar = build_calendar(office())

    deadline = calendar.deadline(at(MOSCOW, 2026, 12, 7, 10, 30), timedelta(hours=5, minutes=30))

    assert deadline == at(MOSCOW, 2026, 12, 7, 16, 0)


def test_zero_duration_gives_the_start_even_outside_working_time() -> None:
    calendar = build_calendar(office())
    sunday_night = at(MOSCOW, 2026, 12, 6, 23, 59, 59, 999_999)

    deadline = calendar.deadline(sunday_night, timedelta(0))

    assert deadline == sunday_night
    assert deadline.tzinfo is UTC


def test_end_before_start_elapses_nothing() -> None:
    calendar = build_calendar(office())
    start = at(MOSCOW, 2026, 12, 7, 12, 0)

    assert calendar.elapsed(start, start - hours(1)) == timedelta(0)
    assert calendar.elapsed(start, start) == timedelta(0)


def test_split_intervals_skip_the_lunch_break() -> None:
    calendar = build_calendar(
        office("Europe/London", week={"mon": [["13:00", "18:00"], ["09:00", "12:00"]]})
    )
    monday = at(LONDON, 2026, 12, 7, 11, 0)

    assert calendar.deadline(monday, hours(2)) == at(LONDON, 2026, 12, 7, 14, 0)
    assert calendar.deadline(monday, hours(1)) == at(LONDON, 2026, 12, 7, 12, 0)
    assert calendar.elapsed(monday, at(LONDON, 2026, 12, 7, 12, 30)) == hours(1)


def test_24_00_ends_the_day_and_work_runs_on_across_midnight() -> None:
    calendar = build_calendar(
        {"timezone": "UTC", "week": {"mon": [["22:00", "24:00"]], "tue": [["00:00", "02:00"]]}}
    )
    monday = at(UTC, 2026, 12, 7, 23, 0)

    assert calendar.deadline(monday, hours(2)) == at(UTC, 2026, 12, 8, 1, 0)
    assert calendar.elapsed(at(UTC, 2026, 12, 7), at(UTC, 2026, 12, 9)) == hours(4)


def test_holidays_are_whole_non_working_days() -> None:
    calendar = build_calendar(office(holidays=["2026-12-31"]), extra_holidays=[date(2027, 1, 1)])

    deadline = calendar.deadline(at(MOSCOW, 2026, 12, 30, 15, 0), hours(2))

    assert deadline == at(MOSCOW, 2027, 1, 4, 11, 30)


def test_an_exception_replaces_the_hours_and_wins_over_a_holiday() -> None:
    calendar = build_calendar(
        office(
            holidays=["2026-12-30", "2026-12-31"],
            exceptions={"2026-12-30": [["10:30", "13:00"]], "2026-12-28": []},
        )
    )

    assert calendar.elapsed(at(MOSCOW, 2026, 12, 28), at(MOSCOW, 2027, 1, 1)) == (
        hours(5.5) + hours(2.5)  # Tuesday whole, Wednesday shortened; Monday off
    )


def test_an_exception_can_make_a_weekend_day_work() -> None:
    calendar = build_calendar(office(exceptions={"2026-12-26": [["10:00", "14:00"]]}))

    deadline = calendar.deadline(at(MOSCOW, 2026, 12, 25, 15, 0), hours(2))

    assert deadline == at(MOSCOW, 2026, 12, 26, 11, 0)


def test_instants_in_any_zone_give_the_same_answers() -> None:
    calendar = build_calendar(office())
    in_moscow = at(MOSCOW, 2026, 12, 7, 12, 0)
    in_tokyo = in_moscow.astimezone(ZoneInfo("Asia/Tokyo"))

    assert calendar.deadline(in_tokyo, hours(10)) == calendar.deadline(in_moscow, hours(10))
    assert calendar.elapsed(in_tokyo, in_moscow + hours(30)) == hours(4 + 5.5)


def test_spans_of_years_cross_the_engines_blocks_exactly() -> None:
    # 2026 and 2027 have 261 weekdays each, the century from 2026 has 26088.
    calendar = build_calendar(office(timezone="Europe/London"))
    start = at(LONDON, 2026, 1, 1)

    assert calendar.elapsed(start, at(LONDON, 2028, 1, 1)) == hours(5.5 * 2 * 261)
    assert calendar.deadline(start, hours(5.5 * 2 * 261)) == at(LONDON, 2027, 12, 31, 16, 0)
    assert calendar.elapsed(start, at(LONDON, 2126, 1, 1)) == hours(5.5 * 26088)


@pytest.mark.parametrize(
    "bad_call",
    [
        lambda c: c.deadline(datetime(2026, 12, 7, 12, 0), hours(1)),
        lambda c: c.deadline(at(UTC, 2026, 12, 7), -hours(1)),
        lambda c: c.deadline(at(UTC, 2026, 12, 7), 3600),
        lambda c: c.elapsed(at(UTC, 2026, 12, 7), datetime(2026, 12, 8)),
        lambda c: c.segments("2026-12-07T00:00Z", at(UTC, 2026, 12, 8)),
        lambda c: c.deadline(at(UTC, 9999, 6, 1), timedelta(days=1000)),
        lambda c: c.elapsed(at(UTC, 2026, 12, 7), datetime.max.replace(tzinfo=UTC)),
    ],
)
def test_refuses_naive_or_out_of_range_instants_and_bad_durations(bad_call) -> None:
    with pytest.raises(DomainError) as refused:
        bad_call(build_calendar(office()))

    assert refused.value.field in {"start", "end", "duration"}


# --- Daylight saving time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "length"),
    [
        ("America/New_York", date(2026, 3, 8), hours(23)),
        ("America/New_York", date(2026, 11, 1), hours(25)),
        ("Europe/London", date(2026, 3, 29), hours(23)),
        ("Europe/London", date(2026, 10, 25), hours(25)),
        ("Australia/Lord_Howe", date(2026, 4, 5), hours(24.5)),
        ("Australia/Lord_Howe", date(2026, 10, 4), hours(23.5)),
    ],
)
def test_a_working_sunday_counts_its_real_length_across_a_switch(
    zone: str, day: date, length: timedelta
) -> None:
    calendar = build_calendar(around_the_clock(zone))
    local = ZoneInfo(zone)
    saturday, monday = day - timedelta(days=1), day + timedelta(days=1)
    midnight = at(local, day.year, day.month, day.day)

    assert calendar.elapsed(
        at(local, *saturday.timetuple()[:3]), at(local, *monday.timetuple()[:3])
    )
    assert calendar.elapsed(midnight, at(local, monday.year, monday.month, monday.day)) == length
    assert calendar.deadline(midnight, length) == at(local, monday.year, monday.month, monday.day)


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # GIVEN New York on 2026-03-08, where 02:00-03:00 does not exist
    calendar = build_calendar(
        around_the_clock("America/New_York", exceptions={"2026-03-08": [["02:30", "04:00"]]})
    )

    # THEN work starts at 03:30 EDT, the first instant after the gap it stands for
    assert calendar.segments(at(NEW_YORK, 2026, 3, 8, 3), at(NEW_YORK, 2026, 3, 8, 5)) == [
        Segment(at(UTC, 2026, 3, 8, 7, 0), at(UTC, 2026, 3, 8, 7, 30), SegmentKind.NON_WORKING),
        Segment(at(UTC, 2026, 3, 8, 7, 30), at(UTC, 2026, 3, 8, 8, 0), SegmentKind.WORKING),
        Segment(at(UTC, 2026, 3, 8, 8, 0), at(UTC, 2026, 3, 8, 9, 0), SegmentKind.NON_WORKING),
    ]


def test_an_interval_ending_in_the_gap_ends_after_it() -> None:
    calendar = build_calendar(
        around_the_clock("America/New_York", exceptions={"2026-03-08": [["01:30", "02:30"]]})
    )

    # 01:30 EST to 02:30 read as 03:30 EDT: a whole real hour
    assert calendar.elapsed(at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9)) == hours(1)


def test_intervals_carried_onto_each_other_by_the_gap_count_once() -> None:
    calendar = build_calendar(
        around_the_clock(
            "America/New_York", exceptions={"2026-03-08": [["02:30", "02:45"], ["03:00", "04:00"]]}
        )
    )

    # 02:30-02:45 is read as 03:30-03:45 EDT, inside 03:00-04:00 EDT: one hour of work in all
    assert calendar.elapsed(at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9)) == hours(1)


def test_an_ambiguous_time_takes_its_first_occurrence() -> None:
    # GIVEN New York on 2026-11-01, where 01:00-02:00 happens twice
    calendar = build_calendar(
        around_the_clock(
            "America/New_York", exceptions={"2026-11-01": [["01:00", "01:30"], ["01:45", "03:00"]]}
        )
    )
    first_one_am = at(NEW_YORK, 2026, 11, 1, 1, 0, fold=0)

    # THEN 01:00-01:30 is the first (EDT) half hour, and 01:45 EDT to 03:00 EST is 2h15
    # (aware datetimes in a repeated hour never compare equal across zones: compare in UTC)
    assert first_one_am.astimezone(UTC) == at(UTC, 2026, 11, 1, 5, 0)
    assert calendar.deadline(first_one_am, timedelta(minutes=30)) == at(UTC, 2026, 11, 1, 5, 30)
    assert calendar.elapsed(at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 2)) == hours(2.75)
    # and the second 01:10 (06:10 UTC) still has 1h50 to go until 03:00 EST (08:00 UTC)
    second_one_ten = at(NEW_YORK, 2026, 11, 1, 1, 10, fold=1)
    assert calendar.elapsed(second_one_ten, at(NEW_YORK, 2026, 11, 1, 5)) == timedelta(
        hours=1, minutes=50
    )


def test_a_gap_at_midnight_moves_the_start_of_the_day() -> None:
    # GIVEN Santiago on 2026-09-06, whose clocks jump from Saturday 24:00 to Sunday 01:00
    santiago = ZoneInfo("America/Santiago")
    calendar = build_calendar(
        around_the_clock(
            "America/Santiago",
            exceptions={"2026-09-05": [["22:00", "24:00"]], "2026-09-06": [["00:00", "02:00"]]},
        )
    )

    # THEN Sunday begins at 01:00 (-03) and Saturday's work, 22:00-24:00 (-04), runs
    # straight into Sunday's 01:00-02:00 (-03): three real hours
    assert calendar.segments(at(santiago, 2026, 9, 5, 21), at(santiago, 2026, 9, 6, 3)) == [
        Segment(at(UTC, 2026, 9, 6, 1), at(UTC, 2026, 9, 6, 2), SegmentKind.NON_WORKING),
        Segment(at(UTC, 2026, 9, 6, 2), at(UTC, 2026, 9, 6, 5), SegmentKind.WORKING),
        Segment(at(UTC, 2026, 9, 6, 5), at(UTC, 2026, 9, 6, 6), SegmentKind.NON_WORKING),
    ]


def test_work_carried_past_midnight_by_a_gap_stays_in_its_day() -> None:
    # GIVEN Nuuk on Saturday 2026-03-28, whose clocks jump from 23:00 to Sunday 00:00
    nuuk = ZoneInfo("America/Nuuk")
    calendar = build_calendar(
        around_the_clock(
            "America/Nuuk",
            exceptions={"2026-03-28": [["22:00", "23:30"]], "2026-03-29": [["00:00", "00:15"]]},
        )
    )

    # THEN Saturday works its one real hour 22:00-23:00, then Sunday its own quarter
    assert calendar.elapsed(at(nuuk, 2026, 3, 28), at(nuuk, 2026, 3, 29)) == hours(1)
    assert calendar.elapsed(at(nuuk, 2026, 3, 28), at(nuuk, 2026, 3, 30)) == hours(1.25)


def test_lord_howe_shifts_by_half_an_hour() -> None:
    calendar = build_calendar(
        around_the_clock("Australia/Lord_Howe", exceptions={"2026-10-04": [["02:00", "03:00"]]})
    )

    # 02:00-02:30 does not exist on 2026-10-04: work is 02:30-03:00 local
    assert calendar.elapsed(at(LORD_HOWE, 2026, 10, 4), at(LORD_HOWE, 2026, 10, 5)) == hours(0.5)


def test_a_day_that_never_happened_has_no_working_time() -> None:
    # Samoa skipped 2011-12-30 when it crossed the date line.
    apia = ZoneInfo("Pacific/Apia")
    calendar = build_calendar(around_the_clock("Pacific/Apia", exceptions={"2011-12-31": []}))

    # GIVEN a calendar working Thursday 29th, Friday 30th, not Saturday 31st
    thursday = at(apia, 2011, 12, 29)

    # THEN only Thursday counts, and a deadline after it goes to Sunday, January 1st
    assert calendar.elapsed(thursday, at(apia, 2012, 1, 1)) == hours(24)
    assert calendar.deadline(thursday, hours(25)) == at(apia, 2012, 1, 1, 1)


# --- segments ---------------------------------------------------------------------------------


def test_segments_mark_holidays_exceptions_and_nights() -> None:
    calendar = build_calendar(
        office(
            timezone="UTC",
            holidays=["2026-12-25", "2026-12-28"],
            exceptions={"2026-12-28": [["10:00", "12:00"]]},
        )
    )
    working, off, holiday = SegmentKind.WORKING, SegmentKind.NON_WORKING, SegmentKind.HOLIDAY

    segments = calendar.segments(at(UTC, 2026, 12, 24, 15), at(UTC, 2026, 12, 28, 11))

    assert [(s.start.day, s.start.hour, s.end.day, s.end.hour, s.kind) for s in segments] == [
        (24, 15, 24, 16, working),
        (24, 16, 25, 0, off),
        (25, 0, 26, 0, holiday),
        (26, 0, 28, 10, off),
        (28, 10, 28, 11, working),
    ]


def test_segments_of_an_empty_span_are_empty() -> None:
    calendar = build_calendar(office())
    start = at(UTC, 2026, 12, 7, 12)

    assert calendar.segments(start, start) == []
    assert calendar.segments(start, start - hours(1)) == []


# --- The 24/7 calendar ------------------------------------------------------------------------


def test_always_open_counts_every_moment() -> None:
    start = at(UTC, 2026, 12, 5, 12)

    assert ALWAYS_OPEN.deadline(start, hours(30)) == start + hours(30)
    assert ALWAYS_OPEN.elapsed(start, start + hours(30)) == hours(30)
    assert ALWAYS_OPEN.segments(start, start + hours(1)) == [
        Segment(start, start + hours(1), SegmentKind.WORKING)
    ]


def test_a_calendar_is_built_from_typed_parts_too() -> None:
    calendar = WorkCalendar(timezone=LONDON, week=[((540, 1020),)] * 5 + [(), ()])

    assert calendar.elapsed(at(LONDON, 2026, 12, 7), at(LONDON, 2026, 12, 14)) == hours(40)
