"""The breach scanner with the dev clock: each alert at its instant, once, whatever happens.

Cards change through the HTTP API, the emulated stream feeds the stream
handler (which stores the timers), and the scanner ticks at the test clock's
now. Every channel is a fake that keeps what it was given.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.channels import DeliveryError
from chalicelib.adapters.timer_items import TimerItem
from chalicelib.domain.alerts import MAX_ATTEMPTS
from chalicelib.services import scanner
from tests.integration.alert_support import fake_channels, subscribe, tick
from tests.integration.pipeline_support import Pipeline, make_desk

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SLA_EVENTS = ["sla_warning", "sla_breach", "sla_escalation"]

ESCALATING = {
    "name": "Escalating",
    "calendar_id": None,
    "rules": [
        {
            "id": "resolve",
            "kind": "resolution",
            "target": "PT1H",
            "warn_before": "PT15M",
            "escalations": [
                {"after_breach": "PT30M", "notify": ["l2@example.com"]},
                {"after_breach": "PT1H", "notify": ["boss@example.com"], "assign_to": "l3-oncall"},
            ],
        }
    ],
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


def run_to(clock, instant):
    clock.set(instant)
    return tick()


def test_warning_breach_and_each_escalation_level_at_their_instants_24_7(
    api, desk, pipeline, clock, channels
):
    # GIVEN a subscriber of the board and a card under a 24/7 SLA with two escalation levels
    subscribe(api, desk.board_id, SLA_EVENTS)
    sla_id = api.ok("POST", "/slas", ESCALATING)["id"]
    card_id = desk.open(sla_ids=[sla_id])
    pipeline.drain()

    # THEN nothing until the warning at 45 min, then exactly the warning
    assert run_to(clock, T0 + timedelta(minutes=44, seconds=59))["raised"] == 0
    assert run_to(clock, T0 + timedelta(minutes=45))["raised"] == 1
    assert channels.events() == [("sla_warning", card_id, "ops@example.com")]

    # the breach once elapsed exceeds the target: not at 60 min exactly, just after
    assert run_to(clock, T0 + timedelta(minutes=60))["raised"] == 0
    assert run_to(clock, T0 + timedelta(minutes=60, seconds=1))["raised"] == 1
    assert channels.events()[-1] == ("sla_breach", card_id, "ops@example.com")

    # level 1 at exactly after_breach past the breach, to the subscriber and its own target
    assert run_to(clock, T0 + timedelta(minutes=89, seconds=59))["raised"] == 0
    assert run_to(clock, T0 + timedelta(minutes=90, microseconds=1))["raised"] == 1
    assert sorted(channels.events()[-2:]) == [
        ("sla_escalation", card_id, "l2@example.com"),
        ("sla_escalation", card_id, "ops@example.com"),
    ]
    assert all(s.message.facts["level"] == 1 for s in channels.sent[-2:])

    # level 2 also assigns the card, as a card change that history records
    assert run_to(clock, T0 + timedelta(minutes=120, microseconds=1))["raised"] == 1
    assert sorted(channels.events()[-2:]) == [
        ("sla_escalation", card_id, "boss@example.com"),
        ("sla_escalation", card_id, "ops@example.com"),
    ]
    card = api.ok("GET", f"/cards/{card_id}", role="agent")
    assert card["assignee"] == "l3-oncall"
    history = api.ok("GET", f"/cards/{card_id}/history", role="agent")["items"]
    assert history[-1]["kind"] == "updated"
    assert history[-1]["data"] == {"changes": {"assignee": "l3-oncall"}}

    # nothing is left to raise: the timer has left the due index
    item = TimerItem.get(f"CARD#{card_id}", f"TIMER#{sla_id}#resolve")
    assert item.next_check_at is None
    assert item.due_bucket is None
    assert run_to(clock, T0 + timedelta(days=2))["raised"] == 0


def test_business_hours_alerts_count_only_working_time(api, desk, pipeline, clock, channels):
    # GIVEN a 10:30-16:00 Moscow calendar SLA: 1 h target, warning 30 min before, level after 1 h
    subscribe(api, desk.board_id, SLA_EVENTS, timezone="Europe/Moscow")
    policy = {
        "name": "Office",
        "calendar_id": desk.calendar_id,
        "rules": [
            {
                "id": "react",
                "kind": "first_reaction",
                "target": "PT1H",
                "warn_before": "PT30M",
                "escalations": [{"after_breach": "PT1H"}],
            }
        ],
    }
    sla_id = api.ok("POST", "/slas", policy)["id"]
    # WHEN a card opens Monday 15:30 Moscow (12:30 UTC): 30 min are left that day
    clock.set(datetime(2026, 11, 2, 12, 30, tzinfo=UTC))
    card_id = desk.open(sla_ids=[sla_id])
    pipeline.drain()

    # THEN the warning is due at 16:00 Moscow, the end of Monday's hours
    assert run_to(clock, datetime(2026, 11, 2, 12, 59, tzinfo=UTC))["raised"] == 0
    assert run_to(clock, datetime(2026, 11, 2, 13, 0, tzinfo=UTC))["raised"] == 1
    # the night counts nothing: the breach comes Tuesday after 11:00 Moscow (08:00 UTC)
    assert run_to(clock, datetime(2026, 11, 3, 8, 0, tzinfo=UTC))["raised"] == 0
    assert run_to(clock, datetime(2026, 11, 3, 8, 0, 1, tzinfo=UTC))["raised"] == 1
    # and the level one working hour later, 12:00 Moscow
    assert run_to(clock, datetime(2026, 11, 3, 8, 59, tzinfo=UTC))["raised"] == 0
    assert run_to(clock, datetime(2026, 11, 3, 9, 0, 1, tzinfo=UTC))["raised"] == 1
    assert [e for e, _, _ in channels.events()] == ["sla_warning", "sla_breach", "sla_escalation"]
    warning = channels.sent[0].message
    assert warning.card_id == card_id
    assert "Office, rule react" in warning.text
    assert "2026-11-03 11:00 (Europe/Moscow)" in warning.text  # the deadline, in the zone
    assert "Left: 30 min working time" in warning.text
    assert f"/cards/{card_id}" in warning.text


def test_a_timer_paused_before_its_deadline_raises_nothing_and_picks_up_on_resume(
    api, desk, pipeline, clock, channels
):
    subscribe(api, desk.board_id, SLA_EVENTS)
    sla_id = api.ok("POST", "/slas", ESCALATING)["id"]
    card_id = desk.open(sla_ids=[sla_id])
    pipeline.drain()
    # GIVEN the card waits for the customer from minute 30 (a pause column)
    clock.set(T0 + timedelta(minutes=30))
    desk.move(card_id, "wait")
    pipeline.drain()
    # THEN no warning, breach or escalation while it waits, however long
    for hours in (1, 3, 30):
        assert run_to(clock, T0 + timedelta(hours=hours))["raised"] == 0
    assert channels.sent == []
    # WHEN it comes back to work at hour 30, 30 min of its hour are left
    desk.move(card_id, "work")
    pipeline.drain()
    resumed = T0 + timedelta(hours=30)
    assert run_to(clock, resumed + timedelta(minutes=14))["raised"] == 0
    assert run_to(clock, resumed + timedelta(minutes=15))["raised"] == 1
    assert channels.events() == [("sla_warning", card_id, "ops@example.com")]


def test_scanning_again_sends_nothing_new_even_after_the_timer_is_stored_again(
    api, desk, pipeline, clock, channels
):
    subscribe(api, desk.board_id, SLA_EVENTS)
    card_id = desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    clock.set(T0 + timedelta(minutes=11))
    first = tick()
    assert (first["raised"], first["sent"]) == (2, 2)  # react: warning and breach
    # WHEN the scanner runs again at the same instant
    again = tick()
    assert (again["due_timers"], again["raised"], again["sent"]) == (0, 0, 0)
    # and the timer's next check is reset as a recomputation stores it from scratch
    item = TimerItem.get(f"CARD#{card_id}", f"TIMER#{desk.premium_id}#react")
    item.update(
        actions=[
            TimerItem.next_check_at.set(T0 + timedelta(minutes=5)),
            TimerItem.due_bucket.set("DUE#2026-11-02"),
        ]
    )
    replay = tick()
    # THEN it looks at the timer again but every alert is recorded already
    assert (replay["due_timers"], replay["raised"], replay["sent"]) == (1, 0, 0)
    assert len(channels.sent) == 2


def test_a_crash_between_record_and_send_is_delivered_on_the_next_tick(
    api, desk, pipeline, clock, channels, monkeypatch
):
    subscribe(api, desk.board_id, SLA_EVENTS)
    card_id = desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    clock.set(T0 + timedelta(minutes=5))

    def crash(now):
        raise RuntimeError("the Lambda died here")

    # GIVEN a tick that dies right after recording the warning
    with monkeypatch.context() as patched:
        patched.setattr(scanner, "deliver_due", crash)
        with pytest.raises(RuntimeError):
            tick()
    assert channels.sent == []
    assert api.ok("GET", "/notifications?status=pending", role="manager")["items"]
    # WHEN the next tick runs, a minute later
    clock.advance(60)
    result = tick()
    # THEN the warning goes out, once
    assert (result["raised"], result["sent"]) == (0, 1)
    assert channels.events() == [("sla_warning", card_id, "ops@example.com")]
    assert tick()["sent"] == 0
    sent = api.ok("GET", "/notifications?status=sent", role="manager")["items"]
    assert [(n["event"], n["attempts"]) for n in sent] == [("sla_warning", 1)]


def test_a_failing_send_is_retried_with_backoff_then_delivered(
    api, desk, pipeline, clock, channels
):
    subscribe(api, desk.board_id, ["sla_warning"])
    desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    channels.failures = [DeliveryError("smtp busy"), DeliveryError("smtp busy")]
    clock.set(T0 + timedelta(minutes=5))
    assert tick()["retrying"] == 1
    pending = api.ok("GET", "/notifications?status=pending", role="manager")["items"]
    assert [(n["attempts"], n["last_error"]) for n in pending] == [(1, "smtp busy")]
    assert pending[0]["next_attempt_at"] == "2026-11-02T09:06:00Z"  # one minute later
    assert run_to(clock, T0 + timedelta(minutes=5, seconds=59))["retrying"] == 0  # not yet
    assert run_to(clock, T0 + timedelta(minutes=6))["retrying"] == 1
    assert run_to(clock, T0 + timedelta(minutes=7))["sent"] == 0  # now two minutes later
    assert run_to(clock, T0 + timedelta(minutes=8))["sent"] == 1
    assert len(channels.sent) == 1


def test_a_permanent_failure_ends_as_failed_and_managers_see_why(
    api, desk, pipeline, clock, channels
):
    subscribe(api, desk.board_id, ["sla_warning"])
    card_id = desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    channels.failing_for_good = DeliveryError("email: MessageRejected", permanent=True)
    clock.set(T0 + timedelta(minutes=5))
    assert tick()["failed"] == 1
    failed = api.ok("GET", "/notifications?status=failed", role="manager")["items"]
    assert [(n["event"], n["card_id"], n["channel"], n["last_error"]) for n in failed] == [
        ("sla_warning", card_id, "email", "email: MessageRejected")
    ]
    assert failed[0]["attempts"] == 1
    api.refused("GET", "/notifications?status=failed", role="agent", status=403)
    assert api.ok("GET", "/notifications?status=pending", role="manager")["items"] == []


def test_a_send_that_keeps_failing_is_given_up_after_the_last_attempt(
    api, desk, pipeline, clock, channels
):
    subscribe(api, desk.board_id, ["sla_warning"])
    desk.open(sla_ids=[desk.premium_id])
    pipeline.drain()
    channels.failing_for_good = DeliveryError("slack: HTTP 503")
    clock.set(T0 + timedelta(minutes=5))
    outcomes = [tick()]
    for _ in range(40):  # an hour of ticks, one a minute: more than the whole backoff
        clock.advance(60)
        outcomes.append(tick())
    assert sum(o["retrying"] for o in outcomes) == MAX_ATTEMPTS - 1
    assert sum(o["failed"] for o in outcomes) == 1
    failed = api.ok("GET", "/notifications?status=failed", role="manager")["items"]
    assert [(n["attempts"], n["last_error"]) for n in failed] == [(MAX_ATTEMPTS, "slack: HTTP 503")]


def test_the_notifications_list_needs_a_status(api):
    error = api.refused("GET", "/notifications", role="manager", status=400)
    assert "status" in str(error)
