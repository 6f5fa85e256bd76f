"""Compliance reports over the real pipeline and the aggregate job: buckets, filters, CSV, rows.

Cards are resolved at chosen instants (see ``report_support``); the stream
is delivered to the timer pipeline, the aggregate job runs, and the report
routes must count exactly what the cards' outcomes say.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from tests.integration.report_support import TERMS, ReportDesk, utc

NOV = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def desk(api, clock):
    """Five resolved cards over November 2026 (UTC stops), with varied card fields."""
    reports = ReportDesk(api, clock)
    # Monday 2 November: one card fast (both met), one slow (both missed).
    reports.finish(utc(2026, 11, 2, 9), 5, card_type="bug", tags=["vip"], assignee="ann")
    reports.finish(
        utc(2026, 11, 2, 10),
        300,
        card_type="question",
        tags=["vip", "web"],
        assignee="bob",
        service="web",
        lane_id="premium",
    )
    # Tuesday 3 November, 22:30 UTC: already Wednesday 01:30 in Moscow.
    reports.finish(utc(2026, 11, 3, 20), 150, card_type="bug", assignee="ann", lane_id="premium")
    # Monday 9 November: the next ISO week.
    reports.finish(utc(2026, 11, 9, 9), 1, card_type="bug", tags=["web"], assignee="bob")
    # Resolved at 00:30 on 1 December: December, not November.
    reports.finish(utc(2026, 11, 30, 23), 90, card_type="bug", assignee="ann")
    reports.settle()
    return reports


def counts(answer):
    return [(b["start"], b["end"], b["met"], b["missed"]) for b in answer["buckets"]]


def expected_totals(cards, keep=lambda card, kind: True):
    met = missed = 0
    for card in cards:
        for kind, outcome in card.outcomes().items():
            if keep(card, kind):
                met += outcome == "met"
                missed += outcome == "missed"
    return met, missed


def test_daily_buckets_list_every_day_with_zeros_for_the_empty_ones(desk):
    answer = desk.report(**{"from": "2026-11-01", "to": "2026-11-04"})
    assert answer["source"] == "aggregates"
    assert counts(answer) == [
        ("2026-11-01", "2026-11-01", 0, 0),
        ("2026-11-02", "2026-11-02", 2, 2),
        ("2026-11-03", "2026-11-03", 1, 1),
        ("2026-11-04", "2026-11-04", 0, 0),
    ]
    assert [b["compliance"] for b in answer["buckets"]] == [None, 0.5, 0.5, None]
    assert answer["totals"]["met"] == 3
    assert answer["totals"]["compliance"] == 0.5
    # 300 min: reaction 290 min late, resolution 60; 150 min: reaction 140 min late.
    assert answer["totals"]["overdue_seconds"] == (290 + 60 + 140) * 60
    assert answer["credits"] is None


def test_iso_weeks_and_months(desk):
    weeks = desk.report(**NOV, granularity="week")
    assert counts(weeks)[:3] == [
        ("2026-11-01", "2026-11-01", 0, 0),
        ("2026-11-02", "2026-11-08", 3, 3),
        ("2026-11-09", "2026-11-15", 2, 0),
    ]
    assert [b["label"] for b in weeks["buckets"]][:2] == ["2026-W44", "2026-W45"]
    months = desk.report(**{"from": "2026-11-01", "to": "2026-12-31"}, granularity="month")
    assert counts(months) == [
        ("2026-11-01", "2026-11-30", 5, 3),
        ("2026-12-01", "2026-12-31", 1, 1),
    ]
    assert (months["totals"]["met"], months["totals"]["missed"]) == expected_totals(desk.cards)


def test_a_report_zone_moves_a_late_stop_to_its_local_day(desk):
    moscow = desk.report(**{"from": "2026-11-02", "to": "2026-11-04"}, tz="Europe/Moscow")
    assert moscow["source"] == "aggregates"
    assert counts(moscow) == [
        ("2026-11-02", "2026-11-02", 2, 2),
        ("2026-11-03", "2026-11-03", 0, 0),
        ("2026-11-04", "2026-11-04", 1, 1),
    ]
    # New York (UTC-5): the 00:30 UTC stop of 1 December is still 30 November.
    new_york = desk.report(**NOV, granularity="month", tz="America/New_York")
    assert counts(new_york) == [("2026-11-01", "2026-11-30", 6, 4)]


@pytest.mark.parametrize(
    ("name", "value", "keep"),
    [
        ("rule_kind", "first_reaction", lambda card, kind: kind == "first_reaction"),
        ("card_type", "bug", lambda card, kind: card.fields.get("card_type") == "bug"),
        ("tag", "vip", lambda card, kind: "vip" in card.fields.get("tags", [])),
        ("assignee", "bob", lambda card, kind: card.fields.get("assignee") == "bob"),
        ("service", "web", lambda card, kind: card.fields.get("service") == "web"),
        ("lane_id", "premium", lambda card, kind: card.fields.get("lane_id") == "premium"),
    ],
)
def test_each_filter_reads_the_aggregates_and_counts_only_its_timers(desk, name, value, keep):
    answer = desk.report(**NOV, granularity="month", **{name: value})
    assert answer["source"] == "aggregates"
    november = [card for card in desk.cards if card.stopped.month == 11]
    assert (answer["totals"]["met"], answer["totals"]["missed"]) == expected_totals(november, keep)
    assert answer["filters"] == {name: value}


def test_board_and_sla_filters(desk, api):
    other_sla = desk.desk.standard_id
    assert desk.report(**NOV, board_id=desk.desk.board_id)["totals"]["met"] == 5
    assert desk.report(**NOV, sla_id=desk.sla_id)["totals"]["met"] == 5
    assert desk.report(**NOV, sla_id=other_sla)["totals"]["met"] == 0
    assert desk.report(**NOV, board_id="brd_unknown")["totals"]["met"] == 0


def test_combined_card_filters_fall_back_to_the_finished_timers_with_the_same_counts(desk):
    answer = desk.report(**NOV, card_type="bug", assignee="ann", granularity="month")
    assert answer["source"] == "timers"
    november = [card for card in desk.cards if card.stopped.month == 11]

    def keep(card, kind):
        return card.fields.get("card_type") == "bug" and card.fields.get("assignee") == "ann"

    assert (answer["totals"]["met"], answer["totals"]["missed"]) == expected_totals(november, keep)


def test_the_csv_parses_back_to_the_json(desk):
    query = {**NOV, "granularity": "week", "tz": "Europe/Moscow"}
    answer = desk.report(**query)
    response = desk.api.call(
        "GET", "/reports/sla?" + _q({**query, "format": "csv"}), role="manager"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.body.decode("utf-8")
    assert not text.startswith("\ufeff")
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["start", "end", "met", "missed", "compliance"]
    assert len(rows) == len(answer["buckets"])  # no totals row
    parsed = [
        {
            "start": row["start"],
            "end": row["end"],
            "met": int(row["met"]),
            "missed": int(row["missed"]),
            "compliance": float(row["compliance"]) if row["compliance"] else None,
        }
        for row in rows
    ]
    assert parsed == [
        {name: bucket[name] for name in ("start", "end", "met", "missed", "compliance")}
        for bucket in answer["buckets"]
    ]


def test_drill_down_rows_add_up_to_each_bucket(desk):
    answer = desk.report(**NOV, granularity="week")
    for bucket in answer["buckets"]:
        rows = desk.rows(**{"from": bucket["start"], "to": bucket["end"]}, limit=1)
        statuses = Counter(row["status"] for row in rows)
        assert (statuses["met"], statuses["missed"]) == (bucket["met"], bucket["missed"])
    rows = desk.rows(**NOV, status="missed", rule_kind="resolution")
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {
        "card_id",
        "title",
        "sla_id",
        "sla_name",
        "rule_id",
        "kind",
        "status",
        "target_seconds",
        "elapsed_seconds",
        "overdue_seconds",
        "assignee",
        "card_type",
        "tags",
        "stopped_at",
    }
    assert row["stopped_at"] == "2026-11-02T15:00:00Z"
    assert (row["target_seconds"], row["elapsed_seconds"], row["overdue_seconds"]) == (
        14400,
        18000,
        3600,
    )
    assert row["tags"] == ["vip", "web"]


def test_drill_down_columns_and_csv(desk):
    query = {**NOV, "columns": "card_id,status,tags,stopped_at"}
    rows = desk.rows(**query)
    assert all(list(row) == ["card_id", "status", "tags", "stopped_at"] for row in rows)
    response = desk.api.call(
        "GET", "/reports/sla/cards?" + _q({**query, "format": "csv"}), role="manager"
    )
    parsed = list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))
    assert [{**row, "tags": json.loads(row["tags"])} for row in parsed] == rows
    desk.api.refused(
        "GET",
        "/reports/sla/cards?" + _q({**NOV, "columns": "title,secret"}),
        status=400,
        role="manager",
    )


def test_rerunning_the_aggregate_job_changes_nothing(desk):
    before = desk.api.stored()
    again = desk.settle()
    assert {day["day"] for day in again["days"]} <= {
        "2026-11-02",
        "2026-11-03",
        "2026-11-09",
        "2026-12-01",
    }
    after = desk.api.stored()
    reports_table = next(name for name in before if name.endswith("reports"))
    aggregates = [item for item in before[reports_table] if '"AGG#2026' in item]
    assert aggregates
    assert [item for item in after[reports_table] if '"AGG#2026' in item] == aggregates
    # A second run found every day unchanged and dropped the marks.
    assert desk.settle()["days"] == []


def test_a_reopened_card_counts_once_in_the_bucket_of_its_last_stop(desk, api, clock):
    card = desk.cards[0]  # resolved Monday 2 November 09:05
    clock.set(utc(2026, 11, 5, 9))
    desk.desk.move(card.card_id, "work")
    desk.settle()
    answer = desk.report(**{"from": "2026-11-02", "to": "2026-11-06"})
    assert counts(answer)[0] == ("2026-11-02", "2026-11-02", 1, 2)  # its resolution left
    clock.set(utc(2026, 11, 6, 9))
    desk.desk.move(card.card_id, "done")
    desk.settle()
    answer = desk.report(**{"from": "2026-11-02", "to": "2026-11-06"})
    assert counts(answer)[0] == ("2026-11-02", "2026-11-02", 1, 2)
    # Missed now: its resolution (4 days) and its 24 hours in "work" (2 allowed).
    assert counts(answer)[4] == ("2026-11-06", "2026-11-06", 0, 2)
    rows = desk.rows(**{"from": "2026-11-06", "to": "2026-11-06"}, rule_kind="resolution")
    assert [(row["card_id"], row["stopped_at"]) for row in rows] == [
        (card.card_id, "2026-11-06T09:00:00Z")
    ]
    everything = desk.rows(**{"from": "2026-11-01", "to": "2026-11-30"}, rule_kind="resolution")
    assert [row["card_id"] for row in everything].count(card.card_id) == 1


def test_refusals_name_the_field(desk):
    for query, field in [
        ({"from": "2026-11-05", "to": "2026-11-01"}, "from"),
        ({**NOV, "tz": "Mars/Olympus"}, "tz"),
        ({**NOV, "granularity": "year"}, "granularity"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({**NOV, "colour": "red"}, "colour"),
    ]:
        error = desk.api.refused("GET", "/reports/sla?" + _q(query), status=400, role="manager")
        assert field in json.dumps(error)
    desk.api.refused("GET", "/reports/sla?" + _q(NOV), status=403, role="agent")
    desk.api.refused("GET", "/reports/sla?" + _q(NOV), status=401, role=None)


def test_credits_with_and_without_a_monthly_cap(api, clock):
    uncapped = ReportDesk(api, clock, terms=TERMS)
    capped = ReportDesk(api, clock, terms={**TERMS, "monthly_cap": 100}, board=uncapped.desk)
    for reports in (uncapped, capped):
        # 300 minutes: two misses (2 x 50) and 290 + 60 minutes overdue (350/60 h x 10).
        reports.finish(utc(2026, 11, 2, 10), 300)
        reports.finish(utc(2026, 11, 3, 10), 5)
    capped.settle()
    free = uncapped.report(**NOV, sla_id=uncapped.sla_id)
    assert free["credits"] == {"amount": 158.33, "currency": "EUR"}
    assert free["buckets"][1]["credits"] == 158.33
    assert free["totals"]["credits"] == 158.33
    assert free["buckets"][0]["credits"] == 0
    limited = capped.report(**NOV, sla_id=capped.sla_id)
    assert limited["credits"] == {"amount": 100.0, "currency": "EUR"}
    response = api.call(
        "GET",
        "/reports/sla?" + _q({**NOV, "sla_id": capped.sla_id, "format": "csv"}),
        role="manager",
    )
    rows = list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))
    assert list(rows[0])[-1] == "credits"
    assert sum(float(row["credits"]) for row in rows) == 100.0
    # Without an SLA filter both SLAs (one currency) add up; the premium one has no terms.
    both = uncapped.report(**NOV)
    assert both["credits"] == {"amount": 258.33, "currency": "EUR"}
    assert {c["sla_id"] for c in both["credits_by_sla"]} == {uncapped.sla_id, capped.sla_id}


def _q(params):
    from urllib.parse import urlencode

    return urlencode(params)
