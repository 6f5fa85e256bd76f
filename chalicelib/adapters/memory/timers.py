"""In-memory fake of the timers ports: stored timers, the due index, finished timers, aggregates.

It honours what the DynamoDB adapters promise: a timer write is refused as a
whole when the card has moved past the event it was derived from, or a stored
timer was derived from that event or a later one; moving a next check point
is refused once the timer was rewritten; a day's aggregates are replaced as a
whole; a day's mark is dropped only when it is settled twice at one count;
pages of finished timers follow opaque cursors.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime

from chalicelib.domain.aggregates import DayAggregate, TouchedDay
from chalicelib.domain.stored_timers import FinishedRange, StoredTimer, TimerKey, TimerWrite
from chalicelib.ports.errors import InvalidCursorError

_Order = tuple[str, str, str, str, str]


def _order(timer: StoredTimer) -> _Order:
    """Where a finished timer stands in the stop-day index: day, instant, then its key."""
    stopped = timer.stopped_at.isoformat() if timer.stopped_at else ""
    return (timer.stop_day or "", stopped, timer.card_id, timer.sla_id, timer.rule_id)


class MemoryTimers:
    """Every stored timer by (card, SLA, rule), the marks of touched days, and the aggregates.

    ``last_seq`` answers a card's newest event (None for no card): what a timer
    write is guarded by, read from the fake card store.
    """

    def __init__(self, last_seq: Callable[[str], int | None]) -> None:
        self._last_seq = last_seq
        self.timers: dict[tuple[str, TimerKey], StoredTimer] = {}
        self.marks: dict[str, TouchedDay] = {}
        self.days: dict[str, list[DayAggregate]] = {}
        self.writes = 0
        """How many timer writes were applied (a refused or empty one is not)."""

    def seed(self, *timers: StoredTimer) -> None:
        """Timers as earlier writes left them (a test's setup; ``touch`` marks their days)."""
        for timer in timers:
            self.timers[(timer.card_id, timer.key)] = timer

    def touch(self, days: Iterable[str], card_id: str) -> None:
        """Mark ``days`` as a write of ``card_id``'s timers does."""
        for day in days:
            mark = self.marks.get(f"{day}#{card_id}", TouchedDay(day, f"{day}#{card_id}", 0, None))
            self.marks[mark.mark] = replace(mark, touches=mark.touches + 1)

    # TimerStore

    def for_card(self, card_id: str) -> list[StoredTimer]:
        return [timer for (card, _), timer in sorted(self.timers.items()) if card == card_id]

    def write(self, change: TimerWrite) -> bool:
        card_id, seq = change.card_id, change.seq
        if self._last_seq(card_id) != seq:
            return False
        for key in [timer.key for timer in change.puts]:
            stored = self.timers.get((card_id, key))
            if stored is not None and (stored.derived_seq or 0) >= seq:
                return False
        for key in change.deletes:
            stored = self.timers.get((card_id, key))
            if stored is None or (stored.derived_seq or 0) >= seq:
                return False
        self.touch(change.touched_days, card_id)
        for timer in change.puts:
            self.timers[(card_id, timer.key)] = replace(timer, derived_seq=seq)
        for key in change.deletes:
            del self.timers[(card_id, key)]
        self.writes += 1
        return True

    # DueTimers

    def due(self, days: Iterable[date], now: datetime) -> list[StoredTimer]:
        wanted = set(days)
        found = [
            timer
            for timer in self.timers.values()
            if timer.due_day in wanted
            and timer.next_check_at is not None
            and timer.next_check_at <= now
        ]
        return sorted(found, key=lambda t: (t.due_day or date.min, t.next_check_at or now))

    def move_next_check(
        self, timer: StoredTimer, next_check_at: datetime | None, due_day: date | None
    ) -> bool:
        place = (timer.card_id, timer.key)
        stored = self.timers.get(place)
        if stored is None or stored.derived_seq != timer.derived_seq:
            return False
        if next_check_at is None or due_day is None:
            next_check_at = due_day = None
        self.timers[place] = replace(stored, next_check_at=next_check_at, due_day=due_day)
        return True

    # FinishedTimers

    def finished(
        self, day: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[StoredTimer]:
        stopped = [
            timer
            for timer in self.timers.values()
            if timer.stop_day == day
            and timer.stopped_at is not None
            and (start is None or end is None or start <= timer.stopped_at <= end)
        ]
        return iter(sorted(stopped, key=_order))

    def finished_page(
        self, wanted: FinishedRange, limit: int, cursor: str | None
    ) -> tuple[list[StoredTimer], str | None]:
        days = wanted.days
        listed = [t for day in days for t in self.finished(day, wanted.start, wanted.end)]
        if cursor:
            after = _decode(cursor)
            if after[0] not in days:
                raise InvalidCursorError("not a cursor of this list")
            listed = [timer for timer in listed if _order(timer) > after]
        page: list[StoredTimer] = []
        for timer in listed:
            if not wanted.keep(timer):
                continue
            if len(page) == limit:
                return page, _encode(_order(page[-1]))
            page.append(timer)
        return page, None

    # Aggregates

    def touched_days(self) -> list[TouchedDay]:
        return [self.marks[mark] for mark in sorted(self.marks)]

    def settle(self, touched: TouchedDay) -> None:
        current = self.marks.get(touched.mark)
        if current is None or current.touches != touched.touches:
            return  # written meanwhile: the day stays marked
        if touched.settled == touched.touches:
            del self.marks[touched.mark]
        else:
            self.marks[touched.mark] = replace(current, settled=touched.touches)

    def replace_day(self, day: str, aggregates: Iterable[DayAggregate]) -> int:
        self.days[day] = list(aggregates)
        return len(self.days[day])

    def read(self, dimension: str, days: list[str]) -> Iterator[DayAggregate]:
        for day in days:
            yield from (a for a in self.days.get(day, []) if a.dimension == dimension)


def _encode(order: _Order) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(order)).encode("utf-8")).decode("ascii")


def _decode(cursor: str) -> _Order:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as error:
        raise InvalidCursorError("not a cursor of this list") from error
    if not isinstance(decoded, list) or len(decoded) != 5:
        raise InvalidCursorError("not a cursor of this list")
    return (str(decoded[0]), str(decoded[1]), str(decoded[2]), str(decoded[3]), str(decoded[4]))
