"""Wiring of the config ports (see ``chalicelib/ports/config.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalicelib import ports
from chalicelib.domain.versions import CalendarVersion, SlaPolicyVersion

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld

# The names the fakes are kept under in ``MemoryWorld.stores``, as the ports are named.
SLA_STORE = "config.sla_store"
CALENDAR_STORE = "config.calendar_store"
KEY_STORE = "config.key_store"
SUBSCRIPTION_STORE = "config.subscription_store"
SECRETS = "config.secrets"
PUBLIC_HOLIDAYS = "config.public_holidays"


def wire_aws() -> None:
    """Wire the config ports to their DynamoDB/AWS adapters."""

    def sla_store() -> object:
        from chalicelib.adapters.versioned_store import get_sla_store

        return get_sla_store()

    def calendar_store() -> object:
        from chalicelib.adapters.versioned_store import get_calendar_store

        return get_calendar_store()

    def key_store() -> object:
        from chalicelib.adapters.key_store import get_key_store

        return get_key_store()

    def subscription_store() -> object:
        from chalicelib.adapters.subscription_store import get_subscription_store

        return get_subscription_store()

    def secrets() -> object:
        from chalicelib.adapters.secrets import SecretsManagerSecrets

        return SecretsManagerSecrets()

    def public_holidays() -> object:
        from chalicelib.adapters.public_holidays import public_holidays

        return public_holidays

    for name, factory in (
        (SLA_STORE, sla_store),
        (CALENDAR_STORE, calendar_store),
        (KEY_STORE, key_store),
        (SUBSCRIPTION_STORE, subscription_store),
        (SECRETS, secrets),
        (PUBLIC_HOLIDAYS, public_holidays),
    ):
        ports.provide(name, factory)


def wire_memory(world: MemoryWorld) -> None:
    """Wire the config ports to in-memory fakes, kept in ``world.stores`` under the port names."""
    from chalicelib.adapters.memory.config import (
        MemoryHolidays,
        MemoryKeyStore,
        MemorySecrets,
        MemorySubscriptionStore,
        MemoryVersionStore,
    )

    fakes: dict[str, object] = {
        SLA_STORE: MemoryVersionStore(SlaPolicyVersion),
        CALENDAR_STORE: MemoryVersionStore(CalendarVersion),
        KEY_STORE: MemoryKeyStore(),
        SUBSCRIPTION_STORE: MemorySubscriptionStore(),
        SECRETS: MemorySecrets(),
        PUBLIC_HOLIDAYS: MemoryHolidays(),
    }
    for name, fake in fakes.items():
        world.stores[name] = fake
        ports.provide(name, _answering(fake))


def _answering(fake: object) -> Callable[[], object]:
    return lambda: fake
