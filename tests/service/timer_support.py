"""A 24/7 SLA, cards under it, and the stream handler's recomputation, for the timer tests."""

from chalicelib.services import slas
from chalicelib.services.timers import TimerRecompute
from tests.service.card_support import open_card

# 24/7: a first reaction within 10 minutes (warned 5 minutes before), a resolution in 4 hours.
ROUND_THE_CLOCK = {
    "name": "Round the clock",
    "calendar_id": None,
    "rules": [
        {"id": "react", "kind": "first_reaction", "target": "PT10M", "warn_before": "PT5M"},
        {"id": "resolve", "kind": "resolution", "target": "PT4H", "warn_before": "PT30M"},
    ],
    "pause_in_columns": ["wait"],
}


def new_policy():
    """The stored 24/7 policy."""
    return slas.create_sla(ROUND_THE_CLOCK)


def card_under(policy, board):
    """A card opened under ``policy`` on ``board``."""
    return open_card(board["id"], sla_ids=[policy["id"]])


def recompute(*card_ids):
    """One stream batch holding a record of each of ``card_ids`` (in that order)."""
    batch = TimerRecompute()
    for card_id in card_ids:
        batch.card(card_id)


def stored(world, card_id):
    """The card's stored timers by rule id."""
    return {timer.rule_id: timer for timer in world.stores["timers"].for_card(card_id)}
