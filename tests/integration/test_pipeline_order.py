"""Stream records in any order, in any batches, delivered any number of times: the same timers.

The stream handler recomputes each card from its whole history, so which
record arrives first, how records are grouped into batches and how often a
batch is redelivered cannot change what is stored (docs/design.md,
invariant 1).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters.timer_items import TimerItem
from tests.integration.pipeline_support import Pipeline, make_desk


def all_stored_timers():
    return sorted(
        (item.pk, item.sk, sorted(item.attribute_values.items())) for item in TimerItem.scan()
    )


def forget_stored_timers():
    for item in TimerItem.scan():
        item.delete()


@pytest.fixture
def lives(api, clock):
    """Three cards' lives written, handled once in order; answers (records, stored timers)."""
    desk = make_desk(api)
    rule = {"name": "premium", "board_id": desk.board_id, "when": {"lane_id": "premium"}}
    api.ok("POST", "/automations", {**rule, "attach": [desk.premium_id]})
    pipeline = Pipeline(api.client)

    # A premium card that is worked, paused, done, reopened and done again.
    first = desk.open(sla_ids=[desk.premium_id])
    # A card the automation attaches the premium SLA to, answered by a comment.
    second = desk.open(lane_id="premium")
    # A standard card counted in business hours.
    third = desk.open(sla_ids=[desk.standard_id])
    for minutes, step in [
        (3, lambda: desk.move(first, "work")),
        (5, lambda: desk.comment(second)),
        (20, lambda: desk.move(first, "wait")),
        (50, lambda: desk.move(first, "work")),
        (90, lambda: desk.move(third, "work")),
        (120, lambda: desk.move(first, "done")),
        (600, lambda: desk.move(first, "work")),
        (900, lambda: desk.move(first, "done")),
        (950, lambda: desk.move(second, "done")),
    ]:
        clock.set(clock.now().replace(hour=9, minute=0) + timedelta(minutes=minutes))
        step()
    records = pipeline.drain()
    return pipeline, records, all_stored_timers()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_order_and_batching_ends_in_the_same_stored_timers(lives, data):
    pipeline, records, expected = lives
    assert len(expected) == 3 + 3 + 1
    # GIVEN no stored timers and the cards' records shuffled, split into batches, some twice
    forget_stored_timers()
    shuffled = data.draw(st.permutations(records), label="order")
    cuts = data.draw(
        st.lists(st.integers(1, len(records) - 1), max_size=8, unique=True), label="cuts"
    )
    bounds = [0, *sorted(cuts), len(records)]
    batches = [shuffled[a:b] for a, b in itertools.pairwise(bounds)]
    again = data.draw(st.lists(st.sampled_from(range(len(batches))), max_size=3), label="again")
    # WHEN the batches are delivered in that order
    for index in [*range(len(batches)), *again]:
        assert pipeline.deliver(batches[index]) == {"batchItemFailures": []}
    # THEN the stored timers are those of the in-order delivery
    assert all_stored_timers() == expected
