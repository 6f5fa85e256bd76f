"""Benchmark: the breach scanner's DynamoDB reads and wall time per tick against idle timers.

In the emulator (moto, in process), 20 cards with real histories each have a
warning due at the tick (the same 20 due timers every time), beside 0,
10,000 and 100,000 idle timers: running timers whose next check point is
later, in the very buckets the tick walks (today's, the worst case) and in
the following days'. The reads must not grow with the idle timers. Run with
``.venv/bin/python -m bench.scanner`` (the 100,000 seeding takes minutes).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.client
from moto import mock_aws

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.pop("SLADESK_DYNAMODB_ENDPOINT", None)
# The metrics' EMF lines would interleave with the table on stdout.
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "1")

from chalicelib.adapters.clock import FixedClock, use_clock
from chalicelib.adapters.tables import create_tables
from chalicelib.adapters.timer_items import TimerItem
from chalicelib.bootstrap import wire_aws
from chalicelib.services.boards import create_board
from chalicelib.services.cards import open_card
from chalicelib.services.scanner import scan_due_timers
from chalicelib.services.slas import create_sla
from chalicelib.services.subscriptions import create_subscription
from chalicelib.services.timers import TimerRecompute

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DUE_CARDS = 20
IDLE = (0, 10_000, 100_000)
BOARD = {
    "name": "Bench",
    "key": "BEN",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "done", "name": "Done", "kind": "done"},
    ],
}
SLA = {
    "name": "Bench",
    "calendar_id": None,
    "rules": [{"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"}],
}


def seed_due(clock: FixedClock) -> None:
    """20 cards opened at T0 whose warnings fall due at T0 + 5 min, their timers stored."""
    board = create_board(BOARD)
    sla = create_sla(SLA)
    create_subscription(
        {"channel": "sns", "target": _topic(), "events": ["sla_warning"], "timezone": "UTC"}
    )
    clock.set(T0)
    recompute = TimerRecompute()
    for _ in range(DUE_CARDS):
        card = open_card({"board_id": board["id"], "title": "Due", "sla_ids": [sla["id"]]})
        recompute.card(card["id"])


def seed_idle(count: int) -> None:
    """``count`` running timers of other cards whose next check is later than the tick."""
    with TimerItem.batch_write() as batch:
        for n in range(count):
            next_check = T0 + timedelta(minutes=10 + (n % (3 * 24 * 60)))
            batch.save(
                TimerItem(
                    f"CARD#IDLE-{n}",
                    "TIMER#sla#react",
                    card_id=f"IDLE-{n}",
                    board_id="brd_idle",
                    title="Idle",
                    sla_id="sla",
                    sla_name="Idle",
                    sla_version=1,
                    rule_id="react",
                    kind="first_reaction",
                    status="running",
                    target_seconds=600,
                    next_check_at=next_check,
                    due_bucket=f"DUE#{next_check.date().isoformat()}",
                    derived_seq=1,
                )
            )


def _topic() -> str:
    return boto3.client("sns").create_topic(Name="bench-alerts")["TopicArn"]


def measure(idle: int) -> dict[str, Any]:
    """One scanner tick at T0 + 5 min beside ``idle`` idle timers: its calls and wall time."""
    clock = FixedClock(T0)
    use_clock(clock)
    with mock_aws():
        create_tables()
        seed_due(clock)
        started = time.perf_counter()
        seed_idle(idle)
        seeding = time.perf_counter() - started
        clock.set(T0 + timedelta(minutes=5))
        calls: Counter[str] = Counter()
        items_read = 0
        original = botocore.client.BaseClient._make_api_call

        def counting(self: Any, operation: str, params: dict[str, Any]) -> Any:
            nonlocal items_read
            answer = original(self, operation, params)
            calls[operation] += 1
            if operation == "Query":
                items_read += answer.get("Count", 0)
            elif operation == "GetItem" and "Item" in answer:
                items_read += 1
            return answer

        botocore.client.BaseClient._make_api_call = counting
        try:
            started = time.perf_counter()
            result = scan_due_timers(clock.now())
            wall = time.perf_counter() - started
        finally:
            botocore.client.BaseClient._make_api_call = original
    use_clock(None)
    return {
        "idle": idle,
        "seeding_s": seeding,
        "result": result,
        "reads": calls["Query"] + calls["GetItem"],
        "items_read": items_read,
        "calls": dict(calls),
        "wall_ms": wall * 1000,
    }


def main() -> None:
    wire_aws()
    sizes = [int(arg) for arg in sys.argv[1:]] or list(IDLE)
    print(
        "| idle timers | due timers | raised | sent | reads (Query + GetItem) | items read "
        "| all calls | tick wall time |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for idle in sizes:
        row = measure(idle)
        result = row["result"]
        print(
            f"| {idle:,} | {result['due_timers']} | {result['raised']} | {result['sent']} "
            f"| {row['reads']} | {row['items_read']} | {sum(row['calls'].values())} "
            f"| {row['wall_ms']:.0f} ms |",
            flush=True,
        )
        print(f"  calls: {row['calls']}  (seeding {row['seeding_s']:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
