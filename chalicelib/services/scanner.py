"""The breach scanner: raise the warnings, breaches and escalations that are due, once each.

Every minute (``app.py``) it:

1. queries the timers' ``due`` index for check points at or before now, in
   the day buckets from the day before its last tick to today (the first
   tick of a stack looks back ``FIRST_LOOKBACK``): a few queries plus one
   item per timer due, whatever the number of timers stored;
2. re-derives each due card's timers from its history at now (one card read
   and one history query per card due), so a timer paused or stopped since
   it was stored raises nothing, and one that resumed raises at its new
   instants;
3. raises each check point at or before now (``notifications.raise_alert``:
   recorded once, conditionally, before anything is sent), with one delivery
   per subscriber of the event, per target of the escalation level and, for
   a level with ``assign_to``, the assignment;
4. moves the timer's ``next_check_at`` to its next check point (or out of
   the index when none is left);
5. tries every pending delivery due, its own and earlier failures alike,
   acknowledgements whose first send failed among them.

Run twice at the same instant, the second run finds the timers moved on and
the alerts recorded: it sends nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.alerts import (
    EVENT_OF_CHECKPOINT,
    AlertFacts,
    Subscription,
    due_checkpoints,
    next_check_after,
)
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.cards import Card
from chalicelib.domain.deliveries import CheckpointAlert, Recipient
from chalicelib.domain.stored_timers import StoredTimer, utc_days
from chalicelib.domain.timers import (
    Checkpoint,
    CheckpointKind,
    PinnedPolicy,
    Timer,
    TimerStatus,
    evaluate,
)
from chalicelib.observability import measure_seconds, working_on
from chalicelib.ports.alerts import scan_state, subscribers
from chalicelib.ports.cards import card_store
from chalicelib.ports.timers import due_timers
from chalicelib.services.cards import load_history
from chalicelib.services.deliveries import deliver_due
from chalicelib.services.notifications import (
    ASSIGN,
    QuietHours,
    raise_alert,
    subscriber_recipients,
)
from chalicelib.services.pinning import PinnedVersions
from chalicelib.services.targets import notify_channel
from chalicelib.services.timers import due_day

# How far back the very first tick of a stack looks for due timers.
FIRST_LOOKBACK = timedelta(days=7)


def due_days(now: datetime, last_scan: datetime | None) -> list[date]:
    """The UTC days of the due index to walk: from the day before the last tick to today.

    A timer is due on the day of its check point, or of the day it was
    derived when that is later (``services.timers.due_day``); a stream
    record is handled within a day, so the day before the last tick is the
    oldest day that can hold something not yet raised.
    """
    since = now - FIRST_LOOKBACK if last_scan is None else min(last_scan, now) - timedelta(days=1)
    return utc_days(since.date(), now.date())


def scan_due_timers(now: datetime) -> dict[str, Any]:
    """One tick of the scanner at ``now``: what it found, raised and delivered."""
    state = scan_state()
    due = due_timers().due(due_days(now, state.scanned_at()), now)
    # How far behind the scanner is: zero when nothing waited, so an alarm always has data.
    oldest = min((t.next_check_at for t in due if t.next_check_at is not None), default=now)
    measure_seconds("ScannerLag", (now - oldest).total_seconds())
    by_card: dict[str, list[StoredTimer]] = defaultdict(list)
    for stored in due:
        by_card[stored.card_id].append(stored)
    raised = 0
    if by_card:
        scan = _Tick(now)
        for card_id, items in by_card.items():
            working_on(card_id)
            raised += scan.card(card_id, items)
    deliveries = deliver_due(now)
    state.set_scanned_at(now)
    return {"due_timers": len(due), "cards": len(by_card), "raised": raised, **deliveries}


class _Tick:
    """What one tick reads once: SLA and calendar versions, subscriptions, quiet calendars."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.versions = PinnedVersions()
        self.quiet = QuietHours()
        self._subscriptions: list[Subscription] | None = None

    def subscriptions(self) -> list[Subscription]:
        if self._subscriptions is None:
            self._subscriptions = subscribers().all()
        return self._subscriptions

    def card(self, card_id: str, items: list[StoredTimer]) -> int:
        """Raise what is due on one card's due timers; answers how many alerts were new."""
        card = card_store().get(card_id)
        history = load_history(card_id) if card is not None else []
        if card is None or not history:
            for item in items:  # the card is gone: nothing will ever be due on it
                due_timers().move_next_check(item, None, None)
            return 0
        pinned = self.versions.for_history(history)
        timers = {(t.sla_id, t.rule_id): t for t in evaluate(history, pinned, self.now)}
        raised = 0
        for item in items:
            timer = timers.get((item.sla_id, item.rule_id))
            if timer is None or timer.status != TimerStatus.RUNNING:
                # Paused, stopped or detached since it was stored: raise nothing; the stream
                # handler's recomputation of that change takes it out of the index.
                continue
            for checkpoint in due_checkpoints(timer.checkpoints, self.now):
                raised += self._raise(card, timer, pinned[timer.sla_id], checkpoint)
            upcoming = next_check_after(timer.checkpoints, self.now)
            due_timers().move_next_check(item, upcoming, due_day(upcoming, self.now))
        return raised

    def _raise(self, card: Card, timer: Timer, pinned: PinnedPolicy, checkpoint: Checkpoint) -> int:
        policy = pinned.policy
        rule = next(rule for rule in policy.rules if rule.id == timer.rule_id)
        escalation = (
            rule.escalations[checkpoint.level - 1]
            if checkpoint.kind == CheckpointKind.ESCALATION
            else None
        )
        facts = AlertFacts(
            event=EVENT_OF_CHECKPOINT[checkpoint.kind],
            at=self.now,
            board_id=card.board_id,
            card_id=card.card_id,
            title=card.title,
            sla_id=timer.sla_id,
            sla_name=policy.name,
            rule_id=timer.rule_id,
            rule_kind=timer.kind.value,
            level=checkpoint.level,
            deadline=timer.deadline,
            remaining_seconds=int(timer.remaining.total_seconds()),
            overdue_seconds=int(timer.overdue.total_seconds()),
            assign_to=escalation.assign_to if escalation else None,
        )
        recipients = subscriber_recipients(facts, self.subscriptions(), self.quiet, self.now)
        if escalation is not None:
            calendar = pinned.calendar
            zone = calendar.timezone.key if isinstance(calendar, WorkCalendar) else "UTC"
            recipients += [self._target(target, zone) for target in escalation.notify]
            if escalation.assign_to:
                recipients.append(
                    Recipient(ASSIGN, ASSIGN, escalation.assign_to, None, "en", zone, self.now)
                )
        key = CheckpointAlert(
            card.card_id, timer.sla_id, timer.rule_id, checkpoint.kind.value, checkpoint.level
        )
        return 0 if raise_alert(key, facts, recipients, self.now) is None else 1

    def _target(self, target: str, zone: str) -> Recipient:
        """One of an escalation level's ``notify`` targets: an address or an SNS topic."""
        channel = notify_channel(target)
        return Recipient(f"notify:{target}", channel, target, None, "en", zone, self.now)
