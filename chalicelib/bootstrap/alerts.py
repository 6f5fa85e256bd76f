"""Wiring of the alerts ports (see ``chalicelib/ports/alerts.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import ports

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld


def _alert_store() -> object:
    from chalicelib.adapters.alert_store import get_alert_store

    return get_alert_store()


def _channels() -> object:
    from chalicelib.adapters.channels import DeliveryChannels

    return DeliveryChannels()


def _mail_sender() -> object:
    from chalicelib.adapters.mail_sender import SesMail

    return SesMail()


def wire_aws() -> None:
    """Wire the alerts ports to their DynamoDB/AWS adapters (each imported on first use)."""
    for name in ("alerts.records", "alerts.outbox", "alerts.scan_state"):
        ports.provide(name, _alert_store)
    ports.provide("alerts.channels", _channels)
    ports.provide("alerts.mail_sender", _mail_sender)


def wire_memory(world: MemoryWorld) -> None:
    """Wire the alerts ports to in-memory fakes, shared through ``world.stores``."""
    from chalicelib.adapters.memory.alerts import (
        MemoryAlerts,
        MemoryChannels,
        MemoryMail,
    )

    fakes = {
        "alerts": MemoryAlerts(),
        "channels": MemoryChannels(),
        "mail": MemoryMail(),
    }
    world.stores.update(fakes)
    for name in ("alerts.records", "alerts.outbox", "alerts.scan_state"):
        ports.provide(name, lambda: fakes["alerts"])
    ports.provide("alerts.channels", lambda: fakes["channels"])
    ports.provide("alerts.mail_sender", lambda: fakes["mail"])
