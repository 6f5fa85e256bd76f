"""Benchmark: how fast the timer engine re-evaluates card histories.

The what-if simulation re-evaluates every finished card of a range, so the
target is 10,000 cards in well under 5 s on a 2-core machine. Run with
``.venv/bin/python -m bench.timers``.
"""

from __future__ import annotations

import random
import time

from chalicelib.domain.calendar import ALWAYS_OPEN
from chalicelib.domain.timers import PinnedPolicy, evaluate
from tests.unit.timer_builders import Story, first_reaction, minutes, policy, resolution, time_in
from tests.unit.timer_calendars import msk, support_hours

CARDS = 10_000
SLA = policy(
    first_reaction(30, warn=10, escalations=(30,)),
    resolution(480, warn=60, escalations=(60, 120)),
    time_in("work", 240, warn=30),
)


def random_histories(count: int, seed: int = 2026) -> list[list]:
    """Card histories of 4–11 events: moves between five columns and comments."""
    rng = random.Random(seed)
    cards = []
    for _ in range(count):
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


def main() -> None:
    cards = random_histories(CARDS)
    now = msk("2026-12-20 12:00")
    print(f"{'calendar':<16} {'cards':>7} {'seconds':>8} {'cards/s':>9}")
    for name, calendar in (("24/7", ALWAYS_OPEN), ("support hours", support_hours())):
        pinned = {"sla": PinnedPolicy(SLA, calendar)}
        began = time.perf_counter()
        timers = [evaluate(history, pinned, now) for history in cards]
        took = time.perf_counter() - began
        assert len(timers) == CARDS
        print(f"{name:<16} {CARDS:>7} {took:>8.2f} {CARDS / took:>9,.0f}")


if __name__ == "__main__":
    main()
