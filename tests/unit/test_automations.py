"""Automation matching: every ``when`` key, AND-ed, and what a match attaches."""

from __future__ import annotations

import pytest

from chalicelib.domain.automations import Automation, CardState, matches, slas_to_attach
from tests.unit.timer_builders import Story

CARD = CardState(
    board_id="brd_1",
    column_id="queue",
    lane_id="premium",
    card_type="bug",
    service="web",
    assignee="ann",
    priority="high",
    tags=frozenset({"vip", "eu"}),
)


def rule(when=None, attach=("sla_a",), board_id="brd_1", id="aut_1") -> Automation:
    return Automation(id=id, board_id=board_id, when=when or {}, attach=tuple(attach))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("column_id", "queue"),
        ("lane_id", "premium"),
        ("card_type", "bug"),
        ("service", "web"),
        ("assignee", "ann"),
        ("priority", "high"),
    ],
)
def test_each_single_valued_key_matches_its_field_exactly(key, value):
    assert matches(rule({key: value}), CARD)
    assert not matches(rule({key: value + "-other"}), CARD)


def test_tags_any_matches_when_the_card_has_at_least_one_of_them():
    assert matches(rule({"tags_any": ["vip", "nobody"]}), CARD)
    assert not matches(rule({"tags_any": ["nobody"]}), CARD)
    assert not matches(rule({"tags_any": []}), CARD)


def test_keys_are_anded():
    assert matches(rule({"lane_id": "premium", "card_type": "bug", "tags_any": ["eu"]}), CARD)
    assert not matches(rule({"lane_id": "premium", "card_type": "question"}), CARD)


def test_a_rule_without_conditions_matches_every_card_of_its_board_only():
    assert matches(rule({}), CARD)
    assert not matches(rule({}, board_id="brd_2"), CARD)


def test_a_condition_on_an_unset_field_does_not_match():
    assert not matches(rule({"assignee": "ann"}), CardState(board_id="brd_1", column_id="queue"))


def test_an_unknown_condition_never_matches():
    assert not matches(rule({"colour": "red"}), CARD)


def test_a_match_attaches_each_named_sla_once_crediting_the_first_rule():
    rules = [
        rule({"lane_id": "premium"}, attach=("sla_a", "sla_b"), id="aut_1"),
        rule({"card_type": "bug"}, attach=("sla_b", "sla_c"), id="aut_2"),
        rule({"card_type": "question"}, attach=("sla_d",), id="aut_3"),
    ]
    story = Story(attach=None)
    assert slas_to_attach(rules, CARD, story.events) == [
        ("sla_a", "aut_1"),
        ("sla_b", "aut_1"),
        ("sla_c", "aut_2"),
    ]


def test_an_sla_already_attached_stays_and_is_not_attached_again():
    story = Story(attach="sla_a")
    assert slas_to_attach([rule(attach=("sla_a", "sla_b"))], CARD, story.events) == [
        ("sla_b", "aut_1")
    ]


def test_an_sla_detached_by_hand_is_not_attached_again_by_a_rule():
    story = Story(attach="sla_a").detach("sla_a", at=5)
    assert slas_to_attach([rule(attach=("sla_a",))], CARD, story.events) == []


def test_an_sla_attached_again_by_hand_after_a_detach_counts_as_attached():
    story = Story(attach="sla_a").detach("sla_a", at=5).attach("sla_a", at=6)
    assert slas_to_attach([rule(attach=("sla_a",))], CARD, story.events) == []
