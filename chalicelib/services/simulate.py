"""What-if: the compliance an SLA's cards would have had under draft rules.

The SLA change-management step: before a policy is edited, its draft rules
are tried on the cards whose timers of that SLA finished in a date range.
Each such card's stored history is evaluated again with the pure timer
engine, with the version it is pinned to but the draft's rules (same
calendar version, same pause columns), and the answer sets the actual
outcomes (the stored finished timers) beside the draft's, per bucket, with
the cards whose outcome would change.

A draft timer counts when it is met or missed and stopped within the range,
as the actual ones do. Cost: the range's finished timers, then one history
query per card, read by a few threads at once.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chalicelib.domain.events import CardEvent
from chalicelib.domain.reports import Count, Granularity, Tally, build_report, local_day
from chalicelib.domain.sla import SlaRule
from chalicelib.domain.stored_timers import StoredTimer
from chalicelib.domain.timers import PinnedPolicy, Timer, TimerStatus, evaluate, pinned_versions
from chalicelib.ports.clock import now as clock_now
from chalicelib.services.cards import load_history
from chalicelib.services.errors import UnprocessableError
from chalicelib.services.pinning import PinnedVersions
from chalicelib.services.reports import ReportScope, finished_in
from chalicelib.services.slas import check_policy, load_latest_sla, policy_from_body

# Beyond this a request would outlast API Gateway's 29 s; narrow the range instead.
MAX_CARDS = 20_000
# The changed cards listed in full; the count covers all of them.
MAX_CHANGED_LISTED = 500
_READERS = 8
_FINISHED = (TimerStatus.MET, TimerStatus.MISSED)


def simulate(
    sla_id: str, rules: list[dict[str, Any]], scope: ReportScope, granularity: Granularity
) -> dict[str, Any]:
    """Compliance per bucket, actual vs draft, and the cards that would change outcome."""
    latest = load_latest_sla(sla_id)
    draft_body = {**latest.body, "rules": rules}
    check_policy(draft_body)
    draft_rules = policy_from_body(sla_id, int(latest.version), draft_body).rules
    start, end = scope.span()

    actual: dict[str, dict[str, StoredTimer]] = defaultdict(dict)
    for finished in finished_in(scope):
        if finished.sla_id == sla_id:
            actual[finished.card_id][finished.rule_id] = finished
    if len(actual) > MAX_CARDS:
        raise UnprocessableError(
            f"{len(actual)} cards finished in that range; simulate at most {MAX_CARDS}",
            code="too_many_cards",
        )
    histories = _histories(list(actual))
    versions = PinnedVersions()
    now = clock_now()

    actual_tallies, draft_tallies, changed = [], [], []
    for card_id, stored in actual.items():
        for was in stored.values():
            if was.stopped_at is not None:
                actual_tallies.append(
                    _tally(scope, was.stopped_at, was.status, was.overdue_seconds)
                )
        draft = {
            timer.rule_id: timer
            for timer in reevaluate(histories[card_id], sla_id, draft_rules, versions, now)
        }
        for timer in draft.values():
            stopped_at = _stopped_within(timer, start, end)
            if stopped_at is not None:
                overdue = timer.overdue.total_seconds()
                draft_tallies.append(_tally(scope, stopped_at, timer.status, overdue))
        changes = _changes(stored, draft, start, end)
        if changes:
            changed.append({"card_id": card_id, "title": _title(stored), "changes": changes})

    actual_report = build_report(actual_tallies, scope.first, scope.last, granularity, {})
    draft_report = build_report(draft_tallies, scope.first, scope.last, granularity, {})
    return {
        "sla_id": sla_id,
        "from": scope.first,
        "to": scope.last,
        "granularity": granularity.value,
        "tz": scope.tz,
        "cards": len(actual),
        "buckets": [
            {
                "start": bucket.start,
                "end": bucket.end,
                "label": bucket.label,
                "actual": _count(actual_count),
                "draft": _count(draft_count),
            }
            for (bucket, actual_count), (_, draft_count) in zip(
                actual_report.buckets, draft_report.buckets, strict=True
            )
        ],
        "totals": {"actual": _count(actual_report.totals), "draft": _count(draft_report.totals)},
        "changed_count": len(changed),
        "changed": changed[:MAX_CHANGED_LISTED],
    }


def reevaluate(
    history: Sequence[CardEvent],
    sla_id: str,
    rules: tuple[SlaRule, ...],
    versions: PinnedVersions,
    now: datetime,
) -> list[Timer]:
    """The card's timers of ``sla_id`` under ``rules``, with the versions it is pinned to."""
    pin = pinned_versions(history).get(sla_id)
    if pin is None:
        return []  # detached since: no timers under any rules
    pinned = versions.pinned({sla_id: pin})[sla_id]
    draft = PinnedPolicy(dataclasses.replace(pinned.policy, rules=rules), pinned.calendar)
    return evaluate(history, {sla_id: draft}, now)


def _histories(card_ids: list[str]) -> dict[str, list[CardEvent]]:
    """Each card's history; the queries are independent, so a few run at once."""
    if not card_ids:
        return {}
    with ThreadPoolExecutor(max_workers=_READERS) as pool:
        return dict(zip(card_ids, pool.map(load_history, card_ids), strict=True))


def _stopped_within(timer: Timer, start: datetime, end: datetime) -> datetime | None:
    """When a draft timer stopped, if it finished (met or missed) within ``start`` to ``end``."""
    stopped_at = timer.stopped_at
    if timer.status in _FINISHED and stopped_at is not None and start <= stopped_at < end:
        return stopped_at
    return None


def _changes(
    stored: dict[str, StoredTimer], draft: dict[str, Timer], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Per rule, the actual and draft outcome where they differ (None: nothing finished)."""
    changes = []
    for rule_id in sorted(set(stored) | set(draft)):
        timer = stored.get(rule_id)
        was = None if timer is None else timer.status
        new = draft.get(rule_id)
        finished = new if new is not None and _stopped_within(new, start, end) else None
        now = finished.status.value if finished is not None else None
        if was != now:
            kind = timer.kind if timer is not None else new.kind.value if new else None
            changes.append(
                {
                    "rule_id": rule_id,
                    "kind": kind,
                    "actual": was,
                    "draft": now,
                    "actual_overdue_seconds": (
                        None if timer is None else int(timer.overdue_seconds)
                    ),
                    "draft_overdue_seconds": (
                        int(finished.overdue.total_seconds()) if finished is not None else None
                    ),
                }
            )
    return changes


def _tally(scope: ReportScope, stopped_at: datetime, status: str, overdue: float) -> Tally:
    missed = status == TimerStatus.MISSED
    return Tally(
        local_day(stopped_at, scope.zone),
        "",
        int(not missed),
        int(missed),
        overdue if missed else 0.0,
    )


def _title(stored: dict[str, StoredTimer]) -> str:
    return next(iter(stored.values())).title


def _count(count: Count) -> dict[str, Any]:
    return {"met": count.met, "missed": count.missed, "compliance": count.compliance}
