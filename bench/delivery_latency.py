"""Benchmark: how long an alert due at once takes to be sent, in the local stack.

Starts the local stack (what ``make run`` starts), subscribes an e-mail
address and a signed webhook (a sink on loopback) to ``card_created``, opens
cards one by one at spread-out instants and measures, for each, from the
answer of ``POST /cards`` to the e-mail showing in ``GET /dev/outbox`` and to
the webhook reaching the sink. The stream function only records the alert;
the breach scan (every minute) sends it (``docs/design.md``, "Deliveries").
Run with ``.venv/bin/python -m bench.delivery_latency [cards]``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.e2e.stack import RunningStack, local_stack

POLL_SECONDS = 0.2
WAIT_SECONDS = 150
SPREAD_SECONDS = 13  # cards land at different phases of the scan's minute


class Sink:
    """A webhook receiver on loopback: when each card's alert arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.arrived.setdefault(str(body.get("card_id")), time.monotonic())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _subscribe(stack: RunningStack, board_id: str, sink: Sink) -> None:
    for body in (
        {"channel": "email", "target": "ops@example.com"},
        {"channel": "webhook", "target": sink.url, "secret": "bench-secret-long-enough"},
    ):
        answer = stack.post(
            "/subscriptions", {**body, "board_id": board_id, "events": ["card_created"]}
        )
        answer.raise_for_status()


def _mailed(stack: RunningStack) -> set[str]:
    items = stack.get("/dev/outbox").json()["items"]
    return {
        str(i["card_id"]) for i in items if i["channel"] == "email" and i["event"] == "card_created"
    }


def run(cards: int) -> dict[str, list[float]]:
    """Open ``cards`` cards; seconds from each opening to its e-mail and its webhook."""
    sink = Sink()
    with tempfile.TemporaryDirectory() as tmp, local_stack(Path(tmp), demo=False) as stack:
        board = stack.post(
            "/boards",
            {
                "name": "Latency",
                "key": "LAT",
                "columns": [{"id": "queue", "name": "Queue", "kind": "queue"}],
                "lanes": [{"id": "main", "name": "Main"}],
            },
        ).json()
        _subscribe(stack, board["id"], sink)
        opened: dict[str, float] = {}
        mailed: dict[str, float] = {}
        for n in range(cards):
            card = stack.post("/cards", {"board_id": board["id"], "title": f"Card {n}"}).json()
            opened[card["id"]] = time.monotonic()
            pause_until = time.monotonic() + SPREAD_SECONDS
            while time.monotonic() < pause_until:
                _watch(stack, opened, mailed)
        ends = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < ends and (
            len(mailed) < cards or len(set(sink.arrived) & set(opened)) < cards
        ):
            _watch(stack, opened, mailed)
        stack.stop()
    sink.server.shutdown()
    return {
        "email": [mailed[c] - opened[c] for c in opened if c in mailed],
        "webhook": [sink.arrived[c] - opened[c] for c in opened if c in sink.arrived],
    }


def _watch(stack: RunningStack, opened: dict[str, float], mailed: dict[str, float]) -> None:
    now = time.monotonic()
    for card_id in _mailed(stack) & set(opened):
        mailed.setdefault(card_id, now)
    time.sleep(POLL_SECONDS)


def main() -> None:
    cards = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    results = run(cards)
    print("| channel | cards sent | min s | median s | max s |")
    print("| --- | --- | --- | --- | --- |")
    for channel, seconds in results.items():
        if not seconds:
            print(f"| {channel} | 0 of {cards} | - | - | - |")
            continue
        print(
            f"| {channel} | {len(seconds)} of {cards} | {min(seconds):.1f} "
            f"| {statistics.median(seconds):.1f} | {max(seconds):.1f} |"
        )


if __name__ == "__main__":
    main()
