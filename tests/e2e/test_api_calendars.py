"""Calendars: versions on every edit, deadline and elapsed on the latest version."""

import pytest

from tests.e2e.payloads import CALENDAR, sla


@pytest.fixture
def calendar(api):
    return api.ok("POST", "/calendars", CALENDAR)


def test_a_calendar_is_created_with_id_version_and_fields(api, calendar):
    assert calendar["version"] == 1
    assert {k: calendar[k] for k in CALENDAR} == CALENDAR
    assert calendar["holiday_country"] is None
    assert api.ok("GET", f"/calendars/{calendar['id']}", role="agent") == calendar
    assert api.ok("GET", "/calendars", role="agent") == {"items": [calendar], "next": None}


def test_put_makes_a_new_version_and_old_versions_stay_readable(api, calendar):
    changed = {**CALENDAR, "week": {"mon": [["09:00", "18:00"]]}}
    updated = api.ok("PUT", f"/calendars/{calendar['id']}", changed)
    assert updated["version"] == 2
    assert updated["week"] == {"mon": [["09:00", "18:00"]]}
    assert api.ok("GET", f"/calendars/{calendar['id']}")["version"] == 2
    old = api.ok("GET", f"/calendars/{calendar['id']}/versions/1", role="agent")
    assert old["week"] == CALENDAR["week"]


def test_holiday_country_adds_public_holidays(api):
    created = api.ok("POST", "/calendars", {**CALENDAR, "holiday_country": "RU"})
    # 2027-01-04 is a Monday inside Russia's New Year holidays.
    answer = api.ok(
        "POST",
        f"/calendars/{created['id']}/elapsed",
        {"start": "2027-01-04T00:00:00Z", "end": "2027-01-05T00:00:00Z"},
        status=200,
    )
    assert answer == {"business_seconds": 0}


def test_deadline_counts_working_time(api, calendar):
    # Monday 12:00 Moscow (09:00 UTC): 4 h left that day, 4 more from Tuesday 10:30
    answer = api.ok(
        "POST",
        f"/calendars/{calendar['id']}/deadline",
        {"start": "2026-11-02T09:00:00Z", "duration": "PT8H"},
        role="agent",
        status=200,
    )
    assert answer == {"deadline": "2026-11-03T11:30:00Z"}


def test_a_zero_duration_gives_start(api, calendar):
    answer = api.ok(
        "POST",
        f"/calendars/{calendar['id']}/deadline",
        {"start": "2026-11-01T03:00:00+03:00", "duration": 0},
        status=200,
    )
    assert answer == {"deadline": "2026-11-01T00:00:00Z"}


def test_elapsed_counts_working_seconds(api, calendar):
    answer = api.ok(
        "POST",
        f"/calendars/{calendar['id']}/elapsed",
        {"start": "2026-11-02T07:00:00Z", "end": "2026-11-02T10:00:00Z"},
        status=200,
    )
    assert answer == {"business_seconds": int(2.5 * 3600)}


def test_elapsed_with_end_before_start_is_400(api, calendar):
    error = api.refused(
        "POST",
        f"/calendars/{calendar['id']}/elapsed",
        {"start": "2026-11-02T10:00:00Z", "end": "2026-11-02T07:00:00Z"},
        status=400,
    )
    assert error["details"][0]["field"] == "end"


@pytest.mark.parametrize(
    ("duration", "why"),
    [("P1M", "months"), ("P1Y", "months"), ("-PT1H", "negative"), (-5, "negative"), ("1h", "ISO")],
)
def test_durations_in_months_years_or_negative_are_400(api, calendar, duration, why):
    error = api.refused(
        "POST",
        f"/calendars/{calendar['id']}/deadline",
        {"start": "2026-11-02T09:00:00Z", "duration": duration},
        status=400,
    )
    assert error["details"][0]["field"] == "duration"
    assert why in error["message"]


def test_a_naive_start_is_400(api, calendar):
    error = api.refused(
        "POST",
        f"/calendars/{calendar['id']}/deadline",
        {"start": "2026-11-02T09:00:00", "duration": "PT1H"},
        status=400,
    )
    assert error["details"][0]["field"] == "start"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"week": {}, "exceptions": {}}, "week"),
        ({"week": {"mon": [["16:00", "10:30"]]}}, "week"),
        ({"week": {"funday": [["10:00", "11:00"]]}}, "week"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holidays": ["2026-02-30"]}, "holidays"),
    ],
)
def test_a_bad_calendar_is_400_naming_the_field(api, change, field):
    error = api.refused("POST", "/calendars", {**CALENDAR, **change}, status=400)
    assert error["details"][0]["field"].startswith(field)


def test_unknown_calendar_ids_are_404(api):
    for method, path, body in [
        ("GET", "/calendars/cal_missing", None),
        ("PUT", "/calendars/cal_missing", CALENDAR),
        ("DELETE", "/calendars/cal_missing", None),
        ("GET", "/calendars/cal_missing/versions/1", None),
        (
            "POST",
            "/calendars/cal_missing/deadline",
            {"start": "2026-11-02T09:00:00Z", "duration": 1},
        ),
        (
            "POST",
            "/calendars/cal_missing/elapsed",
            {"start": "2026-11-02T09:00:00Z", "end": "2026-11-02T09:00:00Z"},
        ),
    ]:
        api.refused(method, path, body, status=404)


def test_an_unknown_version_is_404(api, calendar):
    for version in ("2", "0", "one"):
        api.refused("GET", f"/calendars/{calendar['id']}/versions/{version}", status=404)


def test_a_calendar_is_deleted_but_one_an_sla_uses_is_409(api, calendar):
    api.ok("POST", "/slas", sla(calendar["id"]))
    error = api.refused("DELETE", f"/calendars/{calendar['id']}", status=409)
    assert error["code"] == "calendar_in_use"
    unused = api.ok("POST", "/calendars", CALENDAR)
    api.ok("DELETE", f"/calendars/{unused['id']}")
    api.refused("GET", f"/calendars/{unused['id']}", status=404)


def test_agents_read_but_do_not_write_calendars(api, calendar):
    api.ok("GET", f"/calendars/{calendar['id']}", role="agent")
    api.refused("PUT", f"/calendars/{calendar['id']}", CALENDAR, role="manager", status=403)
    api.refused("DELETE", f"/calendars/{calendar['id']}", role="agent", status=403)
