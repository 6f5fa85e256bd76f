"""Re-evaluating 10,000 cards takes well under 5 seconds (the what-if simulation needs it).

About a second on a quiet two-core machine; the assertion leaves room for a
busy CI runner.
"""

from __future__ import annotations

import random
import time

import pytest

from chalicelib.domain.calendar import ALWAYS_OPEN
from chalicelib.domain.timers import PinnedPolicy, evaluate
from tests.unit.timer_builders import Story, first_reaction, minutes, policy, resolution, time_in
from tests.unit.timer_calendars import msk, support_hours

SLA = policy(
    first_reaction(30, warn=10, escalations=(30,)),
    resolution(480, warn=60, escalations=(60, 120)),
    time_in("work", 240, warn=30),
)


def ten_thousand_cards() -> list[list]:
    rng = random.Random(2026)
    cards = []
    for _ in range(10_000):
        at = msk("2026-11-02 09:00") + minutes(rng.randint(0, 20 * 24 * 60))
        story = Story("queue", at=at)
        for _ in range(rng.randint(3, 10)):
            at += minutes(rng.randint(0, 600))
            if rng.random() < 0.3:
                story.comment(at, rng.random() < 0.5, rng.choice(["agent", "requester"]))
            else:
                story.move(rng.choice(["queue", "work", "wait", "review", "done"]), at)
        cards.append(story.events)
    return cards


@pytest.mark.slow
@pytest.mark.parametrize("calendar", [ALWAYS_OPEN, support_hours()], ids=["24/7", "support hours"])
def test_ten_thousand_cards_are_evaluated_in_under_five_seconds(calendar):
    cards = ten_thousand_cards()
    pinned = {"sla": PinnedPolicy(SLA, calendar)}
    now = msk("2026-12-20 12:00")
    began = time.perf_counter()
    evaluated = [evaluate(history, pinned, now) for history in cards]
    took = time.perf_counter() - began
    assert len(evaluated) == 10_000
    assert took < 5, f"10,000 cards took {took:.2f} s"
