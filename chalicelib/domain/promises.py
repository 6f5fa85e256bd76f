"""An SLA policy's promises in words, as the requester reads them, in English or Russian.

"first reaction within 10 minutes, 24/7"; "resolution within 40 working
hours, Mon–Fri 10:30–16:00 Moscow time"; "if the resolution deadline is
missed: level 1 after 30 minutes". Built from one pinned policy version and
its calendar version, so the words match the timers the requester sees.

Targets under a calendar count working time, so they are never said in days
(``P1D`` of working time is 24 working hours, not one working day); a 24/7
target in whole days is. Russian numerals take the case the phrase needs
("в течение 21 минуты", "через 2 рабочих часа").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOCALES = ("en", "ru")

Interval = tuple[str, str]
"""A working interval as the calendar states it: ``("10:30", "16:00")``."""


@dataclass(frozen=True, slots=True)
class SupportHours:
    """When a calendar counts time: its week, its zone, and whether it skips holidays."""

    timezone: str
    week: Mapping[str, Sequence[Interval]]
    skips_holidays: bool = False


@dataclass(frozen=True, slots=True)
class Promise:
    """One rule of a policy: what is promised, how soon, and its escalation levels."""

    kind: str
    target: timedelta
    column_name: str | None = None
    escalations: tuple[timedelta, ...] = ()


_KINDS = {
    "en": {
        "first_reaction": "first reaction",
        "resolution": "resolution",
        "time_in_column": "time in “{column}”",
    },
    "ru": {
        "first_reaction": "первая реакция",
        "resolution": "решение",
        "time_in_column": "время в колонке «{column}»",
    },
}
_DEADLINES = {
    "en": {
        "first_reaction": "first reaction",
        "resolution": "resolution",
        "time_in_column": "“{column}”",
    },
    "ru": {
        "first_reaction": "первой реакции",
        "resolution": "решения",
        "time_in_column": "для колонки «{column}»",
    },
}
_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
}
_ALWAYS = {"en": "24/7", "ru": "круглосуточно"}
_NO_HOURS = {"en": "no working hours", "ru": "без рабочего времени"}
_HOLIDAYS = {"en": "except public holidays", "ru": "кроме праздничных дней"}

# English: (singular, plural) per unit.
_EN_UNITS = {
    "second": ("second", "seconds"),
    "minute": ("minute", "minutes"),
    "hour": ("hour", "hours"),
    "day": ("day", "days"),
}
# Russian: (one, few, many) per unit, case and whether it is working time.
_RU_UNITS = {
    ("second", "gen", False): ("секунды", "секунд", "секунд"),
    ("second", "gen", True): ("рабочей секунды", "рабочих секунд", "рабочих секунд"),
    ("second", "acc", False): ("секунду", "секунды", "секунд"),
    ("second", "acc", True): ("рабочую секунду", "рабочие секунды", "рабочих секунд"),
    ("minute", "gen", False): ("минуты", "минут", "минут"),
    ("minute", "gen", True): ("рабочей минуты", "рабочих минут", "рабочих минут"),
    ("minute", "acc", False): ("минуту", "минуты", "минут"),
    ("minute", "acc", True): ("рабочую минуту", "рабочие минуты", "рабочих минут"),
    ("hour", "gen", False): ("часа", "часов", "часов"),
    ("hour", "gen", True): ("рабочего часа", "рабочих часов", "рабочих часов"),
    ("hour", "acc", False): ("час", "часа", "часов"),
    ("hour", "acc", True): ("рабочий час", "рабочих часа", "рабочих часов"),
    ("day", "gen", False): ("дня", "дней", "дней"),
    ("day", "acc", False): ("день", "дня", "дней"),
}
# Russian zones said the way Russians say them; other zones are named by their IANA name.
_RU_ZONES = {
    "Europe/Kaliningrad": "по калининградскому времени",
    "Europe/Moscow": "по московскому времени",
    "Europe/Samara": "по самарскому времени",
    "Asia/Yekaterinburg": "по екатеринбургскому времени",
    "Asia/Omsk": "по омскому времени",
    "Asia/Novosibirsk": "по новосибирскому времени",
    "Asia/Krasnoyarsk": "по красноярскому времени",
    "Asia/Irkutsk": "по иркутскому времени",
    "Asia/Yakutsk": "по якутскому времени",
    "Asia/Vladivostok": "по владивостокскому времени",
    "Asia/Magadan": "по магаданскому времени",
    "Asia/Kamchatka": "по камчатскому времени",
}


def promise_in_words(promise: Promise, hours: SupportHours | None, locale: str) -> str:
    """One rule's promise: what, within how much time, and when time counts.

    ``hours`` None means the policy counts 24/7.
    """
    locale = _locale(locale)
    what = _KINDS[locale][promise.kind].format(column=promise.column_name or "")
    amount = amount_in_words(promise.target, hours is not None, locale, "gen")
    when = hours_in_words(hours, locale)
    if locale == "ru":
        return f"{what} — в течение {amount}, {when}"
    return f"{what} within {amount}, {when}"


def escalation_in_words(promise: Promise, hours: SupportHours | None, locale: str) -> str | None:
    """The escalation path of one rule, or None when it has no escalation level."""
    if not promise.escalations:
        return None
    locale = _locale(locale)
    deadline = _DEADLINES[locale][promise.kind].format(column=promise.column_name or "")
    levels = [
        amount_in_words(after, hours is not None, locale, "acc") for after in promise.escalations
    ]
    if locale == "ru":
        steps = ", ".join(f"уровень {n} — через {a}" for n, a in enumerate(levels, 1))
        return f"если срок {deadline} пропущен: {steps}"
    steps = ", ".join(f"level {n} after {a}" for n, a in enumerate(levels, 1))
    return f"if the {deadline} deadline is missed: {steps}"


def amount_in_words(amount: timedelta, working: bool, locale: str, case: str = "gen") -> str:
    """``10 minutes``, ``40 working hours``, ``2 days``: the largest whole unit that fits.

    ``case`` (Russian only) is ``gen`` after "в течение", ``acc`` after "через".
    """
    seconds = int(amount.total_seconds())
    if not working and seconds and seconds % 86400 == 0:
        number, unit = seconds // 86400, "day"
    elif seconds and seconds % 3600 == 0:
        number, unit = seconds // 3600, "hour"
    elif seconds % 60 == 0:
        number, unit = seconds // 60, "minute"
    else:
        number, unit = seconds, "second"
    if _locale(locale) == "ru":
        return f"{number} {_RU_UNITS[(unit, case, working)][_ru_form(number)]}"
    singular, plural = _EN_UNITS[unit]
    noun = singular if number == 1 else plural
    return f"{number} working {noun}" if working else f"{number} {noun}"


def hours_in_words(hours: SupportHours | None, locale: str) -> str:
    """``24/7`` or ``Mon–Fri 10:30–16:00 Moscow time``: days with the same hours grouped."""
    locale = _locale(locale)
    if hours is None:
        return _ALWAYS[locale]
    # Intervals read from JSON may be lists: pairs as tuples compare and group alike.
    days = [tuple((start, end) for start, end in hours.week.get(day) or ()) for day in WEEKDAYS]
    if all(day == (("00:00", "24:00"),) for day in days) and not hours.skips_holidays:
        return _ALWAYS[locale]
    groups: list[tuple[int, int, tuple[Interval, ...]]] = []
    for index, intervals in enumerate(days):
        if groups and groups[-1][1] == index - 1 and groups[-1][2] == intervals:
            groups[-1] = (groups[-1][0], index, intervals)
        else:
            groups.append((index, index, intervals))
    names = _DAYS[locale]
    parts = [
        f"{_day_span(names, first, last)} {', '.join(f'{s}–{e}' for s, e in intervals)}"
        for first, last, intervals in groups
        if intervals
    ]
    said = "; ".join(parts) if parts else _NO_HOURS[locale]
    said = f"{said} {zone_in_words(hours.timezone, locale)}"
    if hours.skips_holidays:
        said = f"{said}, {_HOLIDAYS[locale]}"
    return said


def zone_in_words(zone: str, locale: str) -> str:
    """``Moscow time`` / ``по московскому времени``; ``UTC`` as it is."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC" if _locale(locale) == "en" else "по UTC"
    if _locale(locale) == "ru":
        return _RU_ZONES.get(zone, f"по времени {zone}")
    return f"{zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


def _day_span(names: Sequence[str], first: int, last: int) -> str:
    if first == last:
        return names[first]
    if last == first + 1:
        return f"{names[first]}, {names[last]}"
    return f"{names[first]}–{names[last]}"


def _ru_form(number: int) -> int:
    """0 for "one" (1, 21, 101), 1 for "few" (2–4, 22–24), 2 for "many" (0, 5–20, 25–30)."""
    if number % 10 == 1 and number % 100 != 11:
        return 0
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return 1
    return 2


def _locale(locale: str) -> str:
    return locale if locale in LOCALES else "en"
