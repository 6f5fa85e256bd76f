"""Downloading a mailed-in file from the running local stack: the link points at its emulator.

One stack, one mail: the presigned links the API answers with are followed
over HTTP, as a browser would, and must return the file's bytes.
"""

from __future__ import annotations

import re
import signal
import smtplib
from email.message import EmailMessage

import requests

from tests.e2e.stack import REQUEST_TIMEOUT_SECONDS, local_stack

LOG = b"2026-11-02 09:00:01 ERROR login failed\n"


def test_a_mailed_file_is_downloaded_through_the_emulator_link(tmp_path):
    with local_stack(tmp_path, demo=False) as stack:
        # GIVEN a card opened by a mail with a file, sent to the stack's SMTP port
        board = stack.post(
            "/boards",
            {
                "name": "Mail desk",
                "key": "MAIL",
                "columns": [{"id": "queue", "name": "Queue", "kind": "queue"}],
                "lanes": [{"id": "main", "name": "Main"}],
                "intake_addresses": ["help@shop.example"],
            },
        )
        assert board.status_code == 201, board.text
        mail = EmailMessage()
        mail["From"] = "Pavel <pavel@customer.example>"
        mail["To"] = "help@shop.example"
        mail["Subject"] = "Login log"
        mail["Message-ID"] = "<login-log@customer.example>"
        mail.set_content("The log is attached.\n")
        mail.add_attachment(LOG, maintype="text", subtype="plain", filename="журнал входа.log")
        with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=REQUEST_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(mail)
        assert stack.post("/dev/drain", {}).json() == {"drained": True}
        [card] = stack.get("/cards", params={"board_id": board.json()["id"]}).json()["items"]
        [ack] = [i for i in stack.get("/dev/outbox").json()["items"] if i["card_id"] == card["id"]]
        status_path = re.search(r"/status/[A-Za-z0-9_-]+", ack["body"]).group()

        # WHEN an agent and the requester ask for the file
        by_agent = stack.get(f"/cards/{card['id']}/attachments/1", allow_redirects=False)
        by_requester = requests.get(
            f"{stack.url}{status_path}/files/1",
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
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
        assert stack.stop(signal.SIGTERM) == 0, stack.output.read_text()
