"""What the report tests share: cards that finish at chosen instants, through the real pipeline.

The premium SLA (24/7) promises a first reaction within 10 minutes and a
resolution within 4 hours; a card moved from the queue straight to done
stops both timers at that instant. So a card resolved after ``minutes`` has
first reaction met when ``minutes <= 10`` and resolution met when
``minutes <= 240``, and a missed timer is overdue by the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.services.aggregates import run_aggregate
from tests.integration.pipeline_support import PREMIUM, Desk, Pipeline, make_desk

TERMS = {"penalty_per_missed": 50, "penalty_per_overdue_hour": 10, "currency": "EUR"}


@dataclass(frozen=True)
class Finished:
    """A card that was resolved: when it opened and stopped, and its fields."""

    card_id: str
    opened: datetime
    stopped: datetime
    fields: dict[str, Any]

    @property
    def minutes(self) -> float:
        return (self.stopped - self.opened).total_seconds() / 60

    def outcomes(self) -> dict[str, str]:
        """rule kind -> met or missed."""
        return {
            "first_reaction": "met" if self.minutes <= 10 else "missed",
            "resolution": "met" if self.minutes <= 240 else "missed",
        }


class ReportDesk:
    """A desk whose cards finish when the test says, and the reports of them."""

    def __init__(
        self,
        api: Any,
        clock: Any,
        terms: dict[str, Any] | None = None,
        board: Desk | None = None,
    ) -> None:
        """A new board (or ``board``), with the premium SLA or a copy of it under ``terms``."""
        self.api = api
        self.clock = clock
        self.desk: Desk = board or make_desk(api)
        self.sla_id = self.desk.premium_id
        if terms is not None:
            body = {**PREMIUM, "terms": terms}
            self.sla_id = api.ok("POST", "/slas", body)["id"]
        self.pipeline = Pipeline(api.client)
        self.cards: list[Finished] = []

    def finish(self, opened: datetime, minutes: float, **fields: Any) -> Finished:
        """A card opened at ``opened`` and resolved ``minutes`` later."""
        self.clock.set(opened)
        card_id = self.desk.open(sla_ids=[self.sla_id], **fields)
        self.clock.set(opened + timedelta(minutes=minutes))
        self.desk.move(card_id, "done")
        card = Finished(card_id, opened, opened + timedelta(minutes=minutes), fields)
        self.cards.append(card)
        return card

    def settle(self) -> dict[str, Any]:
        """Deliver the stream to the pipeline and run the aggregate job."""
        self.pipeline.drain()
        return run_aggregate(self.clock.now())

    def report(self, **query: Any) -> dict[str, Any]:
        return self.api.ok("GET", "/reports/sla?" + _query(query), role="manager")

    def rows(self, **query: Any) -> list[dict[str, Any]]:
        """Every drill-down row of the query, page after page."""
        found, cursor = [], None
        while True:
            params = {**query, **({"next": cursor} if cursor else {})}
            answer = self.api.ok("GET", "/reports/sla/cards?" + _query(params), role="manager")
            found.extend(answer["items"])
            cursor = answer["next"]
            if cursor is None:
                return found


def _query(params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({name: str(value) for name, value in params.items()})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
