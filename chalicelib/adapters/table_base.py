"""The four DynamoDB tables: their names, their key schema and where they live.

Every table has the same primary key: hash key ``pk`` (string) and range key
``sk`` (string). Each item type is a PynamoDB model that subclasses one of the
table bases below and states its own key pattern in its docstring.

Table names come from the environment (``.chalice/config.json`` for deployed
stages, the local stack for local runs); ``SLADESK_DYNAMODB_ENDPOINT`` points
the models at an emulator and stays unset under ``moto.mock_aws``. The
environment is read when a repository is first used (``bind_tables``), never at
import time.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib import settings

# The variables' names and readers live in ``chalicelib.settings``; these names stay for
# the modules that still import them from here.
CARDS_TABLE_ENV = settings.CARDS_TABLE
TIMERS_TABLE_ENV = settings.TIMERS_TABLE
CONFIG_TABLE_ENV = settings.CONFIG_TABLE
REPORTS_TABLE_ENV = settings.REPORTS_TABLE
DYNAMODB_ENDPOINT_ENV = settings.DYNAMODB_ENDPOINT
table_name = settings.table_name
dynamodb_endpoint = settings.dynamodb_endpoint


class _Table(Model):
    """Common key schema: hash key ``pk``, range key ``sk``, both strings."""

    class Meta:
        table_name = "unbound"
        host: str | None = None  # PynamoDB's default: the AWS endpoint; bind_tables sets it
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class CardsTable(_Table):
    """Cards and their append-only events; its stream feeds the timer recomputation."""

    class Meta(_Table.Meta):
        stream_view_type = "NEW_AND_OLD_IMAGES"


class TimersTable(_Table):
    """One item per card x SLA rule (``timer_items.TimerItem``, which declares the indexes)."""

    class Meta(_Table.Meta):
        pass


class ConfigTable(_Table):
    """Boards, calendars, SLA policies, automations, subscriptions, API keys, counters."""

    class Meta(_Table.Meta):
        pass


class ReportsTable(_Table):
    """Daily compliance aggregates, alert records and idempotency records."""

    class Meta(_Table.Meta):
        pass


TABLE_BASES: dict[str, type[_Table]] = {
    CARDS_TABLE_ENV: CardsTable,
    TIMERS_TABLE_ENV: TimersTable,
    CONFIG_TABLE_ENV: ConfigTable,
    REPORTS_TABLE_ENV: ReportsTable,
}


def _subclasses(cls: type[Model]) -> list[type[Model]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


def bind_tables() -> None:
    """Point every model at the table names and endpoint of the current environment.

    Cheap and idempotent; repositories call it before their first use so that
    a process (or a test) that changes the environment gets fresh connections.
    """
    host = dynamodb_endpoint()
    for env_var, base in TABLE_BASES.items():
        name = table_name(env_var)
        if base.Meta.table_name == name and base.Meta.host == host:
            continue
        base.Meta.table_name = name
        base.Meta.host = host
        for model in _subclasses(base):
            # PynamoDB caches a connection per model class; drop the stale ones.
            model._connection = None
