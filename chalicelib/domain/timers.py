"""The timer engine: SLA timers derived from a card's event history.

A timer is a pure function of the card's history, the pinned SLA policy
version, its calendar and now (``docs/design.md``, invariant 1 and
"Timer semantics"). Nothing here is stored or mutated: the stream handler
re-derives every timer of a touched card, the breach scanner re-derives the
timers that are due, the repin preview and the what-if simulation derive
them under another policy version.

The history is read in one pass. Each rule has a clock that is, at any
instant, not started, counting, paused or stopped; the card's place and
what has happened to it so far decide which. Only working time of the SLA's
calendar counts, so a clock asks the calendar for the working time of a
counting stretch when the stretch ends, and for an instant only when a
deadline or a check point is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import Literal, NamedTuple

from chalicelib.domain.calendar import SegmentKind, WorkingTime
from chalicelib.domain.errors import DomainError
from chalicelib.domain.events import CardEvent, ColumnKind, EventKind
from chalicelib.domain.sla import RuleKind, SlaPolicy, SlaRule

_ZERO = timedelta(0)
# Breach is due once elapsed *exceeds* the target; instants have microsecond
# resolution, so that is one microsecond of working time past the target.
_PAST = timedelta(microseconds=1)
# A clock's ``since`` before it starts; nothing reads it until the clock has started.
_NOT_STARTED_SINCE = datetime.min.replace(tzinfo=UTC)


class TimerStatus(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"


class CheckpointKind(StrEnum):
    WARNING = "warning"
    BREACH = "breach"
    ESCALATION = "escalation"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """An instant at which the breach scanner has something to raise for a running timer.

    ``level`` is 0 for the warning and the breach, and the 1-based position of
    the escalation in the rule's ``escalations`` for an escalation.
    """

    kind: CheckpointKind
    level: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Timer:
    """One rule of one pinned SLA policy, evaluated for one card at one instant.

    ``elapsed`` is the exact counted working time. ``deadline`` is None while
    not started or paused; for a running timer it is the instant the target is
    (or, past the target, was) used up; for a stopped timer it is the deadline
    in force when it stopped (None if it stopped while paused).
    ``checkpoints`` (running timers only) lists the warning, breach and
    escalation instants in time order, past ones included; ``next_check_at``
    is the earliest of them strictly after the evaluation's ``now``.
    ``seq`` is the seq of the last event the timer was derived from.
    """

    sla_id: str
    sla_version: int
    rule_id: str
    kind: RuleKind
    column_id: str | None
    status: TimerStatus
    target: timedelta
    elapsed: timedelta
    started_at: datetime | None
    deadline: datetime | None
    stopped_at: datetime | None
    seq: int
    checkpoints: tuple[Checkpoint, ...] = ()
    next_check_at: datetime | None = None

    @property
    def violated(self) -> bool:
        """Elapsed exceeds the target; reaching it exactly is still within it."""
        return self.elapsed > self.target

    @property
    def remaining(self) -> timedelta:
        return max(self.target - self.elapsed, _ZERO)

    @property
    def overdue(self) -> timedelta:
        return max(self.elapsed - self.target, _ZERO)

    @property
    def color(self) -> Literal["green", "red", "gray"]:
        if self.status == TimerStatus.MET:
            return "green"
        return "red" if self.violated else "gray"


@dataclass(frozen=True, slots=True)
class Pin:
    """The SLA policy version and calendar version a card is pinned to."""

    sla_version: int
    calendar_version: int | None


class PinnedPolicy(NamedTuple):
    """An SLA policy version loaded with the calendar its timers count in."""

    policy: SlaPolicy
    calendar: WorkingTime


class SegmentReason(StrEnum):
    """Why a stretch of a timer's life counted or not."""

    WORKING = "working"
    NON_WORKING = "non_working"
    HOLIDAY = "holiday"
    PAUSED = "paused"
    # Between a stop and a resume: the card sat in done before a reopen, or
    # outside the column between two visits.
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ExplainedSegment:
    """A stretch of a timer's life, counted (working time) or not, with the reason."""

    start: datetime
    end: datetime
    reason: SegmentReason
    counted: bool

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class TimerExplanation:
    """A timer with the ordered segments from its start to now (or to its stop)."""

    timer: Timer
    segments: tuple[ExplainedSegment, ...]


def pinned_versions(history: Sequence[CardEvent]) -> dict[str, Pin]:
    """The SLAs attached to the card now, each with the versions it is pinned to.

    Attached minus detached; a repin replaces the pinned versions of an
    attached SLA. Attaching an SLA that is already attached keeps its pin.
    Keys come in the order the SLAs were (last) attached.
    """
    pins: dict[str, Pin] = {}
    for event in history:
        if event.kind == EventKind.SLA_ATTACHED:
            pins.setdefault(event.data["sla_id"], _pin_of(event))
        elif event.kind == EventKind.SLA_REPINNED:
            if event.data["sla_id"] in pins:
                pins[event.data["sla_id"]] = _pin_of(event)
        elif event.kind == EventKind.SLA_DETACHED:
            pins.pop(event.data["sla_id"], None)
    return pins


def evaluate(
    history: Sequence[CardEvent], policies: Mapping[str, PinnedPolicy], now: datetime
) -> list[Timer]:
    """Every timer of the card as of ``now``: one per rule of each attached SLA.

    ``history`` is the card's events ordered by ``seq``, starting with
    ``created``. ``policies`` maps sla_id to the policy version and calendar
    to evaluate it with: normally the pinned versions (see
    ``pinned_versions``), or another version for a repin preview or a
    what-if simulation. Only SLAs that are both attached to the card and in
    ``policies`` yield timers, in the order of ``pinned_versions``, each with
    its rules in policy order. The whole history counts, whenever the SLA was
    attached.

    ``now`` may be in any zone; it is taken in UTC like the events' instants.
    Events stamped earlier than their predecessor count at the predecessor's
    instant, and a ``now`` earlier than the last event counts as that event's
    instant, so time never runs backwards.
    """
    clocks, now = _run(history, policies, now, record=False)
    return [clock.timer(now) for clock in clocks]


def explain(
    history: Sequence[CardEvent], policies: Mapping[str, PinnedPolicy], now: datetime
) -> list[TimerExplanation]:
    """``evaluate``, with the segments of each timer's life and why each counted or not.

    Segments run from the timer's start to now, or to its stop for a stopped
    timer, in order and without gaps. Counting stretches are split by the
    calendar into working, non-working and holiday time; the counted
    segments add up to the timer's ``elapsed``.
    """
    clocks, now = _run(history, policies, now, record=True)
    return [TimerExplanation(clock.timer(now), clock.segments(now)) for clock in clocks]


def _pin_of(event: CardEvent) -> Pin:
    return Pin(event.data["sla_version"], event.data.get("calendar_version"))


class _Mode(IntEnum):
    NOT_STARTED = 0
    COUNTING = 1
    PAUSED = 2
    STOPPED = 3


class _Clock:
    """The running state of one rule while the history is read."""

    __slots__ = (
        "calendar",
        "deadline_at_stop",
        "elapsed",
        "marks",
        "mode",
        "policy",
        "reached",
        "rule",
        "seq",
        "since",
        "started_at",
        "stopped_at",
        "stretches",
    )

    def __init__(
        self, policy: SlaPolicy, rule: SlaRule, calendar: WorkingTime, seq: int, record: bool
    ) -> None:
        self.policy = policy
        self.rule = rule
        self.calendar = calendar
        self.mode = _Mode.NOT_STARTED
        self.since = _NOT_STARTED_SINCE  # when the current mode began
        self.elapsed = _ZERO  # counted before the current stretch
        self.started_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self.deadline_at_stop: datetime | None = None
        self.seq = seq  # the last event of the history, which every timer is derived from
        # The instant of each mark is found when the stretch that reaches it
        # ends, so a deadline or check point passed before a pause keeps it.
        self.marks = _marks_of(rule)
        self.reached: list[datetime | None] = [None] * len(self.marks)
        self.stretches: list[tuple[datetime, datetime, _Mode]] | None = [] if record else None

    def follow(
        self, at: datetime, column_id: str, in_pause: bool, in_done: bool, reacted: bool
    ) -> None:
        """Move to the mode the card's state at ``at`` calls for under this rule."""
        rule = self.rule
        if rule.kind == RuleKind.TIME_IN_COLUMN:
            if column_id == rule.column_id:
                mode = _Mode.COUNTING
            elif self.mode == _Mode.NOT_STARTED:
                return  # the card has not been in the column yet
            else:
                mode = _Mode.STOPPED
        elif reacted if rule.kind == RuleKind.FIRST_REACTION else in_done:
            mode = _Mode.STOPPED
            if self.mode == _Mode.NOT_STARTED:
                # Both start at creation: a card created where they stop has
                # met them at once, with the deadline they started with.
                self.move(at, _Mode.COUNTING)
        else:
            mode = _Mode.PAUSED if in_pause else _Mode.COUNTING
        self.move(at, mode)

    def move(self, at: datetime, mode: _Mode) -> None:
        """Change to ``mode`` at ``at`` (nothing happens if it is the current mode)."""
        if mode == self.mode:
            return
        deadline = None
        if self.mode != _Mode.NOT_STARTED:
            if self.stretches is not None and at > self.since:
                self.stretches.append((self.since, at, self.mode))
            if self.mode == _Mode.COUNTING:
                deadline = self._close(at, want_deadline=mode == _Mode.STOPPED)
        if self.started_at is None:
            self.started_at = at
        if mode == _Mode.STOPPED:
            self.stopped_at = at
            self.deadline_at_stop = deadline
        else:
            self.stopped_at = None
            self.deadline_at_stop = None
        self.mode = mode
        self.since = at

    def _close(self, at: datetime, want_deadline: bool) -> datetime | None:
        """End a counting stretch at ``at``; return the deadline that was in force if wanted."""
        since, before = self.since, self.elapsed
        after = before + self.calendar.elapsed(since, at) if at > since else before
        for i, (mark, _, _) in enumerate(self.marks):
            if self.reached[i] is None and mark <= after:
                self.reached[i] = self.calendar.deadline(since, max(mark - before, _ZERO))
        self.elapsed = after
        if not want_deadline:
            return None
        return self.reached[0] or self.calendar.deadline(since, self.marks[0][0] - before)

    def timer(self, now: datetime) -> Timer:
        """The timer as of ``now`` (not earlier than the last event read)."""
        rule = self.rule
        checkpoints: tuple[Checkpoint, ...] = ()
        next_check_at = None
        deadline = None
        elapsed = self.elapsed
        if self.mode == _Mode.COUNTING:
            since, before = self.since, self.elapsed
            if now > since:
                elapsed = before + self.calendar.elapsed(since, now)
            instants = [
                reached or self.calendar.deadline(since, mark - before)
                for (mark, _, _), reached in zip(self.marks, self.reached, strict=True)
            ]
            deadline = instants[0]
            checkpoints = tuple(
                sorted(
                    _checkpoints(self.marks[1:], instants[1:]),
                    key=lambda checkpoint: checkpoint.at,
                )
            )
            next_check_at = next((c.at for c in checkpoints if c.at > now), None)
            status = TimerStatus.RUNNING
        elif self.mode == _Mode.PAUSED:
            status = TimerStatus.PAUSED
        elif self.mode == _Mode.STOPPED:
            status = TimerStatus.MET if elapsed <= rule.target else TimerStatus.MISSED
            deadline = self.deadline_at_stop
        else:
            status = TimerStatus.NOT_STARTED
        return Timer(
            sla_id=self.policy.id,
            sla_version=self.policy.version,
            rule_id=rule.id,
            kind=rule.kind,
            column_id=rule.column_id,
            status=status,
            target=rule.target,
            elapsed=elapsed,
            started_at=self.started_at,
            deadline=deadline,
            stopped_at=self.stopped_at,
            seq=self.seq,
            checkpoints=checkpoints,
            next_check_at=next_check_at,
        )

    def segments(self, now: datetime) -> tuple[ExplainedSegment, ...]:
        """The recorded stretches up to ``now``, the counting ones split by the calendar.

        A stopped timer's life ends at its stop, so nothing after it is told.
        """
        assert self.stretches is not None
        stretches = list(self.stretches)
        if self.mode in (_Mode.COUNTING, _Mode.PAUSED) and now > self.since:
            stretches.append((self.since, now, self.mode))
        explained: list[ExplainedSegment] = []
        for start, stop, mode in stretches:
            if mode == _Mode.COUNTING:
                explained.extend(
                    ExplainedSegment(
                        s.start,
                        s.end,
                        SegmentReason(s.kind.value),
                        s.kind == SegmentKind.WORKING,
                    )
                    for s in self.calendar.segments(start, stop)
                )
            else:
                reason = SegmentReason.PAUSED if mode == _Mode.PAUSED else SegmentReason.STOPPED
                explained.append(ExplainedSegment(start, stop, reason, False))
        return tuple(explained)


def _run(
    history: Sequence[CardEvent],
    policies: Mapping[str, PinnedPolicy],
    now: datetime,
    record: bool,
) -> tuple[list[_Clock], datetime]:
    """Read the history once, moving every rule's clock; return the clocks and the effective now."""
    if now.tzinfo is None:
        raise DomainError("now must be timezone-aware", field="now")
    now = now.astimezone(UTC)  # instants are compared and subtracted in UTC
    if not history:
        return [], now
    first = history[0]
    if first.kind != EventKind.CREATED:
        raise DomainError("a card's history must begin with its created event", field="history")
    seq = history[-1].seq
    groups = []
    for sla_id in pinned_versions(history):
        if sla_id in policies:
            policy, calendar = policies[sla_id]
            clocks = [_Clock(policy, rule, calendar, seq, record) for rule in policy.rules]
            groups.append((policy.pause_in_columns, clocks))
    if not groups:
        return [], now

    column_id = column_kind = None
    reacted = False  # first reaction happened: a non-queue column or an agent's public comment
    at = first.at
    for event in history:
        at = max(at, event.at)
        kind, data = event.kind, event.data
        if kind == EventKind.CREATED or kind == EventKind.MOVED:
            if kind == EventKind.CREATED and event is not first:
                raise DomainError("a card is created once", field="history")
            column_id, column_kind = data["column_id"], data["column_kind"]
            reacted = reacted or column_kind != ColumnKind.QUEUE
        elif kind == EventKind.COMMENTED:
            public_by_agent = data.get("public") is True and data.get("author_role") == "agent"
            reacted = reacted or public_by_agent
        else:
            continue  # updates and SLA events move no clock
        in_done = column_kind == ColumnKind.DONE
        for pause_columns, clocks in groups:
            if pause_columns is None:
                in_pause = column_kind == ColumnKind.WAITING
            else:
                in_pause = column_id in pause_columns
            for clock in clocks:
                assert column_id is not None  # the created event, which comes first, sets it
                clock.follow(at, column_id, in_pause, in_done, reacted)

    clocks = [clock for _, group in groups for clock in group]
    return clocks, max(now, at)


def _checkpoints(
    marks: Sequence[tuple[timedelta, CheckpointKind | None, int]], instants: Sequence[datetime]
) -> list[Checkpoint]:
    """The check points of ``marks`` (every mark after the target has a kind) at ``instants``."""
    checkpoints = []
    for (_, kind, level), at in zip(marks, instants, strict=True):
        assert kind is not None  # only the target, which is no check point, has none
        checkpoints.append(Checkpoint(kind, level, at))
    return checkpoints


@lru_cache(maxsize=1024)
def _marks_of(rule: SlaRule) -> tuple[tuple[timedelta, CheckpointKind | None, int], ...]:
    """Amounts of counted time whose instants matter, each with its check point kind and level.

    The target comes first (its instant is the deadline; it is no check point),
    then the warning, the breach and the escalation levels. Rules are frozen
    and shared by every card pinned to the same policy version, so this is
    worked out once per rule.
    """
    breach = rule.target + _PAST
    marks: list[tuple[timedelta, CheckpointKind | None, int]] = [(rule.target, None, 0)]
    if rule.warn_before is not None:
        marks.append((max(rule.target - rule.warn_before, _ZERO), CheckpointKind.WARNING, 0))
    marks.append((breach, CheckpointKind.BREACH, 0))
    marks.extend(
        (max(rule.target + escalation.after_breach, breach), CheckpointKind.ESCALATION, level)
        for level, escalation in enumerate(rule.escalations, 1)
    )
    return tuple(marks)
