"""The local stack's stream pump, against moto's stream: Lambda-shaped batches, retries, drain."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.card_items import CardEventItem, CardItem
from chalicelib.adapters.stream_drain import drain
from chalicelib.adapters.table_base import CARDS_TABLE_ENV, table_name
from chalicelib.adapters.timer_store import get_timer_store
from chalicelib.domain.stored_timers import TimerWrite
from devstack.stream_pump import ATTEMPTS, StreamPump, StreamReader

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class RecordingHandler:
    """A stream handler that keeps each batch and fails the records it is told to, a few times."""

    def __init__(self, fail: dict[str, int] | None = None) -> None:
        self.batches: list[list[dict]] = []
        self.contexts: list = []
        self.fail = dict(fail or {})
        self.lock = threading.Lock()

    def __call__(self, event: dict, context) -> dict:
        with self.lock:
            self.batches.append(event["Records"])
            self.contexts.append(context)
            failures = []
            for record in event["Records"]:
                sk = record["dynamodb"]["Keys"]["sk"]["S"]
                if self.fail.get(sk, 0) > 0:
                    self.fail[sk] -= 1
                    failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
            return {"batchItemFailures": failures}

    def keys(self) -> list[str]:
        return [r["dynamodb"]["Keys"]["sk"]["S"] for batch in self.batches for r in batch]


def write_events(count: int) -> None:
    for seq in range(1, count + 1):
        CardEventItem(
            "CARD#SUP-1", f"EVENT#{seq:010d}", card_id="SUP-1", seq=seq, kind="moved", at=AT
        ).save()


def test_the_pump_hands_lambda_shaped_batches_to_the_handler_and_drain_waits_for_them(tables):
    handler = RecordingHandler()
    with StreamPump(handler, table_name(CARDS_TABLE_ENV)):
        write_events(3)
        assert drain(timeout_seconds=10)
        assert handler.keys() == [f"EVENT#{seq:010d}" for seq in (1, 2, 3)]
        write_events(4)  # rewrites 1-3 (MODIFY) and adds 4 (INSERT)
        assert drain(timeout_seconds=10)
    record = handler.batches[0][0]
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:")
    assert "/stream/" in record["eventSourceARN"]
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert {"Keys", "NewImage", "SequenceNumber", "StreamViewType"} <= set(record["dynamodb"])
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    last = handler.batches[-1][-1]
    assert (last["eventName"], last["dynamodb"]["Keys"]["sk"]["S"]) == (
        "INSERT",
        "EVENT#0000000004",
    )
    # A rewrite carries the image before it (however the passes cut the records into batches).
    rewrites = [r for batch in handler.batches for r in batch if r["eventName"] == "MODIFY"]
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in rewrites] == [
        f"EVENT#{seq:010d}" for seq in (1, 2, 3)
    ]
    assert all("OldImage" in r["dynamodb"] for r in rewrites)
    assert handler.contexts[0].function_name == "recompute_timers"


def test_failed_records_are_read_again_from_the_first_failed_one(tables):
    handler = RecordingHandler(fail={"EVENT#0000000002": 1})
    write_events(3)  # before the pump starts, so that they come in one batch
    with StreamPump(handler, table_name(CARDS_TABLE_ENV)):
        assert drain(timeout_seconds=10)
    assert handler.keys() == [
        "EVENT#0000000001",
        "EVENT#0000000002",
        "EVENT#0000000003",
        "EVENT#0000000002",
        "EVENT#0000000003",
    ]


def test_a_record_that_keeps_failing_is_skipped_after_the_last_attempt(tables):
    handler = RecordingHandler(fail={"EVENT#0000000001": 100})
    write_events(2)
    with StreamPump(handler, table_name(CARDS_TABLE_ENV)):
        assert drain(timeout_seconds=10)
    assert handler.keys().count("EVENT#0000000001") == ATTEMPTS
    assert handler.keys()[-1] == "EVENT#0000000002"


def test_the_stream_is_read_on_after_cancelled_transactions_and_not_their_writes(tables):
    # moto rolls a cancelled transaction back by putting copies of its tables in place, so
    # a shard iterator opened before reads the replaced table's stream: the records of the
    # rolled-back writes, and never another. The pump kept its iterators from pass to pass,
    # so after one timer write that lost its guard ("card moved on") it handled nothing
    # more, while drains were still answered.
    reader = StreamReader(table_name(CARDS_TABLE_ENV))
    write_events(1)
    assert keys(reader.read_all()) == ["EVENT#0000000001"]
    # A write rolled back after it had put a card event.
    phantom = CardEventItem(
        "CARD#SUP-1", "EVENT#0000000009", card_id="SUP-1", seq=9, kind="moved", at=AT
    )
    with pytest.raises(TransactWriteError):
        save_if_card_at(phantom, 1)  # no card item: cancelled
    # A timer write whose card moved on: its condition check on the card fails.
    assert not get_timer_store().write(TimerWrite("SUP-1", 1, touched_days=("2026-11-02",)))
    write_events(2)  # rewrites 1 (MODIFY) and adds 2 (INSERT)
    assert keys(reader.read_all()) == ["EVENT#0000000001", "EVENT#0000000002"]


def save_if_card_at(event: CardEventItem, seq: int) -> None:
    """Put ``event`` in one transaction with a check that the card is at ``seq``."""
    with TransactWrite(connection=CardItem._get_connection().connection) as transaction:
        transaction.save(event)
        transaction.condition_check(CardItem, event.pk, "CARD", condition=CardItem.last_seq == seq)


def keys(records: list[dict]) -> list[str]:
    return [record["dynamodb"]["Keys"]["sk"]["S"] for record in records]


def test_drain_gives_up_when_no_pump_answers(tables):
    assert drain(timeout_seconds=0.1) is False
