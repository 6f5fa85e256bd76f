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

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.card_items import seq_sk
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.store_errors import conflict_from
from chalicelib.adapters.table_base import ReportsTable, bind_tables
from chalicelib.domain.deliveries import (
    FAILED,
    PENDING,
    SENT,
    STATUSES,
    Alert,
    AlertKey,
    CardEventAlert,
    CheckpointAlert,
    Delivery,
    DigestAlert,
    Recipient,
    new_delivery,
)
from chalicelib.ports.alerts import Outbox, StoreUnavailableError

__all__ = ["FAILED", "PENDING", "SENT", "STATUSES", "AlertStore", "Recipient", "get_alert_store"]

# DynamoDB takes up to 100 items per transaction; one is the alert record.
_CHUNK = 99
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AlertItem(ReportsTable):
    """An alert raised once. Key: pk ``ALERT#<subject>``, sk ``<what>``.

    ``<subject>`` is a card id, or ``DIGEST#<subscription id>``. ``<what>`` is
    ``<sla id>#<rule id>#<kind>#<level>`` for a check point of a timer,
    ``EVENT#<seq>`` for a card event, the subscriber's local date for a digest,
    the event (``acknowledgement``) of a message kept for another try.
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


def alert_key(key: AlertKey) -> tuple[str, str]:
    """The (pk, sk) of an alert's record."""
    if isinstance(key, CheckpointAlert):
        return f"ALERT#{key.card_id}", f"{key.sla_id}#{key.rule_id}#{key.kind}#{key.level}"
    if isinstance(key, CardEventAlert):
        return f"ALERT#{key.card_id}", seq_sk("EVENT", key.seq)
    if isinstance(key, DigestAlert):
        return f"ALERT#DIGEST#{key.subscription_id}", key.day.isoformat()
    return f"ALERT#{key.card_id}", key.event


def _micros(instant: datetime) -> int:
    return (instant.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)


def _sk(instant: datetime, delivery_id: str) -> str:
    return f"{_micros(instant):020d}#{delivery_id}"


def _pk(status: str) -> str:
    return f"NOTIFY#{status}"


_FIELDS = (
    "delivery_id",
    "status",
    "event",
    "card_id",
    "channel",
    "target",
    "subscription_id",
    "locale",
    "timezone",
    "created_at",
    "facts",
    "attempts",
    "last_error",
    "next_attempt_at",
    "finished_at",
)


def delivery_of(item: DeliveryItem) -> Delivery:
    """The domain view of a stored delivery."""
    values = {name: getattr(item, name) for name in _FIELDS}
    values["attempts"] = int(values["attempts"] or 0)
    values["facts"] = dict(values["facts"] or {})
    return Delivery(**values)


def delivery_item(delivery: Delivery) -> DeliveryItem:
    """The stored item of a delivery, keyed by its status and instant."""
    fields = {name: getattr(delivery, name) for name in _FIELDS}
    return DeliveryItem(_pk(delivery.status), _sk(delivery.instant, delivery.delivery_id), **fields)


@contextmanager
def _unavailable() -> Iterator[None]:
    """DynamoDB failing (not a condition) reported as the port's ``StoreUnavailableError``."""
    try:
        yield
    except (PynamoDBException, BotoCoreError, ClientError) as error:
        raise StoreUnavailableError(str(error)) from error


class AlertStore(Outbox):
    """Records alerts and moves their deliveries between pending, sent and failed."""

    def record(self, alert: Alert) -> list[Delivery] | None:
        """Record an alert and its pending deliveries; None (writing nothing) if it exists.

        More than 99 recipients take further transactions; each delivery is put
        only if new, so a repeat after a crash between them adds the rest.
        """
        pk, what = alert_key(alert.key)
        facts, now = alert.facts, alert.raised_at
        record = AlertItem(
            pk,
            what,
            event=facts["event"],
            card_id=facts.get("card_id"),
            facts=facts,
            recipients=len(alert.recipients),
            raised_at=now,
        )
        deliveries = [new_delivery(f"{pk}|{what}|{r.key}", r, facts, now) for r in alert.recipients]
        connection = AlertItem._get_connection().connection
        first = True
        with _unavailable():
            for start in range(0, max(len(deliveries), 1), _CHUNK):
                try:
                    with TransactWrite(connection=connection) as transaction:
                        if first:
                            transaction.save(record, condition=AlertItem.pk.does_not_exist())
                        for delivery in deliveries[start : start + _CHUNK]:
                            transaction.save(
                                delivery_item(delivery), condition=DeliveryItem.pk.does_not_exist()
                            )
                except TransactWriteError as error:
                    if conflict_from(error) is None:
                        raise
                    if first:
                        return None
                first = False
        return deliveries

    def exists(self, key: AlertKey) -> bool:
        """Whether that alert was recorded."""
        pk, what = alert_key(key)
        try:
            AlertItem.get(pk, what, attributes_to_get=["pk"])
        except AlertItem.DoesNotExist:
            return False
        return True

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Up to ``limit`` pending deliveries whose next attempt is at or before ``now``."""
        bound = f"{_micros(now) + 1:020d}"
        results = DeliveryItem.query(_pk(PENDING), DeliveryItem.sk < bound, limit=limit)
        return [delivery_of(item) for item in results]

    def page(
        self, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        """One page of the deliveries in ``status``, oldest first."""
        results = DeliveryItem.query(
            _pk(status), last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        items, next_cursor = read_page(results, limit, ("pk", "sk"))
        return [delivery_of(item) for item in items], next_cursor

    def scanned_at(self) -> datetime | None:
        """When the breach scanner last finished a tick, if ever."""
        try:
            return ScanStateItem.get("SCANNER", "STATE").scanned_at
        except ScanStateItem.DoesNotExist:
            return None

    def set_scanned_at(self, now: datetime) -> None:
        """Remember that the breach scanner finished a tick at ``now``."""
        ScanStateItem("SCANNER", "STATE", scanned_at=now).save()

    def move(self, delivery: Delivery, moved: Delivery) -> Delivery | None:
        """Store ``moved`` in place of ``delivery``, only if that is still stored as read."""
        old, new = delivery_item(delivery), delivery_item(moved)
        with _unavailable():
            if (new.pk, new.sk) == (old.pk, old.sk):
                # Same key (a retry due when its lease ends): one guarded put, not a move.
                try:
                    new.save(condition=DeliveryItem.pk.exists())
                except PutError as error:
                    if error.cause_response_code == "ConditionalCheckFailedException":
                        return None
                    raise
                return moved
            connection = DeliveryItem._get_connection().connection
            try:
                with TransactWrite(connection=connection) as transaction:
                    transaction.delete(
                        DeliveryItem(old.pk, old.sk), condition=DeliveryItem.pk.exists()
                    )
                    transaction.save(new)
            except TransactWriteError as error:
                if conflict_from(error) is None:
                    raise
                return None
        return moved


def get_alert_store() -> AlertStore:
    """The alert store of this process."""
    bind_tables()
    return AlertStore()
