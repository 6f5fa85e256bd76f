"""The local stack's clock, kept in the config table (moto tables, real PynamoDB)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.dev_clock import TableClock

MONDAY_9 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_an_unset_clock_follows_wall_time(tables):
    before = datetime.now(UTC)
    now = TableClock().now()
    assert before <= now <= datetime.now(UTC)
    assert now.tzinfo is not None


def test_a_set_clock_stands_still_and_answers_in_utc(tables):
    clock = TableClock()
    moscow = timezone(timedelta(hours=3))

    clock.set(datetime(2026, 11, 2, 12, 0, tzinfo=moscow))

    assert clock.now() == MONDAY_9
    assert clock.now() == MONDAY_9
    assert clock.now().utcoffset() == timedelta(0)


def test_advancing_moves_a_set_clock_by_exactly_that_much(tables):
    clock = TableClock()
    clock.set(MONDAY_9)

    assert clock.advance(90.5) == MONDAY_9 + timedelta(seconds=90.5)
    assert clock.now() == MONDAY_9 + timedelta(seconds=90.5)


def test_advancing_an_unset_clock_starts_from_wall_time_then_stands_still(tables):
    clock = TableClock()
    before = datetime.now(UTC)

    advanced = clock.advance(3600)

    assert before + timedelta(hours=1) <= advanced <= datetime.now(UTC) + timedelta(hours=1)
    assert clock.now() == advanced


def test_every_clock_of_the_process_shares_the_stored_instant(tables, monkeypatch):
    # GIVEN the local stack's setting, under which get_clock() answers the table clock
    monkeypatch.setenv("SLADESK_DEV", "1")
    # WHEN one instance sets it
    TableClock().set(MONDAY_9)
    # THEN a fresh clock (as another thread of the stack would get) reads the same instant
    assert isinstance(get_clock(), TableClock)
    assert get_clock().now() == MONDAY_9


def test_a_naive_instant_is_refused(tables):
    with pytest.raises(ValueError, match="aware"):
        TableClock().set(datetime(2026, 11, 2, 9, 0))
