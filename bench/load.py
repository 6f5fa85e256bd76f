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

Then the stack is filled with more cards on the same board (``--fill``,
5,000 by default) and the same stages run again, so both columns of the
table come from one run, one stack. The stack's idle CPU (every process of
it, from ``/proc``, while nothing is sent) is measured empty and full, and
each stage prints the machine's load average: a shared machine's other work
shows there.

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
# Timers compared after the run: every card the stages opened, and this many of the fill.
FILL_SAMPLE = 300
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


def check(desk: Desk, emulator: str, compare: set[str] | None = None) -> list[str]:
    """What the run left behind that it should not have; empty when all is well.

    Every card must be one accepted intake; the timers of the cards in ``compare``
    (all when None) must be stored as derived.
    """
    session = desk.session()
    drain(desk)
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
        if compare is not None and card["id"] not in compare:
            continue
        stored, live = stored_timers(emulator, card["id"]), live_timers(desk, card["id"])
        if not stored or stored != live:
            problems.append(f"{card['id']}: stored timers {stored} != derived {live}")
    return problems


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process it started, from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def idle_cpu(pid: int, seconds: float) -> float:
    """The stack's CPU use while nothing is sent, in percent of one core."""
    pids = process_tree(pid)
    before, started = cpu_seconds(pids), time.perf_counter()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pids) - before) / (time.perf_counter() - started)


def fill(desk: Desk, count: int, workers: int, first_serial: int) -> float:
    """``count`` more cards on the board through the form, as fast as the stack takes them."""
    started = time.perf_counter()
    rng = random.Random(first_serial)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(
            pool.map(
                lambda serial: send(desk, "intake", serial, rng).status_code,
                range(first_serial, first_serial + count),
            )
        )
    refused = sum(1 for status in answers if status != 201)
    if refused:
        raise SystemExit(f"filling the stack: {refused} of {count} intakes refused")
    drain(desk)
    return time.perf_counter() - started


def drain(desk: Desk, attempts: int = 20) -> None:
    """Wait until the stream is handled: ``/dev/drain`` gives up after 30 s, so ask again."""
    for _ in range(attempts):
        answer = desk.session().post(f"{desk.url}/dev/drain", json={}, timeout=60)
        if answer.status_code == 200:
            return
    raise SystemExit(f"the stream was not handled after {attempts} drains")


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


def run_stages(
    desk: Desk, rates: list[float], args: argparse.Namespace, serial: int
) -> tuple[list[str], list[Outcome], int]:
    """Every stage once: the table's rows, every outcome, the next serial number."""
    rows: list[str] = []
    everything: list[Outcome] = []
    for number, rate in enumerate(rates, 1):
        count = int(rate * args.seconds)
        load = os.getloadavg()[0]
        outcomes, seconds = run_stage(desk, rate, count, args.limit, args.workers, serial)
        serial += count
        everything += outcomes
        rows.append(f"{report(str(number), rate, outcomes, seconds)} {load:.1f} |")
        print(rows[-1], flush=True)
    return rows, everything, serial


def by_kind(everything: list[Outcome]) -> list[str]:
    """One line per kind of request: count, p50, p95, errors."""
    counts = Counter(o.kind for o in everything)
    lines = []
    for kind, _ in MIX:
        mine = [o.ms for o in everything if o.kind == kind] or [0.0]
        failed = sum(1 for o in everything if o.kind == kind and not 200 <= o.status < 400)
        lines.append(
            f"| {kind} | {counts[kind]} | {statistics.median(mine):.0f} | "
            f"{percentile(mine, 0.95):.0f} | {failed} |"
        )
    return lines


def main() -> None:
    """Run the stages empty and after the fill, print the tables and the check, stop the stack."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rates", default="30", help="target requests/s per stage")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="requests per stage = rate × this"
    )
    parser.add_argument(
        "--limit", type=float, default=40.0, help="a stage sends nothing after this long"
    )
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--fill", type=int, default=5000, help="cards added between the runs")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measure")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    process, url, emulator = start_stack(LOG)
    try:
        desk = prepare(url)
        print(f"command: {' '.join(['python -m bench.load', *sys.argv[1:]])}")
        print(f"idle CPU of the stack, empty: {idle_cpu(process.pid, args.idle):.1f} % of a core")
        print(HEADER + " load average |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        empty_rows, empty, serial = run_stages(desk, rates, args, 0)
        opened_while_measured = set(desk.opened)
        fill_seconds = fill(desk, args.fill, args.workers, serial) if args.fill else 0.0
        fill_ids = [card for card in desk.opened if card not in opened_while_measured]
        serial += args.fill
        print(f"filled {len(fill_ids)} more cards in {fill_seconds:.0f} s")
        print(f"idle CPU of the stack, full: {idle_cpu(process.pid, args.idle):.1f} % of a core")
        full_rows, full, serial = run_stages(desk, rates, args, serial)
        opened_while_measured |= set(desk.opened) - set(fill_ids)
        print()
        print(
            f"| stage | target req/s | empty: achieved req/s | p50 ms | p95 ms | p99 ms | errors"
            f" | load average | +{args.fill} cards: achieved req/s | p50 ms | p95 ms | p99 ms"
            " | errors | load average |"
        )
        print("| --- " * 14 + "|")
        for before, after in zip(empty_rows, full_rows, strict=True):
            cells_before = before.strip("|").split("|")
            cells_after = after.strip("|").split("|")
            print("|" + "|".join(cells_before[:2] + cells_before[3:] + cells_after[3:]) + "|")
        print()
        print(
            f"| request | empty: count | p50 ms | p95 ms | errors | +{args.fill} cards: count"
            " | p50 ms | p95 ms | errors |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for before, after in zip(by_kind(empty), by_kind(full), strict=True):
            print(before + after.split("|", 2)[2])
        statuses = Counter(o.status for o in empty + full)
        print(f"statuses: {dict(sorted(statuses.items()))}")
        sample = set(random.Random(0).sample(fill_ids, min(FILL_SAMPLE, len(fill_ids))))
        problems = check(desk, emulator, opened_while_measured | sample)
        print(
            f"after the run: {len(desk.opened)} intakes accepted, "
            f"{len(set(desk.subjects))} sent; "
            + (
                "every accepted intake is one card; stored timers = derived timers on the "
                f"{len(opened_while_measured)} cards the stages opened and {len(sample)} of "
                "the fill"
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
