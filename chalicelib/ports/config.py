"""The config ports: the interfaces the config services use, in domain types.

Versioned definitions (SLA policies, calendars), API keys, subscriptions, the secrets
the app reads at run time and the public-holiday tables. Every store answers lists a
page at a time: ``(items, next cursor or None)``; a cursor it did not hand out raises
``InvalidCursorError``. A guarded write that loses raises ``WriteConflictError``
(``chalicelib.ports.errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol, TypeVar, cast

from chalicelib.domain.keys import ApiKey
from chalicelib.domain.subscriptions import StoredSubscription
from chalicelib.domain.versions import CalendarVersion, DefinitionVersion, SlaPolicyVersion
from chalicelib.ports import resolve

V = TypeVar("V", bound=DefinitionVersion)


class VersionStore(Protocol[V]):
    """The versions of one kind of definition (SLA policies or calendars)."""

    def create(self, item_id: str, body: Mapping[str, Any], now: datetime) -> V:
        """Store version 1; WriteConflictError when the id is taken."""
        ...

    def add_version(self, item_id: str, after: int, body: Mapping[str, Any], now: datetime) -> V:
        """Store version ``after + 1``; WriteConflictError unless ``after`` is latest."""
        ...

    def latest(self, item_id: str) -> V | None:
        """The latest version, or None for an unknown (or deleted) id."""
        ...

    def version(self, item_id: str, version: int) -> V | None:
        """One stored version (deleted definitions keep theirs), or None."""
        ...

    def list_latest(self, limit: int, cursor: str | None) -> tuple[list[V], str | None]:
        """One page of latest versions, in id order."""
        ...

    def all_latest(self) -> list[V]:
        """Every latest version (one per definition: few)."""
        ...

    def delete(self, item_id: str) -> None:
        """Take the definition out of lists and lookups; its versions stay readable."""
        ...


class KeyStore(Protocol):
    """API keys, kept by their hash."""

    def find(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, or None."""
        ...

    def add(self, key_hash: str, name: str, role: str, now: datetime) -> ApiKey | None:
        """Store a key unless one with this hash exists; None when it already did."""
        ...

    def list(self, limit: int, cursor: str | None) -> tuple[list[ApiKey], str | None]:
        """One page of keys, in hash order."""
        ...

    def get(self, key_id: str) -> ApiKey | None:
        """The key with this id, or None."""
        ...

    def remove(self, key_id: str) -> bool:
        """Delete the key with this id; False when there is none."""
        ...


class SubscriptionStore(Protocol):
    """Notification subscriptions."""

    def create(
        self, subscription_id: str, board_id: str | None, body: Mapping[str, Any], now: datetime
    ) -> StoredSubscription:
        """Store a new subscription; WriteConflictError when the id is taken."""
        ...

    def all(self) -> list[StoredSubscription]:
        """Every subscription (what alerts match against)."""
        ...

    def get(self, subscription_id: str) -> StoredSubscription | None:
        """One subscription, or None."""
        ...

    def delete(self, subscription_id: str) -> bool:
        """Delete a subscription; False when there was none."""
        ...

    def list(self, limit: int, cursor: str | None) -> tuple[list[StoredSubscription], str | None]:
        """One page of subscriptions, in id order."""
        ...


class SecretUnavailableError(Exception):
    """A secret is configured but its value cannot be read now.

    The message names the secret and why, never a value.
    """


class Secrets(Protocol):
    """The secrets the app reads at run time (signing keys, bot tokens)."""

    def read(self, name: str) -> str | None:
        """The current value of ``name``; None when it is configured nowhere.

        Raises ``SecretUnavailableError`` when it is configured but cannot be read.
        """
        ...


class PublicHolidays(Protocol):
    """The public holidays of the countries a calendar may name."""

    def __call__(self, country: object) -> frozenset[date]:
        """The holidays of ``country`` (an ISO 3166 code) over the years calendars count.

        Raises ``DomainError`` on field ``holiday_country`` for a country it does not know.
        """
        ...


def sla_store() -> VersionStore[SlaPolicyVersion]:
    """The versions of SLA policies."""
    return cast(VersionStore[SlaPolicyVersion], resolve("config.sla_store"))


def calendar_store() -> VersionStore[CalendarVersion]:
    """The versions of business calendars."""
    return cast(VersionStore[CalendarVersion], resolve("config.calendar_store"))


def key_store() -> KeyStore:
    """The API keys."""
    return cast(KeyStore, resolve("config.key_store"))


def subscription_store() -> SubscriptionStore:
    """The notification subscriptions."""
    return cast(SubscriptionStore, resolve("config.subscription_store"))


def secrets() -> Secrets:
    """The secrets of this deployment."""
    return cast(Secrets, resolve("config.secrets"))


def read_secret(name: str) -> str | None:
    """The current value of the secret ``name`` (see ``Secrets.read``)."""
    return secrets().read(name)


def public_holidays(country: object) -> frozenset[date]:
    """The public holidays of ``country`` (see ``PublicHolidays``)."""
    return cast(PublicHolidays, resolve("config.public_holidays"))(country)
