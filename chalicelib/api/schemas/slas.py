"""SLA policies: what ``/slas`` accepts and answers.

Durations come back as sent (``target``) beside their whole seconds
(``target_seconds``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.api.schemas.common import Body, Duration, Identifier, Name, Resource

RuleKind = Literal["first_reaction", "resolution", "time_in_column"]
Text = Annotated[str, Field(max_length=2000)]


class EscalationFields(Body):
    """A level reached ``after_breach`` of counted time past the breach."""

    after_breach: Duration
    notify: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=254)]], Field(max_length=20)
    ] = Field(default_factory=list)
    assign_to: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class RuleFields(Body):
    """One promise of a policy; ``column_id`` only for ``time_in_column``."""

    id: Identifier
    kind: RuleKind
    target: Duration
    warn_before: Duration | None = None
    escalations: Annotated[list[EscalationFields], Field(max_length=10)] = Field(
        default_factory=list
    )
    column_id: Identifier | None = None


class Terms(Body):
    """Service credits owed for misses (used by reports)."""

    penalty_per_missed: Annotated[float, Field(ge=0)] = 0
    penalty_per_overdue_hour: Annotated[float, Field(ge=0)] = 0
    monthly_cap: Annotated[float, Field(ge=0)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"


class Agreement(Body):
    """What the requester's status page shows beside the promises."""

    services: Text | None = None
    support_hours: Text | None = None
    contacts: Text | None = None
    escalation: Text | None = None


class SlaFields(Body):
    """An SLA policy definition (``POST /slas``; ``PUT /slas/{id}`` makes a new version)."""

    name: Name
    calendar_id: str | None = None
    rules: Annotated[list[RuleFields], Field(min_length=1, max_length=50)]
    pause_in_columns: list[Identifier] | None = None
    terms: Terms | None = None
    agreement: Agreement | None = None


class EscalationOut(Resource):
    after_breach: int | str
    after_breach_seconds: int
    notify: list[str]
    assign_to: str | None


class RuleOut(Resource):
    id: str
    kind: RuleKind
    target: int | str
    target_seconds: int
    warn_before: int | str | None
    warn_before_seconds: int | None
    escalations: list[EscalationOut]
    column_id: str | None


class TermsOut(Resource):
    penalty_per_missed: float
    penalty_per_overdue_hour: float
    monthly_cap: float | None
    currency: str


class AgreementOut(Resource):
    services: str | None
    support_hours: str | None
    contacts: str | None
    escalation: str | None


class Sla(Resource):
    """One version of an SLA policy."""

    id: str
    version: int
    name: str
    calendar_id: str | None
    rules: list[RuleOut]
    pause_in_columns: list[str] | None
    terms: TermsOut | None
    agreement: AgreementOut | None
    created_at: datetime
