"""Creates the tables from the models: the one place the key schema is defined.

The local stack and the tests call ``create_tables()``; the infrastructure
reads the same models. Table names and the endpoint come from the environment
(see ``table_base``).
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.adapters.card_items import CardItem
from chalicelib.adapters.table_base import (
    CARDS_TABLE_ENV,
    CONFIG_TABLE_ENV,
    DYNAMODB_ENDPOINT_ENV,
    REPORTS_TABLE_ENV,
    TIMERS_TABLE_ENV,
    ConfigTable,
    ReportsTable,
    bind_tables,
    dynamodb_endpoint,
    table_name,
)
from chalicelib.adapters.timer_items import TimerItem

__all__ = [
    "CARDS_TABLE_ENV",
    "CONFIG_TABLE_ENV",
    "DYNAMODB_ENDPOINT_ENV",
    "REPORTS_TABLE_ENV",
    "TIMERS_TABLE_ENV",
    "create_tables",
    "dynamodb_endpoint",
    "table_models",
    "table_name",
]


def table_models() -> list[type[Model]]:
    """One model per table whose schema (keys and indexes) defines that table."""
    # The cards and timers tables are created from the item types that declare their indexes.
    return [CardItem, TimerItem, ConfigTable, ReportsTable]


def create_tables(wait: bool = False) -> list[str]:
    """Create every table that does not exist yet; returns the names of those created."""
    bind_tables()
    created = []
    for model in table_models():
        if not model.exists():
            model.create_table(wait=wait)
            created.append(model.Meta.table_name)
    return created
