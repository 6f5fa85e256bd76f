"""The SLA and calendar versions a card's timers count in, read once per request or batch.

Stored versions never change, so one ``PinnedVersions`` may keep every
version it has read for as long as it lives: one HTTP request (a card list
reads each version once, however many cards share it) or one stream batch
(one config read per distinct SLA version and calendar version). The latest
versions, which do change, are read once per instance too: a request or a
batch is short, and a pin taken from a version that was current when the
batch began is still the version current "at attach time".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.calendar import ALWAYS_OPEN, WorkingTime
from chalicelib.domain.events import CardEvent
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.timers import Pin, PinnedPolicy, pinned_versions
from chalicelib.ports.config import sla_store
from chalicelib.services.calendars import latest_calendar_version, load_calendar
from chalicelib.services.slas import load_sla_version, policy_from_body


class PinnedVersions:
    """Loads SLA policy versions and calendar versions, each at most once."""

    def __init__(self) -> None:
        self._policies: dict[tuple[str, int], SlaPolicy] = {}
        self._calendars: dict[tuple[str, int], WorkingTime] = {}
        self._latest: dict[str, dict[str, Any] | None] = {}

    def policy(self, sla_id: str, version: int) -> SlaPolicy:
        """One SLA policy version (NotFoundError if it was never stored)."""
        key = (sla_id, version)
        if key not in self._policies:
            self._policies[key] = load_sla_version(sla_id, version)
        return self._policies[key]

    def calendar(self, calendar_id: str | None, version: int | None) -> WorkingTime:
        """One calendar version; 24/7 for an SLA without a calendar."""
        if calendar_id is None or version is None:
            return ALWAYS_OPEN
        key = (calendar_id, version)
        if key not in self._calendars:
            self._calendars[key] = load_calendar(calendar_id, version)
        return self._calendars[key]

    def pinned(self, pin_of: Mapping[str, Pin]) -> dict[str, PinnedPolicy]:
        """Each SLA of ``pin_of`` with the policy and calendar versions it is pinned to."""
        pinned = {}
        for sla_id, pin in pin_of.items():
            policy = self.policy(sla_id, pin.sla_version)
            calendar = self.calendar(policy.calendar_id, pin.calendar_version)
            pinned[sla_id] = PinnedPolicy(policy, calendar)
        return pinned

    def for_history(self, history: Sequence[CardEvent]) -> dict[str, PinnedPolicy]:
        """The pinned versions of every SLA attached to the card whose history this is."""
        return self.pinned(pinned_versions(history))

    def latest_pin(self, sla_id: str) -> dict[str, Any] | None:
        """The pin an attach takes now: the policy's latest version and its calendar's.

        None when there is no such policy (or it was deleted).
        """
        if sla_id not in self._latest:
            self._latest[sla_id] = self._read_latest_pin(sla_id)
        return self._latest[sla_id]

    def _read_latest_pin(self, sla_id: str) -> dict[str, Any] | None:
        item = sla_store().latest(sla_id)
        if item is None:
            return None
        # The head item holds the latest body: keep it as that version, saving a read later.
        self._policies.setdefault(
            (sla_id, item.version), policy_from_body(sla_id, item.version, item.body)
        )
        calendar_id = item.body.get("calendar_id")
        calendar_version = None if calendar_id is None else latest_calendar_version(calendar_id)
        return {"sla_id": sla_id, "sla_version": item.version, "calendar_version": calendar_version}
