"""Chat callbacks: signed fake Slack and Telegram callbacks through the API, answers on loopback.

Slack's ``response_url`` and Telegram's bot API are HTTP servers on
127.0.0.1 (``SLACK_API_BASE``, ``TELEGRAM_API_BASE``) that keep what they
are sent. The clock stands at 2026-11-02 09:00 UTC (12:00 in Moscow).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.pipeline_support import BOARD, PREMIUM

SLACK_SECRET = "test-slack-signing-secret"
TELEGRAM_SECRET = "test-telegram-secret"
BOT_TOKEN = "123456:test-bot-token"
NOW = 1793610000  # 2026-11-02 09:00:00 UTC, the clock fixture's instant


class ChatApi:
    """Slack's response URLs and Telegram's bot API on 127.0.0.1: keeps every JSON body."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append((self.path, json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true, "result": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat(monkeypatch) -> Iterator[ChatApi]:
    server = ChatApi()
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SLACK_SECRET)
    monkeypatch.setenv("SLACK_API_BASE", server.url)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", TELEGRAM_SECRET)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE", server.url)
    yield server
    server.close()


@pytest.fixture
def desk(api, chat) -> dict[str, str]:
    """A board, the premium SLA, a Slack and a Telegram subscription, and a card in the queue."""
    board_id = api.ok("POST", "/boards", BOARD)["id"]
    sla_id = api.ok("POST", "/slas", PREMIUM)["id"]
    for channel, target, users in (
        ("slack", "https://hooks.slack.com/services/T1/B1/x", {"U1": "ann"}),
        ("telegram", "-1001", {"annt": "ann"}),
    ):
        subscription = {
            "channel": channel,
            "target": target,
            "board_id": board_id,
            "events": ["sla_breach"],
            "timezone": "Europe/Moscow",
            "chat_users": users,
        }
        api.ok("POST", "/subscriptions", subscription, role="manager")
    card = {"board_id": board_id, "title": "Checkout is down", "sla_ids": [sla_id]}
    card_id = api.ok("POST", "/cards", card, role="agent")["id"]
    return {"board_id": board_id, "card_id": card_id}


def slack_payload(card_id: str, trigger: str = "trig-1", action: str = "take") -> dict:
    return {
        "type": "block_actions",
        "trigger_id": trigger,
        "user": {"id": "U1", "name": "ann.s"},
        "actions": [{"action_id": action, "value": card_id, "action_ts": "1793610000.1"}],
        "response_url": "https://hooks.slack.com/actions/T1/1/abc",
    }


def slack_request(payload: dict, *, timestamp: int = NOW, secret: str = SLACK_SECRET):
    """The body and headers Slack sends for ``payload``, signed with ``secret`` at ``timestamp``."""
    body = urlencode({"payload": json.dumps(payload)})
    signed = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }
    return body, headers


def post_slack(api, payload: dict, **signing: Any):
    body, headers = slack_request(payload, **signing)
    return api.call("POST", "/hooks/slack", role=None, raw=body, headers=headers)


def telegram_update(card_id: str, query_id: str = "q-1", username: str = "annt") -> dict:
    return {
        "update_id": 7,
        "callback_query": {
            "id": query_id,
            "from": {"id": 42, "username": username},
            "data": f"take:{card_id}",
            "message": {
                "message_id": 99,
                "chat": {"id": -1001},
                "text": "SLA breach: Checkout is down",
                "reply_markup": {
                    "inline_keyboard": [
                        [
                            {"text": "Take", "callback_data": f"take:{card_id}"},
                            {"text": "Open", "url": f"https://desk.example/cards/{card_id}"},
                        ]
                    ]
                },
            },
        },
    }


def post_telegram(api, update: dict, *, token: str = TELEGRAM_SECRET, path: str = TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": token}
    return api.call(
        "POST", f"/hooks/telegram/{path}", role=None, raw=json.dumps(update), headers=headers
    )


def kinds(api, card_id: str) -> list[str]:
    return [event["kind"] for event in api.ok("GET", f"/cards/{card_id}/history")["items"]]


# --- Slack ------------------------------------------------------------------------------


def test_take_from_slack_assigns_moves_stops_first_reaction_and_answers(api, chat, desk):
    card_id = desk["card_id"]
    # WHEN ann presses "Take" on the Slack alert
    response = post_slack(api, slack_payload(card_id))
    # THEN the card is hers, in progress, through ordinary card events
    assert response.status_code == 200, response.body
    text = f"{card_id} taken by ann at 12:00"
    assert response.json_body == {
        "outcome": "taken",
        "card_id": card_id,
        "text": text,
        "repeated": False,
    }
    card = api.ok("GET", f"/cards/{card_id}", role="agent")
    assert (card["assignee"], card["column_id"]) == ("ann", "work")
    assert kinds(api, card_id)[-2:] == ["updated", "moved"]
    react = next(t for t in card["timers"] if t["rule_id"] == "react")
    assert react["status"] == "met"
    # AND the channel is told, at the response URL's path on Slack's (fake) host
    assert chat.calls == [
        (
            "/actions/T1/1/abc",
            {"response_type": "in_channel", "replace_original": False, "text": text},
        )
    ]


def test_a_bad_signature_is_refused_and_changes_nothing(api, chat, desk):
    body, headers = slack_request(slack_payload(desk["card_id"]), secret="not-the-secret")
    error = api.refused("POST", "/hooks/slack", role=None, raw=body, headers=headers, status=401)
    assert error["code"] == "unverified_callback"
    missing = {"Content-Type": headers["Content-Type"]}
    api.refused("POST", "/hooks/slack", role=None, raw=body, headers=missing, status=401)
    assert chat.calls == []


def test_a_body_changed_after_signing_is_refused(api, chat, desk):
    body, headers = slack_request(slack_payload("SUP-999"))
    tampered = body.replace("SUP-999", desk["card_id"])
    api.refused("POST", "/hooks/slack", role=None, raw=tampered, headers=headers, status=401)


def test_a_replayed_callback_older_than_five_minutes_is_refused(api, chat, desk):
    body, headers = slack_request(slack_payload(desk["card_id"]), timestamp=NOW - 301)
    api.refused("POST", "/hooks/slack", role=None, raw=body, headers=headers, status=401)
    assert kinds(api, desk["card_id"]) == ["created", "sla_attached"]


def test_a_timestamp_within_five_minutes_is_accepted(api, chat, desk):
    response = post_slack(api, slack_payload(desk["card_id"]), timestamp=NOW - 300)
    assert response.json_body["outcome"] == "taken"


def test_an_unknown_card_is_answered_and_nothing_is_written_to_cards(api, chat, desk):
    response = post_slack(api, slack_payload("SUP-999"))
    assert response.status_code == 200
    assert response.json_body["outcome"] == "unknown_card"
    assert chat.calls[0][1]["text"] == "There is no card SUP-999"
    assert kinds(api, desk["card_id"]) == ["created", "sla_attached"]


def test_a_card_taken_already_stays_with_its_assignee(api, chat, desk):
    card_id = desk["card_id"]
    # GIVEN bob has taken the card already
    api.ok("PATCH", f"/cards/{card_id}", {"assignee": "bob"}, role="agent")
    api.ok("POST", f"/cards/{card_id}/move", {"column_id": "work"}, role="agent", status=200)
    before = kinds(api, card_id)
    # WHEN ann presses "Take"
    response = post_slack(api, slack_payload(card_id))
    # THEN nothing changes and she is told who has it
    assert response.json_body["outcome"] == "already_taken"
    assert response.json_body["text"] == f"{card_id} is already taken by bob"
    assert kinds(api, card_id) == before
    assert api.ok("GET", f"/cards/{card_id}", role="agent")["assignee"] == "bob"


def test_an_assigned_card_still_in_the_queue_can_be_taken(api, chat, desk):
    card_id = desk["card_id"]
    api.ok("PATCH", f"/cards/{card_id}", {"assignee": "l2-oncall"}, role="agent")
    assert post_slack(api, slack_payload(card_id)).json_body["outcome"] == "taken"
    assert api.ok("GET", f"/cards/{card_id}", role="agent")["assignee"] == "ann"


def test_the_same_callback_twice_acts_once_and_answers_the_same(api, chat, desk):
    card_id = desk["card_id"]
    first = post_slack(api, slack_payload(card_id)).json_body
    second = post_slack(api, slack_payload(card_id)).json_body
    assert second == {**first, "repeated": True}
    assert kinds(api, card_id) == ["created", "sla_attached", "updated", "moved"]
    # A new press (another trigger id) on a card now taken by ann is told so.
    third = post_slack(api, slack_payload(card_id, trigger="trig-2")).json_body
    assert third["outcome"] == "already_taken"


def test_the_open_button_and_other_actions_change_nothing(api, chat, desk):
    response = post_slack(api, slack_payload(desk["card_id"], action="open"))
    assert response.json_body["outcome"] == "ignored"
    assert chat.calls == []
    assert kinds(api, desk["card_id"]) == ["created", "sla_attached"]


def test_a_signed_callback_without_a_payload_is_refused_as_malformed(api, chat, desk):
    body = "nothing=here"
    signature = hmac.new(SLACK_SECRET.encode(), f"v0:{NOW}:{body}".encode(), hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(NOW),
        "X-Slack-Signature": "v0=" + signature.hexdigest(),
    }
    api.refused("POST", "/hooks/slack", role=None, raw=body, headers=headers, status=400)


# --- Telegram ---------------------------------------------------------------------------


def test_take_from_telegram_answers_the_query_and_edits_the_alert(api, chat, desk):
    card_id = desk["card_id"]
    response = post_telegram(api, telegram_update(card_id))
    assert response.status_code == 200, response.body
    text = f"{card_id} taken by ann at 12:00"
    assert response.json_body["outcome"] == "taken"
    card = api.ok("GET", f"/cards/{card_id}", role="agent")
    assert (card["assignee"], card["column_id"]) == ("ann", "work")
    (answer_path, answer), (edit_path, edit) = chat.calls
    assert answer_path == f"/bot{BOT_TOKEN}/answerCallbackQuery"
    assert answer == {"callback_query_id": "q-1", "text": text}
    assert edit_path == f"/bot{BOT_TOKEN}/editMessageText"
    assert edit["chat_id"] == -1001
    assert edit["message_id"] == 99
    assert edit["text"] == f"SLA breach: Checkout is down\n\n✔ {text}"
    # The "Take" button is gone; "Open" stays.
    assert edit["reply_markup"] == {
        "inline_keyboard": [[{"text": "Open", "url": f"https://desk.example/cards/{card_id}"}]]
    }


def test_telegram_without_the_secret_token_is_refused(api, chat, desk):
    update = json.dumps(telegram_update(desk["card_id"]))
    path = f"/hooks/telegram/{TELEGRAM_SECRET}"
    api.refused("POST", path, role=None, raw=update, headers={}, status=401)
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    api.refused("POST", path, role=None, raw=update, headers=wrong, status=401)
    right = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    api.refused("POST", "/hooks/telegram/guess", role=None, raw=update, headers=right, status=401)
    assert chat.calls == []


def test_telegram_repeats_unknown_cards_and_taken_cards(api, chat, desk):
    card_id = desk["card_id"]
    assert post_telegram(api, telegram_update(card_id)).json_body["outcome"] == "taken"
    again = post_telegram(api, telegram_update(card_id)).json_body
    assert (again["outcome"], again["repeated"]) == ("taken", True)
    other = post_telegram(api, telegram_update(card_id, query_id="q-2", username="bob")).json_body
    assert other["outcome"] == "already_taken"
    assert other["text"] == f"{card_id} is already taken by ann"
    unknown = post_telegram(api, telegram_update("SUP-999", query_id="q-3")).json_body
    assert unknown["outcome"] == "unknown_card"
    assert kinds(api, card_id) == ["created", "sla_attached", "updated", "moved"]


def test_an_update_without_a_callback_query_is_ignored(api, chat, desk):
    response = post_telegram(api, {"update_id": 8, "message": {"text": "hello"}})
    assert response.json_body["outcome"] == "ignored"
    assert chat.calls == []


def test_a_chat_that_cannot_be_answered_does_not_undo_the_take(api, chat, desk, monkeypatch):
    monkeypatch.setenv("SLACK_API_BASE", "http://127.0.0.1:9")  # the discard port: refused
    response = post_slack(api, slack_payload(desk["card_id"]))
    assert response.json_body["outcome"] == "taken"
    assert api.ok("GET", f"/cards/{desk['card_id']}", role="agent")["assignee"] == "ann"
