"""The real local stack, started as ``make run`` starts it, driven over HTTP.

Each stack runs as a subprocess on a free port (``tests/e2e/stack.py``).
"""

from __future__ import annotations

import re
import signal
import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import boto3
import pytest
import requests

from tests.e2e.stack import (
    ADMIN_KEY,
    REQUEST_TIMEOUT_SECONDS,
    RunningStack,
    local_stack,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[RunningStack]:
    """One empty stack (SLADESK_DEMO=0) shared by the tests of this module that do not stop it.

    At the end it is stopped the way a service manager would, with SIGTERM.
    """
    with local_stack(tmp_path_factory.mktemp("stack"), demo=False) as running:
        yield running
        assert running.stop(signal.SIGTERM) == 0, running.output.read_text()


def test_health_answers_without_a_key(stack):
    response = requests.get(stack.url + "/health", timeout=REQUEST_TIMEOUT_SECONDS)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_printed_admin_key_is_an_admin_key(stack):
    assert stack.get("/keys").status_code == 200
    anonymous = requests.get(stack.url + "/keys", timeout=REQUEST_TIMEOUT_SECONDS)
    assert anonymous.status_code == 401


def test_the_clock_can_be_set_and_advanced(stack):
    set_response = stack.post("/dev/clock", {"now": "2026-11-02T09:00:00Z"})
    assert set_response.status_code == 200
    assert set_response.json() == {"now": "2026-11-02T09:00:00Z"}

    assert stack.post("/dev/clock", {"advance_seconds": 90}).json() == {
        "now": "2026-11-02T09:01:30Z"
    }
    assert stack.get("/dev/clock").json() == {"now": "2026-11-02T09:01:30Z"}

    refused = stack.post("/dev/clock", {"advance_seconds": -5})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "advance_seconds"


def test_a_card_is_created_read_back_and_dated_by_the_dev_clock(stack):
    # GIVEN a calendar, a board and an SLA on that calendar
    calendar = stack.post(
        "/calendars",
        {
            "name": "Support hours",
            "timezone": "Europe/Moscow",
            "week": {day: [["10:30", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        },
    )
    assert calendar.status_code == 201, calendar.text
    board = stack.post(
        "/boards",
        {
            "name": "Helpdesk",
            "key": "HD",
            "columns": [
                {"id": "queue", "name": "Queue", "kind": "queue"},
                {"id": "done", "name": "Done", "kind": "done"},
            ],
            "lanes": [{"id": "main", "name": "Main"}],
        },
    )
    assert board.status_code == 201, board.text
    sla = stack.post(
        "/slas",
        {
            "name": "Gold",
            "calendar_id": calendar.json()["id"],
            "rules": [{"id": "react", "kind": "first_reaction", "target": "PT10M"}],
        },
    )
    assert sla.status_code == 201, sla.text

    # WHEN a card is opened at 12:00 Moscow time and the clock moves on two minutes
    stack.post("/dev/clock", {"now": "2026-11-02T09:00:00Z"})
    card = stack.post(
        "/cards",
        {
            "board_id": board.json()["id"],
            "title": "Printer on fire",
            "requester": {"email": "olga@shop.example", "name": "Olga"},
            "sla_ids": [sla.json()["id"]],
        },
    )
    assert card.status_code == 201, card.text
    card_id = card.json()["id"]
    stack.post("/dev/clock", {"advance_seconds": 120})
    assert stack.post("/dev/drain", {}).json() == {"drained": True}

    # THEN reading it back shows the card, dated and timed by the dev clock
    read = stack.get(f"/cards/{card_id}")
    assert read.status_code == 200, read.text
    body = read.json()
    assert (body["title"], body["column_id"]) == ("Printer on fire", "queue")
    assert [pin["sla_id"] for pin in body["slas"]] == [sla.json()["id"]]
    assert body["created_at"] == "2026-11-02T09:00:00Z"
    [timer] = body["timers"]
    assert (timer["rule_id"], timer["status"], timer["elapsed_seconds"]) == (
        "react",
        "running",
        120,
    )

    # AND a move two minutes in is dated by the same clock
    moved = stack.post(f"/cards/{card_id}/move", {"column_id": "done"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["updated_at"] == "2026-11-02T09:02:00Z"


def test_the_outbox_shows_what_was_sent_through_the_emulator(stack):
    # GIVEN a raw mail through SES and an SNS alert, sent to the stack's emulator
    aws = {
        "endpoint_url": stack.emulator_url,
        "region_name": "us-east-1",
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    ses = boto3.client("ses", **aws)
    ses.verify_domain_identity(Domain="sladesk.example")
    mail = EmailMessage()
    mail["From"] = "desk@sladesk.example"
    mail["To"] = "olga@shop.example"
    mail["Subject"] = "SUP-1: we are on it"
    mail["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
    mail["X-Sladesk-Event"] = "acknowledgement"
    mail["X-Sladesk-Card-Id"] = "SUP-1"
    mail.set_content("Thanks, we have your request.\n")
    mail_id = ses.send_raw_email(RawMessage={"Data": mail.as_bytes()})["MessageId"]
    sns = boto3.client("sns", **aws)
    topic = sns.create_topic(Name="sladesk-alerts")["TopicArn"]
    alert_id = sns.publish(
        TopicArn=topic,
        Message="SUP-1 breached its first reaction",
        MessageAttributes={
            "event": {"DataType": "String", "StringValue": "sla_breach"},
            "card_id": {"DataType": "String", "StringValue": "SUP-1"},
            "sent_at": {"DataType": "String", "StringValue": "2026-11-02T09:11:00Z"},
        },
    )["MessageId"]

    # WHEN the outbox is read over HTTP
    outbox = stack.get("/dev/outbox").json()["items"]

    # THEN both are there, oldest first, with their event and card
    items = [item for item in outbox if item["message_id"] in (mail_id, alert_id)]
    assert [(i["channel"], i["to"], i["event"], i["card_id"], i["at"]) for i in items] == [
        ("email", "olga@shop.example", "acknowledgement", "SUP-1", "2026-11-02T09:00:00Z"),
        ("sns", topic, "sla_breach", "SUP-1", "2026-11-02T09:11:00Z"),
    ]


def test_mail_sent_to_the_smtp_port_opens_a_card_and_is_acknowledged(stack):
    # GIVEN a board that takes mail for help@shop.example
    board = mail_desk(stack, "MAIL", "help@shop.example")

    # WHEN a mail client sends a request to the stack's SMTP port
    mail = EmailMessage()
    mail["From"] = "Pavel <pavel@customer.example>"
    mail["To"] = "help@shop.example"
    mail["Subject"] = "Не работает вход"
    mail["Message-ID"] = "<login-broken@customer.example>"
    mail.set_content("Since this morning the login page answers 500.\n")
    send_and_drain(stack, mail)

    # THEN the card is on the board, and the requester got one acknowledgement
    cards = stack.get("/cards", params={"board_id": board["id"]}).json()["items"]
    assert [(c["title"], c["requester"]["email"]) for c in cards] == [
        ("Не работает вход", "pavel@customer.example")
    ]
    outbox = stack.get("/dev/outbox").json()["items"]
    acknowledgements = [i for i in outbox if i["card_id"] == cards[0]["id"]]
    assert [(i["event"], i["to"]) for i in acknowledgements] == [
        ("acknowledgement", "pavel@customer.example")
    ]


def test_mail_no_board_takes_is_refused_at_rcpt_not_accepted_and_dropped(stack):
    # GIVEN a stack where no board takes mail for nobody@shop.example and none is the default
    mail = EmailMessage()
    mail["From"] = "pavel@customer.example"
    mail["To"] = "nobody@shop.example"
    mail["Subject"] = "Anyone there?"
    mail.set_content("Hello.\n")

    # WHEN it is sent to the SMTP port
    with (
        smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=REQUEST_TIMEOUT_SECONDS) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        smtp.send_message(mail)

    # THEN the listener refuses it for good (550), saying why
    code, reason = refused.value.recipients["nobody@shop.example"]
    assert code == 550
    assert b"No board takes mail for nobody@shop.example" in reason


def mail_desk(stack: RunningStack, key: str, address: str) -> dict:
    """A one-column board of the running stack that takes mail for ``address``."""
    board = stack.post(
        "/boards",
        {
            "name": f"Mail desk {key}",
            "key": key,
            "columns": [{"id": "queue", "name": "Queue", "kind": "queue"}],
            "lanes": [{"id": "main", "name": "Main"}],
            "intake_addresses": [address],
        },
    )
    assert board.status_code == 201, board.text
    return board.json()


def send_and_drain(stack: RunningStack, mail: EmailMessage) -> None:
    """Send ``mail`` to the stack's SMTP port and wait until the stream handled what it did."""
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=REQUEST_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(mail)
    assert stack.post("/dev/drain", {}).json() == {"drained": True}


LOG = b"2026-11-02 09:00:01 ERROR login failed\n"


def test_a_mailed_file_is_downloaded_through_the_emulator_link(stack):
    # GIVEN a card opened by a mail with a file, sent to the stack's SMTP port
    board = mail_desk(stack, "FILES", "files@shop.example")
    mail = EmailMessage()
    mail["From"] = "Pavel <pavel@customer.example>"
    mail["To"] = "files@shop.example"
    mail["Subject"] = "Login log"
    mail["Message-ID"] = "<login-log@customer.example>"
    mail.set_content("The log is attached.\n")
    mail.add_attachment(LOG, maintype="text", subtype="plain", filename="журнал входа.log")
    send_and_drain(stack, mail)
    [card] = stack.get("/cards", params={"board_id": board["id"]}).json()["items"]
    [ack] = [i for i in stack.get("/dev/outbox").json()["items"] if i["card_id"] == card["id"]]
    status_path = re.search(r"/status/[A-Za-z0-9_-]+", ack["body"]).group()

    # WHEN an agent and the requester ask for the file
    by_agent = stack.get(f"/cards/{card['id']}/attachments/1", allow_redirects=False)
    by_requester = requests.get(
        f"{stack.url}{status_path}/files/1", allow_redirects=False, timeout=REQUEST_TIMEOUT_SECONDS
    )

    # THEN both are sent to the emulator, whose link answers the bytes as a download
    for answer in (by_agent, by_requester):
        assert answer.status_code == 302, answer.text
        location = answer.headers["Location"]
        assert location.startswith(stack.emulator_url), location
        downloaded = requests.get(location, timeout=REQUEST_TIMEOUT_SECONDS)
        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.content == LOG
        assert downloaded.headers["Content-Disposition"] == (
            "attachment; filename*=UTF-8''"
            "%D0%B6%D1%83%D1%80%D0%BD%D0%B0%D0%BB%20%D0%B2%D1%85%D0%BE%D0%B4%D0%B0.log"
        )
        assert downloaded.headers["Content-Type"].startswith("text/plain")


NO_SUCH_ROUTE = {"error": {"code": "not_found", "message": "no such route"}}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-thing"),
        ("GET", "/boards/some-board/no-such-thing"),
        ("POST", "/no-such-thing/"),
        ("DELETE", "/health/extra"),
    ],
)
@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "with-key"])
def test_a_path_no_route_has_is_404_in_the_contract_shape(stack, method, path, with_key):
    # chalice local answered 403 here, with another message when an Authorization header
    # came along; a deployed stack's API Gateway answers 404 in the contract's shape.
    client = stack.session if with_key else requests
    response = client.request(
        method, stack.url + path, json={"name": "x"}, timeout=REQUEST_TIMEOUT_SECONDS
    )
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == NO_SUCH_ROUTE


def test_the_connection_serves_on_after_a_path_no_route_has(stack):
    with requests.Session() as session:
        first = session.get(stack.url + "/no-such-thing", timeout=REQUEST_TIMEOUT_SECONDS)
        second = session.get(stack.url + "/health", timeout=REQUEST_TIMEOUT_SECONDS)
    assert (first.status_code, second.status_code) == (404, 200)
    assert second.json() == {"status": "ok"}


@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "with-key"])
def test_a_method_the_path_lacks_is_405_in_the_contract_shape(stack, with_key):
    client = stack.session if with_key else requests
    response = client.request(
        "PATCH", stack.url + "/health", json={}, timeout=REQUEST_TIMEOUT_SECONDS
    )
    assert response.status_code == 405, response.text
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert error["message"]


def test_the_demo_is_seeded_and_ctrl_c_stops_the_stack_cleanly(tmp_path):
    with local_stack(tmp_path, demo=True) as demo:
        [board] = [b for b in demo.get("/boards").json()["items"] if b["name"] == "Support"]
        assert [lane["id"] for lane in board["lanes"]] == ["standard", "premium"]
        slas = {sla["name"]: sla for sla in demo.get("/slas").json()["items"]}
        assert set(slas) == {"Premium", "Standard"}
        [calendar] = demo.get("/calendars").json()["items"]
        assert (calendar["timezone"], calendar["week"]["mon"]) == (
            "Europe/Moscow",
            [["10:30", "16:00"]],
        )
        assert slas["Standard"]["calendar_id"] == calendar["id"]
        assert slas["Premium"]["calendar_id"] is None
        automations = demo.get("/automations").json()["items"]
        assert {(a["when"]["lane_id"], *a["attach"]) for a in automations} == {
            ("premium", slas["Premium"]["id"]),
            ("standard", slas["Standard"]["id"]),
        }

        # The automations attached each card's SLA by lane before the stack said it was ready.
        cards = demo.get("/cards", params={"board_id": board["id"]}).json()["items"]
        assert {card["lane_id"] for card in cards} == {"premium", "standard"}
        assert {card["column_id"] for card in cards} > {"queue"}
        for card in cards:
            sla_name = "Premium" if card["lane_id"] == "premium" else "Standard"
            assert [pin["sla_id"] for pin in card["slas"]] == [slas[sla_name]["id"]]

        assert datetime.fromisoformat(demo.get("/dev/clock").json()["now"]) <= datetime.now(UTC)
        banner = demo.output.read_text()
        assert f"curl -H 'Authorization: Bearer {ADMIN_KEY}'" in banner

        # The banner names the form, a requester's status page and the sign-in page, and each
        # answers; no route serves a desk page yet, so it names none.
        pages = dict(re.findall(r"^  (form|status|login)\s+(http://\S+)", banner, re.M))
        assert pages["form"] == f"{demo.url}/form/{board['id']}"
        for url in pages.values():
            assert requests.get(url, timeout=REQUEST_TIMEOUT_SECONDS).status_code == 200, url
        assert "/desk" not in banner

        # The demo board is the default intake board: mail to support@localhost opens a card.
        assert board["default_intake"] is True
        assert board["intake_addresses"] == ["support@localhost"]
        mail = EmailMessage()
        mail["From"] = "Nina <nina@client.example>"
        mail["To"] = "support@localhost"
        mail["Subject"] = "The report page is blank"
        mail.set_content("Since the update.\n")
        send_and_drain(demo, mail)
        titles = [
            c["title"] for c in demo.get("/cards", params={"board_id": board["id"]}).json()["items"]
        ]
        assert "The report page is blank" in titles

        assert demo.stop() == 0
        assert "Stopping the local stack." in demo.output.read_text()
