"""Routes of the local stack only (``SLADESK_DEV=1``): clock, drain, jobs, outbox and metrics.

``app.py`` registers this blueprint only when ``SLADESK_DEV`` is ``1``, which
only the local stack (``make run``) and tests set; deployed stacks never
serve these routes. Like the rest of the local stack's tooling they need no
key. They are plain Chalice routes rather than ``registry.endpoint`` ones:
importing this module must not add local-only routes to the OpenAPI document
of a process that does not serve them. Bodies and errors still follow the
contract through the same models and error helpers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Protocol, runtime_checkable

from chalice import Blueprint, Response
from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter, ValidationError

from chalicelib.adapters.clock import Clock, FixedClock, get_clock
from chalicelib.adapters.outbox import OutboxItem, read_outbox
from chalicelib.adapters.stream_drain import drain
from chalicelib.api.errors import error_response, service_error_response, validation_response
from chalicelib.api.schemas.common import Body, Resource
from chalicelib.observability import captured_metrics
from chalicelib.services.errors import ConflictError, InvalidInputError, ServiceError
from chalicelib.services.jobs import JOBS

dev_routes = Blueprint(__name__)

# A century: far enough for any test, near enough that the clock stays a valid datetime.
_MAX_ADVANCE_SECONDS = 100 * 366 * 24 * 3600
# The pump catches up in well under a second; this only bounds a stack without one.
DRAIN_TIMEOUT_SECONDS = 30.0


@runtime_checkable
class SettableClock(Protocol):
    """A clock that the local stack and tests can move (``TableClock``, ``FixedClock``)."""

    def now(self) -> datetime: ...

    def set(self, now: datetime) -> Any: ...

    def advance(self, seconds: float) -> Any: ...


class ClockChange(Body):
    """``POST /dev/clock``: exactly one of ``now`` and ``advance_seconds``."""

    model_config = ConfigDict(extra="forbid")

    now: AwareDatetime | None = None
    advance_seconds: (
        Annotated[float, Field(ge=0, le=_MAX_ADVANCE_SECONDS, allow_inf_nan=False)] | None
    ) = None


class ClockReading(Resource):
    """The server's "now"."""

    now: datetime


class MetricTotal(Resource):
    """One metric and dimension set: a count's sum, or the largest of other values."""

    name: str
    value: float
    unit: str
    dimensions: dict[str, str]


class MetricTotals(Resource):
    """The metrics this process emitted since it started."""

    items: list[MetricTotal]


@dev_routes.route("/dev/clock", methods=["GET"])
def read_clock() -> dict:
    """The server's "now": the dev clock, or wall time while it was never set."""
    return _reading(get_clock())


@dev_routes.route("/dev/clock", methods=["POST"])
def change_clock() -> dict | Response:
    """Set the clock (``{"now": ...}``) or move it on (``{"advance_seconds": n}``)."""
    try:
        change = ClockChange.model_validate_json(dev_routes.current_request.raw_body or b"")
        return _reading(_apply(change))
    except ValidationError as error:
        return validation_response(error)
    except ServiceError as error:
        return service_error_response(error)


@dev_routes.route("/dev/drain", methods=["POST"])
def drain_stream() -> dict | Response:
    """Answer once the stream pump has handled every record written before this call."""
    if not drain(DRAIN_TIMEOUT_SECONDS):
        message = f"the stream pump did not catch up within {DRAIN_TIMEOUT_SECONDS:g} s"
        return error_response(503, "drain_timeout", message)
    return {"drained": True}


@dev_routes.route("/dev/run/{job}", methods=["POST"])
def run_job(job: str) -> dict | Response:
    """Run a scheduled job (``breach_scan``, ``digest``, ...) at the clock's now; what it did."""
    if job not in JOBS:
        return error_response(404, "not_found", f"no job {job!r}; jobs: {', '.join(sorted(JOBS))}")
    now = get_clock().now()
    return {"job": job, **_reading(FixedClock(now)), **JOBS[job].run(now)}


# Each sent message's answer, made once: the outbox only grows, and a read of thousands of
# messages then costs a lookup per message rather than a validation.
_ENTRIES: dict[OutboxItem, dict[str, Any]] = {}
# One message the stack sent, in JSON: OutboxItem's fields as they are.
_OUTBOX_ENTRY = TypeAdapter(OutboxItem)


@dev_routes.route("/dev/outbox", methods=["GET"])
def list_outbox() -> dict:
    """Everything the stack has sent (mail, SNS, HTTP deliveries), oldest first."""
    return {"items": [_entry(item) for item in read_outbox()]}


def _entry(item: OutboxItem) -> dict[str, Any]:
    entry = _ENTRIES.get(item)
    if entry is None:
        entry = _ENTRIES[item] = _OUTBOX_ENTRY.dump_python(item, mode="json")
    return entry


@dev_routes.route("/dev/metrics", methods=["GET"])
def list_metrics() -> dict:
    """The metrics emitted since the stack started (``chalicelib.observability``), by name."""
    return MetricTotals.model_validate({"items": captured_metrics()}).model_dump(mode="json")


def _apply(change: ClockChange) -> SettableClock:
    if (change.now is None) == (change.advance_seconds is None):
        message = "give exactly one of now and advance_seconds"
        details = [{"field": name, "message": message} for name in ("now", "advance_seconds")]
        raise InvalidInputError(message, details=details)
    clock = get_clock()
    if not isinstance(clock, SettableClock):
        raise ConflictError("this process runs on wall time", code="clock_not_settable")
    if change.now is not None:
        clock.set(change.now)
    elif change.advance_seconds is not None:  # one of the two is given (checked above)
        clock.advance(change.advance_seconds)
    return clock


def _reading(clock: Clock) -> dict:
    return ClockReading(now=clock.now()).model_dump(mode="json")
