"""Compliance reports: what ``/reports/sla*`` and ``/slas/{id}/simulate`` accept and answer.

Query strings come from links and forms as often as from code: an empty
field (``tag=``) means "no filter", as an untouched form field sends it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from chalicelib.api.schemas.common import Body, Resource
from chalicelib.api.schemas.slas import RuleFields
from chalicelib.services.reports import EXTRA_ROW_FIELDS, ROW_FIELDS

RuleKind = Literal["first_reaction", "resolution", "time_in_column"]
Granularity = Literal["day", "week", "month"]
Value = Annotated[str, Field(min_length=1, max_length=200)]
Zone = Annotated[str, Field(min_length=1, max_length=64)]
MAX_PAGE_ROWS = 100
MAX_CSV_ROWS = 10_000


class ReportFilters(BaseModel):
    """The range (local dates of ``tz``, both included) and the filters of every report route."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    tz: Zone = "UTC"
    board_id: Value | None = None
    sla_id: Value | None = None
    rule_kind: RuleKind | None = None
    card_type: Value | None = None
    tag: Value | None = None
    assignee: Value | None = None
    service: Value | None = None
    lane_id: Value | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data

    def filters(self) -> dict[str, str | None]:
        """The filters by their contract names (None: not filtered)."""
        return {
            name: getattr(self, name)
            for name in (
                "board_id",
                "sla_id",
                "rule_kind",
                "card_type",
                "tag",
                "assignee",
                "service",
                "lane_id",
            )
        }


class ReportQuery(ReportFilters):
    """``GET /reports/sla``."""

    granularity: Granularity = "day"
    format: Literal["json", "csv"] = "json"


class ViewQuery(ReportFilters):
    """``GET /reports/sla/view``: the same as the report; the range defaults to the last 30 days."""

    from_: date | None = Field(None, alias="from")  # type: ignore[assignment]
    to: date | None = None  # type: ignore[assignment]
    granularity: Granularity = "day"


class RowsQuery(ReportFilters):
    """``GET /reports/sla/cards``: a bucket's rows, a page at a time."""

    status: Literal["met", "missed"] | None = None
    columns: str | None = Field(
        None, description="comma-separated columns to answer, in that order (default: all)"
    )
    format: Literal["json", "csv", "html"] = "json"
    limit: int | None = Field(
        None,
        ge=1,
        le=MAX_CSV_ROWS,
        description=f"1-{MAX_PAGE_ROWS} (default 50); CSV up to {MAX_CSV_ROWS} (the default)",
    )
    next: str | None = None

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: str | None) -> str | None:
        if value is None:
            return None
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in ROW_FIELDS + EXTRA_ROW_FIELDS]
        if not names or unknown:
            known = ", ".join(ROW_FIELDS + EXTRA_ROW_FIELDS)
            raise ValueError(f"columns are a comma-separated choice of {known}")
        return ",".join(dict.fromkeys(names))

    @field_validator("limit")
    @classmethod
    def _page_size(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value > MAX_PAGE_ROWS and info.data.get("format") != "csv":
            raise ValueError(f"limit is at most {MAX_PAGE_ROWS} (up to {MAX_CSV_ROWS} for CSV)")
        return value

    def chosen_columns(self) -> list[str]:
        """The columns to answer, in order."""
        return self.columns.split(",") if self.columns else list(ROW_FIELDS)

    def page_size(self) -> int:
        """The rows per page: 50 by default, every row up to 10,000 for CSV."""
        if self.limit is not None:
            return self.limit
        return MAX_CSV_ROWS if self.format == "csv" else 50


class SimulationRequest(Body):
    """``POST /slas/{id}/simulate``: draft rules and the range of finished cards to try them on."""

    model_config = ConfigDict(populate_by_name=True)

    rules: Annotated[list[RuleFields], Field(min_length=1, max_length=50)]
    from_: date = Field(alias="from")
    to: date
    tz: Zone = "UTC"
    granularity: Granularity = "day"

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # Strict bodies take no date objects from JSON; an ISO date string is what is meant.
        return date.fromisoformat(value) if isinstance(value, str) else value


class Counted(Resource):
    met: int
    missed: int
    compliance: float | None = Field(description="met / (met + missed); null when both are 0")


class ReportCount(Counted):
    overdue_seconds: int = Field(description="summed over the missed timers")
    credits: float | None = Field(description="owed under the SLAs' terms; null without terms")


class ReportBucket(ReportCount):
    start: date
    end: date
    label: str = Field(description="the day, ISO week (2026-W45) or month (2026-11)")


class Money(Resource):
    amount: float
    currency: str


class SlaMoney(Money):
    sla_id: str


class SlaReport(Resource):
    """Compliance by bucket: counts of the timers that stopped in each (in ``tz``)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: date = Field(alias="from")
    to: date
    granularity: Granularity
    tz: str
    filters: dict[str, str]
    source: Literal["aggregates", "timers"]
    buckets: list[ReportBucket]
    totals: ReportCount
    credits: Money | None = Field(description="null without terms, or when currencies differ")
    credits_by_sla: list[SlaMoney]


class ReportRow(Resource):
    """One finished timer of a bucket (``columns`` may choose fewer, or the extras)."""

    card_id: str
    title: str
    sla_id: str
    sla_name: str
    rule_id: str
    kind: RuleKind
    status: Literal["met", "missed"]
    target_seconds: int
    elapsed_seconds: int
    overdue_seconds: int
    assignee: str | None
    card_type: str | None
    tags: list[str]
    stopped_at: datetime
    board_id: str | None = None
    service: str | None = None
    lane_id: str | None = None
    started_at: datetime | None = None
    deadline: datetime | None = None


class ReportRows(Resource):
    items: list[ReportRow]
    next: str | None


class SimulatedCount(Resource):
    actual: Counted
    draft: Counted


class SimulatedBucket(SimulatedCount):
    start: date
    end: date
    label: str


class OutcomeChange(Resource):
    rule_id: str
    kind: str
    actual: Literal["met", "missed"] | None = Field(description="null: not finished in the range")
    draft: Literal["met", "missed"] | None
    actual_overdue_seconds: int | None
    draft_overdue_seconds: int | None


class ChangedCard(Resource):
    card_id: str
    title: str
    changes: list[OutcomeChange]


class Simulation(Resource):
    """Actual vs draft compliance of the cards finished in the range, and the changed cards."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    sla_id: str
    from_: date = Field(alias="from")
    to: date
    granularity: Granularity
    tz: str
    cards: int
    buckets: list[SimulatedBucket]
    totals: SimulatedCount
    changed_count: int
    changed: list[ChangedCard] = Field(description="the first 500 changed cards")
