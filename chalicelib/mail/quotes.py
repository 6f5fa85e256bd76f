r"""Replies without the previous messages they quote: what the sender wrote this time.

Each line is looked at a bounded number of times, and every pattern used is
anchored or has bounded repetition, so trimming costs time linear in the text
(no rescans of a long line, as ``@[^\s<>]+>\s*:\s*$`` did on a line of ``@``).
"""

from __future__ import annotations

import re

# Where a quoted previous message starts, line by line. Attributions
# ("On <date>, <name> wrote:") may be wrapped over up to three lines by the
# mail client, so they are matched on the joined lines (see _attribution_at).
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|исходное сообщение)\s*-{2,}\s*$", re.IGNORECASE
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|от)\s*:", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(sent|date|отправлено|дата)\s*:", re.IGNORECASE)
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
# The words an attribution ends with before its colon, lower-cased.
_ATTRIBUTION_WORDS = ("wrote", "пишет", "написал", "написала", "написал(а)")
# An attribution always carries the date of the quoted message: a time or a year.
_DATE_IN_ATTRIBUTION = re.compile(r"\b\d{1,2}:\d{2}\b|\b(19|20)\d{2}\b")
# Characters that may make up the address in Gmail's "<address>:".
_ADDRESS_RUN = re.compile(r"[^\s<>]*")
_QUOTED_LINE = re.compile(r"^\s*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


def trim_quoted_reply(text: str) -> str:
    """``text`` without the previous messages a reply quotes: what the sender wrote this time.

    Lines quoted with ``>`` are dropped wherever they are, with the
    attribution above them ("On <date>, <name> wrote:", "<date>, <name>
    пишет:", Gmail's Russian "<date>, <name> <address>:"), so an answer
    written below or between quotes is kept. A quote without ``>`` marks
    (Outlook's "-----Original Message-----", its "From: … Sent: …" header
    block, or an attribution followed by unmarked text) runs to the end of the
    message, so everything from its first line on is cut. Empty when nothing
    new is left.
    """
    lines = text.split("\n")
    kept: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        if _QUOTED_LINE.match(line):
            continue
        start = _outlook_quote_start(lines, index)
        unmarked_quote = start is not None
        if start is None:
            start = _attribution_at(lines, index)
            unmarked_quote = start is not None and not _quote_follows(lines, index)
        if start is None:
            kept.append((index, line))
            continue
        # A separator may begin on a line already kept (a wrapped attribution).
        while kept and kept[-1][0] >= start:
            kept.pop()
        if unmarked_quote:
            break
    new_text = "\n".join(line for _, line in kept)
    return _BLANK_RUNS.sub("\n\n", new_text).strip()


def _outlook_quote_start(lines: list[str], index: int) -> int | None:
    """Where Outlook's quote of the previous message starts, when it starts on line ``index``."""
    line = lines[index]
    if _ORIGINAL_MESSAGE.match(line):
        return index
    if _OUTLOOK_FROM.match(line) and any(
        _OUTLOOK_SENT.match(following) for following in lines[index + 1 : index + 4]
    ):
        return _after_rule(lines, index)
    return None


def _quote_follows(lines: list[str], index: int) -> bool:
    """Whether the first non-blank line after line ``index`` is quoted with ``>``."""
    for following in range(index + 1, len(lines)):
        if lines[following].strip():
            return bool(_QUOTED_LINE.match(lines[following]))
    return False


def _after_rule(lines: list[str], index: int) -> int:
    """``index``, or the line of underscores Outlook draws just above it."""
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    return above if above >= 0 and _OUTLOOK_RULE.match(lines[above]) else index


def _attribution_at(lines: list[str], index: int) -> int | None:
    """The first line of an attribution that ends on line ``index``, if one does.

    An attribution names the date of the message it quotes; it is the
    nearest run of lines ending here that contains that date, or, when one of
    them opens with "On", the nearest such line (the date may be wrapped onto
    the line below it). A line of the sender's own just above an attribution
    is therefore never cut.
    """
    if _QUOTED_LINE.match(lines[index]) or not _ends_attribution(lines[index]):
        return None
    starts = []
    for start in range(index, max(index - 3, -1), -1):
        if not lines[start].strip() or _QUOTED_LINE.match(lines[start]):
            break
        if _DATE_IN_ATTRIBUTION.search(" ".join(lines[start : index + 1])):
            starts.append(start)
    opening = [start for start in starts if lines[start].lstrip().lower().startswith("on ")]
    found = opening or starts
    return found[0] if found else None


def _ends_attribution(line: str) -> bool:
    """Whether ``line`` ends as an attribution does: "… wrote:" or Gmail's "… <address>:".

    The word must start a word of its own; the address is a run without
    white space or angle brackets holding an ``@`` before its last character.
    """
    text = line.rstrip()
    if not text.endswith(":"):
        return False
    text = text[:-1].rstrip()
    if text.endswith(">"):
        # The run before ">", read backwards from its last character (a match
        # anchored at the start, so one pass).
        run = _ADDRESS_RUN.match(text[-2::-1])
        return run is not None and "@" in run.group()[1:]
    lowered = text.lower()
    for word in _ATTRIBUTION_WORDS:
        if lowered.endswith(word):
            before = text[: len(text) - len(word)]
            if not before or not (before[-1].isalnum() or before[-1] == "_"):
                return True
    return False
