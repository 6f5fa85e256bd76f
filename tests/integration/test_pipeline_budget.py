"""The DynamoDB calls the stream handler makes for a batch, counted (the budget of the issue).

Per card touched: one get of the card, one history query, one query of its
stored timers, and at most one transaction carrying one item per changed
timer (plus the card's condition check, and the aggregate job's mark on the
day of each timer that stopped). Per batch: one read per distinct
SLA version and calendar version, one automation query per board.
"""

from __future__ import annotations

from chalicelib.adapters.table_base import (
    CARDS_TABLE_ENV,
    CONFIG_TABLE_ENV,
    REPORTS_TABLE_ENV,
    TIMERS_TABLE_ENV,
    table_name,
)
from tests.integration.pipeline_support import Pipeline, busy_batch, counted_calls


def test_a_100_record_batch_over_20_cards_stays_within_the_budget(api, clock):
    _, records = busy_batch(api, clock)
    assert len(records) == 100
    cards, config, timers = (
        table_name(t) for t in (CARDS_TABLE_ENV, CONFIG_TABLE_ENV, TIMERS_TABLE_ENV)
    )

    pipeline = Pipeline(api.client)

    with counted_calls() as calls:
        response = pipeline.deliver(records)

    assert response == {"batchItemFailures": []}
    assert dict(calls) == {
        ("GetItem", cards): 20,  # each card once
        ("Query", cards): 20,  # each history once
        ("Query", config): 2,  # the board's automation rules; the subscriptions (new cards)
        ("GetItem", config): 3,  # premium v1, standard v1, the calendar's v1
        ("Query", timers): 20,  # each card's stored timers
        ("TransactWriteItems", ""): 20,  # one per card, every timer new
        ("TransactWriteItems ConditionCheck", cards): 20,
        ("TransactWriteItems Put", timers): 10 * 3 + 10 * 1,  # one per changed timer
        # the moved cards' first reactions stopped: their day's aggregates are due
        ("TransactWriteItems Update", table_name(REPORTS_TABLE_ENV)): 10,
    }


def test_the_same_batch_again_reads_and_writes_nothing_more_than_it_must(api, clock):
    _, records = busy_batch(api, clock)
    pipeline = Pipeline(api.client)
    pipeline.deliver(records)

    with counted_calls() as calls:
        pipeline.deliver(records)

    cards, timers = table_name(CARDS_TABLE_ENV), table_name(TIMERS_TABLE_ENV)
    assert calls[("Query", cards)] == 20
    assert calls[("Query", timers)] == 20
    assert not [key for key in calls if key[0].startswith(("Put", "Update", "Delete", "Transact"))]
