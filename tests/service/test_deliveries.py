"""Deliveries on the fakes: each alert recorded once, tried once per claim, retried with
backoff (1, 2, 4, 8 minutes) and then failed; kept mail sent again as it was built."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.client import InvalidURL

import pytest

from chalicelib.domain.alerts import MAX_ATTEMPTS, AlertEvent, AlertFacts
from chalicelib.domain.deliveries import (
    FAILED,
    PENDING,
    SENT,
    CardEventAlert,
    DeliveryError,
    Recipient,
)
from chalicelib.ports.config import subscription_store
from chalicelib.services.deliveries import deliver, deliver_due, list_notifications
from chalicelib.services.errors import InvalidInputError
from chalicelib.services.mail_retry import retry_mail
from chalicelib.services.notifications import raise_alert

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def facts(card_id: str = "SUP-1") -> AlertFacts:
    return AlertFacts(event=AlertEvent.CARD_CREATED, at=NOW, board_id="b1", card_id=card_id)


def recipient(key: str = "sub-1", channel: str = "email", release: datetime = NOW) -> Recipient:
    return Recipient(key, channel, f"{key}@example.com", key, "en", "UTC", release)


def raise_one(card_id: str = "SUP-1", seq: int = 1, **kwargs):
    return raise_alert(CardEventAlert(card_id, seq), facts(card_id), [recipient(**kwargs)], NOW)


def test_an_alert_is_recorded_once_and_sent_once(world):
    created = raise_one()
    assert raise_one() is None
    assert deliver(created, NOW) == {SENT: 1, "retrying": 0, FAILED: 0}
    assert deliver(created, NOW) == {SENT: 0, "retrying": 0, FAILED: 0}  # claimed already
    assert deliver_due(NOW) == {SENT: 0, "retrying": 0, FAILED: 0}
    [sent] = world.stores["channels"].sent
    assert (sent.event, sent.card_id, sent.target) == ("card_created", "SUP-1", "sub-1@example.com")


def test_a_failing_send_is_retried_after_1_2_4_8_minutes_then_fails(world):
    channels = world.stores["channels"]
    channels.failing_for_good = DeliveryError("email: Throttling")
    raise_one()
    at, tried_at = NOW, []
    for _ in range(MAX_ATTEMPTS * 20):
        if deliver_due(at) != {SENT: 0, "retrying": 0, FAILED: 0}:
            tried_at.append(at)
        at += timedelta(seconds=30)
    assert [t - NOW for t in tried_at] == [
        timedelta(minutes=m) for m in (0, 1, 1 + 2, 1 + 2 + 4, 1 + 2 + 4 + 8)
    ]
    [failed] = world.stores["alerts"].in_status(FAILED)
    assert (failed.attempts, failed.last_error) == (MAX_ATTEMPTS, "email: Throttling")
    assert world.stores["alerts"].in_status(PENDING) == []


def test_a_permanent_failure_fails_at_once(world):
    world.stores["channels"].failing_for_good = DeliveryError("email: no", permanent=True)
    raise_one()
    assert deliver_due(NOW) == {SENT: 0, "retrying": 0, FAILED: 1}
    assert deliver_due(NOW + timedelta(hours=1))[FAILED] == 0


def test_one_failure_then_the_retry_sends(world):
    world.stores["channels"].failures.append(DeliveryError("slack: 503"))
    raise_one()
    assert deliver_due(NOW)["retrying"] == 1
    assert deliver_due(NOW + timedelta(seconds=59))[SENT] == 0
    assert deliver_due(NOW + timedelta(minutes=1))[SENT] == 1
    [sent] = world.stores["alerts"].in_status(SENT)
    assert (sent.attempts, sent.last_error) == (2, None)


def test_a_delivery_held_for_quiet_hours_waits_for_its_release(world):
    created = raise_one(release=NOW + timedelta(hours=2))
    assert deliver(created, NOW)[SENT] == 0
    assert deliver_due(NOW + timedelta(hours=1))[SENT] == 0
    assert deliver_due(NOW + timedelta(hours=2))[SENT] == 1


def test_a_claim_lost_to_another_worker_sends_nothing(world):
    [delivery] = raise_one()
    alerts = world.stores["alerts"]
    assert alerts.claim(delivery, NOW, timedelta(minutes=2)) is not None
    assert alerts.claim(delivery, NOW, timedelta(minutes=2)) is None
    assert deliver([delivery], NOW)[SENT] == 0
    assert world.stores["channels"].sent == []


def test_an_unfinished_claim_is_tried_again_when_its_lease_ends(world):
    [delivery] = raise_one()
    world.stores["alerts"].claim(delivery, NOW, timedelta(minutes=2))  # the worker died
    assert deliver_due(NOW + timedelta(minutes=1))[SENT] == 0
    assert deliver_due(NOW + timedelta(minutes=2))[SENT] == 1


def test_a_webhook_is_signed_with_its_subscriptions_secret(world):
    hook = {"channel": "webhook", "target": "https://hooks.example.com/x", "secret": "s3cret"}
    subscription_store().create("hook", None, {**hook, "events": ["card_created"]}, NOW)
    raise_one(key="hook", channel="webhook")
    deliver_due(NOW)
    [sent] = world.stores["channels"].sent
    assert (sent.channel, sent.secret) == ("webhook", "s3cret")


def test_notifications_are_listed_page_by_page(world):
    for seq in range(1, 6):
        raise_one(seq=seq)
    first = list_notifications(PENDING, 2, None)
    second = list_notifications(PENDING, 2, first["next"])
    third = list_notifications(PENDING, 2, second["next"])
    ids = [n["id"] for page in (first, second, third) for n in page["items"]]
    assert len(ids) == len(set(ids)) == 5
    assert third["next"] is None
    with pytest.raises(InvalidInputError):
        list_notifications(PENDING, 2, "not-a-cursor")


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "support@sladesk.local"
    mail["To"] = "Ann <ann@example.com>"
    mail["Subject"] = "[SUP-1] Received"
    mail["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
    mail["Message-ID"] = "<ack.SUP-1@sladesk.local>"
    mail.set_content("We have it.\n")
    return mail


def test_kept_mail_is_sent_again_as_built_with_the_time_of_the_try(world):
    assert retry_mail("SUP-1", "acknowledgement", message(), DeliveryError("x"), NOW) == "retrying"
    assert retry_mail("SUP-1", "acknowledgement", message(), DeliveryError("x"), NOW) is None
    assert deliver_due(NOW + timedelta(seconds=30))[SENT] == 0
    assert deliver_due(NOW + timedelta(minutes=1))[SENT] == 1
    [sent] = world.stores["mail"].sent
    assert sent["Message-ID"] == "<ack.SUP-1@sladesk.local>"
    assert sent["Date"] == "Mon, 02 Nov 2026 09:01:00 +0000"
    [delivered] = list_notifications(SENT, 10, None)["items"]
    assert (delivered["event"], delivered["attempts"]) == ("acknowledgement", 2)


def test_kept_mail_refused_for_good_fails_at_once(world):
    error = DeliveryError("email: MessageRejected", permanent=True)
    assert retry_mail("SUP-1", "acknowledgement", message(), error, NOW) == FAILED


@pytest.mark.parametrize(
    "raised",
    [
        InvalidURL("nonnumeric port: '44x'"),  # what urlopen raised for http://h:44x/path
        ValueError("Header values may not contain linefeed or carriage return characters"),
        RuntimeError("anything else"),
    ],
)
def test_whatever_one_delivery_raises_the_others_of_the_run_are_sent(world, raised):
    world.stores["channels"].failures.append(raised)
    raise_one("SUP-1")
    raise_one("SUP-2")
    raise_one("SUP-3")
    assert deliver_due(NOW) == {SENT: 2, "retrying": 1, FAILED: 0}
    [pending] = world.stores["alerts"].in_status(PENDING)
    # only the kind of the error: its text may hold a target's secrets
    assert pending.last_error == f"error: {type(raised).__name__}"


def test_a_delivery_that_always_raises_ends_failed_at_the_attempt_bound(world):
    world.stores["channels"].failing_for_good = InvalidURL("nonnumeric port: '44x'")
    raise_one()
    at = NOW
    for _ in range(MAX_ATTEMPTS * 40):
        deliver_due(at)
        at += timedelta(seconds=30)
    assert world.stores["alerts"].in_status(PENDING) == []
    [failed] = world.stores["alerts"].in_status(FAILED)
    assert (failed.attempts, failed.last_error) == (MAX_ATTEMPTS, "error: InvalidURL")


def test_a_store_failing_while_settling_leaves_the_rest_of_the_run_going(world, monkeypatch):
    world.stores["channels"].failures.append(DeliveryError("email: Throttling"))
    raise_one("SUP-1")
    raise_one("SUP-2")
    alerts = world.stores["alerts"]

    def broken_retry(*args, **kwargs):
        raise OSError("the store is down")

    monkeypatch.setattr(alerts, "retry", broken_retry)
    assert deliver_due(NOW)[SENT] == 1
    # the unsettled one comes back when its lease ends, its try counted
    monkeypatch.undo()
    assert deliver_due(NOW + timedelta(minutes=2))[SENT] == 1
    [again] = [d for d in alerts.in_status(SENT) if d.card_id == "SUP-1"]
    assert again.attempts == 2
