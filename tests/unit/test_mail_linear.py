"""Quoting, attribution lines, address search and HTML reduction cost time linear in their input.

Hypothesis builds hostile text from the characters the old patterns
rescanned on (``@``, ``<``, ``>``, ``:``, white space, attribution words),
repeats it to a size where quadratic work would take seconds, and checks a
time budget and a bound on the output. The rewritten matchers are also
checked against the patterns they replace, on short text, so that nothing a
reader relied on changed.
"""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.mail.addresses import addresses_in, is_address, salvage_address
from chalicelib.mail.html_text import html_to_text
from chalicelib.mail.limits import MAX_QUOTE_DEPTH
from chalicelib.mail.message_ids import message_ids
from chalicelib.mail.quotes import _ends_attribution, trim_quoted_reply

PROPERTIES = settings(max_examples=25, deadline=None)
EQUIVALENCE = settings(max_examples=150, deadline=None)
# About 100 KiB of input: quadratic work on it takes tens of seconds. Time is
# CPU time, so that other work on a shared test machine does not count.
SIZE = 100_000
SECONDS = 1.0

# The patterns these functions replaced, kept as the reference for behaviour.
OLD_ADDRESS = re.compile(r"[^\s<>()\[\]\",;:@]+@[^\s<>()\[\]\",;:@]+")
OLD_ATTRIBUTION_END = re.compile(
    r"\b(wrote|пишет|написала?|написал\(а\))\s*:\s*$|@[^\s<>]+>\s*:\s*$", re.IGNORECASE
)

hostile_text = st.lists(
    st.sampled_from([*'@<>:()"[],; \t\nxа_.1', "wrote", "пишет", "On ", "> ", "2026"]),
    min_size=1,
    max_size=40,
).map("".join)
hostile_html = st.lists(
    st.sampled_from(
        [
            "<blockquote>",
            "</blockquote>",
            "<pre>",
            "<p>",
            "<a href=x>",
            "</a>",
            "<br>",
            "<",
            "<!--",
            "-->",
            "<td>",
            "&amp;",
            "&#",
            "x",
            "@",
            " ",
            "\n",
            "<script>",
            "<head>",
        ]
    ),
    min_size=1,
    max_size=30,
).map("".join)


def repeated(unit: str, size: int = SIZE) -> str:
    """``unit`` repeated to about ``size`` characters."""
    return unit * (size // len(unit) + 1)


def timed(work: object, *args: object) -> tuple[object, float]:
    started = time.process_time()
    result = work(*args)  # type: ignore[operator]
    return result, time.process_time() - started


@PROPERTIES
@given(hostile_text)
def test_trimming_quotes_costs_linear_time(unit: str) -> None:
    text = repeated(unit)
    trimmed, elapsed = timed(trim_quoted_reply, text)
    assert elapsed < SECONDS
    assert len(trimmed) <= len(text)  # type: ignore[arg-type]


@PROPERTIES
@given(hostile_text)
def test_one_long_line_is_checked_for_an_attribution_in_linear_time(unit: str) -> None:
    line = repeated(unit.replace("\n", " ")) + ">:"
    _, elapsed = timed(trim_quoted_reply, line)
    assert elapsed < SECONDS


@PROPERTIES
@given(hostile_text)
def test_searching_for_addresses_costs_linear_time(unit: str) -> None:
    text = repeated(unit)
    found, elapsed = timed(lambda value: list(addresses_in(value)), text)
    assert elapsed < SECONDS
    assert all(is_address(address) for address in found)  # type: ignore[attr-defined]


@PROPERTIES
@given(hostile_text)
def test_message_ids_are_read_in_linear_time(unit: str) -> None:
    _, elapsed = timed(message_ids, repeated(unit))
    assert elapsed < SECONDS


@settings(max_examples=10, deadline=None)
@given(hostile_html)
def test_reducing_html_costs_linear_time_and_gives_bounded_text(unit: str) -> None:
    # HTMLParser itself costs about a second per megabyte: a smaller size keeps this fast.
    html = repeated(unit, SIZE // 3)
    text, elapsed = timed(html_to_text, html)
    assert elapsed < SECONDS
    lines = str(text).split("\n")
    # Quote marks never pile up past the bound, whatever the nesting.
    assert all(not line.startswith("> " * (MAX_QUOTE_DEPTH + 1)) for line in lines)
    assert len(str(text)) <= len(html) + 2 * MAX_QUOTE_DEPTH * (len(lines) + 1)


@settings(max_examples=30, deadline=None)
@given(st.one_of(hostile_html, st.text(max_size=100)))
def test_html_text_never_exceeds_its_bound(html: str) -> None:
    assert len(html_to_text(html * 20, max_chars=100)) <= 100


@EQUIVALENCE
@given(hostile_text)
def test_address_search_finds_what_the_old_pattern_found(text: str) -> None:
    found = OLD_ADDRESS.search(text)
    assert salvage_address(text) == (found.group() if found else None)
    assert list(addresses_in(text)) == OLD_ADDRESS.findall(text)


@EQUIVALENCE
@given(hostile_text)
def test_an_address_is_what_the_old_pattern_took_for_one(text: str) -> None:
    assert is_address(text) == (OLD_ADDRESS.fullmatch(text) is not None)


@EQUIVALENCE
@given(hostile_text.map(lambda text: text.replace("\n", " ")))
def test_attribution_endings_are_what_the_old_pattern_matched(line: str) -> None:
    assert _ends_attribution(line) == (OLD_ATTRIBUTION_END.search(line) is not None)
