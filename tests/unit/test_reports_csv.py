"""CSV cells as spreadsheets expect them, and defused formulas in text cells."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from chalicelib.api.report_pages import csv_cell, csv_response


def test_text_that_a_spreadsheet_would_run_is_kept_as_text():
    for text in ("=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("a = b") == "a = b"


def test_values_are_written_the_way_they_parse_back():
    assert csv_cell(None) == ""
    assert csv_cell(12) == "12"
    assert csv_cell(0.25) == "0.25"
    assert csv_cell(datetime(2026, 11, 2, 12, tzinfo=UTC)) == "2026-11-02T12:00:00Z"
    assert csv_cell(date(2026, 11, 2)) == "2026-11-02"
    assert csv_cell(["vip", "a;b"]) == '["vip", "a;b"]'


def test_rfc_4180_quoting_crlf_and_no_byte_order_mark():
    response = csv_response(
        ["title", "met"], [{"title": 'He said "hi", then\nleft', "met": 1}], "x.csv"
    )
    assert response.body == 'title,met\r\n"He said ""hi"", then\nleft",1\r\n'
    assert list(csv.reader(io.StringIO(response.body, newline=""))) == [
        ["title", "met"],
        ['He said "hi", then\nleft', "1"],
    ]
