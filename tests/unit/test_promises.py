"""Promises in words: rule targets, support hours and escalation paths, in English and Russian."""

from datetime import timedelta

import pytest

from chalicelib.domain.promises import (
    Promise,
    SupportHours,
    amount_in_words,
    escalation_in_words,
    hours_in_words,
    promise_in_words,
    zone_in_words,
)

WEEKDAYS_1030_1600 = SupportHours(
    "Europe/Moscow", {day: [("10:30", "16:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
)
REACT = Promise("first_reaction", timedelta(minutes=10))
RESOLVE = Promise("resolution", timedelta(hours=40), escalations=(timedelta(minutes=30),))


def test_a_24_7_first_reaction_in_english():
    assert promise_in_words(REACT, None, "en") == "first reaction within 10 minutes, 24/7"


def test_a_working_hours_resolution_in_english():
    assert (
        promise_in_words(RESOLVE, WEEKDAYS_1030_1600, "en")
        == "resolution within 40 working hours, Mon–Fri 10:30–16:00 Moscow time"
    )


def test_the_same_promises_in_russian():
    assert (
        promise_in_words(REACT, None, "ru") == "первая реакция — в течение 10 минут, круглосуточно"
    )
    assert (
        promise_in_words(RESOLVE, WEEKDAYS_1030_1600, "ru")
        == "решение — в течение 40 рабочих часов, пн–пт 10:30–16:00 по московскому времени"
    )


def test_time_in_a_column_names_the_column():
    promise = Promise("time_in_column", timedelta(hours=2), column_name="In progress")
    assert promise_in_words(promise, None, "en") == "time in “In progress” within 2 hours, 24/7"
    assert promise_in_words(promise, None, "ru").startswith("время в колонке «In progress» — ")


@pytest.mark.parametrize(
    ("amount", "working", "english"),
    [
        (timedelta(minutes=1), False, "1 minute"),
        (timedelta(minutes=90), False, "90 minutes"),
        (timedelta(hours=1), True, "1 working hour"),
        (timedelta(days=1), False, "1 day"),
        (timedelta(days=2), False, "2 days"),
        # A day of working time is 24 working hours, never "a working day".
        (timedelta(days=1), True, "24 working hours"),
        (timedelta(seconds=45), False, "45 seconds"),
    ],
)
def test_amounts_take_the_largest_whole_unit(amount, working, english):
    assert amount_in_words(amount, working, "en") == english


@pytest.mark.parametrize(
    ("minutes", "genitive", "accusative"),
    [
        (1, "1 минуты", "1 минуту"),
        (2, "2 минут", "2 минуты"),
        (5, "5 минут", "5 минут"),
        (11, "11 минут", "11 минут"),
        (21, "21 минуты", "21 минуту"),
        (22, "22 минут", "22 минуты"),
        (112, "112 минут", "112 минут"),
    ],
)
def test_russian_numerals_agree_with_their_noun(minutes, genitive, accusative):
    amount = timedelta(minutes=minutes)
    assert amount_in_words(amount, False, "ru", "gen") == genitive
    assert amount_in_words(amount, False, "ru", "acc") == accusative


def test_russian_working_hours_in_both_cases():
    assert amount_in_words(timedelta(hours=1), True, "ru", "gen") == "1 рабочего часа"
    assert amount_in_words(timedelta(hours=2), True, "ru", "acc") == "2 рабочих часа"
    assert amount_in_words(timedelta(hours=5), True, "ru", "acc") == "5 рабочих часов"


def test_days_with_the_same_hours_are_grouped_and_split_shifts_listed():
    hours = SupportHours(
        "Europe/Berlin",
        {
            "mon": [("09:00", "13:00"), ("14:00", "18:00")],
            "tue": [("09:00", "13:00"), ("14:00", "18:00")],
            "wed": [("09:00", "13:00"), ("14:00", "18:00")],
            "sat": [("10:00", "14:00")],
            "sun": [("10:00", "14:00")],
        },
        skips_holidays=True,
    )
    assert hours_in_words(hours, "en") == (
        "Mon–Wed 09:00–13:00, 14:00–18:00; Sat, Sun 10:00–14:00 Berlin time, except public holidays"
    )
    assert hours_in_words(hours, "ru") == (
        "пн–ср 09:00–13:00, 14:00–18:00; сб, вс 10:00–14:00 по времени Europe/Berlin,"
        " кроме праздничных дней"
    )


def test_a_calendar_open_all_week_round_the_clock_is_24_7():
    always = SupportHours(
        "UTC",
        {day: [("00:00", "24:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    assert hours_in_words(always, "en") == "24/7"


def test_zones_in_words():
    assert zone_in_words("America/New_York", "en") == "New York time"
    assert zone_in_words("UTC", "en") == "UTC"
    assert zone_in_words("Asia/Vladivostok", "ru") == "по владивостокскому времени"


def test_the_escalation_path_lists_each_level():
    promise = Promise(
        "resolution",
        timedelta(hours=4),
        escalations=(timedelta(minutes=30), timedelta(hours=1)),
    )
    assert (
        escalation_in_words(promise, None, "en")
        == "if the resolution deadline is missed: level 1 after 30 minutes, level 2 after 1 hour"
    )
    assert (
        escalation_in_words(promise, WEEKDAYS_1030_1600, "ru")
        == "если срок решения пропущен: уровень 1 — через 30 рабочих минут,"
        " уровень 2 — через 1 рабочий час"
    )
    assert escalation_in_words(REACT, None, "en") is None


def test_an_unknown_locale_speaks_english():
    assert promise_in_words(REACT, None, "de") == "first reaction within 10 minutes, 24/7"
