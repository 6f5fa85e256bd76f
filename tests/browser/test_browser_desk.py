"""The desk as people use it, in a real browser against the running local stack.

A requester sends the web form and follows the status page, an agent moves
the card and the requester sees the promise kept, a manager signs in to the
compliance dashboard, selects a bar and reads its timers. Each step's page is
saved as a screenshot in ``test-artifacts/browser/``.

Time comes from the stack's dev clock, set by each test, and ``POST
/dev/drain`` returns once the stream handler has caught up, so what a page
shows after it never depends on how fast this machine is.
"""

from __future__ import annotations

import itertools
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Screenshots
from tests.e2e.stack import RunningStack, local_stack

DAY = "2026-11-02"
OPENED_AT = f"{DAY}T09:00:00Z"
_BOARD_KEYS = (f"WEB{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[RunningStack]:
    """An empty local stack for this module's tests (each makes its own board)."""
    with local_stack(tmp_path_factory.mktemp("browser"), demo=False) as running:
        yield running
        assert running.stop(signal.SIGTERM) == 0, running.output.read_text()


@dataclass(frozen=True)
class Desk:
    """A board whose every card gets a 10-minute first-reaction SLA (24/7) by automation."""

    board_id: str
    sla_id: str


@pytest.fixture
def desk(stack: RunningStack) -> Desk:
    """A fresh board, its SLA and the automation that attaches it, with the clock at 09:00 UTC."""
    assert stack.post("/dev/clock", {"now": OPENED_AT}).status_code == 200
    board = stack.post(
        "/boards",
        {
            "name": "Web desk",
            "key": next(_BOARD_KEYS),
            "columns": [
                {"id": "queue", "name": "Queue", "kind": "queue"},
                {"id": "work", "name": "In progress", "kind": "in_progress"},
                {"id": "done", "name": "Done", "kind": "done"},
            ],
            "lanes": [{"id": "main", "name": "Main"}],
        },
    )
    assert board.status_code == 201, board.text
    sla = stack.post(
        "/slas",
        {
            "name": "Quick answer",
            "calendar_id": None,
            "rules": [{"id": "react", "kind": "first_reaction", "target": "PT10M"}],
        },
    )
    assert sla.status_code == 201, sla.text
    automation = stack.post(
        "/automations",
        {"name": "every card", "board_id": board.json()["id"], "attach": [sla.json()["id"]]},
    )
    assert automation.status_code == 201, automation.text
    return Desk(board.json()["id"], sla.json()["id"])


def send_request(page: Page, stack: RunningStack, desk: Desk, shots: Screenshots) -> str:
    """Fill and send the request form as a requester would; the status page's address."""
    page.goto(f"{stack.url}/form/{desk.board_id}")
    page.fill("#name", "Olga Petrova")
    page.fill("#email", "olga@shop.example")
    page.fill("#subject", "Checkout button does nothing")
    page.fill("#message", "Since this morning the checkout button does nothing when I click it.")
    shots.take(page, "form-filled")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert urlsplit(page.url).path.startswith("/status/"), page.url
    return page.url


def first_reaction_row(page: Page) -> dict[str, str]:
    """The status page's first-reaction row: its colour class and its status cell."""
    row = page.locator("tr", has_text="First reaction")
    assert row.count() == 1, page.content()
    return {
        "class": row.get_attribute("class") or "",
        "status": row.locator("td").nth(1).inner_text(),
        "color": row.evaluate("element => getComputedStyle(element).color"),
    }


def card_id_of(page: Page) -> str:
    """The card number the status page's heading starts with (``WEB1-1: ...``)."""
    return page.inner_text("h1").split(":", 1)[0]


def test_a_requester_sends_the_form_and_sees_a_running_first_reaction_timer(
    page, stack, desk, screenshots
):
    # GIVEN the form of a board whose cards get a 10-minute first reaction
    # WHEN a requester fills it in and sends it
    status_url = send_request(page, stack, desk, screenshots)

    # THEN they land on their status page; once the automation has attached the SLA
    # and two minutes have passed, it shows the first-reaction timer running
    assert page.inner_text("h1").endswith("Checkout button does nothing")
    stack.post("/dev/clock", {"advance_seconds": 120})
    assert stack.post("/dev/drain", {}).json() == {"drained": True}
    page.goto(status_url)
    screenshots.take(page, "status-running")
    row = first_reaction_row(page)
    assert row["class"] == "gray"
    assert row["status"] == "⏱running"
    assert "received" in page.inner_text("main")


def test_an_agent_moves_the_card_and_the_status_page_shows_the_promise_met(
    page, stack, desk, screenshots
):
    # GIVEN a request sent through the form three minutes ago
    status_url = send_request(page, stack, desk, screenshots)
    card_id = card_id_of(page)
    stack.post("/dev/clock", {"advance_seconds": 180})

    # WHEN an agent takes it into work
    moved = stack.post(f"/cards/{card_id}/move", {"column_id": "work"})
    assert moved.status_code == 200, moved.text
    assert stack.post("/dev/drain", {}).json() == {"drained": True}

    # THEN the requester's status page shows the first reaction met, in green, and when
    page.goto(status_url)
    screenshots.take(page, "status-met")
    row = first_reaction_row(page)
    assert row["class"] == "green"
    assert row["status"] == "✔met"
    assert row["color"] == "rgb(26, 127, 55)"  # base.html's green (#1a7f37)
    assert "in progress" in page.inner_text("main")


def test_a_manager_signs_in_selects_a_bar_and_reads_its_timers(page, stack, desk, screenshots):
    # GIVEN two requests on the 2nd of November: one answered in 3 minutes, one in 25
    answered = []
    for minutes in (3, 25):
        stack.post("/dev/clock", {"now": OPENED_AT})
        send_request(page, stack, desk, screenshots)
        card_id = card_id_of(page)
        stack.post("/dev/clock", {"advance_seconds": minutes * 60})
        assert stack.post(f"/cards/{card_id}/move", {"column_id": "work"}).status_code == 200
        answered.append(card_id)
    assert stack.post("/dev/drain", {}).json() == {"drained": True}
    assert stack.post("/dev/run/aggregate", {}).status_code == 200
    manager = stack.post("/keys", {"name": "Maria, support manager", "role": "manager"})
    assert manager.status_code == 201, manager.text

    # WHEN the manager opens the dashboard of that week, is asked to sign in and does
    page.goto(
        f"{stack.url}/reports/sla/view?from=2026-11-02&to=2026-11-08&board_id={desk.board_id}"
    )
    assert urlsplit(page.url).path == "/login"
    screenshots.take(page, "sign-in")
    page.fill("#key", manager.json()["key"])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert urlsplit(page.url).path == "/reports/sla/view"
    screenshots.take(page, "dashboard")
    assert "50.0%" in page.inner_text(".totals")

    # AND selects the bar of Monday the 2nd
    bars = page.locator("svg.chart a")
    assert bars.count() == 7
    with page.expect_navigation():
        bars.first.click()

    # THEN the drill-down lists that day's two timers, one met and one missed
    drill_down = urlsplit(page.url)
    assert drill_down.path == "/reports/sla/cards"
    asked = parse_qs(drill_down.query)
    assert (asked["from"], asked["to"], asked["format"]) == ([DAY], [DAY], ["html"])
    screenshots.take(page, "drill-down")
    header = page.locator("thead th").all_inner_texts()
    rows = [
        dict(zip(header, cells, strict=True))
        for cells in (row.locator("td").all_inner_texts() for row in page.locator("tbody tr").all())
    ]
    seen = sorted((r["Card"], r["Rule"], r["Status"], r["Elapsed (s)"]) for r in rows)
    assert seen == [
        (answered[0], "react", "met", "180"),
        (answered[1], "react", "missed", "1500"),
    ]
    assert page.locator("tbody tr.red").count() == 1
