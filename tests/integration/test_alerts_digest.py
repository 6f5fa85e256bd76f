"""The daily digest at 09:00 in each subscriber's zone, and quiet hours holding what may wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.alert_support import digest, fake_channels, subscribe, tick
from tests.integration.pipeline_support import Pipeline, make_desk

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
QUICK = {
    "name": "Quick",
    "calendar_id": None,
    "rules": [{"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"}],
}
DAY = {
    "name": "Day",
    "calendar_id": None,
    "rules": [{"id": "resolve", "kind": "resolution", "target": "PT20H"}],
}


@pytest.fixture
def channels():
    yield from fake_channels()


@pytest.fixture
def desk(api):
    return make_desk(api)


@pytest.fixture
def pipeline(api):
    return Pipeline(api.client)


def test_the_digest_lists_the_next_24_hours_nearest_first_once_a_day(
    api, desk, pipeline, clock, channels
):
    # GIVEN a Moscow subscriber (09:00 there is 06:00 UTC) and cards due at different times
    subscribe(api, desk.board_id, ["daily_digest"], timezone="Europe/Moscow")
    day_sla = api.ok("POST", "/slas", DAY)["id"]
    clock.set(T0 - timedelta(hours=6))  # 03:00 UTC
    later = desk.open(title="Due at 23:00 UTC", sla_ids=[day_sla])
    sooner = desk.open(title="Due at 03:10 UTC", sla_ids=[desk.premium_id])
    pipeline.drain()
    # THEN before 09:00 Moscow there is no digest
    clock.set(datetime(2026, 11, 2, 5, 59, tzinfo=UTC))
    assert digest() == {"looked_at": 0, "sent": 0}
    # WHEN 09:00 Moscow comes
    clock.set(datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    assert digest() == {"looked_at": 1, "sent": 1}
    (sent,) = channels.sent
    assert (sent.message.event, sent.message.card_id) == ("daily_digest", None)
    lines = [(line["card_id"], line["rule_id"]) for line in sent.message.facts["lines"]]
    # the premium card's 03:10 deadlines are past; its resolution (07:00) comes first
    assert lines == [(sooner, "resolve"), (later, "resolve")]
    assert sent.message.text.index(sooner) < sent.message.text.index(later)
    assert "2026-11-02 10:00" in sent.message.text  # 07:00 UTC shown in Moscow time
    # AND it is sent once that day, however often the job runs
    clock.advance(3600)
    assert digest() == {"looked_at": 0, "sent": 0}
    assert len(channels.sent) == 1


def test_no_digest_is_sent_when_nothing_is_due(api, desk, clock, channels):
    subscribe(api, desk.board_id, ["daily_digest"])
    assert digest() == {"looked_at": 1, "sent": 0}
    assert channels.sent == []


def test_quiet_hours_hold_a_warning_until_work_starts_but_not_a_breach(
    api, desk, pipeline, clock, channels
):
    # GIVEN a subscriber whose quiet calendar works 10:30-16:00 Moscow (07:30-13:00 UTC)
    subscribe(
        api,
        desk.board_id,
        ["sla_warning", "sla_breach"],
        quiet_calendar_id=desk.calendar_id,
    )
    quick = api.ok("POST", "/slas", QUICK)["id"]
    clock.set(datetime(2026, 11, 2, 20, 0, tzinfo=UTC))  # Monday night
    card_id = desk.open(sla_ids=[quick])
    pipeline.drain()
    # WHEN the warning (20:05) and the breach (20:10) come at night
    clock.set(datetime(2026, 11, 2, 20, 5, tzinfo=UTC))
    assert tick()["sent"] == 0
    held = api.ok("GET", "/notifications?status=pending", role="manager")["items"]
    assert [(n["event"], n["next_attempt_at"]) for n in held] == [
        ("sla_warning", "2026-11-03T07:30:00Z")
    ]
    clock.set(datetime(2026, 11, 2, 20, 11, tzinfo=UTC))
    assert tick()["sent"] == 1
    assert channels.events() == [("sla_breach", card_id, "ops@example.com")]
    # THEN the warning goes when work starts on Tuesday
    clock.set(datetime(2026, 11, 3, 7, 29, tzinfo=UTC))
    assert tick()["sent"] == 0
    clock.set(datetime(2026, 11, 3, 7, 30, tzinfo=UTC))
    assert tick()["sent"] == 1
    assert channels.events()[-1] == ("sla_warning", card_id, "ops@example.com")


def test_a_subscription_may_hold_breaches_for_quiet_hours_too(api, desk, pipeline, clock, channels):
    subscribe(
        api,
        desk.board_id,
        ["sla_breach"],
        quiet_calendar_id=desk.calendar_id,
        hold_urgent=True,
    )
    quick = api.ok("POST", "/slas", QUICK)["id"]
    clock.set(datetime(2026, 11, 2, 20, 0, tzinfo=UTC))
    desk.open(sla_ids=[quick])
    pipeline.drain()
    clock.set(datetime(2026, 11, 2, 20, 11, tzinfo=UTC))
    assert tick()["sent"] == 0
    clock.set(datetime(2026, 11, 3, 7, 30, tzinfo=UTC))
    assert tick()["sent"] == 1


def test_a_digest_delivery_that_raises_does_not_stop_the_other_digests(
    api, desk, pipeline, clock, channels
):
    subscribe(api, desk.board_id, ["daily_digest"], target="first@example.com")
    subscribe(api, desk.board_id, ["daily_digest"], target="second@example.com")
    day_sla = api.ok("POST", "/slas", DAY)["id"]
    clock.set(T0 - timedelta(hours=1))
    desk.open(title="Due today", sla_ids=[day_sla])
    pipeline.drain()
    clock.set(T0)
    channels.failures.append(ValueError("Header values may not contain linefeed"))
    assert digest() == {"looked_at": 2, "sent": 1}
    [pending] = api.ok("GET", "/notifications?status=pending", role="manager")["items"]
    assert (pending["event"], pending["last_error"]) == ("daily_digest", "error: ValueError")
