"""Card histories, SLA policies and evaluations for timer tests, in a few words each.

Instants are minutes after ``T0`` (Monday 2 November 2026, 09:00 UTC) unless
a datetime is given. The board has two queue columns, two in-progress ones,
one waiting column and two done columns.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.calendar import ALWAYS_OPEN, WorkingTime
from chalicelib.domain.events import CardEvent, ColumnKind, EventKind
from chalicelib.domain.sla import Escalation, RuleKind, SlaPolicy, SlaRule
from chalicelib.domain.timers import PinnedPolicy, Timer, evaluate

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

COLUMNS: dict[str, ColumnKind] = {
    "queue": ColumnKind.QUEUE,
    "hold": ColumnKind.QUEUE,
    "work": ColumnKind.IN_PROGRESS,
    "review": ColumnKind.IN_PROGRESS,
    "wait": ColumnKind.WAITING,
    "done": ColumnKind.DONE,
    "closed": ColumnKind.DONE,
}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def instant(at: int | float | datetime) -> datetime:
    """``at`` minutes after T0, or ``at`` itself when it is already an instant."""
    return at if isinstance(at, datetime) else T0 + minutes(at)


class Story:
    """A card's history told event by event; SLA ``sla`` (version 1) attached at birth."""

    def __init__(
        self, column: str = "queue", at: int | float | datetime = 0, attach: str | None = "sla"
    ) -> None:
        self.events: list[CardEvent] = []
        self._add(EventKind.CREATED, at, _place(column))
        if attach is not None:
            self.attach(attach, at)

    def move(self, column: str, at: int | float | datetime) -> Story:
        return self._add(EventKind.MOVED, at, _place(column))

    def comment(
        self, at: int | float | datetime, public: bool = True, role: str = "agent"
    ) -> Story:
        return self._add(EventKind.COMMENTED, at, {"public": public, "author_role": role})

    def update(self, at: int | float | datetime, **changes: object) -> Story:
        return self._add(EventKind.UPDATED, at, {"changes": changes})

    def attach(
        self, sla_id: str, at: int | float | datetime, version: int = 1, calendar_version=None
    ) -> Story:
        data = {"sla_id": sla_id, "sla_version": version, "calendar_version": calendar_version}
        return self._add(EventKind.SLA_ATTACHED, at, data)

    def repin(
        self, sla_id: str, at: int | float | datetime, version: int, calendar_version=None
    ) -> Story:
        data = {"sla_id": sla_id, "sla_version": version, "calendar_version": calendar_version}
        return self._add(EventKind.SLA_REPINNED, at, data)

    def detach(self, sla_id: str, at: int | float | datetime) -> Story:
        return self._add(EventKind.SLA_DETACHED, at, {"sla_id": sla_id})

    def _add(self, kind: EventKind, at: int | float | datetime, data: dict) -> Story:
        self.events.append(CardEvent(len(self.events) + 1, instant(at), kind, data))
        return self


def _place(column: str) -> dict[str, str]:
    return {"column_id": column, "column_kind": COLUMNS[column], "lane_id": "standard"}


def first_reaction(
    target: float, warn: float | None = None, escalations: tuple[float, ...] = (), id="react"
) -> SlaRule:
    return _rule(id, RuleKind.FIRST_REACTION, target, warn, escalations)


def resolution(
    target: float, warn: float | None = None, escalations: tuple[float, ...] = (), id="resolve"
) -> SlaRule:
    return _rule(id, RuleKind.RESOLUTION, target, warn, escalations)


def time_in(
    column: str,
    target: float,
    warn: float | None = None,
    escalations: tuple[float, ...] = (),
    id="in_column",
) -> SlaRule:
    return _rule(id, RuleKind.TIME_IN_COLUMN, target, warn, escalations, column)


def _rule(id, kind, target, warn, escalations, column=None) -> SlaRule:
    return SlaRule(
        id=id,
        kind=kind,
        target=minutes(target),
        warn_before=None if warn is None else minutes(warn),
        escalations=tuple(Escalation(minutes(after)) for after in escalations),
        column_id=column,
    )


def policy(
    *rules: SlaRule, pause: set[str] | None = None, id: str = "sla", version: int = 1
) -> SlaPolicy:
    return SlaPolicy(
        id=id,
        version=version,
        name=f"{id} v{version}",
        rules=rules,
        pause_in_columns=None if pause is None else frozenset(pause),
    )


def timers(
    story: Story,
    *policies: SlaPolicy,
    now: int | float | datetime,
    calendar: WorkingTime = ALWAYS_OPEN,
) -> list[Timer]:
    """Evaluate ``story`` at ``now`` with each policy counted in ``calendar``."""
    pinned = {p.id: PinnedPolicy(p, calendar) for p in policies}
    return evaluate(story.events, pinned, instant(now))


def timer(
    story: Story,
    rule: SlaRule,
    now: int | float | datetime,
    calendar: WorkingTime = ALWAYS_OPEN,
    pause: set[str] | None = None,
) -> Timer:
    """The one timer of ``rule`` alone in SLA ``sla``."""
    (only,) = timers(story, policy(rule, pause=pause), now=now, calendar=calendar)
    return only
