"""A bounded load test of the local stack on loopback, and a check of what it left behind.

Starts ``python -m devstack`` (empty, on free ports, clock standing still),
makes a board with a 24/7 SLA that an automation attaches to every card, then
runs stages of a fixed number of requests at increasing target rates. Each
stage is open-loop: request *i* is due at ``i / rate`` seconds, whatever the
answers before it took, and worker threads (one HTTP session each) send them.
The mix is intake (the form's JSON post), moves of cards opened earlier,
reads (one card with live timers, a page of the board) and the compliance
report. Every stage stops after its requests or its time limit, whichever
comes first; the script stops the stack when it is done.

Afterwards, with the stream drained: every accepted intake must have made
exactly one card (each request carries a unique subject), and every card's
stored timers (what the stream handler wrote) must equal the live timers the
API derives from the card's history at the same instant.

Run with ``.venv/bin/python -m bench.load`` (``--help`` for the sizes).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import boto3
import requests

PROJECT_DIR = Path(__file__).resolve().parents[1]
ADMIN_KEY = "sld_load-admin-key"
NOW = "2026-11-02T09:00:00Z"
TIMERS_TABLE = "sladesk-local-timers"
# The stack's output, kept for reading its errors after the run.
LOG = PROJECT_DIR / "test-artifacts" / "load-stack.log"
START_TIMEOUT = 90.0
REQUEST_TIMEOUT = 10.0
HEADER = "| stage | target req/s | requests | achieved req/s | p50 ms | p95 ms | p99 ms | errors |"
# Share of each kind of request in a stage.
MIX = (
    ("intake", 0.35),
    ("move", 0.15),
    ("read_card", 0.25),
    ("list_cards", 0.15),
    ("report", 0.10),
)


@dataclass
class Outcome:
    """One request: its kind, status (0 for no answer) and latency in ms."""

    kind: str
    status: int
    ms: float


@dataclass
class Desk:
    """The stack under test and what the run has made in it."""

    url: str
    board_id: str
    sla_id: str
    opened: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    local: threading.local = field(default_factory=threading.local)

    def session(self) -> requests.Session:
        """This thread's HTTP session (keep-alive), with the admin key."""
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        return self.local.session


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_stack(log: Path) -> tuple[subprocess.Popen, str, str]:
    """The local stack, once its banner is out: (process, API URL, emulator URL)."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "SMTP_PORT": str(free_port()),
        "SLADESK_ADMIN_KEY": ADMIN_KEY,
        "SLADESK_DEMO": "0",
    }
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text()
        if "Ctrl-C stops it." in text:
            emulator = re.search(r"emulator\s+(http://\S+)", text).group(1)
            return process, f"http://127.0.0.1:{port}", emulator
        if process.poll() is not None:
            raise SystemExit(f"the local stack exited:\n{text}")
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the local stack did not start in {START_TIMEOUT:.0f} s")


def prepare(url: str) -> Desk:
    """A board, a 24/7 SLA and the automation that attaches it to every card; the clock set."""
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {ADMIN_KEY}"

    def post(path: str, body: dict) -> dict:
        answer = admin.post(url + path, json=body, timeout=REQUEST_TIMEOUT)
        answer.raise_for_status()
        return answer.json()

    post("/dev/clock", {"now": NOW})
    board = post(
        "/boards",
        {
            "name": "Load",
            "key": "LOAD",
            "columns": [
                {"id": "queue", "name": "Queue", "kind": "queue"},
                {"id": "work", "name": "In progress", "kind": "in_progress"},
                {"id": "done", "name": "Done", "kind": "done"},
            ],
            "lanes": [{"id": "main", "name": "Main"}],
        },
    )
    sla = post(
        "/slas",
        {
            "name": "Load SLA",
            "calendar_id": None,
            "rules": [
                {"id": "react", "kind": "first_reaction", "target": "PT10M"},
                {"id": "resolve", "kind": "resolution", "target": "PT4H"},
            ],
        },
    )
    post("/automations", {"name": "all", "board_id": board["id"], "attach": [sla["id"]]})
    return Desk(url, board["id"], sla["id"])


def send(desk: Desk, kind: str, serial: int, rng: random.Random) -> requests.Response:
    """One request of ``kind`` (an intake when there is no card to move yet); its answer."""
    session, url = desk.session(), desk.url
    if kind == "move":
        with desk.lock:
            card_id = rng.choice(desk.opened) if desk.opened else None
        if card_id is not None:
            column = rng.choice(["queue", "work", "done"])
            body = {"column_id": column}
            return session.post(f"{url}/cards/{card_id}/move", json=body, timeout=REQUEST_TIMEOUT)
        kind = "intake"
    if kind == "intake":
        subject = f"load request {serial}"
        body = {
            "name": "Load tester",
            "email": f"tester{serial}@load.example",
            "subject": subject,
            "message": "The checkout button does nothing.",
        }
        answer = session.post(
            f"{url}/intake/form/{desk.board_id}", json=body, timeout=REQUEST_TIMEOUT
        )
        with desk.lock:
            desk.subjects.append(subject)
            if answer.status_code == 201:
                desk.opened.append(answer.json()["id"])
        return answer
    if kind == "read_card":
        with desk.lock:
            card_id = rng.choice(desk.opened) if desk.opened else "LOAD-1"
        return session.get(f"{url}/cards/{card_id}", timeout=REQUEST_TIMEOUT)
    if kind == "list_cards":
        params = {"board_id": desk.board_id, "limit": 20}
        return session.get(f"{url}/cards", params=params, timeout=REQUEST_TIMEOUT)
    params = {"from": "2026-11-01", "to": "2026-11-30", "board_id": desk.board_id}
    return session.get(f"{url}/reports/sla", params=params, timeout=REQUEST_TIMEOUT)


def timed(desk: Desk, kind: str, serial: int, rng: random.Random) -> Outcome:
    """``send``, measured; a request that got no answer has status 0."""
    started = time.perf_counter()
    try:
        status = send(desk, kind, serial, rng).status_code
    except requests.RequestException:
        status = 0
    return Outcome(kind, status, (time.perf_counter() - started) * 1000)


def run_stage(
    desk: Desk, rate: float, count: int, limit: float, workers: int, first_serial: int
) -> tuple[list[Outcome], float]:
    """``count`` requests due at ``rate`` per second (open loop); outcomes and time taken."""
    rng = random.Random(first_serial)
    kinds = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX], k=count)
    started = time.perf_counter()
    stop_at = started + limit
    outcomes: list[Outcome] = []

    def job(index: int) -> Callable[[], None]:
        def run() -> None:
            due = started + index / rate
            # Past the stage's limit nothing more is sent, not even requests already late.
            if due > stop_at or time.perf_counter() > stop_at:
                return
            time.sleep(max(0.0, due - time.perf_counter()))
            outcomes.append(timed(desk, kinds[index], first_serial + index, random.Random(index)))

        return run

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for index in range(count):
            pool.submit(job(index))
    return outcomes, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def stored_timers(emulator: str, card_id: str) -> dict[tuple[str, str], tuple]:
    """The timers the stream handler stored for the card, read from the emulator's table."""
    client = boto3.client(
        "dynamodb",
        endpoint_url=emulator,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    items = client.query(
        TableName=TIMERS_TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :timer)",
        ExpressionAttributeValues={":pk": {"S": f"CARD#{card_id}"}, ":timer": {"S": "TIMER#"}},
    )["Items"]

    def instant(item: dict, name: str) -> datetime | None:
        raw = item.get(name, {}).get("S")
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%f%z") if raw else None

    return {
        (item["sla_id"]["S"], item["rule_id"]["S"]): (
            item["status"]["S"],
            instant(item, "deadline"),
            instant(item, "stopped_at"),
        )
        for item in items
    }


def live_timers(desk: Desk, card_id: str) -> dict[tuple[str, str], tuple]:
    """The timers the API derives from the card's history now."""
    card = desk.session().get(f"{desk.url}/cards/{card_id}", timeout=REQUEST_TIMEOUT).json()

    def instant(raw: str | None) -> datetime | None:
        return datetime.fromisoformat(raw) if raw else None

    return {
        (t["sla_id"], t["rule_id"]): (t["status"], instant(t["deadline"]), instant(t["stopped_at"]))
        for t in card["timers"]
    }


def check(desk: Desk, emulator: str) -> list[str]:
    """What the run left behind that it should not have; empty when all is well."""
    session = desk.session()
    assert session.post(f"{desk.url}/dev/drain", json={}, timeout=60).json() == {"drained": True}
    cards, cursor = [], None
    while True:
        params = {"board_id": desk.board_id, "limit": 100, **({"next": cursor} if cursor else {})}
        page = session.get(f"{desk.url}/cards", params=params, timeout=REQUEST_TIMEOUT).json()
        cards.extend(page["items"])
        if not (cursor := page["next"]):
            break
    problems = []
    titles = Counter(card["title"] for card in cards)
    if set(card["id"] for card in cards) != set(desk.opened):
        problems.append(f"{len(cards)} cards on the board, {len(desk.opened)} intakes accepted")
    problems += [f"{title!r} is {n} cards" for title, n in titles.items() if n != 1]
    for card in cards:
        stored, live = stored_timers(emulator, card["id"]), live_timers(desk, card["id"])
        if not stored or stored != live:
            problems.append(f"{card['id']}: stored timers {stored} != derived {live}")
    return problems


def report(stage: str, rate: float, outcomes: list[Outcome], seconds: float) -> str:
    """One row of the results table."""
    ok = [o for o in outcomes if 200 <= o.status < 400]
    errors = len(outcomes) - len(ok)
    latencies = [o.ms for o in outcomes] or [0.0]
    return (
        f"| {stage} | {rate:.0f} | {len(outcomes)} | {len(outcomes) / seconds:.1f} | "
        f"{statistics.median(latencies):.0f} | {percentile(latencies, 0.95):.0f} | "
        f"{percentile(latencies, 0.99):.0f} | {errors} |"
    )


def main() -> None:
    """Run the stages, print the table and the check, stop the stack."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rates", default="2,5,10,20", help="target requests/s per stage")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="requests per stage = rate × this"
    )
    parser.add_argument(
        "--limit", type=float, default=30.0, help="a stage sends nothing after this long"
    )
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext():
        process, url, emulator = start_stack(LOG)
        try:
            desk = prepare(url)
            print(HEADER)
            print("| --- | --- | --- | --- | --- | --- | --- | --- |")
            everything: list[Outcome] = []
            serial = 0
            for number, rate in enumerate(rates, 1):
                count = int(rate * args.seconds)
                outcomes, seconds = run_stage(desk, rate, count, args.limit, args.workers, serial)
                serial += count
                everything += outcomes
                print(report(str(number), rate, outcomes, seconds), flush=True)
            print()
            by_kind = Counter(o.kind for o in everything)
            for kind, _ in MIX:
                mine = [o.ms for o in everything if o.kind == kind] or [0.0]
                failed = sum(1 for o in everything if o.kind == kind and not 200 <= o.status < 400)
                print(
                    f"{kind:<11} {by_kind[kind]:>5} requests  p50 {statistics.median(mine):6.0f} ms"
                    f"  p95 {percentile(mine, 0.95):6.0f} ms  errors {failed}"
                )
            statuses = Counter(o.status for o in everything)
            print(f"statuses: {dict(sorted(statuses.items()))}")
            problems = check(desk, emulator)
            print(
                f"after the run: {len(desk.opened)} intakes accepted, "
                f"{len(set(desk.subjects))} sent; "
                + (
                    "every accepted intake is one card, stored timers = derived timers"
                    if not problems
                    else f"{len(problems)} problems:\n  " + "\n  ".join(problems[:20])
                )
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
