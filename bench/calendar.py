"""Benchmark: how fast the calendar engine answers ``deadline`` and ``elapsed``, and how right.

Targets on a 2-core machine: 50,000 deadlines/s over long spans (up to 90
days) and 150,000/s over short ones (up to 8 working hours), on a Mon–Fri
10:30–16:00 calendar with the UK's public holidays in Europe/London. The same
inputs (fixed seed) go to ``businesstimedelta`` and to pandas'
``CustomBusinessHour`` for comparison, and a sample of them to the slow
reference of the tests, which every answer is checked against. Run with
``.venv/bin/python -m bench.calendar`` (``--help`` for the sizes).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import businesstimedelta
import pandas as pd
import pytz
from pandas.tseries.offsets import CustomBusinessHour

from chalicelib.adapters.public_holidays import public_holidays
from chalicelib.domain.calendar import build_calendar
from tests.unit.calendar_reference import ReferenceCalendar

SEED = 2026
ZONE = "Europe/London"
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
SPEC = {
    "name": "UK support hours",
    "timezone": ZONE,
    "week": {day: [["10:30", "16:00"]] for day in WORKDAYS},
    "holiday_country": "GB",
}
HOLIDAYS = public_holidays("GB", years=range(2025, 2029))
# 64 working days of 5.5 hours: about 90 calendar days.
LONG_HOURS = 64 * 11 // 2
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Case:
    """One kind of question, asked with ``inputs``: (start, duration) or (start, end) pairs."""

    name: str
    operation: str
    inputs: list[tuple[datetime, Any]]


@dataclass(frozen=True)
class Library:
    """How one library answers both questions; ``None`` where it has no way to."""

    name: str
    deadline: Callable[[datetime, timedelta], datetime] | None
    elapsed: Callable[[datetime, datetime], timedelta] | None


def make_cases(count: int, rng: random.Random) -> list[Case]:
    """Random starts over 2026–2027 to the second (some libraries drop microseconds)."""

    def start() -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(2 * 365 * 86400))

    def after(start: datetime, days: int) -> datetime:
        return start + timedelta(seconds=rng.randrange(days * 86400))

    # pandas' business hours only step by whole hours, so durations are whole hours.
    return [
        Case(
            "deadline, short (1–8 h)",
            "deadline",
            [(start(), HOUR * rng.randint(1, 8)) for _ in range(count)],
        ),
        Case(
            "deadline, long (≤ 90 days)",
            "deadline",
            [(start(), HOUR * rng.randint(1, LONG_HOURS)) for _ in range(count)],
        ),
        Case(
            "elapsed, short (≤ 1 day)",
            "elapsed",
            [(s, after(s, 1)) for s in (start() for _ in range(count))],
        ),
        Case(
            "elapsed, long (≤ 90 days)",
            "elapsed",
            [(s, after(s, 90)) for s in (start() for _ in range(count))],
        ),
    ]


def sladesk() -> Library:
    calendar = build_calendar(SPEC, extra_holidays=HOLIDAYS)
    return Library(
        "sladesk",
        deadline=calendar.deadline,
        elapsed=calendar.elapsed,
    )


def reference() -> Library:
    calendar = ReferenceCalendar(SPEC, extra_holidays=HOLIDAYS)
    return Library(
        "reference",
        deadline=calendar.deadline,
        elapsed=calendar.elapsed,
    )


def business_time_delta() -> Library:
    zone = pytz.timezone(ZONE)
    workday = businesstimedelta.WorkDayRule(
        start_time=clock_time(10, 30), end_time=clock_time(16), working_days=range(5), tz=zone
    )
    rules = businesstimedelta.Rules([workday, businesstimedelta.HolidayRule(HOLIDAYS, tz=zone)])
    return Library(
        "businesstimedelta",
        deadline=lambda start, duration: (
            start + businesstimedelta.BusinessTimeDelta(rules, timedelta=duration)
        ),
        elapsed=lambda start, end: rules.difference(start, end).timedelta,
    )


def pandas_business_hours() -> Library:
    holidays = sorted(HOLIDAYS)
    offsets = {
        hours: CustomBusinessHour(n=hours, start="10:30", end="16:00", holidays=holidays)
        for hours in range(LONG_HOURS + 1)
    }
    # pandas has no "business time between" for business hours: no elapsed.
    return Library(
        "pandas CustomBusinessHour",
        deadline=lambda start, duration: (
            pd.Timestamp(start).tz_convert(ZONE) + offsets[duration // HOUR]
        ).to_pydatetime(),
        elapsed=None,
    )


def timed(answer: Callable[..., Any], inputs: Sequence[tuple], passes: int) -> tuple[float, list]:
    """Answers per second over ``inputs`` (the best of ``passes``), and the answers."""
    best = float("inf")
    for _ in range(passes):
        began = time.perf_counter()
        answers = [answer(first, second) for first, second in inputs]
        best = min(best, time.perf_counter() - began)
    return len(inputs) / best, answers


def in_utc(value: Any) -> Any:
    # Aware datetimes in a repeated hour never compare equal across zones.
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="inputs per case for sladesk")
    parser.add_argument(
        "--sample", type=int, default=1_000, help="inputs per case for the others and the reference"
    )
    args = parser.parse_args(argv)

    cases = make_cases(args.count, random.Random(SEED))
    truth = reference()
    libraries = [sladesk(), business_time_delta(), pandas_business_hours()]
    print(f"{args.count:,} inputs per case for sladesk (best of 3 passes, after a warm-up);")
    print(f"the first {args.sample:,} of them, in one pass, for the others and the reference.")
    print(f"Calendar: Mon–Fri 10:30–16:00 {ZONE}, UK public holidays 2025–2028.")
    print()
    print("| case | " + " | ".join(f"{lib.name} ops/s" for lib in libraries) + " | disagreements |")
    print("| --- " * (len(libraries) + 2) + "|")
    for case in cases:
        sample = case.inputs[: args.sample]
        _, expected = timed(getattr(truth, case.operation), sample, passes=1)
        speeds, wrong = [], []
        for lib in libraries:
            answer = getattr(lib, case.operation)
            if answer is None:
                speeds.append("n/a")
                continue
            if lib is libraries[0]:
                timed(answer, case.inputs, passes=1)  # lays out the years once
                speed, answers = timed(answer, case.inputs, passes=3)
            else:
                speed, answers = timed(answer, sample, passes=1)
            speeds.append(f"{speed:,.0f}")
            count = sum(in_utc(a) != in_utc(e) for a, e in zip(answers, expected, strict=False))
            wrong.append(f"{lib.name} {count}")
        row = [case.name, *speeds, f"{', '.join(wrong)} (of {len(sample):,})"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
