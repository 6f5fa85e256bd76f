"""Alert targets read with a URL parser, and one-line fields that no title can break."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from ipaddress import ip_address

import pytest

from chalicelib.adapters.channels.email import alert_mail
from chalicelib.adapters.channels.render import render_message
from chalicelib.domain.alerts import AlertEvent, AlertFacts, DigestLine
from chalicelib.domain.deliveries import one_line
from chalicelib.domain.target_urls import forbidden
from chalicelib.services.targets import target_problem

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "target",
    [
        "http://hooks.example.com:44x/path",  # passed the old pattern, then urlopen raised
        "https://hooks.example.com:70000/path",
        "https://hooks.example.com:0/path",
        "https://user:pw@hooks.example.com/path",
        "https:///path",
        "https://" + "a" * 64 + ".example.com/",  # a label IDNA cannot encode
        "https://hooks.example.com/pa th",
        "https://hooks.example.com/path\r\nX-Injected: 1",
        "https://hooks.example.com/\u2028",
        "ftp://hooks.example.com/path",
        "file:///etc/passwd",
        "https://hooks.example.com/" + "p" * 2048,
    ],
)
def test_a_webhook_target_that_cannot_be_posted_to_is_refused(target):
    assert target_problem("webhook", target) == "target must be an https URL"


@pytest.mark.parametrize(
    "target",
    [
        "https://hooks.example.com/path",
        "https://hooks.example.com:8443/p?q=1",
        "https://bücher.de/x",
    ],
)
def test_an_https_webhook_target_is_taken(target):
    assert target_problem("webhook", target) is None


def test_http_targets_are_only_taken_by_the_local_stack(monkeypatch):
    monkeypatch.delenv("SLADESK_DEV", raising=False)
    assert target_problem("webhook", "http://127.0.0.1:9/hook") is not None
    monkeypatch.setenv("SLADESK_DEV", "1")
    assert target_problem("webhook", "http://127.0.0.1:9/hook") is None


@pytest.mark.parametrize(
    ("target", "ok"),
    [
        ("https://hooks.slack.com/services/T0/B0/xyz", True),
        ("https://HOOKS.SLACK.COM/services/T0/B0/xyz", True),
        ("https://hooks.slack.com.evil.example/services/T0", False),
        ("https://evil.example/services/T0/B0/xyz", False),
        ("http://hooks.slack.com/services/T0/B0/xyz", False),
        ("https://hooks.slack.com@127.0.0.1/services", False),
    ],
)
def test_slack_targets_are_only_on_slacks_webhook_host(target, ok):
    assert (target_problem("slack", target) is None) is ok


@pytest.mark.parametrize("target", ["ops@example.com\n", "ops@example.com\r\nBcc: x@y.z"])
def test_an_email_target_with_a_line_break_is_refused(target):
    assert target_problem("email", target) is not None


def test_one_line_takes_every_kind_of_line_break_and_control():
    assert one_line("a\r\nb\nc\rd\x0be\x0cf\x85g\u2028h\u2029i\x00j") == "a b c d e f g h i j"


def test_a_title_with_line_breaks_makes_a_one_line_subject_and_a_mail_that_builds():
    facts = AlertFacts(
        event=AlertEvent.CARD_CREATED,
        at=AT,
        board_id="b1",
        card_id="SUP-1",
        title="Checkout\r\nBcc: victim@example.com\n\nis down",
    ).to_json()
    message = render_message(facts, "en", "UTC")
    assert message.subject == "[SUP-1] New card: Checkout Bcc: victim@example.com is down"
    assert message.text.splitlines()[0].endswith("SUP-1 Checkout Bcc: victim@example.com is down")
    mail = alert_mail("ops@example.com", message).as_bytes()
    parsed = message_from_bytes(mail, policy=policy.default)
    assert parsed["Bcc"] is None
    assert "\n" not in str(parsed["Subject"])


def test_a_digest_line_stays_one_line_whatever_its_title():
    line = DigestLine("SUP-1", "two\nlines", "Premium", "react", "first_reaction", AT)
    facts = AlertFacts(event=AlertEvent.DAILY_DIGEST, at=AT, board_id="b1", lines=(line,))
    text = render_message(facts.to_json(), "en", "UTC").text
    [listed] = [row for row in text.splitlines() if "SUP-1" in row]
    assert "two lines" in listed


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # the metadata service
        "fe80::1",
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.251",
        "239.255.255.250",
        "ff02::1",
        "0.0.0.0",
        "::",
        "240.0.0.1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "192.0.2.1",
    ],
)
def test_addresses_a_delivery_never_connects_to(address):
    assert forbidden(ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    assert not forbidden(ip_address(address))


def test_the_local_stack_may_reach_loopback_but_nothing_else_private():
    assert not forbidden(ip_address("127.0.0.1"), loopback_allowed=True)
    assert not forbidden(ip_address("::ffff:127.0.0.1"), loopback_allowed=True)
    assert forbidden(ip_address("10.0.0.1"), loopback_allowed=True)
    assert forbidden(ip_address("169.254.169.254"), loopback_allowed=True)
