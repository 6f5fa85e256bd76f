"""SLA policies through the service on the fakes: versions, conflicts, pages, refusals."""

from datetime import timedelta

import pytest

from chalicelib.bootstrap.config import SLA_STORE
from chalicelib.domain.sla import RuleKind
from chalicelib.services import calendars, slas
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError
from tests.e2e.payloads import CALENDAR, sla

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def calendar():
    return calendars.create_calendar(CALENDAR)


@pytest.fixture
def policy(calendar):
    return slas.create_sla(sla(calendar["id"]))


def test_a_policy_answers_targets_as_sent_and_in_seconds(policy, calendar, world):
    assert (policy["version"], policy["calendar_id"]) == (1, calendar["id"])
    assert policy["created_at"] == world.clock.now()
    react, resolve, in_work = policy["rules"]
    assert (react["target"], react["target_seconds"]) == ("PT10M", 600)
    assert (react["warn_before"], react["warn_before_seconds"]) == ("PT5M", 300)
    assert resolve["escalations"][0]["after_breach_seconds"] == 1800
    assert (in_work["column_id"], in_work["target_seconds"]) == ("work", 7200)
    assert slas.get_sla(policy["id"]) == policy


def test_an_edit_is_version_two_and_version_one_stays(policy, world):
    world.clock.advance(300)
    body = sla(policy["calendar_id"])
    body["rules"][0]["target"] = "PT15M"
    updated = slas.update_sla(policy["id"], body)
    assert updated["version"] == 2
    assert updated["rules"][0]["target_seconds"] == 900
    assert slas.get_sla(policy["id"])["version"] == 2
    assert slas.get_sla_version(policy["id"], 1) == policy
    assert slas.load_sla_version(policy["id"], 1).rules[0].target == timedelta(minutes=10)
    assert slas.load_sla_version(policy["id"], 2).rules[0].target == timedelta(minutes=15)


def test_an_edit_that_lost_the_race_is_a_conflict_and_the_other_edit_stands(policy, world):
    store = world.stores[SLA_STORE]
    read_before = store.latest(policy["id"])
    store.add_version(policy["id"], 1, sla(policy["calendar_id"]), world.clock.now())
    store.latest = lambda sla_id: read_before  # this edit read version 1 before the other wrote
    with pytest.raises(ConflictError):
        slas.update_sla(policy["id"], sla(policy["calendar_id"]))
    del store.latest
    assert slas.get_sla(policy["id"])["version"] == 2
    with pytest.raises(NotFoundError):
        slas.get_sla_version(policy["id"], 3)


def test_the_engine_sees_the_pinned_version():
    policy = slas.create_sla(sla())
    engine = slas.load_sla_version(policy["id"], 1)
    assert (engine.version, engine.calendar_id) == (1, None)
    assert engine.pause_in_columns == frozenset({"wait"})
    react, resolve, in_work = engine.rules
    assert react.warn_before == timedelta(minutes=5)
    assert resolve.escalations[0].notify == ("l2@example.com",)
    assert in_work.kind is RuleKind.TIME_IN_COLUMN


def test_policies_list_in_pages_of_latest_versions():
    made = sorted((slas.create_sla(sla()) for _ in range(5)), key=lambda policy: policy["id"])
    first = slas.list_slas(2, None)
    second = slas.list_slas(2, first["next"])
    last = slas.list_slas(2, second["next"])
    assert [p["id"] for p in first["items"] + second["items"] + last["items"]] == [
        p["id"] for p in made
    ]
    assert last["next"] is None
    with pytest.raises(InvalidInputError) as refused:
        slas.list_slas(2, "not-a-cursor")
    assert refused.value.field == "next"


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([{"id": "r", "kind": "resolution", "target": "PT0S"}], "rules[0].target"),
        ([{"id": "r", "kind": "time_in_column", "target": "PT1H"}], "rules[0].column_id"),
        ([{"id": "r", "kind": "resolution", "target": 60}] * 2, "rules[1].id"),
        (
            [{"id": "r", "kind": "resolution", "target": "PT1H", "warn_before": "PT2H"}],
            "rules[0].warn_before",
        ),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field_and_nothing_is_stored(rules, field, world):
    with pytest.raises(InvalidInputError) as refused:
        slas.create_sla({**sla(), "rules": rules})
    assert refused.value.field == field
    assert world.stores[SLA_STORE].all_latest() == []


def test_an_unknown_calendar_or_policy_is_refused():
    with pytest.raises(InvalidInputError) as refused:
        slas.create_sla(sla("cal_missing"))
    assert refused.value.field == "calendar_id"
    with pytest.raises(NotFoundError):
        slas.get_sla("sla_missing")
    with pytest.raises(NotFoundError):
        slas.update_sla("sla_missing", sla())
