"""Cold start as a user pays it: importing the handler's module plus its first event, per kind.

A Lambda cold start imports the handler's module and then handles one event
with nothing warm yet (no client, no connection, no lazily imported code).
Each repeat starts a fresh interpreter per row, which takes the time of
``import app`` and of the first event handed to the function's handler, as
Lambda hands it (an API Gateway proxy event, a stream batch, a scheduled
event, an SNS notification), with a Lambda-like context. The baseline is a
bare Chalice app whose one route makes one DynamoDB call with boto3. Rows
alternate within a repeat, so all see the same machine; the numbers are
medians. Every AWS call goes to moto's server on loopback, seeded once
beforehand through the app itself (a board, SLAs, a few cards, an API key,
stored mail). Interpreter start-up is left out; our own modules are compiled
from source on every run (no bytecode is written), as in Lambda, where the
package carries none. Target: the API's first ``GET /cards`` stays within
the ratio to the bare app recorded in ``bench/README.md``. Run with
``.venv/bin/python -m bench.cold_start`` (``--repeats`` to change the count).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
API_KEY = "sk_bench_cold_start"
INBOUND_BUCKET = "sladesk-bench-inbound-mail"
REGION = "us-east-1"

BARE_APP = '''"""The smallest Chalice app that talks to AWS: one route, one DynamoDB call."""
import boto3
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/cards")
def cards():
    item = boto3.client("dynamodb").get_item(
        TableName="sladesk-cards", Key={"pk": {"S": "CARD#none"}, "sk": {"S": "CARD"}}
    )
    return {"found": "Item" in item}
'''

# One run: the import of ``module``, then its handler ``name`` given the event in a file.
CHILD = '''
import json, sys, time


class Context:
    """What Lambda hands a handler besides the event."""

    function_name = "sladesk-cold-start"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:sladesk-cold-start"
    aws_request_id = "cold-start"
    log_group_name = "/aws/lambda/sladesk-cold-start"
    log_stream_name = "cold-start"

    def get_remaining_time_in_millis(self):
        return 300_000


module, name, event_file = sys.argv[1:4]
with open(event_file) as file:
    event = json.load(file)
started = time.perf_counter()
entry = __import__(module)
imported = time.perf_counter()
answer = getattr(entry, name)(event, Context())
done = time.perf_counter()
print(json.dumps({"import": (imported - started) * 1000, "first": (done - started) * 1000,
                  "answer": answer}, default=str))
'''


def api_event(
    path: str, query: dict[str, str], method: str = "GET", body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event of ``method path?query`` with the bench's key."""
    headers = {"authorization": f"Bearer {API_KEY}", "host": "bench.local"}
    if body is not None:
        headers["content-type"] = "application/json"
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()},
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "cold-start-request",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def scheduled_event() -> dict[str, Any]:
    """The EventBridge event of a schedule."""
    return {
        "version": "0",
        "id": "cold-start-schedule",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:000000000000:rule/cold-start"],
        "detail": {},
    }


def mail_event(key: str) -> dict[str, Any]:
    """The SNS event of SES's notification that it stored the message ``key`` in S3."""
    verdicts = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")
    message = {
        "notificationType": "Received",
        "mail": {"source": "requester@example.com", "messageId": key},
        "receipt": {
            "recipients": ["support@sladesk.local"],
            **{verdict: {"status": "PASS"} for verdict in verdicts},
            "action": {"type": "S3", "bucketName": INBOUND_BUCKET, "objectKey": key},
        },
    }
    topic = f"arn:aws:sns:{REGION}:000000000000:sladesk-inbound-mail"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:cold-start",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"cold-start-{key}",
                    "TopicArn": topic,
                    "Subject": "Amazon SES Email Receipt Notification",
                    "Message": json.dumps(message),
                    "Timestamp": datetime.now(UTC).isoformat(),
                    "MessageAttributes": {},
                },
            }
        ]
    }


def _use_emulator(endpoint: str) -> None:
    # As deployed: no SLADESK_DEV, default table names; every AWS call goes to the emulator.
    for name in [name for name in os.environ if name.startswith(("SLADESK_", "AWS_"))]:
        del os.environ[name]
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "SLADESK_DYNAMODB_ENDPOINT": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )


def _seed(repeats: int) -> tuple[str, list[dict[str, Any]]]:
    """Tables, a key, a board, an SLA, cards and stored mail; (board id, first stream batch)."""
    import boto3

    sys.path.insert(0, str(PROJECT_DIR))
    import app as sladesk
    from chalicelib.adapters.tables import create_tables
    from chalicelib.services.keys import ensure_key

    context = SimpleNamespace(
        function_name="sladesk-seed",
        memory_limit_in_mb=1024,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:sladesk-seed",
        aws_request_id="seed",
    )
    create_tables(wait=True)
    ensure_key(API_KEY, "cold start", "admin")
    boto3.client("ses").verify_email_identity(EmailAddress="support@sladesk.local")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="sladesk-attachments")
    s3.create_bucket(Bucket=INBOUND_BUCKET)

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = sladesk.app(api_event(path, {}, "POST", body), context)
        if answer["statusCode"] >= 300:
            raise RuntimeError(f"POST {path}: {answer['statusCode']} {answer['body']!r}")
        return json.loads(answer["body"])

    # The demo of the local stack, written out here: bench/ does not import devstack.
    workday = [["10:30", "16:00"]]
    week = {day: workday for day in ("mon", "tue", "wed", "thu", "fri")}
    calendar = post("/calendars", {"name": "Support hours", "timezone": "UTC", "week": week})
    board = post(
        "/boards",
        {
            "name": "Support",
            "key": "SUP",
            "columns": [
                {"id": "queue", "name": "Queue", "kind": "queue"},
                {"id": "work", "name": "In progress", "kind": "in_progress"},
                {"id": "done", "name": "Done", "kind": "done"},
            ],
            "lanes": [{"id": "standard", "name": "Standard"}],
        },
    )
    rules = [
        {"id": "react", "kind": "first_reaction", "target": "PT1H", "warn_before": "PT10M"},
        {"id": "resolve", "kind": "resolution", "target": "PT8H", "warn_before": "PT1H"},
    ]
    sla = post("/slas", {"name": "Standard", "calendar_id": calendar["id"], "rules": rules})
    post(
        "/automations",
        {"name": "all", "board_id": board["id"], "when": {}, "attach": [sla["id"]]},
    )
    for n in range(5):
        post(
            "/cards",
            {
                "board_id": board["id"],
                "title": f"Printer {n} is jammed",
                "requester": {"email": f"requester{n}@example.com"},
            },
        )
    for n in range(repeats + 1):
        mail = EmailMessage()
        mail["From"] = f"Requester {n} <requester{n}@example.com>"
        mail["To"] = "support@sladesk.local"
        mail["Subject"] = f"The printer on floor {n} is jammed"
        mail["Message-ID"] = f"<cold-start-{n}@example.com>"
        mail.set_content("It has been jammed since this morning.\n")
        s3.put_object(Bucket=INBOUND_BUCKET, Key=f"mail-{n}", Body=mail.as_bytes())
    return board["id"], _first_stream_batch()


def _first_stream_batch() -> list[dict[str, Any]]:
    """The cards table's first stream records (one card's), as Lambda hands them over."""
    import boto3

    table = boto3.client("dynamodb").describe_table(TableName="sladesk-cards")["Table"]
    arn = table["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=10)["Records"]
    first_card = records[0]["dynamodb"]["Keys"]["pk"]
    batch = []
    for record in records:
        if record["dynamodb"]["Keys"]["pk"] != first_card:
            continue
        image = dict(record["dynamodb"])
        image["ApproximateCreationDateTime"] = int(image["ApproximateCreationDateTime"].timestamp())
        batch.append(
            {
                "eventID": record["eventID"],
                "eventName": record["eventName"],
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "eventSourceARN": arn,
                "dynamodb": image,
            }
        )
    return batch


def _run(module: str, handler: str, event: dict[str, Any], cwd: Path, folder: Path) -> dict:
    event_file = folder / "event.json"
    event_file.write_text(json.dumps(event, default=str))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(cwd)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, module, handler, str(event_file)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module}.{handler} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(kind: str, answer: Any) -> None:
    """Every first event must have done its work, or the time says nothing."""
    if kind in ("api", "bare") and answer.get("statusCode") != 200:
        raise RuntimeError(f"{kind}: {answer}")
    if kind == "stream" and answer.get("batchItemFailures"):
        raise RuntimeError(f"stream: {answer}")


def main() -> None:
    """Seed the emulator, then measure every row ``--repeats`` times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout of sladesk (say, of main before a change): its API row is added",
    )
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        _use_emulator(f"http://{host}:{port}")
        board_id, batch = _seed(args.repeats)
        rows: dict[str, tuple[str, str, str, str, Any]] = {
            "the API, first GET /cards": (
                "api",
                "here",
                "app",
                "app",
                lambda n: api_event("/cards", {"board_id": board_id}),
            ),
            "the stream, first batch": (
                "stream",
                "here",
                "app",
                "recompute_timers",
                lambda n: {"Records": batch},
            ),
            "a scheduled job (breach scan)": (
                "scheduled",
                "here",
                "app",
                "breach_scan",
                lambda n: scheduled_event(),
            ),
            "the mail handler, first message": (
                "mail",
                "here",
                "app",
                "receive_inbound_mail",
                lambda n: mail_event(f"mail-{n}"),
            ),
            "bare Chalice + boto3, one GetItem": (
                "bare",
                "bare",
                "bare_app",
                "app",
                lambda n: api_event("/cards", {}),
            ),
        }
        if args.compare is not None:
            rows[f"the API, first GET /cards ({args.compare.name})"] = (
                "api",
                "compare",
                "app",
                "app",
                rows["the API, first GET /cards"][4],
            )
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            (folder / "bare_app.py").write_text(BARE_APP)
            cwd = {"here": PROJECT_DIR, "bare": folder, "compare": args.compare or PROJECT_DIR}
            runs: dict[str, list[dict]] = {row: [] for row in rows}
            # One unmeasured run each (its mail is the spare message), for a warm disk cache.
            for kind, where, module, handler, event in rows.values():
                spare = _run(module, handler, event(args.repeats), cwd[where], folder)
                _check(kind, spare["answer"])
            for n in range(args.repeats):
                for row, (kind, where, module, handler, event) in rows.items():
                    run = _run(module, handler, event(n), cwd[where], folder)
                    _check(kind, run["answer"])
                    runs[row].append(run)
    finally:
        server.stop()
    bare = statistics.median(run["first"] for run in runs["bare Chalice + boto3, one GetItem"])
    print(
        f"{'function: import + first event':<36} {'import':>7} {'+ first':>8} "
        f"{'min':>7} {'max':>7} {'× bare':>7}"
    )
    for row, measured in runs.items():
        first = [run["first"] for run in measured]
        print(
            f"{row:<36} {statistics.median(run['import'] for run in measured):>7.1f} "
            f"{statistics.median(first):>8.1f} {min(first):>7.1f} {max(first):>7.1f} "
            f"{statistics.median(first) / bare:>7.2f}"
        )
    print(
        f"ms, medians of {args.repeats} repeats, Python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
