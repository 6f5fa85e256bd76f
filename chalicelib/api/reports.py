"""Routes of the compliance reports (manager): summary, drill-down, dashboard and what-if.

JSON answers need the Authorization header. The dashboard, the HTML
drill-down and the CSV downloads are opened from a browser too, so they also
take the session cookie of ``POST /login``; a browser with neither is sent
to sign in and brought back. The pages speak the browser's language
(``Accept-Language``, English by default); JSON and CSV are the same in all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.adapters.clock import get_clock
from chalicelib.api.pages import locale_of, page
from chalicelib.api.registry import HTML, JSON, endpoint
from chalicelib.api.report_pages import (
    LocalNumbers,
    chart,
    csv_response,
    query_string,
    staff_error_page,
)
from chalicelib.api.schemas.reports import (
    ReportQuery,
    ReportRow,
    ReportRows,
    RowsQuery,
    Simulation,
    SimulationRequest,
    SlaReport,
    ViewQuery,
)
from chalicelib.domain.reports import Granularity, local_day
from chalicelib.links import site_path
from chalicelib.rendering import render
from chalicelib.services import reports, simulate
from chalicelib.services.boards import list_boards
from chalicelib.services.reports import ReportScope
from chalicelib.services.slas import list_slas

CSV = "text/csv"
_VIEW_DAYS = 30
_MAX_CHOICE_PAGES = 10
_SUMMARY_COLUMNS = ["start", "end", "met", "missed", "compliance"]


def _download(request: Request) -> bool:
    return request.query_params is not None and request.query_params.get("format") == "csv"


def _browser_format(request: Request) -> bool:
    return request.query_params is not None and request.query_params.get("format") in (
        "csv",
        "html",
    )


def _always(request: Request) -> bool:
    return True


def _scope(query: Any) -> ReportScope:
    return reports.report_scope(query.from_, query.to, query.tz, query.filters())


@endpoint(
    "GET",
    "/reports/sla",
    role="manager",
    query=ReportQuery,
    response=SlaReport,
    answers=(JSON, CSV),
    session=_download,
)
def sla_report(query: ReportQuery) -> dict | Response:
    """Compliance by day, ISO week or month: met, missed, compliance and credits; JSON or CSV."""
    answer = reports.sla_report(_scope(query), Granularity(query.granularity))
    if query.format == "json":
        return answer
    columns = _SUMMARY_COLUMNS + (["credits"] if answer["credits"] is not None else [])
    filename = f"sla-report-{query.from_}-{query.to}.csv"
    return csv_response(columns, answer["buckets"], filename)


@endpoint(
    "GET",
    "/reports/sla/cards",
    role="manager",
    query=RowsQuery,
    response=ReportRows,
    answers=(JSON, CSV, HTML),
    session=_browser_format,
    error_page=staff_error_page,
)
def report_cards(query: RowsQuery, request: Request) -> Response:
    """The drill-down: one row per finished timer of the range, by stop time; JSON, CSV or HTML."""
    scope = _scope(query)
    found = reports.report_rows(scope, query.status, query.page_size(), query.next)
    columns = query.chosen_columns()
    rows = [ReportRow.model_validate(row).model_dump(mode="json") for row in found["items"]]
    chosen = [{name: row[name] for name in columns} for row in rows]
    if query.format == "csv":
        filename = f"sla-cards-{query.from_}-{query.to}.csv"
        return csv_response(columns, found["items"], filename)
    if query.format == "html":
        return page(_rows_page(locale_of(request), query, columns, chosen, found["next"]))
    return Response(body={"items": chosen, "next": found["next"]}, status_code=200)


def _rows_page(
    locale: str, query: RowsQuery, columns: list[str], rows: list[dict], cursor: str | None
) -> str:
    params = {
        **query.filters(),
        "from": query.from_,
        "to": query.to,
        "tz": query.tz,
        "status": query.status,
        "columns": query.columns,
    }
    return render(
        "reports/cards.html",
        locale,
        query=query,
        columns=columns,
        rows=rows,
        csv_href=site_path(f"/reports/sla/cards?{query_string({**params, 'format': 'csv'})}"),
        next_href=(
            None
            if cursor is None
            else site_path(
                f"/reports/sla/cards?{query_string({**params, 'format': 'html', 'next': cursor})}"
            )
        ),
        back_href=site_path(
            f"/reports/sla/view?{query_string({**params, 'status': None, 'columns': None})}"
        ),
    )


@endpoint(
    "GET",
    "/reports/sla/view",
    role="manager",
    query=ViewQuery,
    answers=(HTML,),
    session=_always,
    error_page=staff_error_page,
)
def report_view(query: ViewQuery, request: Request) -> Response:
    """The compliance dashboard: the filter form and a bar per bucket (met vs missed)."""
    today = local_day(get_clock().now(), reports.report_zone(query.tz))
    last = query.to or today
    first = query.from_ or last - timedelta(days=_VIEW_DAYS - 1)
    scope = reports.report_scope(first, last, query.tz, query.filters())
    answer = reports.sla_report(scope, Granularity(query.granularity))
    link = {**query.filters(), "tz": query.tz}
    params = {**link, "from": first, "to": last, "granularity": query.granularity}
    locale = locale_of(request)
    drawn = chart(answer["buckets"], link, locale)
    bucket_of_all = {**link, "from": first, "to": last}
    html = render(
        "reports/view.html",
        locale,
        numbers=LocalNumbers(locale),
        report=answer,
        chart=drawn,
        table=list(zip(answer["buckets"], drawn.bars, strict=True)),
        values=params,
        boards=_choices(list_boards),
        slas=_choices(list_slas),
        csv_href=site_path(f"/reports/sla?{query_string({**params, 'format': 'csv'})}"),
        cards_href=site_path(
            f"/reports/sla/cards?{query_string({**bucket_of_all, 'format': 'html'})}"
        ),
    )
    return page(html)


def _choices(lister: Callable[[int, str | None], dict[str, Any]]) -> list[tuple[str, str]]:
    """(id, name) of everything a paged list answers, by name: the dashboard's selects.

    Boards and SLA policies are a handful per stack; the pages stop at
    ``_MAX_CHOICE_PAGES`` so a runaway list cannot hold the page.
    """
    found: list[tuple[str, str]] = []
    cursor = None
    for _ in range(_MAX_CHOICE_PAGES):
        answer = lister(100, cursor)
        found += [(item["id"], item["name"]) for item in answer["items"]]
        cursor = answer["next"]
        if cursor is None:
            break
    return sorted(found, key=lambda choice: (choice[1].casefold(), choice[0]))


@endpoint(
    "POST",
    "/slas/{sla_id}/simulate",
    role="manager",
    body=SimulationRequest,
    response=Simulation,
)
def simulate_sla(sla_id: str, body: SimulationRequest) -> dict:
    """What-if: compliance of the cards finished in the range under draft rules, beside actual."""
    scope = reports.report_scope(body.from_, body.to, body.tz, {"sla_id": sla_id})
    rules = [rule.model_dump(mode="json", exclude_none=True) for rule in body.rules]
    return simulate.simulate(sla_id, rules, scope, Granularity(body.granularity))
