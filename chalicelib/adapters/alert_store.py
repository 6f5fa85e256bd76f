"""Alert records and delivery state in the reports table.

An alert is recorded once, with a conditional put, together with one
pending delivery per recipient, in one transaction: whatever happens after
(a crash, a failed send), the deliveries are there to be sent, and a second
attempt to record the same alert writes nothing.

A delivery lives in the partition of its status and is ordered by the instant
that matters for that status (``NOTIFY#pending`` by its next attempt,
``NOTIFY#sent`` and ``NOTIFY#failed`` by when it ended), so "what is due to be
tried now" and "what failed" are each one query. Changing status (or the
next attempt) moves the item: a delete of the old key, conditional on it still
being there, and a put of the new one, in one transaction. So two workers
that read the same pending delivery cannot both claim it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import ReportsTable, bind_tables

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)
# DynamoDB takes up to 100 items per transaction; one is the alert record.
_CHUNK = 99
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AlertItem(ReportsTable):
    """An alert raised once. Key: pk ``ALERT#<subject>``, sk ``<what>``.

    ``<subject>`` is a card id, or ``DIGEST#<subscription id>``. ``<what>`` is
    ``<sla id>#<rule id>#<kind>#<level>`` for a check point of a timer,
    ``EVENT#<seq>`` for a card event, the subscriber's local date for a digest.
    ``facts`` is what the messages say (``domain.alerts.AlertFacts``).
    """

    event = UnicodeAttribute()
    card_id = UnicodeAttribute(null=True)
    facts = JSONAttribute()
    recipients = NumberAttribute()
    raised_at = UTCDateTimeAttribute()


class DeliveryItem(ReportsTable):
    """One alert to one recipient. Key: pk ``NOTIFY#<status>``, sk ``<instant µs:020d>#<id>``.

    The instant is the next attempt while pending, the end once sent or failed.
    ``id`` is ``<alert pk>|<alert sk>|<recipient>``: stable across moves.
    ``subscription_id`` is None for an escalation's own targets and for the
    assignment an escalation makes (channel ``assign``).
    """

    delivery_id = UnicodeAttribute()
    status = UnicodeAttribute()
    event = UnicodeAttribute()
    card_id = UnicodeAttribute(null=True)
    channel = UnicodeAttribute()
    target = UnicodeAttribute()
    subscription_id = UnicodeAttribute(null=True)
    locale = UnicodeAttribute()
    timezone = UnicodeAttribute()
    facts = JSONAttribute()
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    next_attempt_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)


class ScanStateItem(ReportsTable):
    """Where the breach scanner got to. Key: pk ``SCANNER``, sk ``STATE``."""

    scanned_at = UTCDateTimeAttribute()


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where one delivery of an alert goes, and when it may first be tried."""

    key: str
    channel: str
    target: str
    subscription_id: str | None
    locale: str
    timezone: str
    release_at: datetime


def _micros(instant: datetime) -> int:
    return (instant.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)


def _sk(instant: datetime, delivery_id: str) -> str:
    return f"{_micros(instant):020d}#{delivery_id}"


def _pk(status: str) -> str:
    return f"NOTIFY#{status}"


class AlertStore:
    """Records alerts and moves their deliveries between pending, sent and failed."""

    def record(
        self,
        subject: str,
        what: str,
        facts: dict[str, Any],
        recipients: Sequence[Recipient],
        now: datetime,
    ) -> list[DeliveryItem] | None:
        """Record an alert and its pending deliveries; None (writing nothing) if it exists.

        More than 99 recipients take further transactions; each delivery is put
        only if new, so a repeat after a crash between them adds the rest.
        """
        pk = f"ALERT#{subject}"
        alert = AlertItem(
            pk,
            what,
            event=facts["event"],
            card_id=facts.get("card_id"),
            facts=facts,
            recipients=len(recipients),
            raised_at=now,
        )
        deliveries = [self._delivery(f"{pk}|{what}|{r.key}", r, facts, now) for r in recipients]
        connection = AlertItem._get_connection().connection
        first = True
        for start in range(0, max(len(deliveries), 1), _CHUNK):
            try:
                with TransactWrite(connection=connection) as transaction:
                    if first:
                        transaction.save(alert, condition=AlertItem.pk.does_not_exist())
                    for delivery in deliveries[start : start + _CHUNK]:
                        transaction.save(delivery, condition=DeliveryItem.pk.does_not_exist())
            except TransactWriteError as error:
                if conflict_from(error) is None:
                    raise
                if first:
                    return None
            first = False
        return deliveries

    def exists(self, subject: str, what: str) -> bool:
        """Whether that alert was recorded."""
        try:
            AlertItem.get(f"ALERT#{subject}", what, attributes_to_get=["pk"])
        except AlertItem.DoesNotExist:
            return False
        return True

    def due(self, now: datetime, limit: int) -> list[DeliveryItem]:
        """Up to ``limit`` pending deliveries whose next attempt is at or before ``now``."""
        bound = f"{_micros(now) + 1:020d}"
        return list(DeliveryItem.query(_pk(PENDING), DeliveryItem.sk < bound, limit=limit))

    def claim(self, item: DeliveryItem, now: datetime, lease: timedelta) -> DeliveryItem | None:
        """Take a pending delivery for one attempt (retried after ``lease`` if never finished).

        Answers the claimed item (``attempts`` counted), or None when another
        worker took or finished it first.
        """
        return self._move(item, PENDING, now + lease, attempts=item.attempts + 1)

    def retry(self, item: DeliveryItem, at: datetime, error: str) -> DeliveryItem | None:
        """Put a claimed delivery back to pending, to be tried again at ``at``."""
        return self._move(item, PENDING, at, last_error=error)

    def finish(
        self, item: DeliveryItem, status: str, now: datetime, error: str | None = None
    ) -> DeliveryItem | None:
        """Mark a claimed delivery sent or failed (with the reason of its last failure)."""
        return self._move(item, status, now, last_error=error, finished_at=now)

    def page(
        self, status: str, limit: int, cursor: str | None
    ) -> tuple[list[DeliveryItem], str | None]:
        """One page of the deliveries in ``status``, oldest first."""
        results = DeliveryItem.query(
            _pk(status), last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_page(results, limit, ("pk", "sk"))

    def scanned_at(self) -> datetime | None:
        """When the breach scanner last finished a tick, if ever."""
        try:
            return ScanStateItem.get("SCANNER", "STATE").scanned_at
        except ScanStateItem.DoesNotExist:
            return None

    def set_scanned_at(self, now: datetime) -> None:
        """Remember that the breach scanner finished a tick at ``now``."""
        ScanStateItem("SCANNER", "STATE", scanned_at=now).save()

    def _delivery(
        self, delivery_id: str, recipient: Recipient, facts: dict[str, Any], now: datetime
    ) -> DeliveryItem:
        return DeliveryItem(
            _pk(PENDING),
            _sk(recipient.release_at, delivery_id),
            delivery_id=delivery_id,
            status=PENDING,
            event=facts["event"],
            card_id=facts.get("card_id"),
            channel=recipient.channel,
            target=recipient.target,
            subscription_id=recipient.subscription_id,
            locale=recipient.locale,
            timezone=recipient.timezone,
            facts=facts,
            attempts=0,
            created_at=now,
            next_attempt_at=recipient.release_at,
        )

    def _move(
        self, item: DeliveryItem, status: str, at: datetime, **changes: Any
    ) -> DeliveryItem | None:
        fields = {k: v for k, v in item.attribute_values.items() if k not in ("pk", "sk")}
        fields.update(changes, status=status, next_attempt_at=at if status == PENDING else None)
        moved = DeliveryItem(_pk(status), _sk(at, item.delivery_id), **fields)
        if (moved.pk, moved.sk) == (item.pk, item.sk):
            # Same key (a retry due when its lease ends): one guarded put, not a move.
            try:
                moved.save(condition=DeliveryItem.pk.exists())
            except PutError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    return None
                raise
            return moved
        connection = DeliveryItem._get_connection().connection
        try:
            with TransactWrite(connection=connection) as transaction:
                transaction.delete(
                    DeliveryItem(item.pk, item.sk), condition=DeliveryItem.pk.exists()
                )
                transaction.save(moved)
        except TransactWriteError as error:
            if conflict_from(error) is None:
                raise
            return None
        return moved


def get_alert_store() -> AlertStore:
    """The alert store of this process."""
    bind_tables()
    return AlertStore()
