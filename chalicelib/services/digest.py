"""The daily digest: at 09:00 in each subscriber's zone, the deadlines of the next 24 hours.

Run every few minutes (``app.py``): each ``daily_digest`` subscription whose
local day has reached 09:00 gets that day's digest once: the running timers
of its board (every board when it names none) whose deadlines fall within
the next 24 hours, nearest first. The day is recorded either way (a
conditional put keyed by subscription and local date), so an empty day is
looked at once and sends nothing, and a digest is never sent twice.

The timers come from the ``due`` index: a running timer whose deadline is
within 24 hours has its next check point (the warning or the breach) within
them too, so a few bucket queries per board find them all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.alerts import (
    DIGEST_HORIZON,
    AlertEvent,
    AlertFacts,
    DigestLine,
    digest_day,
    digest_lines,
)
from chalicelib.domain.deliveries import DigestAlert
from chalicelib.domain.stored_timers import utc_days
from chalicelib.domain.timers import TimerStatus
from chalicelib.ports.alerts import alert_records, subscribers
from chalicelib.ports.timers import due_timers
from chalicelib.services.deliveries import deliver
from chalicelib.services.notifications import QuietHours, raise_alert, subscriber_recipients

# The breach check point is one microsecond past the deadline: look that far beyond the horizon.
_SLACK = timedelta(seconds=1)


def send_digests(now: datetime) -> dict[str, Any]:
    """Send the digests due at ``now``; answers how many were looked at and sent."""
    records = alert_records()
    quiet = QuietHours()
    upcoming: list[tuple[str, DigestLine]] | None = None
    looked = sent = 0
    for subscription in subscribers().all():
        if AlertEvent.DAILY_DIGEST.value not in subscription.events:
            continue
        day = digest_day(now, subscription.timezone)
        if day is None or records.exists(DigestAlert(subscription.id, day)):
            continue
        looked += 1
        if upcoming is None:
            upcoming = _upcoming(now)
        lines = digest_lines(
            (line for board_id, line in upcoming if subscription.board_id in (None, board_id)),
            now,
        )
        facts = AlertFacts(
            event=AlertEvent.DAILY_DIGEST,
            at=now,
            board_id=subscription.board_id or "",
            lines=lines,
        )
        recipients = subscriber_recipients(facts, [subscription], quiet, now) if lines else []
        created = raise_alert(DigestAlert(subscription.id, day), facts, recipients, now)
        if created:
            sent += deliver(created, now)["sent"]
    return {"looked_at": looked, "sent": sent}


def _upcoming(now: datetime) -> list[tuple[str, DigestLine]]:
    """(board, line) for every running timer whose check point falls within the horizon."""
    end = now + DIGEST_HORIZON + _SLACK
    days = utc_days((now - timedelta(days=1)).date(), end.date())
    return [
        (
            item.board_id,
            DigestLine(
                card_id=item.card_id,
                title=item.title,
                sla_name=item.sla_name,
                rule_id=item.rule_id,
                kind=item.kind,
                deadline=item.deadline,
            ),
        )
        for item in due_timers().due(days, end)
        if item.status == TimerStatus.RUNNING.value and item.deadline is not None
    ]
