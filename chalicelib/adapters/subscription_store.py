"""Notification subscriptions in the config table (one partition, ``SUBSCRIPTION``).

Items are answered as ``chalicelib.domain.subscriptions.StoredSubscription``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.adapters.config_items import SubscriptionItem
from chalicelib.adapters.paging import decode_cursor, read_page
from chalicelib.adapters.table_base import bind_tables
from chalicelib.domain.subscriptions import StoredSubscription
from chalicelib.ports.errors import WriteConflictError

_PK = "SUBSCRIPTION"
_CONDITION_FAILED = "ConditionalCheckFailedException"


def _subscription(item: SubscriptionItem) -> StoredSubscription:
    return StoredSubscription(
        id=item.subscription_id, board_id=item.board_id, body=item.body, created_at=item.created_at
    )


class SubscriptionStore:
    """Creates, lists, reads and deletes subscriptions."""

    def create(
        self, subscription_id: str, board_id: str | None, body: Mapping[str, Any], now: datetime
    ) -> StoredSubscription:
        """Store a new subscription; WriteConflictError when the id is taken."""
        item = SubscriptionItem(
            _PK,
            subscription_id,
            subscription_id=subscription_id,
            board_id=board_id,
            body=dict(body),
            created_at=now,
        )
        try:
            item.save(condition=SubscriptionItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                raise WriteConflictError([0]) from error
            raise
        return _subscription(item)

    def all(self) -> list[StoredSubscription]:
        """Every subscription: one query of their partition (what alerts match against)."""
        return [_subscription(item) for item in SubscriptionItem.query(_PK)]

    def get(self, subscription_id: str) -> StoredSubscription | None:
        """One subscription, or None (also for an empty id, which DynamoDB refuses as a key)."""
        if not subscription_id:
            return None
        try:
            return _subscription(SubscriptionItem.get(_PK, subscription_id))
        except SubscriptionItem.DoesNotExist:
            return None

    def delete(self, subscription_id: str) -> bool:
        """Delete a subscription; False when there was none."""
        try:
            SubscriptionItem(_PK, subscription_id).delete(condition=SubscriptionItem.sk.exists())
        except DeleteError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                return False
            raise
        return True

    def list(self, limit: int, cursor: str | None) -> tuple[list[StoredSubscription], str | None]:
        """One page of subscriptions, in id order."""
        results = SubscriptionItem.query(
            _PK, last_evaluated_key=decode_cursor(cursor), page_size=limit + 1
        )
        items, next_cursor = read_page(results, limit, ("pk", "sk"))
        return [_subscription(item) for item in items], next_cursor


def get_subscription_store() -> SubscriptionStore:
    """The subscription store of this process."""
    bind_tables()
    return SubscriptionStore()
