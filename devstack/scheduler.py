"""The local stack's scheduler: fires each scheduled job of ``JOBS`` on its rate.

Rates are kept in wall-clock time, and each run acts at the dev clock's now
(``get_clock()``). So a clock standing still sees the same instant again and
again, which the jobs answer by doing nothing new (every alert is recorded
once), and a clock set or advanced is acted on at the next firing, within a
rate (a minute for the breach scan). ``POST /dev/run/{job}`` runs a job at
once without waiting. Every job fires once when the stack starts.

Also here: the chat sink, a loopback server that stands in for Slack and
Telegram so that chat deliveries of the local stack reach no one outside
and still show in ``GET /dev/outbox``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3

from chalicelib.adapters.clock import get_clock
from chalicelib.services.jobs import JOBS, Job
from devstack.part import Part
from devstack.threads import join_or_leave

logger = logging.getLogger(__name__)

# How often the scheduler looks whether a job is due: well under the shortest rate.
_POLL_SECONDS = 1.0


class Scheduler(Part):
    """A thread that runs each job every ``job.rate`` of wall-clock time; a context manager."""

    def __init__(self, jobs: Mapping[str, Job] | None = None) -> None:
        self._jobs = dict(JOBS if jobs is None else jobs)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self.runs: dict[str, int] = dict.fromkeys(self._jobs, 0)

    def start(self) -> None:
        """Start firing jobs in a thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop firing, waiting a bounded time for a job under way."""
        self._stop.set()
        # A job left running is idempotent and reruns at the next start's first firing.
        join_or_leave(self._thread, "a scheduled job")

    def _run(self) -> None:
        due = dict.fromkeys(self._jobs, time.monotonic())
        while not self._stop.is_set():
            for name, job in self._jobs.items():
                if time.monotonic() >= due[name]:
                    due[name] = time.monotonic() + job.rate.total_seconds()
                    self.fire(name)
            self._stop.wait(_POLL_SECONDS)

    def fire(self, name: str) -> dict[str, Any] | None:
        """Run one job at the dev clock's now; a failure is logged and retried at its next rate."""
        try:
            result = self._jobs[name].run(get_clock().now())
        except Exception:
            logger.exception("scheduled job %s failed", name)
            return None
        self.runs[name] += 1
        return result


class ChatSink(Part):
    """Answers every POST as Slack and Telegram would accept it; a context manager."""

    def __init__(self, host: str) -> None:
        self._server = ThreadingHTTPServer((host, 0), _SinkHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        """Serve in a thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


class _SinkHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"ok": True, "result": {"message_id": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the outbox says what was delivered."""


ALERTS_TOPIC = "sladesk-local-alerts"
ALERTS_TOPIC_ENV = "SLADESK_ALERTS_TOPIC_ARN"
_CHAT_DEFAULTS = ("SLACK_API_BASE", "TELEGRAM_API_BASE")


def start_alerts(running: ExitStack, host: str) -> Scheduler:
    """What alerts need on the local stack: their SNS topic, the chat sink and the scheduler.

    The topic's ARN is in ``SLADESK_ALERTS_TOPIC_ARN`` (a target for ``sns``
    subscriptions); ``SLACK_API_BASE`` and ``TELEGRAM_API_BASE`` default to the
    chat sink, and ``TELEGRAM_BOT_TOKEN`` to a local token.
    """
    topic = boto3.client("sns").create_topic(Name=ALERTS_TOPIC)["TopicArn"]
    os.environ.setdefault(ALERTS_TOPIC_ENV, topic)
    sink = running.enter_context(ChatSink(host))
    for name in _CHAT_DEFAULTS:
        os.environ.setdefault(name, sink.url)
    os.environ.setdefault("TELEGRAM_BOT_TOKEN", "local-telegram-token")
    return running.enter_context(Scheduler())
