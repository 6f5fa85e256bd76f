"""How reports look outside JSON: CSV downloads, the dashboard's SVG chart and its links.

CSV follows what spreadsheets expect: RFC 4180 (comma, CRLF line ends,
quotes only where needed, doubled inside), a header row, UTF-8 without a
byte order mark, instants in ISO 8601 UTC, empty cells for nulls, lists
(tags) as JSON arrays so that any tag survives the round trip.

CSV injection: a text cell that a spreadsheet would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
prefixed with an apostrophe, as OWASP recommends. Only text cells are: the
numbers sladesk writes are never negative and stay numbers. So a card titled
``=HYPERLINK(...)`` reads ``'=HYPERLINK(...)`` in the file and shows as text.

The chart is drawn on the server as SVG (no scripts, nothing fetched): one
stacked bar per bucket, met (green) under missed (red), its height the
number of timers that stopped in the bucket, its compliance written above
it, and each bar a link to the bucket's drill-down.

The pages speak the browser's language (``Accept-Language``; English by
default): their words, the chart's, the error page's and the way numbers
are written (``LocalNumbers``) come from the template texts. Only the CSV
stays as it is in every language: its column names are a data format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from chalice import Response
from chalice.app import Request

from chalicelib.api.pages import locale_of, page, wants_html
from chalicelib.domain.instants import utc_stamp
from chalicelib.links import site_path
from chalicelib.rendering import render, texts

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_HEADERS = {
    "Content-Type": "text/csv; charset=utf-8; header=present",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

# Chart geometry, in SVG user units; the SVG scales to the width of the screen.
_PLOT_HEIGHT = 200
_TOP = 24
_LEFT = 44
_BOTTOM = 44
_SLOT = 36
_BAR = 24
_MAX_LABELS = 16


def csv_response(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filename: str
) -> Response:
    """A CSV download of ``rows`` (dicts) with a header of ``columns``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(name)) for name in columns])
    headers: dict[str, str | list[str]] = {
        **_CSV_HEADERS,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(body=buffer.getvalue(), status_code=200, headers=headers)


def csv_cell(value: Any) -> str:
    """One value as CSV text (see the module's notes on injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return utc_stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def query_string(params: Mapping[str, Any]) -> str:
    """``params`` without the empty ones, as a query string."""
    return urlencode(
        {name: str(value) for name, value in params.items() if value not in (None, "")}
    )


@dataclass(frozen=True, slots=True)
class LocalNumbers:
    """Numbers as a locale writes them: its decimal mark and its way with percentages."""

    locale: str

    def decimal(self, value: float, digits: int = 2) -> str:
        """``value`` with ``digits`` decimals: ``140.50``, in Russian ``140,50``."""
        return f"{value:.{digits}f}".replace(".", texts(self.locale)["report_decimal_mark"])

    def percent(self, share: float | None, digits: int = 0) -> str:
        """A share (0 to 1) as a percentage: ``93.5%``, in Russian ``93,5 %``; a dash for none."""
        if share is None:
            return "–"
        number = self.decimal(share * 100, digits)
        return texts(self.locale)["report_percent"].format(number=number)


@dataclass(frozen=True, slots=True)
class Bar:
    """One bucket's bar, ready to draw."""

    x: float
    met_y: float
    met_height: float
    missed_y: float
    missed_height: float
    label: str
    show_label: bool
    compliance: str
    title: str
    href: str


@dataclass(frozen=True, slots=True)
class Chart:
    """The whole chart: its size, bars and y axis ticks (value, y)."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    left: int
    bars: list[Bar]
    ticks: list[tuple[int, float]]


def chart(buckets: Sequence[Mapping[str, Any]], link: Mapping[str, Any], locale: str) -> Chart:
    """The chart of a report's buckets; each bar links to the drill-down with ``link`` params."""
    words = texts(locale)
    numbers = LocalNumbers(locale)
    peak = max((b["met"] + b["missed"] for b in buckets), default=0)
    scale_top = _nice_top(peak)
    bottom = _TOP + _PLOT_HEIGHT
    every = max(1, -(-len(buckets) // _MAX_LABELS))
    bars = []
    for index, bucket in enumerate(buckets):
        met_height = _PLOT_HEIGHT * bucket["met"] / scale_top
        missed_height = _PLOT_HEIGHT * bucket["missed"] / scale_top
        compliance = bucket["compliance"]
        shown = numbers.percent(compliance)
        share = (
            words["report_bar_empty"]
            if compliance is None
            else words["report_bar_share"].format(percent=shown)
        )
        params = {**link, "from": bucket["start"], "to": bucket["end"], "format": "html"}
        bars.append(
            Bar(
                x=_LEFT + index * _SLOT + (_SLOT - _BAR) / 2,
                met_y=bottom - met_height,
                met_height=met_height,
                missed_y=bottom - met_height - missed_height,
                missed_height=missed_height,
                label=bucket["label"],
                show_label=index % every == 0,
                compliance=shown,
                title=words["report_bar_title"].format(
                    label=bucket["label"], met=bucket["met"], missed=bucket["missed"], share=share
                ),
                href=site_path(f"/reports/sla/cards?{query_string(params)}"),
            )
        )
    ticks = [
        (value, bottom - _PLOT_HEIGHT * value / scale_top) for value in _tick_values(scale_top)
    ]
    return Chart(
        width=_LEFT + max(1, len(buckets)) * _SLOT + 8,
        height=bottom + _BOTTOM,
        plot_top=_TOP,
        plot_bottom=bottom,
        left=_LEFT,
        bars=bars,
        ticks=ticks,
    )


def staff_error_page(request: Request, refusal: Response) -> Response:
    """A staff page's refusal as a page in the browser's language; JSON clients get it unchanged.

    The sentence is the page's own (by the refusal's code, naming the field
    to correct); the server's message follows as the details.
    """
    if not wants_html(request) or not isinstance(refusal.body, dict):
        return refusal
    error = refusal.body.get("error") or {}
    locale = locale_of(request)
    html = render(
        "reports/error.html",
        locale,
        message=_refusal_words(error, texts(locale)),
        detail=str(error.get("message") or ""),
    )
    return page(html, refusal.status_code)


def _refusal_words(error: Mapping[str, Any], words: Mapping[str, Any]) -> str:
    said = words["staff_errors"]
    code = str(error.get("code") or "")
    details = error.get("details") or [{}]
    field = str(details[0].get("field") or "")
    if code == "validation_error" and field in words["report_fields"]:
        return words["staff_error_field"].format(field=words["report_fields"][field])
    return said.get(code, said["other"])


def _nice_top(peak: int) -> int:
    """The top of the y axis: the peak rounded up to 1, 2 or 5 times a power of ten."""
    if peak <= 0:
        return 1
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= peak:
                return step * magnitude
        magnitude *= 10


def _tick_values(top: int) -> list[int]:
    if top <= 4:
        return list(range(top + 1))
    return [0, top // 4, top // 2, 3 * top // 4, top]
