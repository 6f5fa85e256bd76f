"""The scheduled jobs by name: what each does at an instant, and how often it runs.

``app.py`` schedules each job on AWS (``@app.schedule``) with its rate; the
local stack's scheduler (``devstack/scheduler.py``) fires them on the same
rates, and ``POST /dev/run/{job}`` runs one at once. Every job takes the
instant to act at (the server's clock) and answers, as JSON values, what it
did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.services.aggregates import run_aggregate
from chalicelib.services.digest import send_digests
from chalicelib.services.scanner import scan_due_timers


@dataclass(frozen=True, slots=True)
class Job:
    """A scheduled job: ``run(now)`` answers what it did; it runs every ``rate``."""

    run: Callable[[datetime], dict[str, Any]]
    rate: timedelta


JOBS: dict[str, Job] = {
    "breach_scan": Job(scan_due_timers, timedelta(minutes=1)),
    "digest": Job(send_digests, timedelta(minutes=5)),
    "aggregate": Job(run_aggregate, timedelta(minutes=5)),
}
