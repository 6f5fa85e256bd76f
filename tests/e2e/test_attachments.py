"""Downloading the files a card lists: agents by card, requesters through their status link.

Both routes answer 302 to a presigned S3 link; the link is followed here with
``requests`` (moto answers it in-process) to check the bytes and the headers
the store sends with them: always saved as a file, never shown as a page.
"""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import pytest
import requests

from chalicelib.adapters.attachments import attachments_bucket
from chalicelib.services import cards
from chalicelib.services.attachments import download_disposition, safe_download_name
from tests.e2e.intake_support import acknowledgements, post_mail, prepare_mail_services
from tests.e2e.payloads import BOARD
from tests.unit import mail_corpus as corpus

PDF_DISPOSITION = "attachment; filename*=UTF-8''" + (
    "%D0%BE%D1%82%D1%87%D1%91%D1%82%20%D0%B7%D0%B0%20%D0%BD%D0%BE%D1%8F%D0%B1%D1%80%D1%8C.pdf"
)


@pytest.fixture
def board(api):
    prepare_mail_services()
    return api.ok("POST", "/boards", {**BOARD, "intake_addresses": [corpus.SUPPORT]})


@pytest.fixture
def mailed(api, board):
    """The card a mail with a PDF and a PNG opened, and the token of its status link."""
    response = post_mail(api, corpus.mixed_with_attachments())
    assert response.status_code == 201, response.body
    [ack] = acknowledgements()
    token = re.search(r"/status/([A-Za-z0-9_-]+)", ack.body).group(1)
    return response.json_body["card_id"], token


def redirect_target(response):
    """The presigned link a download answered with, and its query."""
    assert response.status_code == 302, response.body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    location = response.headers["Location"]
    return location, {
        name: values[0] for name, values in parse_qs(urlsplit(location).query).items()
    }


def card_with_files(board, files):
    """A card listing ``files`` (name, content type, bytes or None if not kept): id, status_url."""
    s3 = boto3.client("s3")
    listed = []
    for position, (name, content_type, content) in enumerate(files, start=1):
        key = f"mail/test/{position}/file" if content is not None else None
        if key is not None:
            s3.put_object(Bucket=attachments_bucket(), Key=key, Body=content)
        listed.append(
            {
                "filename": name,
                "content_type": content_type,
                "size": len(content or b""),
                "too_large": content is None,
                "object_key": key,
            }
        )
    fields = {"board_id": board["id"], "title": "Files", "attachments": listed, "sla_ids": []}
    opened = cards.open_card(fields)
    return opened["id"], opened["status_url"]


def test_an_agent_is_sent_to_a_short_lived_link_that_saves_the_file(api, mailed):
    card_id, _ = mailed

    response = api.call("GET", f"/cards/{card_id}/attachments/1", role="agent")

    location, query = redirect_target(response)
    assert query["response-content-disposition"] == PDF_DISPOSITION
    assert query["response-content-type"] == "application/pdf"
    assert query["X-Amz-Expires"] == "300"
    downloaded = requests.get(location, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == corpus.PDF
    assert downloaded.headers["Content-Disposition"] == PDF_DISPOSITION
    assert downloaded.headers["Content-Type"] == "application/pdf"


def test_the_position_counts_from_one_in_the_order_the_card_lists_its_files(api, mailed):
    card_id, _ = mailed
    card = api.ok("GET", f"/cards/{card_id}", role="agent")
    assert [(a["filename"], a["url"]) for a in card["attachments"]] == [
        ("отчёт за ноябрь.pdf", f"/cards/{card_id}/attachments/1"),
        ("скриншот.png", f"/cards/{card_id}/attachments/2"),
    ]

    location, query = redirect_target(
        api.call("GET", f"/cards/{card_id}/attachments/2", role="agent")
    )

    assert unquote(query["response-content-disposition"].split("''", 1)[1]) == "скриншот.png"
    assert query["response-content-type"] == "image/png"
    assert requests.get(location, timeout=10).content == corpus.PNG


def test_the_requester_downloads_the_files_of_their_own_request_by_its_status_link(api, mailed):
    _, token = mailed

    response = api.call("GET", f"/status/{token}/files/1", role=None)

    location, query = redirect_target(response)
    assert query["response-content-disposition"] == PDF_DISPOSITION
    assert requests.get(location, timeout=10).content == corpus.PDF


def test_the_status_page_links_each_kept_file(api, mailed):
    _, token = mailed

    shown = api.call("GET", f"/status/{token}", role=None, headers={"Accept": "application/json"})
    page = api.call("GET", f"/status/{token}", role=None, headers={"Accept": "text/html"})

    assert [(f["filename"], f["url"]) for f in shown.json_body["attachments"]] == [
        ("отчёт за ноябрь.pdf", f"/status/{token}/files/1"),
        ("скриншот.png", f"/status/{token}/files/2"),
    ]
    html = page.body.decode()
    assert f'<a href="/status/{token}/files/1" download>отчёт за ноябрь.pdf</a>' in html
    assert f'<a href="/status/{token}/files/2" download>скриншот.png</a>' in html


def test_a_file_too_large_to_keep_is_listed_without_a_link_and_cannot_be_downloaded(api, board):
    card_id, status_url = card_with_files(board, [("huge.iso", "application/octet-stream", None)])

    shown = api.call("GET", status_url, role=None, headers={"Accept": "application/json"})
    page = api.call("GET", status_url, role=None, headers={"Accept": "text/html"})
    agent = api.refused("GET", f"/cards/{card_id}/attachments/1", role="agent", status=404)
    requester = api.refused("GET", f"{status_url}/files/1", role=None, status=404)

    assert shown.json_body["attachments"] == [{"filename": "huge.iso", "size": 0, "url": None}]
    [listed] = api.ok("GET", f"/cards/{card_id}", role="agent")["attachments"]
    assert listed["url"] is None
    assert "huge.iso — too large to keep" in page.body.decode()
    assert agent["code"] == requester["code"] == "attachment_not_kept"


def test_a_wrong_status_token_is_404_as_the_status_page_answers(api, mailed):
    _, token = mailed
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    for path in (f"/status/{wrong}/files/1", f"/status/{'x' * 300}/files/1"):
        error = api.refused("GET", path, role=None, status=404)
        assert error["code"] == "unknown_status_link"
    page = api.call("GET", f"/status/{wrong}/files/1", role=None, headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [
        ("3", 404, "unknown_attachment"),
        ("0", 404, "unknown_attachment"),
        ("999999999", 404, "unknown_attachment"),
        ("abc", 400, "validation_error"),
        ("-1", 400, "validation_error"),
        ("1.0", 400, "validation_error"),
        ("9999999999", 400, "validation_error"),
    ],
)
def test_a_file_the_card_does_not_list_is_refused(api, mailed, number, status, code):
    card_id, token = mailed

    error = api.refused(
        "GET", f"/cards/{card_id}/attachments/{number}", role="agent", status=status
    )
    assert error["code"] == code
    error = api.refused("GET", f"/status/{token}/files/{number}", role=None, status=status)
    assert error["code"] == code
    if status == 400:
        assert error["details"][0]["field"] == "n"


def test_an_unknown_card_or_a_card_without_files_is_404(api, board):
    empty = api.ok("POST", "/cards", {"board_id": board["id"], "title": "No files"}, role="agent")

    assert api.refused("GET", "/cards/SUP-99/attachments/1", role="agent", status=404)
    error = api.refused("GET", f"/cards/{empty['id']}/attachments/1", role="agent", status=404)
    assert error["code"] == "unknown_attachment"


def test_without_a_key_401_and_with_another_role_403(api, mailed):
    card_id, _ = mailed

    assert api.refused("GET", f"/cards/{card_id}/attachments/1", role=None, status=401)
    assert api.refused("GET", f"/cards/{card_id}/attachments/1", role="intake", status=403)


def test_a_hostile_file_name_and_content_type_cannot_break_out_of_the_headers(api, board):
    # GIVEN a file whose name holds quotes, a line break, a header, a right-to-left
    # override and non-Latin letters, sent as an HTML page with a forged content type
    name = 'evil "x";\r\nSet-Cookie: a=1 \u202egnp.html снимок ☃.html'
    card_id, _ = card_with_files(
        board,
        [
            (name, "text/html; charset=utf-8", b"<script>alert(1)</script>"),
            ("page.html", "text/html\r\nX-Injected: 1", b"<p>hi</p>"),
        ],
    )

    # WHEN an agent downloads them
    first = api.call("GET", f"/cards/{card_id}/attachments/1", role="agent")
    second = api.call("GET", f"/cards/{card_id}/attachments/2", role="agent")

    # THEN the name travels only percent-encoded, cleaned, and the file is saved, not shown
    location, query = redirect_target(first)
    disposition = query["response-content-disposition"]
    assert re.fullmatch(r"attachment; filename\*=UTF-8''[A-Za-z0-9%._~-]+", disposition)
    assert unquote(disposition.split("''", 1)[1]) == (
        'evil "x";__Set-Cookie: a=1 _gnp.html снимок ☃.html'
    )
    assert query["response-content-type"] == "text/html"
    downloaded = requests.get(location, timeout=10)
    assert downloaded.headers["Content-Disposition"] == disposition
    assert "Set-Cookie" not in downloaded.headers
    _, query = redirect_target(second)
    assert query["response-content-type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("name", "saved_as"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "_.._etc_passwd"),
        (".hidden", "hidden"),
        ("name. . ", "name"),
        ("\r\n", "attachment"),
        ("", "attachment"),
        ("a\x00b\x7fc", "a_b_c"),
    ],
)
def test_the_saved_name_is_safe(name, saved_as):
    assert safe_download_name(name) == saved_as
    disposition = download_disposition(name)
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert not set(disposition) & set('"\r\n\\')
