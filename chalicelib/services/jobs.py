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
from importlib import import_module
from typing import Any


@dataclass(frozen=True, slots=True)
class Job:
    """A scheduled job: ``run(now)`` answers what it did; it runs every ``rate``."""

    run: Callable[[datetime], dict[str, Any]]
    rate: timedelta


def _on_first_run(module: str, function: str) -> Callable[[datetime], dict[str, Any]]:
    """``module.function``, imported when the job first runs.

    Every function of the app imports this table (``app.py`` reads the rates);
    only the scheduled function that runs a job pays for importing its code.
    """

    def run(now: datetime) -> dict[str, Any]:
        return getattr(import_module(module), function)(now)

    run.__name__ = run.__qualname__ = function
    return run


JOBS: dict[str, Job] = {
    "breach_scan": Job(
        _on_first_run("chalicelib.services.scanner", "scan_due_timers"), timedelta(minutes=1)
    ),
    "digest": Job(
        _on_first_run("chalicelib.services.digest", "send_digests"), timedelta(minutes=5)
    ),
    "aggregate": Job(
        _on_first_run("chalicelib.services.aggregates", "run_aggregate"), timedelta(minutes=5)
    ),
}
