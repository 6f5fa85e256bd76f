"""Channels against receivers on loopback (webhook, Slack, Telegram) and the emulator (SES, SNS).

Each fake server keeps the requests it was sent; the webhook receiver checks
the signature as a subscriber would, with nothing of sladesk but the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.channels import DeliveryError, get_channel
from chalicelib.adapters.channels.render import render_message
from chalicelib.adapters.outbox import read_outbox
from chalicelib.adapters.tables import create_tables
from chalicelib.domain.alerts import AlertEvent, AlertFacts

SECRET = "a-long-enough-shared-secret"
FACTS = AlertFacts(
    event=AlertEvent.SLA_BREACH,
    at=datetime(2026, 11, 2, 9, 10, 1, tzinfo=UTC),
    board_id="brd_1",
    card_id="SUP-7",
    title="Checkout is down",
    sla_id="sla_1",
    sla_name="Premium",
    rule_id="react",
    rule_kind="first_reaction",
    deadline=datetime(2026, 11, 2, 9, 10, tzinfo=UTC),
    overdue_seconds=3720,
).to_json()


class Receiver:
    """An HTTP server on 127.0.0.1 that answers ``status`` and keeps what it was sent."""

    def __init__(self, status: int = 200, answer: dict[str, Any] | None = None) -> None:
        self.status, self.answer = status, answer or {"ok": True}
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((self.path, dict(self.headers), body))
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(outer.answer).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def dev_tables(monkeypatch, clock):
    """Emulated AWS with the local stack's outbox recording HTTP deliveries."""
    monkeypatch.setenv("SLADESK_DEV", "1")
    with mock_aws():
        create_tables()
        yield


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a subscriber does: HMAC-SHA256 of ``<timestamp>.<body>`` against the header."""
    signed = headers["X-Sladesk-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Sladesk-Signature"])


def test_a_webhook_is_signed_and_the_receiver_verifies_it(dev_tables, receiver, clock):
    message = render_message(FACTS, "en", "UTC")
    get_channel("webhook").send(f"{receiver.url}/hooks/sla", message, SECRET)
    ((path, headers, body),) = receiver.requests
    assert path == "/hooks/sla"
    assert verify(SECRET, headers, body)
    assert not verify("another-secret-of-some-length", headers, body)
    assert headers["X-Sladesk-Timestamp"] == str(int(clock.now().timestamp()))
    payload = json.loads(body)
    assert (payload["event"], payload["card_id"]) == ("sla_breach", "SUP-7")
    assert payload["facts"]["overdue_seconds"] == 3720
    # The local outbox shows the delivery, as GET /dev/outbox does.
    (sent,) = read_outbox()
    assert (sent.channel, sent.event, sent.card_id) == ("webhook", "sla_breach", "SUP-7")


def test_slack_gets_text_and_the_take_and_open_buttons(dev_tables, receiver, monkeypatch):
    monkeypatch.setenv("SLACK_API_BASE", receiver.url)
    message = render_message(FACTS, "en", "Europe/Moscow")
    get_channel("slack").send("https://hooks.slack.com/services/T0/B0/xyz", message, None)
    ((path, _, body),) = receiver.requests
    assert path == "/services/T0/B0/xyz"
    payload = json.loads(body)
    assert payload["text"] == "[SUP-7] SLA breached: Checkout is down"
    section, actions = payload["blocks"]
    assert "2026-11-02 12:10 (Europe/Moscow)" in section["text"]["text"]
    assert "Overdue: 1 h 2 min working time" in section["text"]["text"]
    take, open_ = actions["elements"]
    assert (take["action_id"], take["value"]) == ("take", "SUP-7")
    assert open_["url"].endswith("/cards/SUP-7")


def test_telegram_send_message_with_the_take_button_in_russian(dev_tables, receiver, monkeypatch):
    monkeypatch.setenv("TELEGRAM_API_BASE", receiver.url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    receiver.answer = {"ok": True, "result": {"message_id": 42}}
    message = render_message(FACTS, "ru", "Europe/Moscow")
    assert get_channel("telegram").send("-100200300", message, None) == "42"
    ((path, _, body),) = receiver.requests
    assert path == "/bot123:abc/sendMessage"
    payload = json.loads(body)
    assert payload["chat_id"] == "-100200300"
    assert "Нарушение SLA" in payload["text"]
    assert "Просрочено на: 1 ч 2 мин" in payload["text"]
    assert payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "take:SUP-7"


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (404, True)])
def test_http_failures_say_whether_trying_again_can_help(dev_tables, status, permanent):
    server = Receiver(status=status)
    try:
        with pytest.raises(DeliveryError) as failure:
            get_channel("webhook").send(server.url, render_message(FACTS, "en", "UTC"), SECRET)
    finally:
        server.close()
    assert failure.value.permanent is permanent
    assert read_outbox() == []


def test_email_goes_through_ses_as_html_and_text(dev_tables, monkeypatch):
    monkeypatch.setenv("SLADESK_MAIL_FROM", "alerts@sladesk.example")
    ses = boto3.client("ses")
    ses.verify_domain_identity(Domain="sladesk.example")
    get_channel("email").send("ops@example.com", render_message(FACTS, "ru", "UTC"), None)
    (sent,) = read_outbox()
    assert (sent.channel, sent.to, sent.event, sent.card_id) == (
        "email",
        "ops@example.com",
        "sla_breach",
        "SUP-7",
    )
    assert sent.subject == "[SUP-7] Нарушение SLA: Checkout is down"
    assert "Срок: 2026-11-02 09:10 (UTC)" in sent.body


def test_an_unverified_sender_is_a_permanent_email_failure(dev_tables):
    with pytest.raises(DeliveryError) as failure:
        get_channel("email").send("ops@example.com", render_message(FACTS, "en", "UTC"), None)
    assert failure.value.permanent


def test_sns_publishes_with_filterable_attributes(dev_tables):
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="sladesk-alerts")["TopicArn"]
    get_channel("sns").send(topic, render_message(FACTS, "en", "UTC"), None)
    (sent,) = read_outbox()
    assert (sent.channel, sent.to, sent.event, sent.card_id) == (
        "sns",
        topic,
        "sla_breach",
        "SUP-7",
    )
    assert "Premium, rule react" in sent.body


def test_a_mail_part_holds_both_alternatives():
    from chalicelib.adapters.channels.email import alert_mail

    mail = alert_mail("ops@example.com", render_message(FACTS, "en", "UTC"))
    parsed = message_from_bytes(mail.as_bytes(), policy=policy.default)
    assert parsed["X-Sladesk-Event"] == "sla_breach"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert {part.get_content_type() for part in parsed.iter_parts()} == {"text/plain", "text/html"}
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert 'href="/cards/SUP-7"' in html


def test_slack_deliveries_go_only_to_slacks_webhook_host(dev_tables, receiver, monkeypatch):
    monkeypatch.setenv("SLACK_API_BASE", receiver.url)
    with pytest.raises(DeliveryError) as failure:
        get_channel("slack").send(
            "https://hooks.slack.com.evil.example/services/T0/B0/xyz",
            render_message(FACTS, "en", "UTC"),
            None,
        )
    assert (failure.value.reason, failure.value.permanent) == ("forbidden_address", True)
    assert receiver.requests == []


def test_a_failure_names_only_the_status(dev_tables):
    server = Receiver(status=503)
    try:
        with pytest.raises(DeliveryError) as failure:
            get_channel("webhook").send(server.url, render_message(FACTS, "en", "UTC"), SECRET)
    finally:
        server.close()
    assert failure.value.reason == "HTTP 503"
