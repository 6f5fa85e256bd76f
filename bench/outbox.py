"""How long ``GET /dev/outbox`` takes with many messages sent (10,000 by default).

The emulator (moto, in process, with ``devstack.sent_mail`` applied as the
local stack applies it) is given that many alert mails, raw MIME as the
e-mail channel sends them, through SES's ``SendRawEmail``; then the route is
read through the app (``chalice.test.Client``): the first read, then further
reads, each as wall time and as this process's CPU time (what the read costs
whatever else the machine runs). ``--unpatched`` leaves each mail to be
read on the outbox's first read.
A DynamoDB table of the same size of cards is not needed: the outbox never
reads the emulator's state dump, only what was sent.

Run with ``.venv/bin/python -m bench.outbox`` (``--help`` for the sizes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any


def mail(number: int, sent: datetime) -> bytes:
    """One breach alert as the e-mail channel sends it."""
    message = EmailMessage()
    message["From"] = "alerts@sladesk.example"
    message["To"] = f"agent{number % 20}@desk.example"
    message["Subject"] = f"SLA breached: LOAD-{number}"
    message["Date"] = format_datetime(sent)
    message["X-Sladesk-Event"] = "sla_breach"
    message["X-Sladesk-Card-Id"] = f"LOAD-{number}"
    message.set_content(f"First reaction of LOAD-{number} is overdue.\n")
    return message.as_bytes()


def main() -> None:
    """Send the mails, read the outbox, print the times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sent", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=10)
    parser.add_argument(
        "--unpatched", action="store_true", help="mail read on the outbox's first read instead"
    )
    args = parser.parse_args()
    os.environ.update(
        {"SLADESK_DEV": "1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x",
         "AWS_SECRET_ACCESS_KEY": "x"}
    )  # fmt: skip
    import boto3
    from chalice import Chalice
    from chalice.test import Client
    from moto import mock_aws
    from moto.ses.models import SESBackend

    from chalicelib.adapters.outbox import remember
    from chalicelib.adapters.tables import create_tables
    from chalicelib.api.dev import dev_routes
    from chalicelib.bootstrap import wire_aws

    # The dev routes alone, as app.py registers them under SLADESK_DEV=1.
    app = Chalice(app_name="outbox-bench")
    app.register_blueprint(dev_routes)
    with mock_aws(), tempfile.TemporaryDirectory() as project_dir:
        create_tables()
        wire_aws()
        if not args.unpatched:
            # What devstack/sent_mail.py does in the local stack: each mail read as it is sent.
            original = SESBackend.send_raw_email

            def send_raw_email(self: SESBackend, *args: Any, **kwargs: Any) -> Any:
                message = original(self, *args, **kwargs)
                remember(message)
                return message

            SESBackend.send_raw_email = send_raw_email  # type: ignore[method-assign]
        ses = boto3.client("ses")
        ses.verify_domain_identity(Domain="sladesk.example")
        start = datetime(2026, 11, 2, 9, tzinfo=UTC)
        began = time.perf_counter()
        for number in range(args.sent):
            ses.send_raw_email(RawMessage={"Data": mail(number, start + timedelta(seconds=number))})
        print(f"sent {args.sent} mails in {time.perf_counter() - began:.1f} s")
        with Client(app, project_dir=project_dir) as client:
            times, cpu = [], []
            for _ in range(args.reads + 1):
                began, began_cpu = time.perf_counter(), time.process_time()
                answer = client.http.get("/dev/outbox")
                times.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
                assert answer.status_code == 200
                assert len(answer.json_body["items"]) == args.sent
            print(
                f"GET /dev/outbox with {args.sent} sent: first read {times[0]:.0f} ms "
                f"(CPU {cpu[0]:.0f} ms); then median {statistics.median(times[1:]):.0f} ms "
                f"(CPU {statistics.median(cpu[1:]):.0f} ms), max {max(times[1:]):.0f} ms over "
                f"{args.reads} reads; load average {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
