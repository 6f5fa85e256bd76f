"""Logs, traces and metrics of every sladesk entry point, built in one place with Powertools.

Logs are structured JSON (Powertools ``Logger``, service ``sladesk`` from
``POWERTOOLS_SERVICE_NAME``); modules log through ``Logger(child=True)``.
Each invocation's correlation id is the API request id, the stream or
scheduled event's id, and, while one card is being worked on, that card's id
(``working_on``). Nothing logs request or e-mail bodies, keys, tokens or
secrets: handlers log ids and outcomes only.

Traces go to X-Ray through Powertools ``Tracer`` on AWS; the local stack
(``SLADESK_DEV=1``) and tests run with tracing off.

Metrics are CloudWatch embedded metric format (EMF) through Powertools
``Metrics``. Namespace: ``POWERTOOLS_METRICS_NAMESPACE`` (``sladesk``; each
deployed stack sets ``sladesk/<tenant>``). Every metric carries the dimension
``service`` (``sladesk``) and is published twice: with its own dimensions
below, and with ``service`` alone, so an alarm can watch the total without
naming every channel or SLA.

============================  =======  ==============================================
metric                        unit     dimensions (besides ``service``)
============================  =======  ==============================================
``CardsOpened``               Count    ``channel``: ``api``, ``form``, ``email``
``InboundMailDropped``        Count    ``reason``: ``virus``, ``spam``, ``spoofed``
``TimersStarted``             Count    ``sla_id``, ``rule_kind``
``TimersMet``                 Count    ``sla_id``, ``rule_kind``
``TimersMissed``              Count    ``sla_id``, ``rule_kind``
``NotificationsSent``         Count    ``event``, ``channel``
``NotificationsFailed``       Count    ``event``, ``channel`` (failed for good)
``NotificationsRetried``      Count    ``event``, ``channel`` (will be tried again)
``NotificationLatency``       Seconds  ``event``, ``channel``: recorded → sent
``StreamBatchSize``           Count    none: records in one stream batch
``StreamRecordsFailed``       Count    none: records reported back as failed
``ScannerLag``                Seconds  none: now − the oldest due instant handled
``ChatActions``               Count    ``chat`` (``slack``, ``telegram``), ``outcome``
``ChatAnswersFailed``         Count    ``chat``: the chat could not be answered
============================  =======  ==============================================

Alarms that fit: ``ScannerLag`` (Maximum over 5 minutes above 300 s: the
scanner is stuck or behind), ``NotificationsFailed`` (Sum ≥ 1), and
``StreamRecordsFailed`` (Sum ≥ 1).

On the local stack each flushed EMF blob is kept in this process instead of
being printed, and ``GET /dev/metrics`` shows the totals (``captured_metrics``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from chalicelib import settings

SERVICE = settings.DEFAULT_SERVICE_NAME
NAMESPACE = settings.DEFAULT_METRICS_NAMESPACE

# Where each kind of entry point finds its correlation id in the Lambda event.
CORRELATION_PATHS = {
    "http": correlation_paths.API_GATEWAY_REST,
    "dynamodb": "Records[0].eventID",
    "scheduled": "id",
    "sns": "Records[0].Sns.MessageId",
}

Handler = Callable[[Any, Any], Any]


_dev = settings.dev
_service = settings.service_name


@cache
def get_logger() -> Logger:
    """The service's root logger (``Logger(child=True)`` in a module logs through it)."""
    return Logger(service=_service())


@cache
def get_tracer() -> Tracer:
    """The tracer: X-Ray on AWS, off on the local stack (``SLADESK_DEV=1``)."""
    return Tracer(service=_service(), disabled=True if _dev() else None)


def observe(kind: str) -> Callable[[Handler], Handler]:
    """Wrap a Lambda handler of ``kind`` (``http``, ``dynamodb``, ``scheduled``, ``sns``).

    The wrapped handler logs with the invocation's context and correlation
    id and is traced. ``app.py`` applies it to every entry point through
    Chalice's ``ConvertToMiddleware``. The event itself is never logged.
    """

    def wrap(handler: Handler) -> Handler:
        def with_request_id(event: Any, context: Any) -> Any:
            # Chalice local's events carry no API request id; the invocation's id stands in.
            logger = get_logger()
            if logger.get_correlation_id() is None:
                logger.set_correlation_id(getattr(context, "aws_request_id", None))
            return handler(event, context)

        logged = get_logger().inject_lambda_context(
            with_request_id,
            correlation_id_path=CORRELATION_PATHS[kind],
            log_event=False,
            clear_state=True,
        )
        return get_tracer().capture_lambda_handler(logged, capture_response=False)

    return wrap


def working_on(card_id: str) -> None:
    """Mark the logs that follow as about ``card_id`` (the correlation id) until the next card."""
    get_logger().set_correlation_id(card_id)


# --- metrics ----------------------------------------------------------------------------


class _LocalEmfProvider(AmazonCloudWatchEMFProvider):
    """Powertools' EMF provider that, on the local stack, keeps blobs instead of printing them."""

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        if not _dev():
            super().flush_metrics(raise_on_empty_metrics)
            return
        if self.metric_set:
            _capture(self.serialize_metric_set())
            self.clear_metrics()


def record_metric(name: str, unit: MetricUnit, value: float, **dimensions: str) -> None:
    """Emit one metric now, with its own dimensions (see the table in this module's docstring).

    Dimensions differ from one metric to the next, so each is flushed on its
    own EMF blob (what Powertools' ``single_metric`` does), never failing the
    caller: a metric that cannot be written is not worth losing a card over.
    """
    provider = _LocalEmfProvider(
        namespace=settings.metrics_namespace(),
        service=_service(),
    )
    metrics = Metrics(provider=provider)
    try:
        metrics.add_metric(name=name, unit=unit, value=value)
        for dimension, dimension_value in dimensions.items():
            metrics.add_dimension(name=dimension, value=str(dimension_value))
        if dimensions:
            provider.add_dimensions(service=_service())
        metrics.flush_metrics()
    except Exception:  # the EMF schema refused it: say so, go on
        get_logger().exception("metric not emitted", metric=name)


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Emit a ``Count`` metric (``value`` events)."""
    record_metric(name, MetricUnit.Count, value, **dimensions)


def measure_seconds(name: str, value: float, **dimensions: str) -> None:
    """Emit a ``Seconds`` metric."""
    record_metric(name, MetricUnit.Seconds, max(value, 0.0), **dimensions)


# --- the local stack's capture ----------------------------------------------------------

_captured: dict[tuple[str, str, tuple[tuple[str, str], ...]], float] = {}
_captured_lock = threading.Lock()


def _capture(blob: Mapping[str, Any]) -> None:
    """Add one EMF blob to the totals: counts are summed, other units keep their maximum."""
    with _captured_lock:
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for dimension_names in directive["Dimensions"]:
                dimensions = tuple((name, str(blob[name])) for name in sorted(dimension_names))
                for definition in directive["Metrics"]:
                    name, unit = definition["Name"], definition["Unit"]
                    # EMF allows a list of values per metric (Powertools always writes one).
                    raw = blob[name]
                    values = [float(v) for v in (raw if isinstance(raw, list) else [raw])]
                    key = (name, unit, dimensions)
                    if unit == MetricUnit.Count.value:
                        _captured[key] = _captured.get(key, 0.0) + sum(values)
                    else:
                        _captured[key] = max([_captured.get(key, values[0]), *values])


def captured_metrics() -> list[dict[str, Any]]:
    """The metrics this process emitted since it started (local stack only), by name.

    One item per metric and dimension set: ``Count`` metrics give their sum,
    the others (seconds) the largest value seen.
    """
    with _captured_lock:
        items = sorted(_captured.items())
    return [
        {"name": name, "value": value, "unit": unit, "dimensions": dict(dimensions)}
        for (name, unit, dimensions), value in items
    ]
