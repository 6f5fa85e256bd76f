"""A slow, obviously correct reading of the timer semantics, for the property tests.

It reads docs/design.md's rules literally: after each event, each rule's
clock is counting, paused, stopped or not started; then it walks time minute
by minute and counts the minutes in which the clock was counting and the
calendar was working. Instants it reports are found the same way, walking
on past ``now`` (or past a stop) as if the clock kept counting.

It only holds for histories whose events, ``now``, targets and durations all
fall on whole minutes; the strategies make sure of that.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.events import CardEvent, ColumnKind, EventKind
from chalicelib.domain.sla import RuleKind, SlaPolicy, SlaRule
from chalicelib.domain.timers import CheckpointKind, TimerStatus

MINUTE = timedelta(minutes=1)
_HORIZON = 60 * 24 * 60  # minutes walked at most before giving up on an instant

NOT_STARTED, COUNTING, PAUSED, STOPPED = "not_started", "counting", "paused", "stopped"


@dataclass(frozen=True)
class Expected:
    status: TimerStatus
    elapsed: timedelta
    started_at: datetime | None
    stopped_at: datetime | None
    deadline: datetime | None
    checkpoints: tuple[tuple[CheckpointKind, int, datetime], ...]
    next_check_at: datetime | None


def expected_timers(
    events: Sequence[CardEvent],
    policy: SlaPolicy,
    is_working: Callable[[datetime], bool],
    now: datetime,
) -> list[Expected]:
    """What each rule of ``policy`` should show at ``now`` for a card with ``events``."""
    return [_expected(events, policy, rule, is_working, now) for rule in policy.rules]


def _expected(events, policy, rule, is_working, now) -> Expected:
    modes = _modes_after_each_event(events, policy, rule)
    instants = [event.at for event in events]
    created = instants[0]

    def mode_at(minute: datetime) -> str:
        return modes[bisect_right(instants, minute) - 1]

    final = modes[-1]
    started = [at for at, mode in zip(instants, modes, strict=True) if mode != NOT_STARTED]
    started_at = started[0] if started else None
    if rule.kind != RuleKind.TIME_IN_COLUMN:
        started_at = created

    elapsed = timedelta(0)
    minute = created
    while minute < now:
        if mode_at(minute) == COUNTING and is_working(minute):
            elapsed += MINUTE
        minute += MINUTE

    stopped_at = deadline = None
    checkpoints: tuple = ()
    next_check_at = None
    if final == STOPPED:
        # The last event after which the clock went from another mode to stopped.
        before = [NOT_STARTED if rule.kind == RuleKind.TIME_IN_COLUMN else COUNTING, *modes]
        last = max(i for i in range(len(modes)) if modes[i] == STOPPED and before[i] != STOPPED)
        stopped_at = instants[last]
        if before[last] == COUNTING:
            counting_on = _counted(created, mode_at, stopped_at, is_working)
            deadline = _reaching(rule.target, counting_on)
        status = TimerStatus.MET if elapsed <= rule.target else TimerStatus.MISSED
    elif final == COUNTING:
        status = TimerStatus.RUNNING
        deadline = _reaching(rule.target, _counted(created, mode_at, now, is_working))
        checkpoints = tuple(
            sorted(
                (
                    (kind, level, find(_counted(created, mode_at, now, is_working)))
                    for kind, level, find in _check_points(rule)
                ),
                key=lambda checkpoint: checkpoint[2],
            )
        )
        next_check_at = min((at for _, _, at in checkpoints if at > now), default=None)
    else:
        status = TimerStatus.PAUSED if final == PAUSED else TimerStatus.NOT_STARTED
    return Expected(status, elapsed, started_at, stopped_at, deadline, checkpoints, next_check_at)


def _modes_after_each_event(events, policy: SlaPolicy, rule: SlaRule) -> list[str]:
    modes = []
    column_id = column_kind = None
    reacted = entered = False
    for event in events:
        if event.kind in (EventKind.CREATED, EventKind.MOVED):
            column_id, column_kind = event.data["column_id"], event.data["column_kind"]
            reacted = reacted or column_kind != ColumnKind.QUEUE
        if event.kind == EventKind.COMMENTED and event.data["public"]:
            reacted = reacted or event.data["author_role"] == "agent"
        if policy.pause_in_columns is None:
            paused = column_kind == ColumnKind.WAITING
        else:
            paused = column_id in policy.pause_in_columns
        if rule.kind == RuleKind.TIME_IN_COLUMN:
            entered = entered or column_id == rule.column_id
            if column_id == rule.column_id:
                modes.append(COUNTING)
            else:
                modes.append(STOPPED if entered else NOT_STARTED)
            continue
        stopped = (
            reacted if rule.kind == RuleKind.FIRST_REACTION else column_kind == ColumnKind.DONE
        )
        modes.append(STOPPED if stopped else PAUSED if paused else COUNTING)
    return modes


def _counted(created, mode_at, until, is_working) -> Iterator[tuple[datetime, bool]]:
    """Each minute from creation on and whether it counts, as if counting from ``until`` on."""
    minute = created
    for _ in range(_HORIZON):
        mode = mode_at(minute) if minute < until else COUNTING
        yield minute, mode == COUNTING and is_working(minute)
        minute += MINUTE
    raise AssertionError("no instant found within the horizon")


def _reaching(amount: timedelta, counted: Iterator[tuple[datetime, bool]]) -> datetime:
    """The end of the minute in which ``amount`` (at least a minute) has been counted."""
    total = timedelta(0)
    for minute, counts in counted:
        total += MINUTE if counts else timedelta(0)
        if counts and total == amount:
            return minute + MINUTE
    raise AssertionError("unreachable")


def _exceeding(amount: timedelta, counted: Iterator[tuple[datetime, bool]]) -> datetime:
    """The first instant at which more than ``amount`` has been counted."""
    total = timedelta(0)
    for minute, counts in counted:
        if counts and total == amount:
            return minute + timedelta(microseconds=1)
        total += MINUTE if counts else timedelta(0)
    raise AssertionError("unreachable")


def _check_points(rule: SlaRule):
    """(kind, level, how to find its instant) for each check point of ``rule``."""
    target = rule.target
    if rule.warn_before is not None:
        yield (
            CheckpointKind.WARNING,
            0,
            lambda counted: _reaching(target - rule.warn_before, counted),
        )
    yield CheckpointKind.BREACH, 0, lambda counted: _exceeding(target, counted)
    for level, escalation in enumerate(rule.escalations, 1):
        after = escalation.after_breach
        if after:
            yield (
                CheckpointKind.ESCALATION,
                level,
                lambda counted, after=after: _reaching(target + after, counted),
            )
        else:
            yield CheckpointKind.ESCALATION, level, lambda counted: _exceeding(target, counted)
