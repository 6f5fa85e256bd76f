"""HTML mail bodies reduced to plain text: for requests that arrive as HTML only, and our own mail.

The result is plain text, never markup: tags are dropped, entities are
unescaped (``&lt;b&gt;`` becomes the literal text ``<b>``), and the content of
``script``, ``style``, ``head`` and the like is dropped whole. Like every
string a requester writes, it must still be escaped wherever it is shown.
Block elements end lines, and ``blockquote`` lines start with ``> `` as in a
plain-text reply, so quoted previous messages can be trimmed the same way.

Why the standard library's ``html.parser`` and no HTML library: we need text,
not cleaned-up HTML. Sanitisers (bleach, nh3) keep markup we would then have
to trust; converters such as html2text produce Markdown that a page would
render again. A parser that keeps only character data cannot let any markup
through, and keeps mail reading free of dependencies. One linear pass runs
before it, because ``HTMLParser`` itself is slow on some hostile input (see
``_complete_markup``).

The text is bounded as well as the work: quotes nested deeper than
``MAX_QUOTE_DEPTH`` get no more ``>`` marks (a prefix as deep as the nesting
once made 116 KiB of mail into 98 million characters), and no more than
``MAX_TEXT_CHARS`` of text are collected.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from chalicelib.mail.limits import MAX_QUOTE_DEPTH, MAX_TEXT_CHARS

# Elements whose content is never shown as text: code, styling, metadata.
# (Scripts and styles never reach the parser: _complete_markup drops them.)
_HIDDEN = frozenset({"head", "title", "template", "noscript", "svg", "math"})

# Elements that start and end a paragraph: a blank line around them.
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
)

# Elements that start and end a line.
_LINES = frozenset(
    {
        "div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "nav",
        "aside", "main", "address", "figure", "figcaption", "form", "fieldset", "details",
        "summary", "center", "caption",
    }
)  # fmt: skip

_CELLS = frozenset({"td", "th"})

# Links are written out after their text only for schemes a reader can follow;
# a ``javascript:`` or ``data:`` target is dropped, not shown.
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# One piece of markup: a comment, a declaration or processing instruction, or
# a tag (whose quoted attribute values may hold ">"), then its closing ">"
# unless the text ends first. Every repetition is possessive or stops at the
# end of the text, so a match costs its own length and never a rescan.
_MARKUP = re.compile(
    r"(?:<!--.*?(?:--(?=>)|\Z)"
    r"|<[!?][^>]*+"
    r"|(?P<tag></?(?:(?P<raw>script|style)(?![A-Za-z0-9])|[A-Za-z])"
    r"(?:[^>\"']++|\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z))*+))"
    r"(?P<end>>)?",
    re.DOTALL | re.IGNORECASE,
)
# Where a script or style element ends (or the text does, when it never ends).
_RAW_TEXT_END = {
    name: re.compile(rf"</{name}(?![A-Za-z0-9])[^>]*+(?:>|\Z)", re.IGNORECASE)
    for name in ("script", "style")
}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(html: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text a reader would see in ``html``, with line breaks where blocks end.

    Never raises on malformed markup: unclosed tags, stray end tags and broken
    entities give the best text that can be made of them. At most about
    ``max_chars`` characters: the start of a longer text.
    """
    parser = _TextExtractor(max_chars)
    parser.feed(_complete_markup(html))
    parser.close()
    return parser.text()


def _complete_markup(html: str) -> str:
    """``html`` reduced to text and complete tags, in one pass, ready for ``HTMLParser``.

    CPython's ``HTMLParser`` scans the rest of the document again for each
    construct that is never closed (python/cpython#135462, and more since):
    ``"<a " * 16000``, 48 kB, takes it a minute, so one small hostile message
    could stall intake. This pass, linear whatever the input, hands it
    nothing unclosed: comments, declarations, processing instructions,
    scripts and styles are dropped here (none of them is ever shown); a
    construct still open where the document ends is cut, as browsers drop
    it; a ``<`` that starts no tag is written as ``&lt;``.
    """
    kept: list[str] = []
    position = 0
    while (match := _MARKUP.search(html, position)) is not None:
        kept.append(html[position : match.start()].replace("<", "&lt;"))
        token = match.group()
        if match.group("end") is None:
            return "".join(kept)
        position = match.end()
        if match.group("raw") and not token.startswith("</"):
            closing = _RAW_TEXT_END[match.group("raw").lower()].search(html, position)
            if closing is None:
                return "".join(kept)
            position = closing.end()
        elif match.group("tag"):
            kept.append(token)
    kept.append(html[position:].replace("<", "&lt;"))
    return "".join(kept)


class _TextExtractor(HTMLParser):
    """Collects character data outside hidden elements, and line breaks at block edges."""

    def __init__(self, max_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        # Characters still to be collected; once none are left, nothing more is.
        self._room = max_chars
        # The outermost open hidden element, and how many of its name are open.
        # Other tags inside it are ignored: only its own end tag shows text again.
        self._hidden: str | None = None
        self._hidden_depth = 0
        self._pre_depth = 0
        self._quote_depth = 0
        # For each open <a>: where its text starts in _chunks, and its target.
        self._links: list[tuple[int, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # A missing </head> must not hide the whole message: browsers close
            # the head when the body starts, and so do we.
            self._hidden, self._hidden_depth = None, 0
            return
        if self._hidden is not None:
            self._hidden_depth += tag == self._hidden
            return
        if tag in _HIDDEN:
            self._hidden, self._hidden_depth = tag, 1
            return
        if tag == "pre":
            self._pre_depth += 1
        if tag == "blockquote":
            self._quote_depth += 1
        if tag == "a":
            self._links.append((len(self._chunks), _followable(dict(attrs).get("href"))))
        self._break_for(tag, opening=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Self-closing forms (<br/>, <svg/>) open nothing, so nothing is hidden by them.
        if self._hidden is None and tag not in _HIDDEN:
            self._break_for(tag, opening=True)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden is not None:
            self._hidden_depth -= tag == self._hidden
            if not self._hidden_depth:
                self._hidden = None
            return
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        if tag == "blockquote" and self._quote_depth:
            self._quote_depth -= 1
        if tag == "a" and self._links:
            self._write_link(*self._links.pop())
        self._break_for(tag, opening=False)

    def handle_data(self, data: str) -> None:
        if self._hidden is not None:
            return
        if self._pre_depth:
            self._write(data)
            return
        # A no-break space keeps words apart in the page; in text, a space does that.
        collapsed = _WHITESPACE.sub(" ", data).replace("\xa0", " ")
        if self._at_line_start() or self._chunks[-1].endswith("\t"):
            collapsed = collapsed.lstrip(" ")
        if collapsed and self._quote_depth and self._at_line_start():
            collapsed = "> " * min(self._quote_depth, MAX_QUOTE_DEPTH) + collapsed
        if collapsed:
            self._write(collapsed)

    def _write(self, chunk: str) -> None:
        """Collect ``chunk``, or as much of it as there is room for."""
        if self._room <= 0 or not chunk:
            return
        self._chunks.append(chunk[: self._room])
        self._room -= len(chunk)

    def text(self) -> str:
        """The collected text: lines without trailing blanks, at most one empty line in a row."""
        lines = (line.rstrip() for line in "".join(self._chunks).split("\n"))
        return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")

    def _break_for(self, tag: str, *, opening: bool) -> None:
        if tag in ("br", "hr") and opening:
            self._write("\n")
        elif tag in _PARAGRAPHS:
            self._end_line(blank_lines=1)
        elif tag in _LINES:
            self._end_line(blank_lines=0)
        elif tag in _CELLS and opening and not self._at_line_start():
            self._write("\t")

    def _end_line(self, *, blank_lines: int) -> None:
        """End the current line, then leave ``blank_lines`` empty lines, counting those written.

        Block edges come in runs (``</li><li>``, ``</div> <div>``) that must
        separate blocks once, not once per edge.
        """
        if not self._chunks:
            return
        tail = "".join(self._chunks[-(blank_lines + 1) :])
        missing = blank_lines + 1 - (len(tail) - len(tail.rstrip("\n")))
        if missing > 0:
            self._write("\n" * missing)

    def _write_link(self, start: int, href: str | None) -> None:
        """Write a link's target after its text, unless the text already says it."""
        # A link's text is one chunk or a few; reading no more than that keeps
        # hostile nesting (thousands of open links) from costing quadratic time.
        shown = "".join(self._chunks[start : start + 4]).strip()
        if not href or shown in (href, href.removeprefix("mailto:")):
            return
        self._write(f" ({href})" if shown else href)

    def _at_line_start(self) -> bool:
        return not self._chunks or self._chunks[-1].endswith("\n")


def _followable(href: str | None) -> str | None:
    """``href`` when it is a link a reader can follow, else None."""
    if not href:
        return None
    href = href.strip()
    scheme = _SCHEME.match(href)
    return href if scheme and scheme.group(1).lower() in _LINK_SCHEMES else None
