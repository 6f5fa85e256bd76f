"""Hostile inbound mail is read, or refused, within a time and memory budget per message.

Each message of the corpus (``hostile_mail.py``) once cost far more than its
size; here each must be read in well under the mail function's timeout with
a bounded peak of memory (measured with ``tracemalloc``), and give a bounded
result: a bounded text, a bounded list of attachments, or a clear refusal.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from chalicelib.mail.errors import InboundMailError, InvalidSenderError, MessageTooComplexError
from chalicelib.mail.limits import (
    MAX_ATTACHMENTS_KEPT,
    MAX_HEADER_CHARS,
    MAX_HEADER_VALUES,
    MAX_MIME_DEPTH,
    MAX_PARTS,
    MAX_QUOTE_DEPTH,
)
from chalicelib.mail.parts import NOT_KEPT_TOO_MANY
from chalicelib.mail.reading import InboundMessage, parse_message
from tests.unit import hostile_mail as hostile

# Per message, in CPU time (other work on a shared test machine does not count)
# with tracemalloc on, which slows Python code about threefold. Before these
# bounds, the corpus cost minutes and hundreds of megabytes per message.
SECONDS_PER_MESSAGE = 3.0
PEAK_BYTES_PER_MESSAGE = 32 * 1024 * 1024


@contextmanager
def within_budget() -> Iterator[None]:
    """Fail unless the block runs within the time and memory budget of one message."""
    tracemalloc.start()
    started = time.process_time()
    try:
        yield
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < SECONDS_PER_MESSAGE, f"took {elapsed:.2f} s of CPU"
    assert peak < PEAK_BYTES_PER_MESSAGE, f"peak of {peak / 2**20:.1f} MiB"


def read(raw: bytes) -> InboundMessage:
    """``raw`` read within the budget of one message."""
    with within_budget():
        return parse_message(raw)


def refused(raw: bytes) -> InboundMailError:
    """The refusal of ``raw``, made within the budget of one message."""
    with within_budget(), pytest.raises(InboundMailError) as raised:
        parse_message(raw)
    return raised.value


def test_a_150_kb_line_of_at_shaped_as_an_attribution_costs_its_length() -> None:
    message = read(hostile.line_of_at(150_000))
    assert message.reply_text.startswith("Hi\n@@@")
    assert "quoted" not in message.reply_text


def test_many_long_lines_of_at_cost_their_length() -> None:
    message = read(hostile.lines_of_at(count=150, size=1_000))
    assert message.text.count("\n") == 149


def test_116_kib_of_nested_blockquotes_gives_a_bounded_text() -> None:
    raw = hostile.nested_blockquotes(116 * 1024)
    message = read(raw)
    lines = message.text.split("\n")
    assert lines[0] == "Reply"
    deepest = "> " * MAX_QUOTE_DEPTH + "quoted text"
    assert lines[-1] == deepest
    assert max(len(line) for line in lines) == len(deepest)
    # Once 98 million characters; now of the order of the mail's size.
    assert len(message.text) < 2 * len(raw)


def test_1500_tiny_attachments_read_100_parts_and_keep_a_bounded_number_of_files() -> None:
    message = read(hostile.tiny_attachments(1_500))
    assert message.parts_not_read
    # The message itself, its text and 98 files make the 100 parts read.
    assert len(message.attachments) == MAX_PARTS - 2
    kept = [file for file in message.attachments if file.content is not None]
    assert [file.filename for file in kept] == [f"f{n}.bin" for n in range(MAX_ATTACHMENTS_KEPT)]
    assert {file.not_kept for file in message.attachments[MAX_ATTACHMENTS_KEPT:]} == {
        NOT_KEPT_TOO_MANY
    }
    assert not any(file.too_large for file in message.attachments)
    assert any("parts after them were not read" in defect for defect in message.defects)


def test_a_message_with_few_parts_is_read_whole() -> None:
    message = read(hostile.tiny_attachments(5))
    assert not message.parts_not_read
    assert [file.content for file in message.attachments] == [b"x"] * 5


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.nested_multiparts(MAX_MIME_DEPTH + 10),
        lambda: hostile.nested_multiparts(5_000),
        lambda: hostile.nested_forwards(MAX_MIME_DEPTH + 10),
        lambda: hostile.nested_forwards(5_000),
    ],
    ids=["multipart-40", "multipart-5000", "forwards-40", "forwards-5000"],
)
def test_deep_nesting_is_refused_with_a_clear_error(build: Callable[[], bytes]) -> None:
    error = refused(build())
    assert isinstance(error, MessageTooComplexError)
    assert f"at most {MAX_MIME_DEPTH} levels" in str(error)


def test_nesting_real_mail_uses_is_read() -> None:
    assert read(hostile.nested_multiparts(MAX_MIME_DEPTH - 2)).text == "hi"


@pytest.mark.parametrize(
    "value",
    [b"@" * 100_000, b"(" * 50_000, b'"a' * 50_000, b"<" * 100_000, b"=?utf-8?q?=40?=" * 8_000],
    ids=["at", "comments", "quotes", "angles", "encoded-words"],
)
def test_a_forged_from_of_100_kb_is_refused_quickly(value: bytes) -> None:
    error = refused(hostile.forged_from(value))
    assert isinstance(error, InvalidSenderError)
    # The refusal is logged: it quotes only the start of the header.
    assert len(str(error)) < 300


def test_an_address_behind_10_kb_of_junk_in_from_is_still_found() -> None:
    message = read(hostile.forged_from(b"<" * 10_000 + b" boss@example.org"))
    assert message.sender_address == "boss@example.org"


def test_20000_recipient_headers_read_the_first_ones() -> None:
    message = read(hostile.many_headers(b"To", 20_000))
    assert message.recipients == ("x@example.org",)
    assert any(f"only the first {MAX_HEADER_VALUES}" in defect for defect in message.defects)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (b"To", b"a@example.org, " * 10_000),
        (b"Cc", b'"@' * 50_000),
        (b"Subject", b"=?utf-8?q?a?= " * 10_000),
        (b"References", b"<a@example.org> " * 10_000),
        (b"Auto-Submitted", b"no; " * 30_000),
        (b"Content-Disposition", b"inline; " + b"a=b; " * 20_000),
    ],
)
def test_a_header_of_100_kb_costs_its_length(name: bytes, value: bytes) -> None:
    message = read(hostile.long_header(name, value))
    assert len(message.subject) <= MAX_HEADER_CHARS
    assert len(message.references) <= MAX_HEADER_CHARS


def test_a_content_type_with_20000_parameters_costs_its_length() -> None:
    assert read(hostile.content_type_parameters(20_000)).text == "hi"
