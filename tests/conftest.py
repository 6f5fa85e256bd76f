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


@pytest.fixture(autouse=True)
def aws_ports():
    """Every test starts with the ports wired to the AWS adapters, as a Lambda does;
    the service tier (tests/service) re-wires them to the in-memory fakes."""
    from chalicelib.bootstrap import wire_aws

    wire_aws()


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


class Api:
    """The HTTP API through Chalice's test client, with one key per role."""

    def __init__(self, client, keys):
        self.client = client
        self.keys = keys

    def call(self, method, path, body=None, *, role="admin", raw=None, headers=None):
        """Send a request as ``role`` (None: no Authorization header); answers the response."""
        sent = {"Content-Type": "application/json"}
        if role is not None:
            sent["Authorization"] = f"Bearer {self.keys[role]}"
        sent.update(headers or {})
        payload = raw if raw is not None else (None if body is None else json.dumps(body))
        return getattr(self.client.http, method.lower())(path, headers=sent, body=payload)

    def ok(self, method, path, body=None, *, role="admin", status=None):
        """Send a request that must succeed; answers the JSON body."""
        response = self.call(method, path, body, role=role)
        expected = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        assert response.status_code == expected, response.body
        return response.json_body

    def stored(self):
        """Every item of every table: to prove a refused request wrote nothing."""
        import boto3

        from chalicelib.adapters.tables import table_models

        client = boto3.client("dynamodb")
        return {
            model.Meta.table_name: sorted(
                json.dumps(item, sort_keys=True)
                for item in client.scan(TableName=model.Meta.table_name)["Items"]
            )
            for model in table_models()
        }

    def refused(self, method, path, body=None, *, status, role="admin", raw=None, headers=None):
        """Send a request that must be refused with ``status`` and change nothing stored."""
        before = self.stored()
        response = self.call(method, path, body, role=role, raw=raw, headers=headers)
        assert response.status_code == status, response.body
        assert set(response.json_body) == {"error"}
        assert {"code", "message"} <= set(response.json_body["error"])
        assert self.stored() == before
        return response.json_body["error"]


@pytest.fixture
def api(clock):
    """The app over fresh moto tables, with a key for each role."""
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.adapters.tables import create_tables
    from chalicelib.services.keys import ensure_key

    with mock_aws(), Client(app) as client:
        create_tables()
        keys = {role: f"test-{role}-key" for role in ("admin", "manager", "agent", "intake")}
        for role, raw_key in keys.items():
            ensure_key(raw_key, role, role)
        yield Api(client, keys)
