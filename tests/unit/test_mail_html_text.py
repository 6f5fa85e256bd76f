"""HTML mail bodies reduced to plain text: no markup survives, blocks end lines, quotes stay."""

from __future__ import annotations

import time

import pytest

from chalicelib.mail.html_text import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<img src=x onerror="alert(1)">', ""),
        ("<script>alert(1)</script>", ""),
        ("<SCRIPT SRC=//evil.example.com/x.js></SCRIPT>", ""),
        ('<svg onload="alert(1)"><script>alert(2)</script></svg>', ""),
        ('<a href="javascript:alert(1)" onmouseover="alert(2)">x</a>', "x"),
        ('<iframe src="javascript:alert(1)"></iframe>', ""),
        ('<div style="background:url(javascript:alert(1))">x</div>', "x"),
        ("<style>@import 'javascript:alert(1)';</style>", ""),
        ('<body onload=alert(1)><p title="</p><script>alert(2)</script>">', ""),
        ("<!--<script>alert(1)</script>-->", ""),
        # What a browser shows of these is text, and so is what we give back.
        ("<<script>alert(1);//<</script>", "<"),
        ("<scr<script>ipt>alert(1)</scr</script>ipt>", "ipt>alert(1)ipt>"),
    ],
)
def test_no_markup_or_script_survives_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize("unit", ["<a ", "<a x='", "<!--x>", "<![x>", "</a", "<!doctype"])
def test_hostile_unclosed_markup_costs_linear_time(unit: str) -> None:
    # The standard HTMLParser alone takes about a minute on 16,000 of some of these.
    started = time.perf_counter()
    html_to_text("Hello " + unit * 50_000)
    assert time.perf_counter() - started < 2


def test_comments_and_outlook_conditionals_are_dropped() -> None:
    html = (
        "<!--[if mso]><table><tr><td>Outlook only</td></tr></table><![endif]-->"
        "<!--[if !mso]><!--><p>Everyone</p><!--<![endif]-->"
        "<p>a < b <3</p><!-- never closed <p>hidden"
    )
    assert html_to_text(html) == "Everyone\n\na < b <3"


def test_entities_are_unescaped_into_plain_text() -> None:
    html = (
        "<p>Tom &amp; Jerry&nbsp;&mdash; &#1055;&#x440;&#1080;&#1074;&#1077;&#1090; &lt;b&gt;</p>"
    )
    # The entity &lt;b&gt; is the text "<b>": plain text, which pages escape like any other.
    assert html_to_text(html) == "Tom & Jerry — Привет <b>"


def test_script_style_and_head_content_is_dropped() -> None:
    html = (
        "<html><head><title>Title</title><style>p {color: red}</style></head>"
        "<body><script>var secret = 1;</script>Visible<noscript>fallback</noscript></body></html>"
    )
    assert html_to_text(html) == "Visible"


def test_a_missing_end_of_head_does_not_hide_the_body() -> None:
    assert html_to_text("<head><title>x</title><body>Body text") == "Body text"


def test_blocks_end_lines_and_whitespace_collapses() -> None:
    html = """<h1>Title</h1>
        <p>First    paragraph
        continues.</p><div>Line one<br>Line two</div>
        <ul><li>one</li><li>two</li></ul>
        <table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>
        <pre>  keep
    spacing</pre>"""
    assert html_to_text(html) == (
        "Title\n\nFirst paragraph continues.\n\nLine one\nLine two\n\none\ntwo\n\n"
        "a\tb\nc\td\n\n  keep\n    spacing"
    )


def test_links_show_where_they_go_only_when_a_reader_can_follow_them() -> None:
    html = (
        '<a href="https://example.com/docs">the docs</a>, '
        '<a href="https://example.com/x">https://example.com/x</a>, '
        '<a href="mailto:ivan@example.ru">ivan@example.ru</a>, '
        '<a href="javascript:alert(1)">run</a>, '
        '<a href="https://example.com/logo"><img src="logo.png"></a>'
    )
    assert html_to_text(html) == (
        "the docs (https://example.com/docs), https://example.com/x, ivan@example.ru, run, "
        "https://example.com/logo"
    )


def test_blockquotes_read_as_quoted_lines() -> None:
    html = "Answer<blockquote>Question<br>more<blockquote>older</blockquote></blockquote>"
    assert html_to_text(html) == "Answer\n\n> Question\n> more\n\n> > older"
