"""Notification subscriptions in the config table (one partition, ``SUBSCRIPTION``)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib.adapters.config_items import SubscriptionItem
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.table_base import bind_tables
from chalicelib.domain.alerts import Subscription

_PK = "SUBSCRIPTION"


class SubscriptionStore:
    """Creates, lists, reads and deletes subscriptions."""

    def create(
        self, subscription_id: str, board_id: str | None, body: dict[str, Any], now: datetime
    ) -> SubscriptionItem:
        """Store a new subscription."""
        item = SubscriptionItem(
            _PK,
            subscription_id,
            subscription_id=subscription_id,
            board_id=board_id,
            body=body,
            created_at=now,
        )
        item.save(condition=SubscriptionItem.sk.does_not_exist())
        return item

    def list(self, limit: int, cursor: str | None) -> tuple[list[SubscriptionItem], str | None]:
        """One page of subscriptions, in id order."""
        results = SubscriptionItem.query(
            _PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        return read_page(results, limit, ("pk", "sk"))

    def all(self) -> builtins.list[SubscriptionItem]:
        """Every subscription: one query of their partition (what alerts match against)."""
        return list(SubscriptionItem.query(_PK))

    def get(self, subscription_id: str) -> SubscriptionItem | None:
        """One subscription, or None (also for an empty id, which DynamoDB refuses as a key)."""
        if not subscription_id:
            return None
        try:
            return SubscriptionItem.get(_PK, subscription_id)
        except SubscriptionItem.DoesNotExist:
            return None

    def delete(self, subscription_id: str) -> bool:
        """Delete a subscription; False when there was none."""
        try:
            SubscriptionItem(_PK, subscription_id).delete(condition=SubscriptionItem.sk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def subscription_of(item: SubscriptionItem) -> Subscription:
    """The domain view of a stored subscription."""
    body = item.body
    return Subscription(
        id=item.subscription_id,
        channel=body["channel"],
        target=body["target"],
        events=frozenset(body["events"]),
        board_id=body.get("board_id"),
        column_id=body.get("column_id"),
        locale=body.get("locale", "en"),
        timezone=body.get("timezone", "UTC"),
        quiet_calendar_id=body.get("quiet_calendar_id"),
        hold_urgent=bool(body.get("hold_urgent")),
    )


class StoredSubscribers:
    """The ``Subscribers`` port: the subscriptions as the alert rules read them."""

    def all(self) -> list[Subscription]:
        """Every subscription: one query of their partition."""
        return [subscription_of(item) for item in get_subscription_store().all()]

    def webhook_secret(self, subscription_id: str) -> str | None:
        """The stored secret of a webhook subscription (None when it is gone or has none)."""
        stored = get_subscription_store().get(subscription_id)
        return None if stored is None else stored.body.get("secret")


def get_subscription_store() -> SubscriptionStore:
    """The subscription store of this process."""
    bind_tables()
    return SubscriptionStore()
