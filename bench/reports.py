"""Benchmark of the compliance reports: DynamoDB reads and time of a 90-day report; what-if speed.

    .venv/bin/python -m bench.reports [cards ...]     (default: 10000 100000)

For each card count, an emulated (moto, in process) stack is filled with that
many finished cards over 90 days (two finished timers each: first reaction and
resolution, with varied card fields), each day's aggregates are computed and
written as the aggregate job does (``day_aggregates`` + ``replace_day``; the
job's stop-day index query is skipped because moto answers every index query
by scanning the whole table), and then the 90-day report is asked for: all
timers, one card-dimension filter and board + SLA + kind + tag (aggregates),
and, up to 10,000 cards, two combined card filters (the finished timers).
Each line counts the DynamoDB calls and items read, and the best of three
wall times.

The what-if part re-evaluates 10,000 card histories (created, commented,
moved to done) under draft rules with the pure engine, as
``POST /slas/{id}/simulate`` does once the histories are read.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import botocore.client

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.pop("SLADESK_DYNAMODB_ENDPOINT", None)

FIRST_DAY = date(2026, 8, 3)
DAYS = 90
RANGE = (FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))


@contextmanager
def counted():
    """Counts DynamoDB calls and the items their answers carried."""
    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        answer = original(self, operation, params)
        calls[f"{operation} calls"] += 1
        calls["items read"] += len(answer.get("Items", ()))
        return answer

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


def fill(cards: int, rng: random.Random) -> dict[str, list]:
    """``cards`` finished cards, two finished timers each, stopped over the 90 days, by day."""
    from chalicelib.adapters.timer_items import TimerItem, stored_timer_of

    by_day: dict[str, list] = {}
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC)
    with TimerItem.batch_write() as batch:
        for n in range(cards):
            stopped = start + timedelta(seconds=rng.randrange(DAYS * 86400))
            fields = {
                "card_id": f"SUP-{n}",
                "board_id": "brd_bench",
                "title": f"Card {n}",
                "card_type": rng.choice(("bug", "question", "task")),
                "service": rng.choice(("web", "mobile", "api")),
                "assignee": f"agent{rng.randrange(20)}",
                "lane_id": rng.choice(("standard", "premium")),
                "tags": rng.sample(("vip", "web", "billing", "eu", "beta"), rng.randrange(3)),
                "sla_id": rng.choice(("sla_premium", "sla_standard")),
                "sla_name": "Bench",
                "sla_version": 1,
            }
            for rule, kind, target in (
                ("react", "first_reaction", 600),
                ("resolve", "resolution", 14400),
            ):
                elapsed = rng.expovariate(1 / target)
                item = TimerItem(
                    f"CARD#SUP-{n}",
                    f"TIMER#{fields['sla_id']}#{rule}",
                    **fields,
                    rule_id=rule,
                    kind=kind,
                    status="met" if elapsed <= target else "missed",
                    target_seconds=target,
                    elapsed_seconds=round(elapsed),
                    started_at=stopped - timedelta(seconds=elapsed),
                    stopped_at=stopped,
                    stop_day=stopped.date().isoformat(),
                    derived_seq=2,
                )
                batch.save(item)
                by_day.setdefault(item.stop_day, []).append(stored_timer_of(item))
    return by_day


def best_of_three(run) -> tuple[float, Counter[str]]:
    timings = []
    for _ in range(3):
        with counted() as calls:
            began = time.perf_counter()
            run()
            timings.append(time.perf_counter() - began)
    return min(timings), calls


def bench_reports(cards: int) -> None:
    from moto import mock_aws

    from chalicelib.adapters.report_store import get_report_store
    from chalicelib.adapters.tables import create_tables
    from chalicelib.domain.reports import Granularity
    from chalicelib.services.aggregates import day_aggregates
    from chalicelib.services.reports import report_scope, sla_report

    with mock_aws():
        create_tables()
        began = time.perf_counter()
        by_day = fill(cards, random.Random(cards))
        filled = time.perf_counter() - began
        began = time.perf_counter()
        store = get_report_store()
        written = sum(store.replace_day(day, day_aggregates(day, t)) for day, t in by_day.items())
        job = time.perf_counter() - began
        print(
            f"\n{cards:,} cards ({2 * cards:,} finished timers): filled in {filled:.0f} s; "
            f"{DAYS} days aggregated into {written:,} items in {job:.1f} s"
        )
        print(
            "| report (90 days, by day) | source | DynamoDB calls | items read | best wall time |"
        )
        print("| --- | --- | --- | --- | --- |")
        cases = [
            ("all timers", {}),
            ("one filter (assignee)", {"assignee": "agent3"}),
            (
                "board + SLA + rule kind + tag",
                {
                    "board_id": "brd_bench",
                    "sla_id": "sla_premium",
                    "rule_kind": "resolution",
                    "tag": "vip",
                },
            ),
            ("two card filters (type + lane)", {"card_type": "bug", "lane_id": "premium"}),
        ]
        for name, filters in cases:
            if len(filters) == 2 and cards > 10_000:
                continue  # moto scans the table per index query: hours, not seconds
            scope = report_scope(*RANGE, "UTC", filters)
            answer = {}

            def run(scope=scope, answer=answer):
                answer.update(sla_report(scope, Granularity.DAY))

            wall, calls = best_of_three(run)
            reads = sum(n for key, n in calls.items() if key.endswith("calls"))
            print(
                f"| {name} | {answer['source']} | {reads} | {calls['items read']:,} | "
                f"{wall * 1000:.0f} ms |"
            )


def bench_simulation(cards: int = 10_000) -> None:
    from chalicelib.domain.calendar import ALWAYS_OPEN
    from chalicelib.domain.events import CardEvent, EventKind
    from chalicelib.domain.sla import RuleKind, SlaPolicy, SlaRule
    from chalicelib.domain.timers import PinnedPolicy, evaluate

    rng = random.Random(7)
    rules = (
        SlaRule("react", RuleKind.FIRST_REACTION, timedelta(minutes=15)),
        SlaRule("resolve", RuleKind.RESOLUTION, timedelta(hours=8)),
        SlaRule("in_work", RuleKind.TIME_IN_COLUMN, timedelta(hours=2), column_id="work"),
    )
    draft = {"sla": PinnedPolicy(SlaPolicy("sla", 1, "Bench", rules), ALWAYS_OPEN)}
    start = datetime(2026, 8, 3, tzinfo=UTC)
    histories = []
    for _ in range(cards):
        opened = start + timedelta(seconds=rng.randrange(DAYS * 86400))
        at = [opened + timedelta(seconds=s) for s in sorted(rng.sample(range(1, 86400), 3))]
        histories.append(
            [
                CardEvent(
                    1, opened, EventKind.CREATED, {"column_id": "queue", "column_kind": "queue"}
                ),
                CardEvent(
                    2,
                    opened,
                    EventKind.SLA_ATTACHED,
                    {"sla_id": "sla", "sla_version": 1, "calendar_version": None},
                ),
                CardEvent(3, at[0], EventKind.COMMENTED, {"public": True, "author_role": "agent"}),
                CardEvent(
                    4, at[1], EventKind.MOVED, {"column_id": "work", "column_kind": "in_progress"}
                ),
                CardEvent(5, at[2], EventKind.MOVED, {"column_id": "done", "column_kind": "done"}),
            ]
        )
    now = start + timedelta(days=DAYS + 1)
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        for history in histories:
            evaluate(history, draft, now)
        timings.append(time.perf_counter() - began)
    best = min(timings)
    print(
        f"\nWhat-if: {cards:,} card histories re-evaluated under draft rules (3 rules) "
        f"in {best:.2f} s ({cards / best:,.0f} cards/s), best of three"
    )


def main(argv: list[str]) -> None:
    from chalicelib.bootstrap import wire_aws

    wire_aws()
    for cards in [int(arg) for arg in argv] or [10_000, 100_000]:
        bench_reports(cards)
    bench_simulation()


if __name__ == "__main__":
    main(sys.argv[1:])
