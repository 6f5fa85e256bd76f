"""The local stack's stream pump: the cards table's stream fed to the stream handler.

It plays the part of Lambda's event source mapping. It reads every shard of
the emulator's stream with ``dynamodbstreams`` (``describe_stream``,
``get_shard_iterator`` from ``TRIM_HORIZON``, ``get_records``), turns each
page of records into the event AWS would send (``Records`` with
``eventSourceARN``, ``eventID``, ``eventName``, ``dynamodb`` with ``Keys``,
``NewImage``, ``OldImage``, ``SequenceNumber``...) and calls app.py's stream
handler with it and a Lambda context. Failed records reported in
``batchItemFailures`` are read again from the first failed sequence number
(``AT_SEQUENCE_NUMBER``) a few times, then skipped with an error in the log,
as a failure destination would take them. It also answers ``POST /dev/drain``
(``chalicelib.adapters.stream_drain``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
from chalice.local import LambdaContext

from chalicelib.adapters.stream_drain import answer_drain, drain_requested, on_drain_request
from devstack.part import Part
from devstack.threads import join_or_leave

logger = logging.getLogger(__name__)


StreamHandler = Callable[[dict[str, Any], Any], Any]

BATCH_SIZE = 100
ATTEMPTS = 3
# The pause between passes: short while records come, doubling up to the longest while
# the stream is quiet (every pass costs emulator calls, which serve one request at a time).
IDLE_SECONDS = 0.05
QUIET_SECONDS = 0.4
# How often the stream's shards are listed again (moto keeps one per stream).
SHARDS_EVERY_SECONDS = 1.0
FUNCTION_NAME = "recompute_timers"


class StreamReader:
    """Reads the records of a table's stream, shard by shard, as Lambda-shaped records."""

    def __init__(self, table_name: str) -> None:
        self._streams = boto3.client("dynamodbstreams")
        table = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]
        self.stream_arn: str = table["LatestStreamArn"]
        # Where each shard is read next, as (iterator type, sequence number); None once a
        # closed shard was read to its end. A position, not an iterator, is kept between
        # reads, and each read opens its iterator: moto rolls a cancelled transaction back
        # by putting copies of its tables in place, and an iterator opened before that
        # reads the replaced table's stream from then on, which holds the records of the
        # rolled-back writes and never gets another. A kept iterator made the pump deaf
        # after one guarded timer write that lost ("card moved on"), while drains were
        # still answered.
        self._positions: dict[str, tuple[str, str | None] | None] = {}

        self._listed_at: float | None = None

    def shards(self, max_age_seconds: float = 0.0) -> list[str]:
        """Every shard of the stream; a shard seen for the first time is read from its start.

        The stream is described again only when the last listing is older than
        ``max_age_seconds``.
        """
        now = time.monotonic()
        if self._listed_at is None or now - self._listed_at >= max_age_seconds:
            stream = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            for shard in stream["Shards"]:
                self._positions.setdefault(shard["ShardId"], ("TRIM_HORIZON", None))
            self._listed_at = now
        return list(self._positions)

    def read(self, shard_id: str, limit: int = BATCH_SIZE) -> list[dict[str, Any]]:
        """The next records of a shard (empty when it has no more for now)."""
        position = self._positions[shard_id]
        if position is None:
            return []  # a closed shard, read to its end
        kind, sequence_number = position
        at = {} if sequence_number is None else {"SequenceNumber": sequence_number}
        iterator = self._iterator(shard_id, kind, **at)
        page = self._streams.get_records(ShardIterator=iterator, Limit=limit)
        records = page["Records"]
        if page.get("NextShardIterator") is None:
            self._positions[shard_id] = None
        elif records:
            last = records[-1]["dynamodb"]["SequenceNumber"]
            self._positions[shard_id] = ("AFTER_SEQUENCE_NUMBER", last)
        return [self._lambda_record(record) for record in records]

    def rewind(self, shard_id: str, sequence_number: str) -> None:
        """Read the shard again from ``sequence_number`` (included)."""
        self._positions[shard_id] = ("AT_SEQUENCE_NUMBER", sequence_number)

    def skip(self, shard_id: str, sequence_number: str) -> None:
        """Go on reading the shard after ``sequence_number``."""
        self._positions[shard_id] = ("AFTER_SEQUENCE_NUMBER", sequence_number)

    def read_all(self) -> list[dict[str, Any]]:
        """Every record not read yet, of every shard."""
        records = []
        for shard_id in self.shards():
            while page := self.read(shard_id):
                records.extend(page)
        return records

    def _iterator(self, shard_id: str, kind: str, **position: str) -> str:
        return self._streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind, **position
        )["ShardIterator"]

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        stream_record = dict(record["dynamodb"])
        created = stream_record.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            # boto3 parses it; Lambda's event carries epoch seconds.
            stream_record["ApproximateCreationDateTime"] = int(created.timestamp())
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion", boto3.session.Session().region_name),
            "eventSourceARN": self.stream_arn,
            "dynamodb": stream_record,
        }


def lambda_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda sends the stream handler for one batch of records."""
    return {"Records": records}


def lambda_context() -> LambdaContext:
    """A context like the one Lambda passes (name, memory, remaining time)."""
    return LambdaContext(FUNCTION_NAME, memory_size=512, max_runtime_ms=900_000)


class StreamPump(Part):
    """Feeds the stream of ``table_name`` to ``handler`` continuously in a thread.

    Entering starts it, leaving stops it.
    """

    def __init__(self, handler: StreamHandler, table_name: str) -> None:
        self._handler = handler
        self._table_name = table_name
        self._stop = threading.Event()
        # Set to end a pause early: on a drain request in this process, and on stop.
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader: StreamReader | None = None
        self._attempts: dict[str, int] = {}
        self._answered = 0
        self._stop_listening: Callable[[], None] | None = None

    def start(self) -> None:
        """Start reading the stream in a thread."""
        self._reader = StreamReader(self._table_name)
        self._stop_listening = on_drain_request(self._wake.set)
        self._thread = threading.Thread(target=self._run, name="stream-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the pass under way (waiting a bounded time for it)."""
        self._stop.set()
        self._wake.set()
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if self._thread is not None:
            # A pass left running leaves nothing half-done: the local stack keeps nothing.
            join_or_leave(self._thread, "the stream pump's pass")
            self._thread = None

    def _run(self) -> None:
        pause = IDLE_SECONDS
        while not self._stop.is_set():
            try:
                request = drain_requested()
                # A drain must see every shard there is, not a listing a second old.
                handled = self.pump(shards_max_age=0.0 if request > self._answered else None)
                if request > self._answered:
                    answer_drain(request)
                    self._answered = request
                pause = IDLE_SECONDS if handled else min(pause * 2, QUIET_SECONDS)
            except Exception:
                # The emulator stops before the pump on the way out; anything else is logged.
                if self._stop.is_set():
                    return
                logger.exception("stream pump: pass failed; trying again")
            self._wake.wait(pause)
            self._wake.clear()

    def pump(self, shards_max_age: float | None = 0.0) -> int:
        """Handle every record of every shard up to its current end; answers how many.

        Shards are listed again when the last listing is older than
        ``shards_max_age`` (None: ``SHARDS_EVERY_SECONDS``).
        """
        assert self._reader is not None
        handled = 0
        max_age = SHARDS_EVERY_SECONDS if shards_max_age is None else shards_max_age
        for shard_id in self._reader.shards(max_age):
            while records := self._reader.read(shard_id):
                self._deliver(shard_id, records)
                handled += len(records)
        return handled

    def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        assert self._reader is not None
        try:
            response = self._handler(lambda_event(records), lambda_context()) or {}
            failed = [item["itemIdentifier"] for item in response.get("batchItemFailures", [])]
        except Exception:
            logger.exception("stream handler failed on the whole batch")
            failed = [records[0]["dynamodb"]["SequenceNumber"]]
        if not failed:
            return
        first = min(failed, key=int)
        attempts = self._attempts.get(first, 0) + 1
        if attempts < ATTEMPTS:
            self._attempts[first] = attempts
            self._reader.rewind(shard_id, first)
            return
        self._attempts.pop(first, None)
        logger.error("stream record %s failed %d times; skipped", first, attempts)
        self._reader.skip(shard_id, first)
