"""The request form: the page, posts from browsers and from JSON clients, bots, size, retries."""

import re
from urllib.parse import urlencode

import pytest

from tests.e2e.intake_support import acknowledgements, prepare_mail_services
from tests.e2e.payloads import BOARD

FIELDS = {
    "name": "Ann",
    "email": "ann@customer.example",
    "subject": "Login page is down",
    "message": "Since 9:00 nobody can log in.",
}
HOSTILE = {
    "name": '<img src=x onerror=alert(1)>"',
    "email": "ann@customer.example",
    "subject": "<script>alert('subject')</script>",
    "message": "</textarea><script>alert('message')</script>",
}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def board(api):
    prepare_mail_services()
    return api.ok("POST", "/boards", BOARD)


def post_json(api, board, fields, headers=None):
    return api.call("POST", f"/intake/form/{board['id']}", fields, role=None, headers=headers)


def post_form(api, board, fields, headers=None):
    sent = {"Content-Type": "application/x-www-form-urlencoded", **BROWSER, **(headers or {})}
    return api.call(
        "POST", f"/intake/form/{board['id']}", raw=urlencode(fields), role=None, headers=sent
    )


def test_the_form_page_is_accessible_html_in_the_requesters_language(api, board):
    english = api.client.http.get(f"/form/{board['id']}", headers=BROWSER)
    russian = api.client.http.get(
        f"/form/{board['id']}", headers={**BROWSER, "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
    )

    assert english.status_code == 200
    assert english.headers["Content-Type"] == "text/html; charset=utf-8"
    page = english.body.decode()
    assert '<html lang="en">' in page
    assert '<meta name="viewport"' in page
    for field in ("name", "email", "subject", "message"):
        assert f'<label for="{field}">' in page
        assert re.search(rf'<(input|textarea) id="{field}" name="{field}"[^>]* required', page)
    assert "<option>question</option>" in page
    assert "<option>dev-request</option>" in page
    assert 'name="website" tabindex="-1"' in page
    assert "http://" not in page
    assert "https://" not in page
    assert "<script" not in page
    assert '<html lang="ru">' in russian.body.decode()
    assert "Обращение в поддержку" in russian.body.decode()


def test_the_form_of_an_unknown_board_is_a_404_page(api):
    response = api.client.http.get("/form/brd_missing", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_a_json_post_opens_a_card_and_answers_201_with_its_status_link(api, board):
    response = post_json(api, board, {**FIELDS, "card_type": "bug", "service": "dev-request"})

    assert response.status_code == 201, response.body
    assert set(response.json_body) == {"id", "status_url"}
    card = api.ok("GET", f"/cards/{response.json_body['id']}", role="agent")
    assert (card["title"], card["description"], card["channel"]) == (
        FIELDS["subject"],
        FIELDS["message"],
        "form",
    )
    assert (card["card_type"], card["service"]) == ("bug", "dev-request")
    assert card["requester"] == {"email": "ann@customer.example", "name": "Ann"}
    [ack] = acknowledgements()
    assert (ack.card_id, ack.to) == (card["id"], "ann@customer.example")
    assert response.json_body["status_url"] in ack.body


def test_a_browser_post_is_sent_on_to_the_status_page(api, board):
    response = post_form(api, board, {**FIELDS, "card_type": "", "website": ""})

    assert response.status_code == 303, response.body
    location = response.headers["Location"]
    assert location.startswith("/status/")
    status = api.client.http.get(location, headers=BROWSER)
    assert status.status_code == 200
    assert "SUP-1: Login page is down" in status.body.decode()


def test_a_filled_honeypot_opens_nothing_and_answers_like_a_real_post(api, board):
    before = api.stored()
    response = post_json(api, board, {**FIELDS, "website": "http://spam.example"})

    assert response.status_code == 201
    assert set(response.json_body) == {"id", "status_url"}
    assert response.json_body["id"] == "SUP-1"
    assert api.stored() == before
    assert acknowledgements() == []
    browser = post_form(api, board, {**FIELDS, "website": "http://spam.example"})
    assert browser.status_code == 303
    assert api.stored() == before


def test_a_body_over_64_kib_is_refused_with_413(api, board):
    error = api.refused(
        "POST",
        f"/intake/form/{board['id']}",
        {**FIELDS, "message": "x" * (64 * 1024)},
        role=None,
        status=413,
    )
    assert error["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not an address"}, "email"),
        ({"email": "a@b.example, c@d.example"}, "email"),
        ({"subject": "two\nlines"}, "subject"),
        ({"message": ""}, "message"),
        ({"card_type": "incident"}, "card_type"),
        ({"service": "hosting"}, "service"),
        ({"priority": "high"}, "priority"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(api, board, change, field):
    error = api.refused(
        "POST", f"/intake/form/{board['id']}", {**FIELDS, **change}, role=None, status=400
    )
    assert error["details"][0]["field"] == field


def test_a_browser_post_with_fields_to_correct_gets_the_form_again_as_filled(api, board):
    # GIVEN a requester whose e-mail address has a typo and whose message is empty
    before = api.stored()
    sent = {**HOSTILE, "email": "ann at customer.example", "message": ""}
    response = post_form(api, board, sent, headers={"Accept-Language": "ru"})

    # THEN the form comes back (400) with what they typed and which fields to correct
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert '<form method="post"' in page
    assert 'value="ann at customer.example"' in page
    assert "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "Ваш e-mail: проверьте, пожалуйста, это значение." in page
    assert "Сообщение: заполните, пожалуйста, это поле." in page
    # AND a fresh idempotency key, and nothing stored
    assert re.search(r'name="idempotency_key" value="[\w-]{16,}"', page)
    assert api.stored() == before


def test_a_browser_post_naming_an_unknown_service_gets_the_form_again(api, board):
    response = post_form(api, board, {**FIELDS, "service": "hosting"})

    assert response.status_code == 400
    page = response.body.decode()
    assert "Service: please check this value." in page
    assert 'value="Login page is down"' in page


def test_a_browser_post_to_an_unknown_board_is_an_error_page(api):
    sent = {"Content-Type": "application/x-www-form-urlencoded", **BROWSER}
    response = api.call(
        "POST", "/intake/form/brd_missing", raw=urlencode(FIELDS), role=None, headers=sent
    )
    assert response.status_code == 404
    assert "<form" not in response.body.decode()


def test_a_post_to_an_unknown_board_is_404(api):
    api.refused("POST", "/intake/form/brd_missing", FIELDS, role=None, status=404)


def test_hostile_html_is_never_rendered_as_markup(api, board):
    response = post_json(api, board, HOSTILE)
    status = api.client.http.get(response.json_body["status_url"], headers=BROWSER)
    page = status.body.decode()

    assert "<script>" not in page
    assert "<img" not in page
    assert "</textarea><" not in page
    assert "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;" in page
    assert "&lt;/textarea&gt;&lt;script&gt;" in page
    [ack] = acknowledgements()
    # The plain-text part shows the name as the text it is; the HTML part must escape it.
    from tests.e2e.test_intake_email import sent_message

    html = sent_message(ack.message_id).get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_retried_post_with_the_same_idempotency_key_answers_the_same_card(api, board):
    key = {"Idempotency-Key": "retry-7f3a"}
    first = post_json(api, board, FIELDS, headers=key)
    before = api.stored()
    again = post_json(api, board, FIELDS, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json_body == first.json_body
    assert api.stored() == before
    assert len(acknowledgements()) == 1
    other = post_json(api, board, FIELDS, headers={"Idempotency-Key": "another"})
    assert other.json_body["id"] == "SUP-2"


def test_the_form_pages_key_makes_a_double_click_open_one_card(api, board):
    fields = {**FIELDS, "idempotency_key": "from-the-page"}
    first = post_form(api, board, fields)
    again = post_form(api, board, fields)
    assert first.headers["Location"] == again.headers["Location"]
    assert len(acknowledgements()) == 1


def test_an_idempotency_key_reused_with_other_fields_is_refused(api, board):
    post_json(api, board, FIELDS, headers={"Idempotency-Key": "k1"})
    error = api.refused(
        "POST",
        f"/intake/form/{board['id']}",
        {**FIELDS, "subject": "Something else"},
        role=None,
        headers={"Idempotency-Key": "k1"},
        status=422,
    )
    assert error["code"] == "idempotency_key_reused"


def test_the_form_routes_are_in_the_openapi_document(api):
    paths = api.ok("GET", "/openapi.json", role=None)["paths"]
    post = paths["/intake/form/{board_id}"]["post"]
    assert set(post["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    assert {"201", "303", "400", "404", "409", "413", "422"} <= set(post["responses"])
    assert post["security"] == []
    assert "text/html" in paths["/form/{board_id}"]["get"]["responses"]["200"]["content"]
    mail = paths["/intake/email"]["post"]
    assert set(mail["requestBody"]["content"]) == {"message/rfc822"}
    assert {"200", "201", "401", "403", "413", "422"} <= set(mail["responses"])
    status = paths["/status/{token}"]["get"]["responses"]["200"]["content"]
    assert set(status) == {"text/html", "application/json"}


def test_the_form_and_its_redirect_keep_the_public_addresss_path(api, board, monkeypatch):
    monkeypatch.setenv(
        "SLADESK_PUBLIC_URL", "https://abc123.execute-api.eu-west-1.amazonaws.com/api"
    )
    page = api.client.http.get(f"/form/{board['id']}", headers=BROWSER).body.decode()
    assert f'action="/api/intake/form/{board["id"]}"' in page

    response = post_form(api, board, FIELDS)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/api/status/")
    refused = post_form(api, board, {**FIELDS, "email": "not an address"})
    assert f'action="/api/intake/form/{board["id"]}"' in refused.body.decode()
