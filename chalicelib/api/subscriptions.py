"""Routes for notification subscriptions and the deliveries they get (manager)."""

from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.api.schemas.subscriptions import (
    Notification,
    NotificationQuery,
    Subscription,
    SubscriptionFields,
)
from chalicelib.services import deliveries, subscriptions


@endpoint(
    "POST",
    "/subscriptions",
    role="manager",
    body=SubscriptionFields,
    response=Subscription,
    status=201,
)
def create_subscription(body: SubscriptionFields) -> dict:
    """Subscribe a channel target to events of a board (or of every board)."""
    return subscriptions.create_subscription(body.model_dump(mode="json"))


@endpoint(
    "GET",
    "/subscriptions",
    role="manager",
    query=PageQuery,
    response=Page[Subscription],
)
def list_subscriptions(query: PageQuery) -> dict:
    """List subscriptions (never their secrets)."""
    return subscriptions.list_subscriptions(query.limit, query.next)


@endpoint("DELETE", "/subscriptions/{subscription_id}", role="manager", status=204)
def delete_subscription(subscription_id: str) -> None:
    """Delete a subscription; what was already recorded for it is still delivered."""
    subscriptions.delete_subscription(subscription_id)


@endpoint(
    "GET",
    "/notifications",
    role="manager",
    query=NotificationQuery,
    response=Page[Notification],
)
def list_notifications(query: NotificationQuery) -> dict:
    """List deliveries that are pending, sent or failed, with the reason of the last failure."""
    return deliveries.list_notifications(query.status, query.limit, query.next)
