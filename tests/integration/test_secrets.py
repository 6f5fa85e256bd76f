"""The stack's secrets read at run time: Secrets Manager (moto) when the ARN is set, else the
environment; and what signing in, chat callbacks and the Telegram bot do with each."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS
from moto import mock_aws

from chalicelib.adapters import secrets as secrets_adapter
from chalicelib.adapters.channels import DeliveryError, Message, egress
from chalicelib.adapters.channels.telegram import TelegramChannel
from chalicelib.adapters.chat_replies import ChatReplyError, answer_telegram
from chalicelib.adapters.secrets import SecretUnavailableError, arn_variable, read_secret
from chalicelib.services.chat_actions import slack_signed, telegram_signed

PROJECT_DIR = Path(__file__).resolve().parents[2]
NAME = "SLADESK_SESSION_SECRET"
MISSING_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:sladesk-gone-AbCdEf"
NOW = 1793610000  # 2026-11-02 09:00:00 UTC, the clock fixture's instant
BROWSER = {"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch) -> Iterator[None]:
    """No value or client kept from another test, and no secret left in the environment."""
    for name in ("SLADESK_SESSION_SECRET", "SLACK_SIGNING_SECRET", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(arn_variable(name), raising=False)
    parameters.clear_caches()
    # The provider's client is made on first use: make it under this test's mock.
    DEFAULT_PROVIDERS.pop("secrets", None)
    yield
    parameters.clear_caches()
    DEFAULT_PROVIDERS.pop("secrets", None)


@pytest.fixture
def secretsmanager() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager")


def _stored(client: Any, name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A secret holding ``value`` whose ARN the function is given, as the stack does."""
    arn = client.create_secret(Name=f"sladesk-{name.lower()}", SecretString=value)["ARN"]
    monkeypatch.setenv(arn_variable(name), arn)
    return arn


# --- the adapter ------------------------------------------------------------------------


def test_without_an_arn_the_environment_gives_the_value(monkeypatch):
    assert read_secret(NAME) is None
    monkeypatch.setenv(NAME, "local-value")
    assert read_secret(NAME) == "local-value"


def test_with_an_arn_secrets_manager_gives_the_value(secretsmanager, monkeypatch):
    # GIVEN a secret in Secrets Manager and, as a decoy, a plain value in the environment
    _stored(secretsmanager, NAME, "from-secrets-manager", monkeypatch)
    monkeypatch.setenv(NAME, "from-the-environment")
    # THEN the ARN wins
    assert read_secret(NAME) == "from-secrets-manager"


def test_a_value_is_kept_for_max_age_then_a_put_value_is_read(secretsmanager, monkeypatch):
    arn = _stored(secretsmanager, NAME, "first", monkeypatch)
    assert read_secret(NAME) == "first"
    # WHEN an operator puts a new value
    secretsmanager.put_secret_value(SecretId=arn, SecretString="second")
    # THEN a warm function keeps the value it read until its cache expires...
    assert read_secret(NAME) == "first"
    # ...and reads the new one after (the cache expiring, without waiting for it)
    parameters.clear_caches()
    assert read_secret(NAME) == "second"


def test_with_no_max_age_every_read_asks_secrets_manager(secretsmanager, monkeypatch):
    monkeypatch.setattr(secrets_adapter, "SECRET_MAX_AGE_SECONDS", 0)
    arn = _stored(secretsmanager, NAME, "first", monkeypatch)
    assert read_secret(NAME) == "first"
    secretsmanager.put_secret_value(SecretId=arn, SecretString="second")
    assert read_secret(NAME) == "second"


def test_the_cache_lasts_a_few_minutes():
    assert 60 <= secrets_adapter.SECRET_MAX_AGE_SECONDS <= 600


def test_an_arn_without_a_secret_is_a_clear_error_without_falling_back(secretsmanager, monkeypatch):
    monkeypatch.setenv(arn_variable(NAME), MISSING_ARN)
    monkeypatch.setenv(NAME, "from-the-environment")
    with pytest.raises(SecretUnavailableError) as failure:
        read_secret(NAME)
    assert "SLADESK_SESSION_SECRET_ARN" in str(failure.value)
    assert "from-the-environment" not in str(failure.value)


def test_importing_the_adapter_loads_neither_powertools_parameters_nor_boto3():
    # app.py's import (the cold start) must not pay for them: they load on the first read.
    code = (
        "import sys, chalicelib.adapters.secrets\n"
        "assert 'aws_lambda_powertools.utilities.parameters' not in sys.modules\n"
        "assert 'boto3' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_DIR)


# --- where the secrets are used ---------------------------------------------------------


def _sign_in(api) -> Any:
    return api.client.http.post(
        "/login", headers=BROWSER, body=f"key={api.keys['manager']}&next=/reports/sla/view"
    )


def _cookie(response) -> str:
    return response.headers["Set-Cookie"].split(";", 1)[0]


def _signed_in(api, cookie: str) -> bool:
    page = api.client.http.get(
        "/reports/sla/view?from=2026-11-01&to=2026-11-07",
        headers={"Accept": "text/html", "Cookie": cookie},
    )
    return page.status_code == 200


def test_sessions_are_signed_with_the_stored_secret_and_end_when_it_is_rotated(api, monkeypatch):
    # GIVEN a deployed function that is given only the session secret's ARN
    client = boto3.client("secretsmanager")
    arn = _stored(client, NAME, "session-secret-one", monkeypatch)
    signed_in = _sign_in(api)
    assert signed_in.status_code == 303
    cookie = _cookie(signed_in)
    assert _signed_in(api, cookie)
    # WHEN the secret is rotated and the cached value has expired
    client.put_secret_value(SecretId=arn, SecretString="session-secret-two")
    parameters.clear_caches()
    # THEN the old session ends and a new sign-in works
    assert not _signed_in(api, cookie)
    assert _signed_in(api, _cookie(_sign_in(api)))


def test_sign_in_answers_503_when_the_session_secret_cannot_be_read(api, monkeypatch):
    monkeypatch.setenv(arn_variable(NAME), MISSING_ARN)
    response = _sign_in(api)
    assert response.status_code == 503
    assert "Set-Cookie" not in response.headers
    assert "session secret" in response.body.decode()


def _slack_headers(secret: str, body: bytes) -> dict[str, str]:
    signed = f"v0:{NOW}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": signature}


def test_chat_callbacks_are_verified_with_the_stored_secrets(secretsmanager, monkeypatch, clock):
    _stored(secretsmanager, "SLACK_SIGNING_SECRET", "slack-stored", monkeypatch)
    _stored(secretsmanager, "TELEGRAM_WEBHOOK_SECRET", "telegram-stored", monkeypatch)
    body = b"payload=%7B%7D"
    assert slack_signed(_slack_headers("slack-stored", body), body, clock.now())
    assert not slack_signed(_slack_headers("slack-other", body), body, clock.now())
    token = {"X-Telegram-Bot-Api-Secret-Token": "telegram-stored"}
    assert telegram_signed(token, "telegram-stored")
    assert not telegram_signed(token, "telegram-other")


def test_chat_callbacks_are_refused_when_their_secret_cannot_be_read(
    secretsmanager, monkeypatch, clock
):
    monkeypatch.setenv(arn_variable("SLACK_SIGNING_SECRET"), MISSING_ARN)
    monkeypatch.setenv(arn_variable("TELEGRAM_WEBHOOK_SECRET"), MISSING_ARN)
    body = b"payload=%7B%7D"
    assert not slack_signed(_slack_headers("anything", body), body, clock.now())
    token = {"X-Telegram-Bot-Api-Secret-Token": "anything"}
    assert not telegram_signed(token, "anything")


class BotApi:
    """Telegram's bot API on 127.0.0.1: keeps the paths it is called on."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.paths.append(self.path)
                body = json.dumps({"ok": True, "result": {"message_id": 7}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot_api(monkeypatch) -> Iterator[BotApi]:
    server = BotApi()
    monkeypatch.setenv("TELEGRAM_API_BASE", server.url)
    # The local stack's outbox is not under test here; the bot API on loopback is reached
    # as the local stack reaches its sinks.
    monkeypatch.delenv("SLADESK_DEV", raising=False)
    monkeypatch.setattr(egress, "reaches_loopback", lambda: True)
    yield server
    server.close()


def _message() -> Message:
    return Message(
        event="breach",
        card_id=None,
        subject="SLA breached",
        text="SLA breached",
        html="<p>SLA breached</p>",
        link=None,
        facts={},
        locale="en",
    )


def test_the_bot_token_is_read_from_secrets_manager(secretsmanager, monkeypatch, bot_api):
    _stored(secretsmanager, "TELEGRAM_BOT_TOKEN", "123:stored", monkeypatch)
    message = _message()
    assert TelegramChannel().send("-100", message, None) == "7"
    answer_telegram("cb-1", "taken")
    assert bot_api.paths == ["/bot123:stored/sendMessage", "/bot123:stored/answerCallbackQuery"]


def test_an_unreadable_bot_token_fails_the_send_for_a_retry(secretsmanager, monkeypatch, bot_api):
    monkeypatch.setenv(arn_variable("TELEGRAM_BOT_TOKEN"), MISSING_ARN)
    message = _message()
    with pytest.raises(DeliveryError) as failure:
        TelegramChannel().send("-100", message, None)
    # Secrets Manager may answer on the next tick: the delivery stays due.
    assert failure.value.permanent is False
    assert "TELEGRAM_BOT_TOKEN_ARN" in failure.value.reason
    with pytest.raises(ChatReplyError):
        answer_telegram("cb-1", "taken")
    assert bot_api.paths == []
