"""The local stack's /dev routes through Chalice's test client, on moto tables."""

import json
import threading
from datetime import UTC, datetime
from email.message import EmailMessage

import boto3
import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.adapters.outbox import OutboxItem, record_delivery
from chalicelib.adapters.stream_drain import answer_drain, drain_handled, drain_requested
from chalicelib.api import dev
from chalicelib.api.dev import dev_routes

SENDER = "desk@sladesk.example"

# An app with only the dev routes. Chalice can register a blueprint on one app
# per process only, hence one app for the whole module.
app = Chalice(app_name="dev-routes-test")
app.register_blueprint(dev_routes)


@pytest.fixture
def client(tables, monkeypatch, tmp_path):
    """A client of the dev routes, with the local stack's SLADESK_DEV=1."""
    monkeypatch.setenv("SLADESK_DEV", "1")
    # No project config in tmp_path: no stage variables replace the tables' names.
    with Client(app, project_dir=str(tmp_path)) as test_client:
        yield test_client


def post_json(client, path, body):
    return client.http.post(
        path,
        headers={"Content-Type": "application/json"},
        body=body if isinstance(body, str) else json.dumps(body),
    )


def test_the_clock_reads_wall_time_until_set(client):
    before = datetime.now(UTC)
    response = client.http.get("/dev/clock")
    assert response.status_code == 200
    now = response.json_body["now"]
    assert now.endswith("Z")
    assert before <= datetime.fromisoformat(now) <= datetime.now(UTC)


def test_setting_the_clock_answers_and_keeps_that_instant_in_utc(client):
    response = post_json(client, "/dev/clock", {"now": "2026-11-02T12:00:00+03:00"})
    assert response.status_code == 200
    assert response.json_body == {"now": "2026-11-02T09:00:00Z"}
    assert client.http.get("/dev/clock").json_body == {"now": "2026-11-02T09:00:00Z"}


def test_advancing_the_clock_moves_it_on(client):
    post_json(client, "/dev/clock", {"now": "2026-11-02T09:00:00Z"})
    response = post_json(client, "/dev/clock", {"advance_seconds": 600})
    assert response.json_body == {"now": "2026-11-02T09:10:00Z"}
    response = post_json(client, "/dev/clock", {"advance_seconds": 0.25})
    assert response.json_body == {"now": "2026-11-02T09:10:00.250000Z"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"now": "2026-11-02T09:00:00"}, "now"),
        ({"now": "tomorrow"}, "now"),
        ({"now": 1}, "now"),
        ({"advance_seconds": -1}, "advance_seconds"),
        ({"advance_seconds": "60"}, "advance_seconds"),
        ({"advance_seconds": True}, "advance_seconds"),
        ({"advance_seconds": 1e12}, "advance_seconds"),
        ({"now": "2026-11-02T09:00:00Z", "advance_seconds": 1}, "advance_seconds"),
        ({}, "now"),
        ({"speed": 2}, "speed"),
    ],
)
def test_bad_clock_changes_are_refused_naming_the_field(client, body, field):
    post_json(client, "/dev/clock", {"now": "2026-11-02T09:00:00Z"})

    response = post_json(client, "/dev/clock", body)

    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "validation_error"
    assert field in [detail["field"] for detail in error["details"]]
    assert client.http.get("/dev/clock").json_body == {"now": "2026-11-02T09:00:00Z"}


def test_a_body_that_is_not_json_is_refused(client):
    response = post_json(client, "/dev/clock", "{now")
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "invalid_json"


@pytest.fixture
def pump_stand_in():
    """Answers drain requests as the local stack's stream pump does, from another thread."""
    stop = threading.Event()

    def answer_requests():
        while not stop.wait(0.01):
            answer_drain(drain_requested())

    thread = threading.Thread(target=answer_requests)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_drain_answers_once_the_pump_has_caught_up(client, pump_stand_in):
    response = client.http.post("/dev/drain")
    assert response.status_code == 200
    assert response.json_body == {"drained": True}
    assert drain_handled() >= 1


def test_drain_without_a_pump_gives_up_after_its_timeout(client, monkeypatch):
    monkeypatch.setattr(dev, "DRAIN_TIMEOUT_SECONDS", 0.05)
    response = client.http.post("/dev/drain")
    assert response.status_code == 503
    assert response.json_body["error"]["code"] == "drain_timeout"


def test_the_outbox_is_empty_before_anything_is_sent(client):
    assert client.http.get("/dev/outbox").json_body == {"items": []}


def raw_mail(event, card_id, date):
    mail = EmailMessage()
    mail["From"] = SENDER
    mail["To"] = "olga@shop.example"
    mail["Subject"] = "Нарушен SLA: SUP-1"
    mail["Date"] = date
    mail["X-Sladesk-Event"] = event
    mail["X-Sladesk-Card-Id"] = card_id
    mail.set_content("Первая реакция просрочена.\n")
    return mail.as_bytes()


def test_the_outbox_lists_mail_sns_and_recorded_deliveries_oldest_first(client):
    # GIVEN a breach mail (raw, as notifiers send it), an SNS alert sent earlier,
    # a webhook delivery in between, and a plain mail that names no event
    ses = boto3.client("ses")
    ses.verify_domain_identity(Domain="sladesk.example")
    mail_id = ses.send_raw_email(
        RawMessage={"Data": raw_mail("sla_breach", "SUP-1", "Mon, 02 Nov 2026 09:10:00 +0000")}
    )["MessageId"]
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ivan@bank.example"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Plain"}}},
    )
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="sladesk-alerts")["TopicArn"]
    sns_id = sns.publish(
        TopicArn=topic,
        Subject="SLA warning: SUP-1",
        Message="First reaction due in 5 minutes",
        MessageAttributes={
            "event": {"DataType": "String", "StringValue": "sla_warning"},
            "card_id": {"DataType": "String", "StringValue": "SUP-1"},
            "sent_at": {"DataType": "String", "StringValue": "2026-11-02T09:05:00Z"},
        },
    )["MessageId"]
    record_delivery(
        OutboxItem(
            channel="webhook",
            to="https://hooks.example/sla",
            subject=None,
            body='{"event": "sla_warning"}',
            at=datetime(2026, 11, 2, 9, 6, tzinfo=UTC),
            event="sla_warning",
            card_id="SUP-1",
            message_id="delivery-1",
        )
    )

    # WHEN the outbox is read
    items = client.http.get("/dev/outbox").json_body["items"]

    # THEN the mail without a send time comes first, then the others by time
    assert [(item["channel"], item["at"]) for item in items] == [
        ("email", None),
        ("sns", "2026-11-02T09:05:00Z"),
        ("webhook", "2026-11-02T09:06:00Z"),
        ("email", "2026-11-02T09:10:00Z"),
    ]
    assert items[1] == {
        "channel": "sns",
        "to": topic,
        "subject": "SLA warning: SUP-1",
        "body": "First reaction due in 5 minutes",
        "at": "2026-11-02T09:05:00Z",
        "event": "sla_warning",
        "card_id": "SUP-1",
        "message_id": sns_id,
    }
    assert items[3] == {
        "channel": "email",
        "to": "olga@shop.example",
        "subject": "Нарушен SLA: SUP-1",
        "body": "Первая реакция просрочена.\n",
        "at": "2026-11-02T09:10:00Z",
        "event": "sla_breach",
        "card_id": "SUP-1",
        "message_id": mail_id,
    }
    assert items[0]["to"] == "ivan@bank.example"
    assert (items[0]["event"], items[0]["card_id"]) == (None, None)


def test_the_outbox_reads_what_was_sent_not_the_emulators_state_dump(client, monkeypatch):
    # GIVEN a sent mail and an emulator whose full state dump (/moto-api/data.json) fails
    from moto.moto_api._internal.responses import MotoAPIResponse

    def no_dump(*args, **kwargs):
        raise AssertionError("the outbox read moto's full state dump")

    monkeypatch.setattr(MotoAPIResponse, "model_data", no_dump)
    ses = boto3.client("ses")
    ses.verify_domain_identity(Domain="sladesk.example")
    mail_id = ses.send_raw_email(
        RawMessage={"Data": raw_mail("sla_breach", "SUP-1", "Mon, 02 Nov 2026 09:10:00 +0000")}
    )["MessageId"]

    # WHEN the outbox is read, twice (the second read reuses the parsed message)
    first = client.http.get("/dev/outbox")
    second = client.http.get("/dev/outbox")

    # THEN it lists the mail both times without touching the dump
    assert first.status_code == second.status_code == 200
    assert [item["message_id"] for item in first.json_body["items"]] == [mail_id]
    assert second.json_body == first.json_body


def test_in_the_local_stack_each_mail_is_read_as_it_is_sent(client, monkeypatch):
    # GIVEN the local stack's emulator patch, and a mail sent through it
    from chalicelib.adapters import outbox
    from devstack import sent_mail

    undo = sent_mail.apply()
    try:
        ses = boto3.client("ses")
        ses.verify_domain_identity(Domain="sladesk.example")
        mail_id = ses.send_raw_email(
            RawMessage={"Data": raw_mail("sla_breach", "SUP-2", "Mon, 02 Nov 2026 09:10:00 +0000")}
        )["MessageId"]
    finally:
        undo()

    # WHEN the outbox is read, with reading a mail now failing
    def no_parse(message):
        raise AssertionError("the outbox parsed a mail on read")

    monkeypatch.setattr(outbox, "_raw_mail", no_parse)
    items = client.http.get("/dev/outbox").json_body["items"]

    # THEN the mail was read when it was sent
    assert [(item["message_id"], item["card_id"]) for item in items] == [(mail_id, "SUP-2")]
