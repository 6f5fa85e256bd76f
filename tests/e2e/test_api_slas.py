"""SLA policies: rules with targets as sent and in seconds, versions on every edit."""

import pytest

from tests.e2e.payloads import CALENDAR, sla


@pytest.fixture
def calendar(api):
    return api.ok("POST", "/calendars", CALENDAR)


@pytest.fixture
def policy(api, calendar):
    return api.ok("POST", "/slas", sla(calendar["id"]))


def test_an_sla_answers_targets_as_sent_and_in_seconds(api, policy, calendar):
    assert policy["version"] == 1
    assert policy["calendar_id"] == calendar["id"]
    react, resolve, in_work = policy["rules"]
    assert (react["target"], react["target_seconds"]) == ("PT10M", 600)
    assert (react["warn_before"], react["warn_before_seconds"]) == ("PT5M", 300)
    assert resolve["escalations"] == [
        {
            "after_breach": "PT30M",
            "after_breach_seconds": 1800,
            "notify": ["l2@example.com"],
            "assign_to": "l2-oncall",
        }
    ]
    assert (in_work["target"], in_work["target_seconds"], in_work["column_id"]) == (
        7200,
        7200,
        "work",
    )
    assert policy["terms"]["currency"] == "EUR"
    assert policy["agreement"]["services"] == "Web app support"
    assert api.ok("GET", f"/slas/{policy['id']}", role="agent") == policy
    assert api.ok("GET", "/slas", role="agent")["items"] == [policy]


def test_a_day_is_24_hours(api):
    body = sla()
    body["rules"] = [{"id": "resolve", "kind": "resolution", "target": "P1DT1H"}]
    assert api.ok("POST", "/slas", body)["rules"][0]["target_seconds"] == 25 * 3600


def test_put_makes_version_two_and_version_one_stays_readable(api, policy):
    body = sla(policy["calendar_id"])
    body["rules"][0]["target"] = "PT15M"
    updated = api.ok("PUT", f"/slas/{policy['id']}", body)
    assert updated["version"] == 2
    assert updated["rules"][0]["target_seconds"] == 900
    assert api.ok("GET", f"/slas/{policy['id']}")["version"] == 2
    old = api.ok("GET", f"/slas/{policy['id']}/versions/1", role="agent")
    assert old == policy


def test_an_unknown_calendar_is_400_naming_calendar_id(api):
    error = api.refused("POST", "/slas", sla("cal_missing"), status=400)
    assert error["details"][0]["field"] == "calendar_id"


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"id": "r", "kind": "resolution", "target": "P1M"}, "rules[0].target"),
        ({"id": "r", "kind": "resolution", "target": "PT0S"}, "rules[0].target"),
        (
            {"id": "r", "kind": "resolution", "target": "PT1H", "warn_before": "PT2H"},
            "rules[0].warn_before",
        ),
        ({"id": "r", "kind": "time_in_column", "target": "PT1H"}, "rules[0].column_id"),
        (
            {"id": "r", "kind": "resolution", "target": "PT1H", "column_id": "work"},
            "rules[0].column_id",
        ),
        ({"id": "r", "kind": "uptime", "target": "PT1H"}, "rules[0].kind"),
        ({"id": "r", "kind": "resolution", "target": "10"}, "rules[0].target"),
    ],
)
def test_a_bad_rule_is_400_naming_the_field(api, rule, field):
    error = api.refused("POST", "/slas", {**sla(), "rules": [rule]}, status=400)
    assert error["details"][0]["field"] == field


def test_duplicate_rule_ids_are_400(api):
    rules = [{"id": "r", "kind": "resolution", "target": 60}] * 2
    error = api.refused("POST", "/slas", {**sla(), "rules": rules}, status=400)
    assert error["details"][0]["field"] == "rules[1].id"


@pytest.mark.parametrize(
    "target", ["l2", "l2@example.com, boss@example.com", "arn:aws:sqs:eu-west-1:123456789012:q"]
)
def test_a_notify_target_that_is_no_address_or_topic_is_400_and_nothing_is_stored(api, target):
    escalations = [{"after_breach": "PT30M", "notify": ["l2@example.com", target]}]
    rules = [{"id": "r", "kind": "resolution", "target": "PT4H", "escalations": escalations}]
    error = api.refused("POST", "/slas", {**sla(), "rules": rules}, status=400)
    assert error["details"][0]["field"] == "rules[0].escalations[0].notify[1]"


def test_an_sns_topic_is_a_notify_target(api):
    topic = "arn:aws:sns:eu-west-1:123456789012:sladesk-l2"
    escalations = [{"after_breach": "PT30M", "notify": [topic]}]
    rules = [{"id": "r", "kind": "resolution", "target": "PT4H", "escalations": escalations}]
    created = api.ok("POST", "/slas", {**sla(), "rules": rules})
    assert created["rules"][0]["escalations"][0]["notify"] == [topic]


def test_unknown_sla_ids_are_404(api, policy):
    api.refused("GET", "/slas/sla_missing", status=404)
    api.refused("PUT", "/slas/sla_missing", sla(), status=404)
    api.refused("GET", "/slas/sla_missing/versions/1", status=404)
    api.refused("GET", f"/slas/{policy['id']}/versions/2", status=404)


def test_agents_read_but_do_not_write_slas(api, policy):
    api.ok("GET", f"/slas/{policy['id']}/versions/1", role="agent")
    api.refused("POST", "/slas", sla(), role="agent", status=403)
    api.refused("PUT", f"/slas/{policy['id']}", sla(), role="manager", status=403)


def test_policy_from_body_gives_the_domain_policy(api, policy):
    from datetime import timedelta

    from chalicelib.domain.sla import RuleKind
    from chalicelib.services.slas import load_sla_version

    domain = load_sla_version(policy["id"], 1)
    assert domain.version == 1
    assert domain.calendar_id == policy["calendar_id"]
    assert domain.pause_in_columns == frozenset({"wait"})
    react, resolve, in_work = domain.rules
    assert react.target == timedelta(minutes=10)
    assert react.warn_before == timedelta(minutes=5)
    assert resolve.escalations[0].after_breach == timedelta(minutes=30)
    assert resolve.escalations[0].notify == ("l2@example.com",)
    assert in_work.kind is RuleKind.TIME_IN_COLUMN
    assert in_work.column_id == "work"
