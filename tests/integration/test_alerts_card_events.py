"""card_created and card_entered_column: recorded by the stream handler once per card event,
sent by the next breach scan (nothing on the stream's path calls a third party)."""

from __future__ import annotations

import pytest

from chalicelib.adapters.channels import use_channel
from tests.integration.alert_support import CHANNELS, fake_channels, subscribe, tick
from tests.integration.pipeline_support import Pipeline, make_desk


@pytest.fixture
def channels():
    yield from fake_channels()


@pytest.fixture
def desk(api):
    return make_desk(api)


@pytest.fixture
def pipeline(api):
    return Pipeline(api.client)


def test_a_new_card_and_its_moves_notify_once_each(api, desk, pipeline, channels):
    subscribe(api, desk.board_id, ["card_created"])
    subscribe(
        api, desk.board_id, ["card_entered_column"], target="work@example.com", column_id="work"
    )
    subscribe(api, None, ["card_entered_column"], target="all@example.com")
    card_id = desk.open()
    records = pipeline.drain()
    assert channels.sent == []  # the stream only records
    tick()
    assert channels.events() == [("card_created", card_id, "ops@example.com")]
    # WHEN the card moves to work, then to done
    desk.move(card_id, "work")
    desk.move(card_id, "done")
    records += pipeline.drain()
    tick()
    # THEN the work subscriber hears of work only; the every-board one of both moves
    assert sorted(channels.events()[1:]) == [
        ("card_entered_column", card_id, "all@example.com"),
        ("card_entered_column", card_id, "all@example.com"),
        ("card_entered_column", card_id, "work@example.com"),
    ]
    assert {s.message.facts["column_id"] for s in channels.sent[1:]} == {"work", "done"}
    # AND the same records delivered again notify nobody
    before = len(channels.sent)
    assert pipeline.deliver(records) == {"batchItemFailures": []}
    tick()
    assert len(channels.sent) == before


def test_a_subscriber_of_other_events_hears_nothing_of_new_cards(api, desk, pipeline, channels):
    subscribe(api, desk.board_id, ["sla_breach"])
    desk.open()
    pipeline.drain()
    tick()
    assert channels.sent == []


class _Hanging:
    """A channel the stream handler must never reach (as if its target never answered)."""

    def send(self, target: str, message: object, secret: str | None) -> str:
        raise AssertionError("the stream handler called a channel")


def test_a_target_that_never_answers_does_not_hold_up_the_stream(api, desk, pipeline, channels):
    subscribe(api, desk.board_id, ["card_created"])
    for name in CHANNELS:
        use_channel(name, _Hanging())
    desk.open()
    desk.open()
    assert pipeline.drain()
    pending = api.ok("GET", "/notifications?status=pending", role="manager")["items"]
    assert [n["event"] for n in pending] == ["card_created", "card_created"]
