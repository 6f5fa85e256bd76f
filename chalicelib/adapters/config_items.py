"""Item types of the config table: boards, calendars, SLA policies, automations,
subscriptions, API keys and counters.

Every list the API offers is one partition (``BOARD``, ``CALENDAR``, ``SLA``,
``AUTOMATION``, ``SUBSCRIPTION``, ``KEY``), read with a query, never a scan.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.adapters.table_base import ConfigTable


def version_sk(version: int) -> str:
    """The range key of one stored version (zero-padded so versions sort)."""
    return f"V#{version:010d}"


class BoardItem(ConfigTable):
    """A board. Key: pk ``BOARD``, sk ``<board id>``.

    ``body`` holds the board's fields as the API accepted them (columns,
    lanes, card types, services, intake addresses); ``version`` guards edits.
    """

    board_id = UnicodeAttribute()
    key = UnicodeAttribute()
    body = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class BoardKeyItem(ConfigTable):
    """Keeps board keys unique. Key: pk ``BOARDKEY``, sk ``<board key>`` (e.g. ``SUP``)."""

    board_id = UnicodeAttribute()


class DefaultIntakeItem(ConfigTable):
    """The one board that takes unmatched mail. Key: pk ``INTAKE``, sk ``DEFAULT``.

    A single pointer, so setting a new default clears the old one atomically.
    """

    board_id = UnicodeAttribute()


class VersionedItem(ConfigTable):
    """A calendar or SLA policy, latest version and history.

    Keys: the latest version at pk ``<KIND>``, sk ``<id>`` (what lists read);
    every version at pk ``<KIND>#<id>``, sk ``V#<version:010d>`` (never
    changed once written). ``<KIND>`` is ``CALENDAR`` or ``SLA``. ``body`` is
    the definition as the API accepted it.
    """

    item_id = UnicodeAttribute()
    version = NumberAttribute()
    body = JSONAttribute()
    created_at = UTCDateTimeAttribute()


class AutomationItem(ConfigTable):
    """An automation rule. Key: pk ``AUTOMATION``, sk ``<automation id>``."""

    automation_id = UnicodeAttribute()
    board_id = UnicodeAttribute()
    body = JSONAttribute()
    created_at = UTCDateTimeAttribute()


class SubscriptionItem(ConfigTable):
    """A notification subscription. Key: pk ``SUBSCRIPTION``, sk ``<subscription id>``."""

    subscription_id = UnicodeAttribute()
    board_id = UnicodeAttribute(null=True)
    body = JSONAttribute()
    created_at = UTCDateTimeAttribute()


class ApiKeyItem(ConfigTable):
    """An API key, stored only as a hash. Key: pk ``KEY``, sk ``<sha256 hex of the key>``.

    ``key_id`` is the first 16 hex digits of the hash: authentication is one
    get by hash, and ``DELETE /keys/{id}`` finds the item with a
    ``begins_with`` query.
    """

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class CounterItem(ConfigTable):
    """An atomic counter. Key: pk ``COUNTER``, sk ``<name>`` (``cards#<board key>``).

    Incremented with an ``ADD`` update, so numbers are never handed out twice.
    """

    value = NumberAttribute(default=0)
