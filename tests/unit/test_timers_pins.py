"""Which SLA versions a card is pinned to, and evaluating under given versions."""

from __future__ import annotations

from chalicelib.domain.calendar import ALWAYS_OPEN
from chalicelib.domain.timers import Pin, PinnedPolicy, TimerStatus, evaluate, pinned_versions
from tests.unit.timer_builders import Story, first_reaction, minutes, policy, resolution, timers
from tests.unit.timer_calendars import msk, support_hours


def test_an_attached_sla_is_pinned_to_the_versions_it_was_attached_with():
    story = Story("queue", at=0, attach=None).attach("premium", at=0, version=2, calendar_version=5)
    assert pinned_versions(story.events) == {"premium": Pin(sla_version=2, calendar_version=5)}


def test_a_24_7_sla_is_pinned_without_calendar_version():
    assert pinned_versions(Story(attach="sla").events) == {"sla": Pin(1, None)}


def test_a_detached_sla_is_no_longer_pinned():
    story = Story(attach="a").attach("b", at=1).detach("a", at=2)
    assert pinned_versions(story.events) == {"b": Pin(1, None)}


def test_a_repin_replaces_the_pinned_versions():
    story = Story(attach="sla").repin("sla", at=5, version=3, calendar_version=2)
    assert pinned_versions(story.events) == {"sla": Pin(3, 2)}


def test_a_repin_of_a_detached_sla_does_not_attach_it_again():
    story = Story(attach="sla").detach("sla", at=1).repin("sla", at=2, version=3)
    assert pinned_versions(story.events) == {}


def test_attaching_an_sla_that_is_already_attached_keeps_its_pin():
    story = Story(attach="sla").attach("sla", at=5, version=4)
    assert pinned_versions(story.events) == {"sla": Pin(1, None)}


def test_an_sla_attached_again_after_a_detach_takes_the_new_versions():
    story = Story(attach="sla").detach("sla", at=1).attach("sla", at=2, version=4)
    assert pinned_versions(story.events) == {"sla": Pin(4, None)}


def test_a_detached_sla_yields_no_timers():
    # GIVEN a card whose SLA was detached
    story = Story(attach="sla").detach("sla", at=5)
    # WHEN it is evaluated with that policy at hand
    # THEN there is no timer
    assert timers(story, policy(resolution(60)), now=10) == []


def test_an_sla_attached_again_after_a_detach_counts_over_the_whole_history():
    story = Story(attach="sla").detach("sla", at=5).attach("sla", at=20)
    (resolve,) = timers(story, policy(resolution(60)), now=30)
    assert resolve.elapsed == minutes(30)


def test_only_slas_both_attached_and_given_yield_timers():
    story = Story(attach="a").attach("b", at=1)
    given = timers(story, policy(resolution(60), id="b"), policy(resolution(60), id="c"), now=5)
    assert [t.sla_id for t in given] == ["b"]


def test_repin_preview_evaluates_the_same_history_under_the_latest_version():
    # GIVEN a card pinned to version 1 (a 60-minute resolution), resolved after 90 minutes
    story = Story(attach="sla").move("work", at=5).move("done", at=90)
    current_version = policy(first_reaction(10), resolution(60), version=1)
    latest_version = policy(first_reaction(10), resolution(120), version=2)
    # WHEN the preview evaluates it under both versions
    current = timers(story, current_version, now=100)
    latest = timers(story, latest_version, now=100)
    # THEN version 1 missed resolution and version 2 would have met it
    assert [(t.sla_version, t.status) for t in current] == [
        (1, TimerStatus.MET),
        (1, TimerStatus.MISSED),
    ]
    assert [(t.sla_version, t.status) for t in latest] == [
        (2, TimerStatus.MET),
        (2, TimerStatus.MET),
    ]


def test_a_repinned_card_is_evaluated_over_its_whole_history_with_the_new_version():
    story = Story(attach="sla").move("done", at=90).repin("sla", at=95, version=2)
    (resolve,) = timers(story, policy(resolution(120), version=2), now=100)
    assert (resolve.sla_version, resolve.status, resolve.elapsed) == (
        2,
        TimerStatus.MET,
        minutes(90),
    )


def test_draft_rules_can_be_evaluated_in_place_of_the_pinned_version():
    story = Story(attach="sla").move("done", at=90)
    draft = policy(resolution(30, id="quick"), resolution(240, id="slow"), version=99)
    assert [t.status for t in timers(story, draft, now=100)] == [
        TimerStatus.MISSED,
        TimerStatus.MET,
    ]


def test_each_sla_counts_in_its_own_calendar():
    # GIVEN a card created on a Saturday with a 24/7 SLA and a business-hours SLA
    saturday = msk("2026-11-07 12:00")
    story = Story("queue", at=saturday, attach="always").attach("office", at=saturday)
    pinned = {
        "always": PinnedPolicy(policy(resolution(60), id="always"), ALWAYS_OPEN),
        "office": PinnedPolicy(policy(resolution(60), id="office"), support_hours()),
    }
    # WHEN an hour passes
    always, office = evaluate(story.events, pinned, saturday + minutes(60))
    # THEN only the 24/7 one counted it
    assert always.elapsed == minutes(60)
    assert office.elapsed == minutes(0)
