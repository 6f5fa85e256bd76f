"""The demo the local stack seeds unless ``SLADESK_DEMO=0``.

It is created through the public HTTP API with the admin key, so seeding
exercises the same contract as every client (``docs/api.md``): a Support
board (the default intake board, at ``support@localhost``), a 10:30–16:00
Moscow calendar, a premium SLA (24/7) and a standard SLA (on the calendar),
automations that attach them by lane, and a few cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

_WORKDAY = [["10:30", "16:00"]]

CALENDAR = {
    "name": "Support hours",
    "timezone": "Europe/Moscow",
    "week": {day: _WORKDAY for day in ("mon", "tue", "wed", "thu", "fri")},
}

INTAKE_ADDRESS = "support@localhost"

BOARD = {
    "name": "Support",
    "key": "SUP",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "work", "name": "In progress", "kind": "in_progress"},
        {"id": "wait", "name": "Waiting for customer", "kind": "waiting"},
        {"id": "done", "name": "Done", "kind": "done"},
    ],
    "lanes": [{"id": "standard", "name": "Standard"}, {"id": "premium", "name": "Premium"}],
    "card_types": ["bug", "question"],
    "services": ["bug", "dev-request"],
    # Mail sent to the local stack's SMTP listener opens cards here, whatever its address.
    "intake_addresses": [INTAKE_ADDRESS],
    "default_intake": True,
}

PREMIUM_SLA = {
    "name": "Premium",
    "calendar_id": None,
    "rules": [
        {"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"},
        {"id": "resolve", "kind": "resolution", "target": "PT4H", "warn_before": "PT30M"},
    ],
}


def standard_sla(calendar_id: str) -> dict[str, Any]:
    """The standard SLA, counting the working hours of ``calendar_id``."""
    return {
        "name": "Standard",
        "calendar_id": calendar_id,
        "rules": [
            {"id": "react", "kind": "first_reaction", "target": "PT24H", "warn_before": "PT2H"},
            {"id": "resolve", "kind": "resolution", "target": "PT40H", "warn_before": "PT4H"},
        ],
    }


@dataclass(frozen=True)
class DemoCard:
    """A demo card: what it is, its lane, and the column it is moved to after creation."""

    title: str
    lane_id: str
    card_type: str
    service: str
    priority: str
    requester: str
    move_to: str | None = None


CARDS = [
    DemoCard("Checkout answers 500 for every EU customer", "premium", "bug", "bug", "high",
             "olga@shop.example"),
    DemoCard("Cannot log in after a password reset", "premium", "bug", "bug", "high",
             "ivan@bank.example", move_to="work"),
    DemoCard("Nightly export stops halfway", "premium", "bug", "bug", "medium",
             "li@logistics.example", move_to="wait"),
    DemoCard("How do I add a second administrator?", "standard", "question", "dev-request",
             "low", "anna@studio.example"),
    DemoCard("Invoice PDF shows the wrong VAT rate", "standard", "bug", "bug", "medium",
             "peter@cafe.example", move_to="done"),
    DemoCard("Please add a dark theme", "standard", "question", "dev-request", "low",
             "maria@agency.example"),
]  # fmt: skip


class DemoError(RuntimeError):
    """The API refused part of the demo."""


@dataclass(frozen=True)
class Demo:
    """What was seeded: the ids a newcomer needs to explore it."""

    board_id: str
    calendar_id: str
    sla_ids: dict[str, str]
    card_ids: list[str]
    # The requester's status page of the first card (``/status/<token>``).
    status_path: str = ""


def seed_demo(api_url: str, admin_key: str, timeout: float = 60.0) -> Demo:
    """Create the demo through the API at ``api_url``; raises DemoError when a call fails."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {admin_key}"

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            try:
                response = session.post(f"{api_url}{path}", json=body, timeout=timeout)
            except requests.RequestException as error:
                raise DemoError(f"POST {path} failed: {error}") from error
            if not response.ok:
                raise DemoError(f"POST {path} answered {response.status_code}: {response.text}")
            return response.json()

        calendar_id = post("/calendars", CALENDAR)["id"]
        board_id = post("/boards", BOARD)["id"]
        sla_ids = {
            "premium": post("/slas", PREMIUM_SLA)["id"],
            "standard": post("/slas", standard_sla(calendar_id))["id"],
        }
        for lane_id, sla_id in sla_ids.items():
            automation = {
                "name": f"{lane_id} lane",
                "board_id": board_id,
                "when": {"lane_id": lane_id},
                "attach": [sla_id],
            }
            post("/automations", automation)
        card_ids = []
        status_paths = []
        for card in CARDS:
            name = card.requester.split("@")[0].capitalize()
            opened = post(
                "/cards",
                {
                    "board_id": board_id,
                    "title": card.title,
                    "requester": {"email": card.requester, "name": name},
                    "card_type": card.card_type,
                    "service": card.service,
                    "priority": card.priority,
                    "lane_id": card.lane_id,
                },
            )
            card_id = opened["id"]
            status_paths.append(opened["status_url"])
            if card.move_to is not None:
                post(f"/cards/{card_id}/move", {"column_id": card.move_to})
            card_ids.append(card_id)
        # Automations attach SLAs as the stream is handled: wait for it before saying "ready".
        post("/dev/drain", {})
    return Demo(board_id, calendar_id, sla_ids, card_ids, status_paths[0])
