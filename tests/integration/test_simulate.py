"""What-if: the SLA's cards finished in a range, evaluated again under draft rules."""

from __future__ import annotations

import pytest

from tests.integration.pipeline_support import PREMIUM
from tests.integration.report_support import ReportDesk, utc

RANGE = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def desk(api, clock):
    reports = ReportDesk(api, clock)
    reports.finish(utc(2026, 11, 2, 9), 5)  # both met
    reports.finish(utc(2026, 11, 2, 10), 30)  # reaction missed by 20 min, resolution met
    reports.finish(utc(2026, 11, 9, 9), 300)  # both missed
    reports.settle()
    return reports


def simulate(desk, rules, **extra):
    body = {"rules": rules, **RANGE, **extra}
    return desk.api.ok("POST", f"/slas/{desk.sla_id}/simulate", body, role="manager", status=200)


def test_the_unchanged_policy_simulates_to_what_actually_happened(desk):
    answer = simulate(desk, PREMIUM["rules"], granularity="week")
    assert answer["cards"] == 3
    assert answer["changed"] == []
    assert answer["changed_count"] == 0
    for bucket in answer["buckets"]:
        assert bucket["draft"] == bucket["actual"]
    report = desk.report(**RANGE, granularity="week", sla_id=desk.sla_id)
    assert [
        {name: b[name] for name in ("met", "missed", "compliance")} for b in report["buckets"]
    ] == [b["actual"] for b in answer["buckets"]]
    assert answer["totals"]["actual"] == {"met": 3, "missed": 3, "compliance": 0.5}


def test_a_looser_target_turns_the_late_reaction_into_a_met_one(desk):
    rules = [dict(rule) for rule in PREMIUM["rules"]]
    rules[0] = {**rules[0], "target": "PT30M", "warn_before": None}
    answer = simulate(desk, rules)
    assert answer["totals"]["draft"] == {"met": 4, "missed": 2, "compliance": 4 / 6}
    assert answer["changed_count"] == 1
    (changed,) = answer["changed"]
    assert changed["card_id"] == desk.cards[1].card_id
    assert changed["changes"] == [
        {
            "rule_id": "react",
            "kind": "first_reaction",
            "actual": "missed",
            "draft": "met",
            "actual_overdue_seconds": 20 * 60,
            "draft_overdue_seconds": 0,
        }
    ]
    # Nothing was changed by trying.
    assert desk.api.ok("GET", f"/slas/{desk.sla_id}")["version"] == 1


def test_a_draft_is_checked_like_a_policy(desk):
    bad = [{"id": "r", "kind": "time_in_column", "target": "PT1H"}]
    error = desk.api.refused(
        "POST",
        f"/slas/{desk.sla_id}/simulate",
        {"rules": bad, **RANGE},
        status=400,
        role="manager",
    )
    assert "column_id" in str(error)
    desk.api.refused(
        "POST",
        "/slas/sla_unknown/simulate",
        {"rules": PREMIUM["rules"], **RANGE},
        status=404,
        role="manager",
    )
    desk.api.refused(
        "POST",
        f"/slas/{desk.sla_id}/simulate",
        {"rules": PREMIUM["rules"], **RANGE},
        status=403,
        role="agent",
    )
