"""Card events that subscribers are told of: a new card (``card_created``) and a move
(``card_entered_column``), recorded once per event and delivered by the next breach scan.

The stream handler calls ``CardEventAlerts.event`` with each event appended to
a card's history; the alert is keyed by the card event, so a redelivered
record raises nothing new. Nothing here calls a third party: a subscriber's
slow webhook must never hold up the stream, and with it the timers of every
card. The alert's deliveries are pending at once, and the breach scan (every
minute) sends them (``docs/design.md``, "Deliveries").
"""

from __future__ import annotations

from chalicelib.domain.alerts import AlertEvent, AlertFacts, Subscription
from chalicelib.domain.deliveries import CardEventAlert
from chalicelib.domain.events import CardEvent, EventKind
from chalicelib.ports.alerts import subscribers
from chalicelib.ports.cards import card_store
from chalicelib.ports.clock import now as clock_now
from chalicelib.services.notifications import QuietHours, raise_alert, subscriber_recipients

_ALERTS = {
    EventKind.CREATED: AlertEvent.CARD_CREATED,
    EventKind.MOVED: AlertEvent.CARD_ENTERED_COLUMN,
}


class CardEventAlerts:
    """The stream handler's hook: ``card_created`` and ``card_entered_column`` for one batch.

    The subscriptions are read once per batch, and only when the batch holds a
    new card or a move; a card is read only when some subscription wants one.
    """

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] | None = None

    def event(self, card_id: str, event: CardEvent) -> None:
        """Record the alert of a new ``created`` or ``moved`` card event, for the next scan."""
        kind = _ALERTS.get(event.kind)
        if kind is None:
            return
        wanting = [s for s in self._load() if kind.value in s.events]
        if not wanting:
            return
        card = card_store().get(card_id)
        if card is None:
            return
        column_id = event.data.get("column_id") if kind == AlertEvent.CARD_ENTERED_COLUMN else None
        facts = AlertFacts(
            event=kind,
            at=event.at,
            board_id=card.board_id,
            card_id=card_id,
            title=card.title,
            column_id=column_id,
        )
        now = clock_now()
        recipients = subscriber_recipients(facts, wanting, QuietHours(), now)
        if not recipients:
            return
        raise_alert(CardEventAlert(card_id, event.seq), facts, recipients, now)

    def _load(self) -> list[Subscription]:
        if self._subscriptions is None:
            self._subscriptions = subscribers().all()
        return self._subscriptions
