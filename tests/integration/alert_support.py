"""What the alert tests share: a channel that keeps what it is given, subscriptions, ticks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.channels import DeliveryError, Message, use_channel
from chalicelib.adapters.clock import get_clock
from chalicelib.services.digest import send_digests
from chalicelib.services.scanner import scan_due_timers

CHANNELS = ("email", "sns", "slack", "telegram", "webhook")


@dataclass
class Sent:
    """One message a fake channel was given."""

    channel: str
    target: str
    message: Message


@dataclass
class FakeChannels:
    """Stands in for every channel: keeps what it sends, or fails as a test asks."""

    sent: list[Sent] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)
    """Raised one by one by the next sends (the last one is raised for good)."""
    failing_for_good: DeliveryError | None = None

    def channel(self, name: str) -> Any:
        outer = self

        class _Channel:
            def send(self, target: str, message: Message, secret: str | None) -> str:
                if outer.failing_for_good is not None:
                    raise outer.failing_for_good
                if outer.failures:
                    raise outer.failures.pop(0)
                outer.sent.append(Sent(name, target, message))
                return f"{name}-{len(outer.sent)}"

        return _Channel()

    def events(self) -> list[tuple[str, str | None, str]]:
        """(event, card id, target) of every message sent, in order."""
        return [(s.message.event, s.message.card_id, s.target) for s in self.sent]


def fake_channels() -> Iterator[FakeChannels]:
    """Every channel replaced by one fake while the generator runs (a test's fixture)."""
    fake = FakeChannels()
    for name in CHANNELS:
        use_channel(name, fake.channel(name))
    yield fake
    for name in CHANNELS:
        use_channel(name, None)


def subscribe(api: Any, board_id: str | None, events: list[str], **fields: Any) -> str:
    """Subscribe (as a manager) an e-mail address to ``events``; answers the id."""
    body = {
        "channel": "email",
        "target": "ops@example.com",
        "board_id": board_id,
        "events": events,
        **fields,
    }
    return api.ok("POST", "/subscriptions", body, role="manager")["id"]


def tick() -> dict[str, Any]:
    """One breach-scanner tick at the clock's now."""
    return scan_due_timers(get_clock().now())


def digest() -> dict[str, Any]:
    """One digest run at the clock's now."""
    return send_digests(get_clock().now())
