"""Staff sign-in from a browser: the session cookie opens the report pages and CSV, not JSON."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.report_support import ReportDesk, utc

VIEW = "/reports/sla/view?from=2026-11-01&to=2026-11-07"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("SLADESK_SESSION_SECRET", "test-session-secret")


def get(api, path, cookie=None, language=None):
    headers = {**BROWSER, **({"Cookie": cookie} if cookie else {}), **(language or {})}
    return api.client.http.get(path, headers=headers)


def sign_in(api, key, next_path=None, language=None):
    form = f"key={key}" + (f"&next={next_path}" if next_path else "")
    headers = {**BROWSER, "Content-Type": "application/x-www-form-urlencoded", **(language or {})}
    return api.client.http.post("/login", headers=headers, body=form)


def cookie_of(response):
    return response.headers["Set-Cookie"].split(";", 1)[0]


def test_a_browser_without_a_session_is_sent_to_sign_in_and_back(api):
    response = get(api, VIEW)
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    next_path = parse_qs(location.query)["next"][0]
    assert next_path.startswith("/reports/sla/view?")
    assert "from=2026-11-01" in next_path
    page = get(api, response.headers["Location"])
    assert page.status_code == 200
    assert 'type="password" name="key"' in page.body.decode()

    signed_in = sign_in(api, api.keys["manager"], "/reports/sla/view%3Ffrom%3D2026-11-01")
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/reports/sla/view?from=2026-11-01"
    attributes = signed_in.headers["Set-Cookie"].lower()
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "max-age=" in attributes
    assert get(api, VIEW, cookie_of(signed_in)).status_code == 200


def test_a_wrong_key_gets_the_page_again_with_401_and_no_cookie(api):
    response = sign_in(api, "not-a-key")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    assert 'name="key"' in response.body.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_only_local_next_paths_are_followed(api, target):
    response = sign_in(api, api.keys["manager"], target.replace("/", "%2F"))
    assert response.headers["Location"] == "/reports/sla/view"


def test_an_agent_session_is_refused_manager_pages(api):
    cookie = cookie_of(sign_in(api, api.keys["agent"]))
    assert get(api, VIEW, cookie).status_code == 403


def test_the_session_opens_pages_and_csv_but_never_json(api):
    cookie = cookie_of(sign_in(api, api.keys["manager"]))
    summary = "/reports/sla?from=2026-11-01&to=2026-11-07"
    assert get(api, summary + "&format=csv", cookie).status_code == 200
    json_answer = api.client.http.get(summary, headers={"Cookie": cookie})
    assert json_answer.status_code == 401
    cards = "/reports/sla/cards?from=2026-11-01&to=2026-11-07"
    assert get(api, cards + "&format=html", cookie).status_code == 200
    assert api.client.http.get(cards, headers={"Cookie": cookie}).status_code == 401


def test_a_forged_or_revoked_session_opens_nothing(api):
    cookie = cookie_of(sign_in(api, api.keys["manager"]))
    name, value = cookie.split("=", 1)
    forged = f"{name}={value.replace('.manager.', '.admin.')}"
    assert get(api, VIEW, forged).status_code == 303
    key_id = api.ok("POST", "/keys", {"name": "temp", "role": "manager"})
    temp = cookie_of(sign_in(api, key_id["key"]))
    assert get(api, VIEW, temp).status_code == 200
    api.ok("DELETE", f"/keys/{key_id['id']}")
    assert get(api, VIEW, temp).status_code == 303


def test_the_dashboard_draws_linked_bars_and_escapes_hostile_text(api, clock):
    desk = ReportDesk(api, clock)
    hostile = '<script>alert(1)</script>=cmd|" /C calc'
    desk.finish(utc(2026, 11, 2, 9), 5, tags=[hostile], card_type="bug")
    desk.finish(utc(2026, 11, 3, 9), 300, card_type="bug")
    desk.settle()
    cookie = cookie_of(sign_in(api, api.keys["manager"]))
    page = get(api, VIEW + "&card_type=bug", cookie)
    html = page.body.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "<script" not in html
    assert "script-src" not in page.headers["Content-Security-Policy"]
    links = re.findall(r'<a href="(/reports/sla/cards\?[^"]+)"', html)
    assert any(
        "from=2026-11-02&amp;to=2026-11-02" in link and "card_type=bug" in link for link in links
    )
    assert "format=html" in links[0]
    assert "100%" in html
    assert "0%" in html

    drill = get(api, "/reports/sla/cards?from=2026-11-02&to=2026-11-02&format=html", cookie)
    body = drill.body.decode()
    assert drill.status_code == 200
    assert "&lt;script&gt;" in body
    assert "<script>" not in body
    assert "format=csv" in body
    csv_file = get(api, "/reports/sla/cards?from=2026-11-02&to=2026-11-02&format=csv", cookie)
    text = csv_file.body.decode()
    assert '"[""<script>alert(1)</script>=cmd|\\"" /C calc""]"' in text


def test_pages_and_redirects_keep_the_public_addresss_path(api, clock, monkeypatch):
    # GIVEN a stack people reach at API Gateway's stage address, whose paths start with /api
    monkeypatch.setenv(
        "SLADESK_PUBLIC_URL", "https://abc123.execute-api.eu-west-1.amazonaws.com/api/"
    )
    desk = ReportDesk(api, clock)
    desk.finish(utc(2026, 11, 2, 9), 5, card_type="bug")
    desk.settle()

    # THEN the sign-in redirect, the sign-in form and the way back all stay under /api
    sent = get(api, VIEW)
    location = urlsplit(sent.headers["Location"])
    assert location.path == "/api/login"
    assert parse_qs(location.query)["next"][0].startswith("/reports/sla/view?")
    assert 'action="/api/login"' in get(api, "/login").body.decode()
    signed_in = sign_in(api, api.keys["manager"], "/reports/sla/view%3Ffrom%3D2026-11-01")
    assert signed_in.headers["Location"] == "/api/reports/sla/view?from=2026-11-01"
    assert sign_in(api, api.keys["manager"]).headers["Location"] == "/api/reports/sla/view"
    # AND every link of the dashboard and its drill-down does too
    html = get(api, VIEW, cookie_of(signed_in)).body.decode()
    links = re.findall(r'(?:href|action)="([^"#]+)"', html)
    assert links
    assert all(link.startswith("/api/reports/") for link in links), links
    drill = get(
        api, "/reports/sla/cards?from=2026-11-02&to=2026-11-02&format=html", cookie_of(signed_in)
    )
    drill_links = re.findall(r'href="([^"]+)"', drill.body.decode())
    assert drill_links
    assert all(link.startswith("/api/reports/") for link in drill_links), drill_links


def test_the_sign_in_page_speaks_russian_when_asked_and_english_by_default(api):
    english = get(api, "/login").body.decode()
    assert '<html lang="en">' in english
    assert "<h1>Sign in</h1>" in english
    assert "API key" in english

    russian = get(api, "/login", language=RUSSIAN).body.decode()
    assert '<html lang="ru">' in russian
    assert "<h1>Вход</h1>" in russian
    assert "API-ключ" in russian
    assert "сеанс действует 8 ч" in russian
    assert "Sign in" not in russian

    refused = sign_in(api, "not-a-key", language=RUSSIAN)
    assert refused.status_code == 401
    assert '<html lang="ru">' in refused.body.decode()
    assert "Такой ключ неизвестен" in refused.body.decode()
    assert "That key is not known" in sign_in(api, "not-a-key").body.decode()


def test_the_dashboard_and_drill_down_speak_russian_when_asked(api, clock):
    # GIVEN a day of met timers and a day of missed ones, one of them tagged with markup
    desk = ReportDesk(api, clock)
    desk.finish(utc(2026, 11, 2, 9), 5, tags=["<b>vip</b>"])
    desk.finish(utc(2026, 11, 3, 9), 300)
    desk.settle()
    cookie = cookie_of(sign_in(api, api.keys["manager"]))

    # WHEN a manager whose browser prefers Russian opens the dashboard
    dashboard = get(api, VIEW + "&rule_kind=resolution", cookie, RUSSIAN).body.decode()

    # THEN its words, its chart and its numbers are Russian
    assert '<html lang="ru">' in dashboard
    assert "<h1>Соблюдение SLA</h1>" in dashboard
    assert "<strong>50,0\u00a0%</strong> таймеров SLA уложились в срок" in dashboard
    assert "выполнено 1, нарушено 1." in dashboard
    assert "2026-11-02: выполнено 1, нарушено 0 (соблюдение 100\u00a0%)" in dashboard
    assert "Скачать CSV" in dashboard
    assert '<option value="resolution" selected>решение</option>' in dashboard
    assert "SLA compliance" not in dashboard

    # AND so is the drill-down of a day, the requester's text still escaped
    cards = "/reports/sla/cards?from=2026-11-02&to=2026-11-02&format=html&rule_kind=resolution"
    drill = get(api, cards, cookie, RUSSIAN).body.decode()
    assert '<html lang="ru">' in drill
    assert "Таймеры SLA, остановленные 2026-11-02" in drill
    assert "Правило: решение" in drill
    assert "Назад к диаграмме" in drill
    assert '<th scope="col">Карточка</th>' in drill
    assert "<td>выполнен</td>" in drill
    assert "&lt;b&gt;vip&lt;/b&gt;" in drill
    assert "<b>vip</b>" not in drill

    # AND the CSV is the same data format in every language
    csv_file = get(api, cards.replace("format=html", "format=csv"), cookie, RUSSIAN)
    assert csv_file.body.decode().startswith("card_id,title,sla_id,")

    # AND a browser that asks for no language gets English
    english = get(api, VIEW, cookie).body.decode()
    assert '<html lang="en">' in english
    assert "<strong>50.0%</strong> of SLA timers met their target" in english
    english_drill = get(api, cards, cookie).body.decode()
    assert "Back to the chart" in english_drill
    assert '<th scope="col">Card</th>' in english_drill
    assert "<td>met</td>" in english_drill


def test_staff_error_pages_speak_the_browsers_language(api):
    agent = cookie_of(sign_in(api, api.keys["agent"]))
    refused = get(api, VIEW, agent, RUSSIAN)
    assert refused.status_code == 403
    assert '<html lang="ru">' in refused.body.decode()
    assert "Роль вашего ключа не открывает эту страницу" in refused.body.decode()

    manager = cookie_of(sign_in(api, api.keys["manager"]))
    wrong_zone = VIEW + "&tz=Mars%2FOlympus"
    russian = get(api, wrong_zone, manager, RUSSIAN)
    assert russian.status_code == 400
    assert "Часовой пояс: проверьте это значение." in russian.body.decode()
    english = get(api, wrong_zone, manager)
    assert '<html lang="en">' in english.body.decode()
    assert "Time zone: please check this value." in english.body.decode()
    assert "unknown time zone" in english.body.decode()


def test_the_dashboard_offers_boards_and_slas_by_name(api, clock):
    desk = ReportDesk(api, clock)
    hostile = api.ok(
        "POST", "/slas", {**api.ok("GET", f"/slas/{desk.sla_id}"), "name": "<b>Gold</b>"}
    )
    cookie = cookie_of(sign_in(api, api.keys["manager"]))

    chosen = get(api, f"{VIEW}&board_id={desk.desk.board_id}", cookie).body.decode()
    board_name = api.ok("GET", f"/boards/{desk.desk.board_id}")["name"]
    assert f'<option value="{desk.desk.board_id}" selected>{board_name}</option>' in chosen
    assert f'<option value="{hostile["id"]}">&lt;b&gt;Gold&lt;/b&gt;</option>' in chosen
    assert '<option value="">any SLA</option>' in chosen
    # An id that names nothing stays chosen (and reports nothing) rather than vanishing.
    unknown = get(api, f"{VIEW}&sla_id=sla_gone", cookie).body.decode()
    assert '<option value="sla_gone" selected>sla_gone</option>' in unknown
    russian = api.client.http.get(
        VIEW, headers={**BROWSER, "Cookie": cookie, "Accept-Language": "ru"}
    ).body.decode()
    assert '<option value="">все SLA</option>' in russian
