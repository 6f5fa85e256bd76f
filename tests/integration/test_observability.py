"""Logs and metrics of the entry points: what is emitted, and what never is.

The metrics tests run with ``SLADESK_DEV=1``, as the local stack does, so
that each flushed EMF blob is kept in the process and read back the way
``GET /dev/metrics`` reads it. Totals only grow, so each test compares
before and after.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from chalicelib.api import dev
from chalicelib.observability import captured_metrics, get_logger
from tests.integration.alert_support import fake_channels, subscribe, tick
from tests.integration.pipeline_support import Pipeline, make_desk
from tests.integration.test_hooks import post_slack, slack_payload, slack_request

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PLANTED = "sk-PLANTED-7f3a9c-do-not-log"


@pytest.fixture
def dev_mode(monkeypatch):
    monkeypatch.setenv("SLADESK_DEV", "1")


@pytest.fixture
def channels():
    yield from fake_channels()


def totals() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The captured totals by (name, dimensions without ``service``)."""
    return {
        (
            item["name"],
            tuple(sorted((k, v) for k, v in item["dimensions"].items() if k != "service")),
        ): item["value"]
        for item in captured_metrics()
    }


def grew(before: dict, after: dict, name: str, **dimensions: str) -> float:
    key = (name, tuple(sorted(dimensions.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_the_pipeline_scanner_and_deliveries_emit_their_metrics(api, clock, channels, dev_mode):
    desk = make_desk(api)
    pipeline = Pipeline(api.client)
    subscribe(api, desk.board_id, ["sla_warning", "sla_breach"])
    before = totals()

    # GIVEN a card opened through the API under the 24/7 premium SLA, through the stream
    card_id = desk.open(sla_ids=[desk.premium_id])
    batch = pipeline.drain()
    # WHEN its first reaction is late, then the card is taken into work
    clock.set(T0 + timedelta(minutes=10, seconds=1))
    tick()
    desk.move(card_id, "work")
    pipeline.drain()
    after = totals()

    # THEN the metrics say so, with their dimensions and with service alone
    assert grew(before, after, "CardsOpened", channel="api") == 1
    assert grew(before, after, "CardsOpened") == 1
    sla = {"sla_id": desk.premium_id}
    assert grew(before, after, "TimersStarted", **sla, rule_kind="first_reaction") == 1
    assert grew(before, after, "TimersStarted", **sla, rule_kind="resolution") == 1
    assert grew(before, after, "TimersStarted", **sla, rule_kind="time_in_column") == 1
    assert grew(before, after, "TimersMissed", **sla, rule_kind="first_reaction") == 1
    assert grew(before, after, "TimersMet", **sla, rule_kind="first_reaction") == 0
    sent = {"event": "sla_breach", "channel": "email"}
    assert grew(before, after, "NotificationsSent", **sent) == 1
    assert grew(before, after, "NotificationsSent", event="sla_warning", channel="email") == 1
    assert grew(before, after, "StreamBatchSize") >= len(batch)
    assert grew(before, after, "StreamRecordsFailed") == 0
    # The warning (at 5 min) and the breach (just after 10 min) waited for this tick.
    assert after[("ScannerLag", ())] >= 300
    assert after[("NotificationLatency", tuple(sorted(sent.items())))] >= 0


def test_delivery_failures_are_counted_by_event_and_channel(api, clock, channels, dev_mode):
    from chalicelib.adapters.channels import DeliveryError

    desk = make_desk(api)
    pipeline = Pipeline(api.client)
    subscribe(api, desk.board_id, ["sla_breach"])
    desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    before = totals()
    channels.failing_for_good = DeliveryError("email: MessageRejected", permanent=True)
    clock.set(T0 + timedelta(minutes=11))
    tick()
    after = totals()
    assert grew(before, after, "NotificationsFailed", event="sla_breach", channel="email") == 1
    assert grew(before, after, "NotificationsFailed") == 1
    assert grew(before, after, "NotificationsSent", event="sla_breach", channel="email") == 0


def test_chat_actions_are_counted_by_outcome(api, dev_mode, monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "test-slack-signing-secret")
    monkeypatch.setenv("SLACK_API_BASE", "http://127.0.0.1:9")  # answers are not the point here
    before = totals()
    post_slack(api, slack_payload("SUP-404"))
    after = totals()
    assert grew(before, after, "ChatActions", chat="slack", outcome="unknown_card") == 1
    assert grew(before, after, "ChatAnswersFailed", chat="slack") == 1


def test_dev_metrics_lists_every_total_in_the_contract_shape(api, dev_mode):
    desk = make_desk(api)
    desk.open()
    answer = dev.list_metrics()
    assert answer["items"]
    for item in answer["items"]:
        assert set(item) == {"name", "value", "unit", "dimensions"}
    assert {
        "name": "CardsOpened",
        "unit": "Count",
        "dimensions": {"service": "sladesk", "channel": "api"},
    }.items() <= next(
        item
        for item in answer["items"]
        if item["name"] == "CardsOpened" and "channel" in item["dimensions"]
    ).items()


def test_outside_the_local_stack_metrics_are_printed_as_emf(api, capfd, monkeypatch):
    monkeypatch.delenv("SLADESK_DEV", raising=False)
    make_desk(api).open()
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    opened = next(line for line in lines if "CardsOpened" in line)
    directive = opened["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "sladesk"
    assert directive["Dimensions"] == [["channel", "service"], ["service"]]
    assert directive["Metrics"] == [{"Name": "CardsOpened", "Unit": "Count"}]
    assert (opened["channel"], opened["service"]) == ("api", "sladesk")


def test_no_body_key_token_or_secret_reaches_the_logs(api, clock, capfd, monkeypatch):
    """A secret planted everywhere a request can carry one never appears in any log line."""
    logger = get_logger()
    level = logger.log_level
    logger.setLevel("DEBUG")  # the most a stack can be asked to log
    # The handler keeps the stream it was made with; point it at a buffer for this test.
    buffer = io.StringIO()
    stream = logger.registered_handler.setStream(buffer)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "test-slack-signing-secret")
    try:
        desk = make_desk(api)
        pipeline = Pipeline(api.client)
        # an API key that does not exist
        api.call("GET", "/cards", headers={"Authorization": f"Bearer {PLANTED}"}, role=None)
        # a card's text and a comment
        card_id = desk.open(description=f"my password is {PLANTED}")
        api.ok("POST", f"/cards/{card_id}/comments", {"body": PLANTED, "public": False})
        # an e-mail body
        mail = EmailMessage()
        mail["From"], mail["To"] = "ann@example.com", "support@acme.example"
        mail["Subject"], mail["Message-ID"] = "Login broken", "<m1@example.com>"
        mail.set_content(f"token: {PLANTED}")
        api.call(
            "POST",
            "/intake/email",
            role="intake",
            raw=mail.as_bytes(),
            headers={"Content-Type": "message/rfc822"},
        )
        # a webhook subscription's secret, and a delivery to it that fails
        api.ok(
            "POST",
            "/subscriptions",
            {
                "channel": "webhook",
                "target": "https://127.0.0.1:9/hook",
                "events": ["card_created"],
                "secret": PLANTED,
            },
            role="manager",
        )
        desk.open(title=PLANTED)
        pipeline.drain()
        # a chat callback signed with the wrong secret, carrying the planted value
        body, headers = slack_request(slack_payload(PLANTED), secret=PLANTED)
        api.call("POST", "/hooks/slack", role=None, raw=body, headers=headers)
        printed = capfd.readouterr()
    finally:
        logger.setLevel(level)
        logger.registered_handler.setStream(stream)
    logs = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert logs, "the scenario logs something (or this test proves nothing)"
    assert all(line["service"] == "sladesk" for line in logs)
    assert any(line.get("correlation_id") for line in logs)
    assert PLANTED not in buffer.getvalue()
    assert PLANTED not in printed.out + printed.err
