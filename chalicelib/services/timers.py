"""The timer pipeline: re-derive a touched card's timers and store the ones that changed.

The cards table's stream handler (``app.py``) builds one ``TimerRecompute``
per batch and hands it the card of every record; each card is worked on once
per batch, however many of its records the batch holds:

1. read the card (one get) and its whole history (one query), again if a
   change landed between the two reads;
2. run the board's automation rules (``chalicelib.domain.automations``) over
   the card's current state and attach what they match (a guarded card
   write, see ``cards.attach_by_automation``);
3. evaluate every timer with the pure engine at the instant of the card's
   last event, with the pinned SLA and calendar versions (each read once
   per batch);
4. read the stored timers (one query) and write only those that changed,
   deleting those of SLAs no longer attached, in one guarded transaction
   (the timer store port, ``chalicelib.ports.timers``).

What is stored depends on the history alone, never on when the batch runs:
the engine is asked about the instant of the last event, and the one field
that would still move with that instant, a running timer's elapsed time, is
not stored (card views evaluate live). Redelivered, late or reordered records
therefore recompute the same timers and write nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.domain.automations import Automation, slas_to_attach
from chalicelib.domain.cards import Card
from chalicelib.domain.events import CardEvent
from chalicelib.domain.instants import utc_stamp
from chalicelib.domain.stored_timers import StoredTimer, TimerKey, TimerWrite
from chalicelib.domain.timers import Timer, TimerStatus, evaluate
from chalicelib.observability import count
from chalicelib.ports.cards import card_store
from chalicelib.ports.timers import timer_store
from chalicelib.services.aggregates import touched_days
from chalicelib.services.cards import (
    attach_by_automation,
    board_automations,
    card_state,
    load_history,
)
from chalicelib.services.errors import ConflictError
from chalicelib.services.pinning import PinnedVersions

logger = Logger(child=True)


# Reads again when the card changes between its two reads or under an attach;
# a card that keeps changing is left to the stream records of those changes.
_ATTEMPTS = 3
# Written by the breach scanner as it raises check points (and the stamp of the write),
# so not part of "changed".
_UNCOMPARED: dict[str, Any] = {"next_check_at": None, "due_day": None, "derived_seq": None}


class TimerRecompute:
    """Recomputes the stored timers of the cards of one stream batch, each card once.

    Config (SLA and calendar versions, a board's automation rules) is read at
    most once per batch. A card whose recomputation failed fails again, with
    the same error, for each of its records, so the batch reports them all.
    """

    def __init__(self) -> None:
        self._versions = PinnedVersions()
        self._automations: dict[str, list[Automation]] = {}
        self._outcome: dict[str, Exception | None] = {}

    def card(self, card_id: str) -> None:
        """Bring the card's stored timers up to date (once per batch)."""
        if card_id not in self._outcome:
            try:
                self._recompute(card_id)
            except Exception as error:
                self._outcome[card_id] = error
                raise
            self._outcome[card_id] = None
        failure = self._outcome[card_id]
        if failure is not None:
            raise failure

    def _recompute(self, card_id: str) -> None:
        read = self._read(card_id)
        if read is None:
            logger.info("card gone or changing; its later records recompute it", card_id=card_id)
            return
        card, history = read
        pinned = self._versions.for_history(history)
        derived_at = history[-1].at
        timers = evaluate(history, pinned, derived_at)
        wanted = {
            (t.sla_id, t.rule_id): stored_timer(card, t, pinned[t.sla_id].policy.name)
            for t in timers
        }
        store = timer_store()
        stored = {timer.key: timer for timer in store.for_card(card_id)}
        puts = [
            replace(timer, due_day=due_day(timer.next_check_at, derived_at))
            for key, timer in wanted.items()
            if key not in stored or not _same(stored[key], timer)
        ]
        deletes = [key for key in stored if key not in wanted]
        if not puts and not deletes:
            return
        touched = touched_days(stored, puts, deletes)
        change = TimerWrite(card_id, history[-1].seq, tuple(puts), tuple(deletes), tuple(touched))
        if not store.write(change):
            logger.info("card moved on; its later records recompute it", card_id=card_id)
            return
        count_timer_changes(stored, puts)

    def _read(self, card_id: str) -> tuple[Card, list[CardEvent]] | None:
        """The card and its history, consistent, with the automations' attaches applied."""
        for _ in range(_ATTEMPTS):
            card = card_store().get(card_id)
            if card is None:
                return None
            history = load_history(card_id)
            if not history or history[-1].seq != card.last_seq:
                continue  # changed between the two reads
            attachments = slas_to_attach(
                self._board_automations(card.board_id), card_state(card), history
            )
            if not attachments:
                return card, history
            try:
                added = attach_by_automation(card, attachments, self._versions)
            except ConflictError:
                continue
            return card, history + added
        return None

    def _board_automations(self, board_id: str) -> list[Automation]:
        if board_id not in self._automations:
            self._automations[board_id] = board_automations(board_id)
        return self._automations[board_id]


def count_timer_changes(stored: Mapping[TimerKey, StoredTimer], puts: list[StoredTimer]) -> None:
    """Emit ``TimersStarted``, ``TimersMet`` and ``TimersMissed`` for the timers just written.

    Counted from what the guarded write changed, so a redelivered record,
    which writes nothing, counts nothing.
    """
    for timer in puts:
        before = stored.get(timer.key)
        was_started = before is not None and before.started_at is not None
        was = before.status if before is not None else None
        if timer.started_at is not None and not was_started:
            count("TimersStarted", sla_id=timer.sla_id, rule_kind=timer.kind)
        if timer.status != was and timer.status == TimerStatus.MET.value:
            count("TimersMet", sla_id=timer.sla_id, rule_kind=timer.kind)
        if timer.status != was and timer.status == TimerStatus.MISSED.value:
            count("TimersMissed", sla_id=timer.sla_id, rule_kind=timer.kind)


def stored_timer(card: Card, timer: Timer, sla_name: str) -> StoredTimer:
    """The stored timer of a card's timer (without ``due_day`` and ``derived_seq``).

    A running timer's first check point starts as ``next_check_at``, even
    when it is already past: the scanner raises each check point once
    (its alert records are conditional puts) and then moves ``next_check_at``
    on, so a warning that fell between two scanner ticks and a card change is
    still raised.
    """
    running = timer.status == TimerStatus.RUNNING
    stopped = timer.status in (TimerStatus.MET, TimerStatus.MISSED)
    return StoredTimer(
        card_id=card.card_id,
        board_id=card.board_id,
        title=card.title,
        card_type=card.card_type,
        service=card.service,
        priority=card.priority,
        assignee=card.assignee,
        lane_id=card.lane_id,
        tags=tuple(card.tags or ()),
        sla_id=timer.sla_id,
        sla_name=sla_name,
        sla_version=timer.sla_version,
        rule_id=timer.rule_id,
        kind=timer.kind.value,
        column_id=timer.column_id,
        status=timer.status.value,
        target_seconds=timer.target.total_seconds(),
        elapsed_seconds=None if running else timer.elapsed.total_seconds(),
        started_at=timer.started_at,
        deadline=timer.deadline,
        stopped_at=timer.stopped_at,
        checkpoints=tuple(
            {"kind": c.kind.value, "level": c.level, "at": utc_stamp(c.at)}
            for c in timer.checkpoints
        ),
        next_check_at=timer.checkpoints[0].at if running and timer.checkpoints else None,
        stop_day=_utc_day(timer.stopped_at) if stopped and timer.stopped_at else None,
    )


def due_day(next_check_at: datetime | None, derived_at: datetime) -> date | None:
    """The UTC day the scanner finds a timer on: that of the later of the two instants.

    The breach scanner queries the days of yesterday and today for
    ``next_check_at <= now``: a stream record is handled within the stream's
    24-hour retention, so a timer derived late still lands on a day the
    scanner walks, and each tick costs two queries plus the due timers.
    """
    if next_check_at is None:
        return None
    return max(next_check_at, derived_at).astimezone(UTC).date()


def _same(stored: StoredTimer, wanted: StoredTimer) -> bool:
    """Whether a stored timer is what was derived now, but for what the scanner moves."""
    return replace(stored, **_UNCOMPARED) == replace(wanted, **_UNCOMPARED)


def _utc_day(instant: datetime) -> str:
    return instant.astimezone(UTC).date().isoformat()
