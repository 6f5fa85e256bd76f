"""HTML mail bodies reduced to plain text, for requests that arrive as HTML only.

The result is plain text, never markup: tags are dropped, entities are
unescaped (``&lt;b&gt;`` becomes the literal text ``<b>``), and the content of
``script``, ``style``, ``head`` and the like is dropped whole. Like every
string a requester writes, it must still be escaped wherever it is shown.
Block elements end lines, and ``blockquote`` lines start with ``> `` as in a
plain-text reply, so quoted previous messages can be trimmed the same way.

Why the standard library's ``html.parser`` and no HTML library: we need text,
not cleaned-up HTML. Sanitisers (bleach, nh3) keep markup we would then have
to trust; converters such as html2text produce Markdown that a page would
render again. A small tokenizer that keeps only character data cannot let any
markup through, and keeps the adapter free of dependencies.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never shown as text: code, styling, metadata.
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math"})

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

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """The text a reader would see in ``html``, with line breaks where blocks end.

    Never raises on malformed markup: unclosed tags, stray end tags and broken
    entities give the best text that can be made of them.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextExtractor(HTMLParser):
    """Collects character data outside hidden elements, and line breaks at block edges."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._hidden: list[str] = []
        self._pre_depth = 0
        self._quote_depth = 0
        # For each open <a>: where its text starts in _chunks, and its target.
        self._links: list[tuple[int, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # A missing </head> must not hide the whole message: browsers close
            # the head when the body starts, and so do we.
            self._hidden.clear()
            return
        if tag in _HIDDEN:
            self._hidden.append(tag)
            return
        if self._hidden:
            return
        if tag == "pre":
            self._pre_depth += 1
        if tag == "blockquote":
            self._quote_depth += 1
        if tag == "a":
            self._links.append((len(self._chunks), _followable(dict(attrs).get("href"))))
        self._break_for(tag, opening=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Self-closing forms (<br/>, <script/>) open nothing, so nothing is hidden by them.
        if not self._hidden and tag not in _HIDDEN:
            self._break_for(tag, opening=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden:
            # Close the innermost open element of that name and anything left open inside it.
            del self._hidden[len(self._hidden) - 1 - self._hidden[::-1].index(tag) :]
            return
        if self._hidden:
            return
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        if tag == "blockquote" and self._quote_depth:
            self._quote_depth -= 1
        if tag == "a" and self._links:
            self._write_link(*self._links.pop())
        self._break_for(tag, opening=False)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._pre_depth:
            self._chunks.append(data)
            return
        # A no-break space keeps words apart in the page; in text, a space does that.
        collapsed = _WHITESPACE.sub(" ", data).replace("\xa0", " ")
        if self._at_line_start():
            collapsed = collapsed.lstrip(" ")
            if collapsed and self._quote_depth:
                collapsed = "> " * self._quote_depth + collapsed
        if collapsed:
            self._chunks.append(collapsed)

    def text(self) -> str:
        """The collected text: lines without trailing blanks, at most one empty line in a row."""
        lines = (line.rstrip() for line in "".join(self._chunks).split("\n"))
        return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")

    def _break_for(self, tag: str, *, opening: bool) -> None:
        if tag in ("br", "hr") and opening:
            self._chunks.append("\n")
        elif tag in _PARAGRAPHS:
            self._end_line(blank_lines=1)
        elif tag in _LINES:
            self._end_line(blank_lines=0)
        elif tag in _CELLS and opening and not self._at_line_start():
            self._chunks.append("\t")

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
            self._chunks.append("\n" * missing)

    def _write_link(self, start: int, href: str | None) -> None:
        """Write a link's target after its text, unless the text already says it."""
        shown = "".join(self._chunks[start:]).strip()
        if not href or shown in (href, href.removeprefix("mailto:")):
            return
        self._chunks.append(f" ({href})" if shown else href)

    def _at_line_start(self) -> bool:
        return not self._chunks or self._chunks[-1].endswith(("\n", "\t"))


def _followable(href: str | None) -> str | None:
    """``href`` when it is a link a reader can follow, else None."""
    if not href:
        return None
    href = href.strip()
    scheme = _SCHEME.match(href)
    return href if scheme and scheme.group(1).lower() in _LINK_SCHEMES else None
