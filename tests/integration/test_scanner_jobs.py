"""The jobs by name: ``POST /dev/run/{job}`` and the local stack's scheduler."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from chalice.test import Client

from chalicelib.services.jobs import JOBS, Job
from devstack.scheduler import Scheduler
from tests.integration import test_dev_routes


@pytest.fixture
def dev_client(tables, clock):
    """A client of the dev routes' app (a blueprint joins one app per process: that one)."""
    with Client(test_dev_routes.app) as client:
        yield client


def test_a_job_runs_at_the_clocks_now_and_says_what_it_did(dev_client):
    response = dev_client.http.post("/dev/run/breach_scan")
    assert response.status_code == 200
    assert response.json_body["job"] == "breach_scan"
    assert response.json_body["now"] == "2026-11-02T09:00:00Z"
    assert response.json_body["raised"] == 0
    assert dev_client.http.post("/dev/run/digest").status_code == 200


def test_an_unknown_job_is_404(dev_client):
    response = dev_client.http.post("/dev/run/launch_rockets")
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"


def test_the_registry_holds_the_alert_jobs_with_their_rates():
    assert JOBS["breach_scan"].rate == timedelta(minutes=1)
    assert JOBS["digest"].rate == timedelta(minutes=5)


def test_the_scheduler_fires_each_job_at_the_dev_clocks_now(clock):
    seen = []
    done = threading.Event()

    def record(now: datetime) -> dict:
        seen.append(now)
        done.set()
        return {}

    with Scheduler({"probe": Job(record, timedelta(hours=1))}) as scheduler:
        assert done.wait(30)  # a bound only: the first firing is at start
    assert seen == [datetime(2026, 11, 2, 9, 0, tzinfo=UTC)]
    assert scheduler.runs == {"probe": 1}


def test_a_failing_job_is_logged_and_the_scheduler_goes_on(clock):
    def broken(now: datetime) -> dict:
        raise RuntimeError("boom")

    scheduler = Scheduler({"broken": Job(broken, timedelta(minutes=1))})
    assert scheduler.fire("broken") is None
    assert scheduler.runs == {"broken": 0}
