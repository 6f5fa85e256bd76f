"""Shared test settings and fixtures: no test ever reaches a real AWS account."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
# moto's DynamoDB Streams answers 404 on describe_stream without this.
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
# Chalice's test client sets the dev stage's variables during each request;
# the same table names outside requests let fixtures create and inspect them.
_STAGE = json.loads((Path(__file__).parent.parent / ".chalice" / "config.json").read_text())
for _name, _value in _STAGE["stages"]["dev"]["environment_variables"].items():
    os.environ.setdefault(_name, _value)
# PynamoDB must talk to moto, never to an emulator endpoint left in the environment.
os.environ.pop("SLADESK_DYNAMODB_ENDPOINT", None)


@pytest.fixture
def tables():
    """Fresh moto tables, created from the models, for one test."""
    from moto import mock_aws

    from chalicelib.adapters.tables import create_tables

    with mock_aws():
        create_tables()
        yield


@pytest.fixture
def clock():
    """A clock standing still at 2026-11-02 09:00 UTC (a Monday) for one test."""
    from chalicelib.adapters.clock import FixedClock, use_clock

    fixed = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    use_clock(fixed)
    yield fixed
    use_clock(None)
