"""Business calendars through the service on the fakes: versions, deletion, working time."""

from datetime import UTC, date, datetime

import pytest

from chalicelib.bootstrap.config import CALENDAR_STORE, PUBLIC_HOLIDAYS
from chalicelib.services import calendars, slas
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError
from tests.e2e.payloads import CALENDAR, sla

MONDAY_NOON_MOSCOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def calendar():
    return calendars.create_calendar(CALENDAR)


def test_a_calendar_answers_its_fields_id_and_version(calendar, world):
    assert {name: calendar[name] for name in CALENDAR} == CALENDAR
    assert (calendar["version"], calendar["created_at"]) == (1, world.clock.now())
    assert calendars.get_calendar(calendar["id"]) == calendar
    assert calendars.list_calendars(10, None) == {"items": [calendar], "next": None}


def test_an_edit_is_a_new_version_and_timers_count_in_the_one_they_were_pinned_to(calendar):
    changed = {**CALENDAR, "week": {"mon": [["09:00", "18:00"]]}}
    assert calendars.update_calendar(calendar["id"], changed)["version"] == 2
    assert calendars.latest_calendar_version(calendar["id"]) == 2
    assert calendars.get_calendar_version(calendar["id"], 1)["week"] == CALENDAR["week"]
    old, new = (calendars.load_calendar(calendar["id"], v) for v in (1, 2))
    day = (MONDAY_NOON_MOSCOW, datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    assert old.elapsed(*day).total_seconds() == 4 * 3600
    assert new.elapsed(*day).total_seconds() == 6 * 3600


def test_an_edit_on_top_of_an_older_version_is_a_conflict(calendar, world):
    store = world.stores[CALENDAR_STORE]
    read_before = store.latest(calendar["id"])
    calendars.update_calendar(calendar["id"], CALENDAR)
    store.latest = lambda calendar_id: read_before
    with pytest.raises(ConflictError):
        calendars.update_calendar(calendar["id"], CALENDAR)
    del store.latest
    assert calendars.latest_calendar_version(calendar["id"]) == 2


def test_deadline_and_elapsed_count_working_time(calendar):
    # Monday 12:00 Moscow: 4 h left that day, 4 more from Tuesday 10:30.
    answer = calendars.deadline(calendar["id"], MONDAY_NOON_MOSCOW, 8 * 3600)
    assert answer == {"deadline": datetime(2026, 11, 3, 11, 30, tzinfo=UTC)}
    end = datetime(2026, 11, 3, 11, 30, tzinfo=UTC)
    assert calendars.elapsed(calendar["id"], MONDAY_NOON_MOSCOW, end) == {
        "business_seconds": 8 * 3600
    }
    with pytest.raises(InvalidInputError) as refused:
        calendars.elapsed(calendar["id"], end, MONDAY_NOON_MOSCOW)
    assert refused.value.field == "end"


def test_a_holiday_country_takes_its_holidays_from_the_holidays_port(world):
    world.stores[PUBLIC_HOLIDAYS].countries["RU"] = frozenset({date(2027, 1, 4)})
    created = calendars.create_calendar({**CALENDAR, "holiday_country": "RU"})
    monday = datetime(2027, 1, 4, tzinfo=UTC), datetime(2027, 1, 5, tzinfo=UTC)
    assert calendars.elapsed(created["id"], *monday) == {"business_seconds": 0}
    with pytest.raises(InvalidInputError) as refused:
        calendars.create_calendar({**CALENDAR, "holiday_country": "XX"})
    assert refused.value.field == "holiday_country"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"timezone": "Mars/Olympus"}, "timezone"), ({"week": {"mon": [["16:00", "10:30"]]}}, "week")],
)
def test_a_bad_calendar_is_refused_naming_the_field_and_nothing_is_stored(change, field, world):
    with pytest.raises(InvalidInputError) as refused:
        calendars.create_calendar({**CALENDAR, **change})
    assert (refused.value.field or "").startswith(field)
    assert world.stores[CALENDAR_STORE].all_latest() == []


def test_a_calendar_an_sla_counts_in_is_not_deleted_and_a_deleted_one_keeps_its_versions(
    calendar,
):
    slas.create_sla(sla(calendar["id"]))
    with pytest.raises(ConflictError) as refused:
        calendars.delete_calendar(calendar["id"])
    assert refused.value.code == "calendar_in_use"
    unused = calendars.create_calendar(CALENDAR)
    calendars.delete_calendar(unused["id"])
    with pytest.raises(NotFoundError):
        calendars.get_calendar(unused["id"])
    assert calendars.latest_calendar_version(unused["id"]) is None
    assert calendars.get_calendar_version(unused["id"], 1)["id"] == unused["id"]
    assert [c["id"] for c in calendars.list_calendars(10, None)["items"]] == [calendar["id"]]


def test_unknown_calendars_and_versions_are_not_found(calendar):
    with pytest.raises(NotFoundError):
        calendars.get_calendar("cal_missing")
    with pytest.raises(NotFoundError):
        calendars.get_calendar_version(calendar["id"], 2)
    with pytest.raises(NotFoundError):
        calendars.deadline("cal_missing", MONDAY_NOON_MOSCOW, 60)
