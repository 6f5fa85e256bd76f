"""Property tests: the calendar engine against the slow reference, on random calendars.

Calendars are random (split intervals, holidays, exceptions, any weekday) in
zones with and without DST, including Australia/Lord_Howe whose DST shift is 30
minutes and zones that switch at or across midnight; instants cluster around
the zone's DST switches so that gaps and repeated hours are exercised, and come
in assorted zones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import WorkCalendar, build_calendar
from tests.unit.calendar_reference import WEEKDAYS, ReferenceCalendar

# Santiago switches at midnight, Nuuk from 23:00 straight to the next day.
ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Nuuk",
    "Asia/Kolkata",
    "UTC",
]
INPUT_ZONES = [
    UTC,
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("America/Los_Angeles"),
    ZoneInfo("Europe/London"),
]
YEAR = 2026
ONE_DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)
SETTINGS = settings(max_examples=150, deadline=None)


def dst_switch_days(zone_name: str, year: int) -> list[date]:
    """Local days of ``year`` on which the zone's UTC offset changes."""
    zone = ZoneInfo(zone_name)
    days = [date(year, 1, 1) + ONE_DAY * n for n in range(366)]
    return [
        day
        for day in days
        if datetime.combine(day, time(), zone).utcoffset()
        != datetime.combine(day + ONE_DAY, time(), zone).utcoffset()
    ]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_hours(draw: st.DrawFn, first: int = 0, last: int = 96) -> list[list[str]]:
    """Up to three disjoint intervals on a quarter-hour grid (quarters first..last), any order."""
    count = draw(st.integers(0, 3))
    quarters = st.integers(first, last)
    points = sorted(draw(st.sets(quarters, min_size=2 * count, max_size=2 * count)))
    intervals = [[hhmm(points[i] * 15), hhmm(points[i + 1] * 15)] for i in range(0, len(points), 2)]
    return draw(st.permutations(intervals))


@st.composite
def scenarios(
    draw: st.DrawFn, zones: list[str] = ZONES, sunday: list[list[str]] | None = None
) -> tuple[dict, WorkCalendar, ReferenceCalendar, datetime]:
    """A random calendar, built both ways, and an anchor instant to draw instants around.

    ``sunday``, when given, replaces Sunday's random hours.
    """
    zone = draw(st.sampled_from(zones))
    anchor = draw(st.sampled_from(dst_switch_days(zone, YEAR) or [date(YEAR, 3, 29)]))
    week = {name: draw(day_hours()) for name in WEEKDAYS if draw(st.booleans())}
    if sunday is not None:
        week["sun"] = sunday
    if not any(week.values()):
        week["sun"] = [["00:00", "24:00"]]
    nearby = st.integers(-20, 20).map(lambda n: anchor + ONE_DAY * n)
    spec = {
        "name": "random",
        "timezone": zone,
        "week": week,
        "holidays": [day.isoformat() for day in draw(st.lists(nearby, max_size=6))],
        "exceptions": draw(
            st.dictionaries(nearby.map(date.isoformat), day_hours(), max_size=4),
        ),
    }
    # Crowd the hours of the switch day and its neighbours around the usual switch times.
    for day in (anchor - ONE_DAY, anchor, anchor + ONE_DAY):
        if draw(st.booleans()):
            first = draw(st.sampled_from([0, 4, 84]))
            spec["exceptions"][day.isoformat()] = draw(day_hours(first, first + 12))
    extra = draw(st.lists(nearby, max_size=3))
    midnight = datetime.combine(anchor, time(), ZoneInfo(zone)).astimezone(UTC)
    return spec, build_calendar(spec, extra), ReferenceCalendar(spec, extra), midnight


def instants_near(anchor: datetime, days: int = 10) -> st.SearchStrategy[datetime]:
    """Instants within ``days`` of ``anchor``, on the minute or to the microsecond, in any zone."""
    span = days * 86_400_000_000
    on_the_minute = st.integers(-span // 60_000_000, span // 60_000_000).map(
        lambda m: anchor + timedelta(minutes=m)
    )
    exact = st.integers(-span, span).map(lambda us: anchor + MICROSECOND * us)
    zone = st.sampled_from(INPUT_ZONES)
    return st.builds(lambda t, z: t.astimezone(z), st.one_of(on_the_minute, exact), zone)


def durations(max_hours: int) -> st.SearchStrategy[timedelta]:
    return st.one_of(
        st.integers(0, max_hours * 4).map(lambda q: timedelta(minutes=15 * q)),
        st.integers(0, max_hours * 3_600_000_000).map(lambda us: MICROSECOND * us),
    )


@SETTINGS
@given(data=st.data(), scenario=scenarios())
def test_deadline_agrees_with_the_reference(data: st.DataObject, scenario: tuple) -> None:
    _, calendar, reference, anchor = scenario
    start = data.draw(instants_near(anchor))
    duration = data.draw(durations(max_hours=60))

    deadline = calendar.deadline(start, duration)

    assert deadline == reference.deadline(start, duration)
    assert deadline.tzinfo is UTC
    assert calendar.elapsed(start, deadline) == duration


@SETTINGS
@given(data=st.data(), scenario=scenarios())
def test_elapsed_agrees_with_the_reference(data: st.DataObject, scenario: tuple) -> None:
    _, calendar, reference, anchor = scenario
    start, end = data.draw(instants_near(anchor)), data.draw(instants_near(anchor))

    assert calendar.elapsed(start, end) == max(reference.elapsed(start, end), timedelta(0))


@SETTINGS
@given(data=st.data(), scenario=scenarios())
def test_segments_agree_with_the_reference(data: st.DataObject, scenario: tuple) -> None:
    _, calendar, reference, anchor = scenario
    start, end = sorted([data.draw(instants_near(anchor)), data.draw(instants_near(anchor))])

    segments = calendar.segments(start, end)

    assert [(s.start, s.end, s.kind.value) for s in segments] == reference.segments(start, end)
    # They tile the span exactly, and their working part is the elapsed working time.
    assert all(a.end == b.start and a.kind != b.kind for a, b in pairwise(segments))
    if segments:
        assert (segments[0].start, segments[-1].end) == (start.astimezone(UTC), end.astimezone(UTC))
    working = sum((s.end - s.start for s in segments if s.kind == "working"), timedelta(0))
    assert working == calendar.elapsed(start, end)


@SETTINGS
@given(data=st.data(), scenario=scenarios())
def test_deadline_is_the_first_instant_with_that_much_work(
    data: st.DataObject, scenario: tuple
) -> None:
    _, calendar, _, anchor = scenario
    start = data.draw(instants_near(anchor))
    duration = data.draw(durations(max_hours=60).filter(lambda d: d > timedelta(0)))

    deadline = calendar.deadline(start, duration)

    assert deadline > start
    assert calendar.elapsed(start, deadline - MICROSECOND) < duration


@SETTINGS
@given(data=st.data(), scenario=scenarios())
def test_deadline_and_elapsed_are_monotonic(data: st.DataObject, scenario: tuple) -> None:
    _, calendar, _, anchor = scenario
    start = data.draw(instants_near(anchor))
    shorter, longer = sorted([data.draw(durations(60)), data.draw(durations(60))])
    earlier, later = sorted([data.draw(instants_near(anchor)), data.draw(instants_near(anchor))])

    assert calendar.deadline(start, shorter) <= calendar.deadline(start, longer)
    assert calendar.elapsed(start, earlier) <= calendar.elapsed(start, later)


@SETTINGS
@given(
    data=st.data(),
    scenario=scenarios(
        zones=["America/New_York", "Europe/London", "Australia/Lord_Howe"],
        sunday=[["00:00", "24:00"]],
    ),
)
def test_working_sundays_across_the_switch_agree_with_the_reference(
    data: st.DataObject, scenario: tuple
) -> None:
    # GIVEN a calendar working all Sunday (bar exceptions) in a zone switching on Sundays
    _, calendar, reference, anchor = scenario
    start, end = data.draw(instants_near(anchor, days=3)), data.draw(instants_near(anchor, days=3))
    duration = data.draw(durations(max_hours=30))

    # THEN a 23-, 23.5-, 24.5- or 25-hour Sunday counts its real length
    assert calendar.elapsed(start, end) == max(reference.elapsed(start, end), timedelta(0))
    assert calendar.deadline(start, duration) == reference.deadline(start, duration)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), scenario=scenarios())
def test_long_spans_agree_with_the_reference(data: st.DataObject, scenario: tuple) -> None:
    # GIVEN spans of up to 90 days, crossing year-sized blocks of the engine's layout
    _, calendar, reference, anchor = scenario
    start = data.draw(instants_near(anchor, days=200))
    end = start + data.draw(st.integers(0, 90 * 86_400_000_000).map(lambda us: MICROSECOND * us))
    duration = data.draw(durations(max_hours=90 * 24))

    # THEN both answers match the reference, and they invert each other
    assert calendar.elapsed(start, end) == reference.elapsed(start, end)
    deadline = calendar.deadline(start, duration)
    assert deadline == reference.deadline(start, duration)
    assert calendar.elapsed(start, deadline) == duration
