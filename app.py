"""sladesk entry points: HTTP routes, the stream handler and the scheduled jobs.

Everything here is thin: read the request or event, call one service
function, answer. Routes are grouped in blueprints under ``chalicelib/api``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from chalice import Chalice, ConvertToMiddleware
from chalice.app import CloudWatchEvent, DynamoDBEvent, Rate, SNSEvent

from chalicelib.adapters.clock import get_clock
from chalicelib.api.automations import automation_routes
from chalicelib.api.boards import board_routes
from chalicelib.api.calendars import calendar_routes
from chalicelib.api.cards import card_routes
from chalicelib.api.hooks import hook_routes
from chalicelib.api.intake import intake_routes
from chalicelib.api.keys import key_routes
from chalicelib.api.login import login_routes
from chalicelib.api.meta import meta_routes
from chalicelib.api.middleware import contract_errors
from chalicelib.api.registry import binary_body_types
from chalicelib.api.reports import report_routes
from chalicelib.api.slas import sla_routes
from chalicelib.api.status import status_routes
from chalicelib.api.subscriptions import subscription_routes
from chalicelib.observability import count, observe, working_on
from chalicelib.services.intake import receive_stored_mail
from chalicelib.services.jobs import JOBS
from chalicelib.services.notifications import CardEventAlerts
from chalicelib.services.timers import TimerRecompute, card_id_of_stream_keys

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

# Chalice needs a stream ARN to package the app; each deployed stack sets its own
# (``../shared/DESIGN.md``, "Known traps"), and the local stack's pump calls the handler directly.
CARDS_STREAM_ARN = os.environ.get(
    "SLADESK_CARDS_STREAM_ARN",
    "arn:aws:dynamodb:us-east-1:000000000000:table/sladesk-cards/stream/1970-01-01T00:00:00.000",
)

# The topic the SES receipt rule notifies once it has stored a message in S3.
INBOUND_MAIL_TOPIC = os.environ.get("SLADESK_INBOUND_MAIL_TOPIC", "sladesk-inbound-mail")

app = Chalice(app_name="sladesk")
# Every entry point logs with its correlation id and is traced (``chalicelib.observability``);
# registered first, so that errors caught by ``contract_errors`` are logged with the request id.
for event_type in ("http", "dynamodb", "scheduled", "sns"):
    app.register_middleware(ConvertToMiddleware(observe(event_type)), event_type)
app.register_middleware(contract_errors, "http")

for blueprint in (
    meta_routes,
    key_routes,
    calendar_routes,
    board_routes,
    sla_routes,
    automation_routes,
    card_routes,
    intake_routes,
    status_routes,
    subscription_routes,
    report_routes,
    login_routes,
    hook_routes,
):
    app.register_blueprint(blueprint)
# Raw mail (message/rfc822) must reach the view byte for byte, not as text.
app.api.binary_types.extend(binary_body_types())

if os.environ.get("SLADESK_DEV") == "1":
    # The local stack's clock and outbox; deployed stacks never set SLADESK_DEV.
    from chalicelib.api.dev import dev_routes

    app.register_blueprint(dev_routes)


@app.on_dynamodb_record(stream_arn=CARDS_STREAM_ARN)
def recompute_timers(event: DynamoDBEvent) -> dict:
    """The cards table's stream: recompute the timers of every card the batch touches.

    Answers the partial batch response: the records of a card whose
    recomputation failed are reported in ``batchItemFailures``, the others
    are done.
    """
    # Imported here, not at the top: only the stream function needs Powertools' batch
    # utility, and every other function (the API first) would pay for it at cold start.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    recompute = TimerRecompute()
    alerts = CardEventAlerts()

    def handle(record: DynamoDBRecord) -> None:
        card_id = card_id_of_stream_keys(record.dynamodb.keys if record.dynamodb else {})
        if card_id is not None:
            working_on(card_id)
            recompute.card(card_id)
            alerts.record(record)  # card_created / card_entered_column, once per event

    batch = event.to_dict()
    response = process_partial_response(
        event=batch,
        record_handler=handle,
        processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
        context=event.context,
    )
    count("StreamBatchSize", len(batch.get("Records", [])))
    count("StreamRecordsFailed", len(response.get("batchItemFailures", [])))
    return response


@app.on_sns_message(topic=INBOUND_MAIL_TOPIC)
def receive_inbound_mail(event: SNSEvent) -> None:
    """SES inbound mail: the receipt rule stored the message in S3 and notified this topic."""
    receive_stored_mail(event.message)


def _rate(job: str) -> Rate:
    """The schedule of a job, from its entry in ``JOBS`` (so the two cannot drift)."""
    return Rate(int(JOBS[job].rate.total_seconds() // 60), unit=Rate.MINUTES)


@app.schedule(_rate("breach_scan"))
def breach_scan(event: CloudWatchEvent) -> dict:
    """Every minute: raise the warnings, breaches and escalations due, and deliver."""
    return JOBS["breach_scan"].run(get_clock().now())


@app.schedule(_rate("digest"))
def daily_digest(event: CloudWatchEvent) -> dict:
    """Send each subscriber's daily digest once its 09:00 has come."""
    return JOBS["digest"].run(get_clock().now())


@app.schedule(_rate("aggregate"))
def aggregate_compliance(event: CloudWatchEvent) -> dict:
    """Every 5 minutes: recompute the compliance aggregates of each day touched since."""
    return JOBS["aggregate"].run(get_clock().now())
