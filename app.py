"""sladesk entry points: HTTP routes, the stream handler and the scheduled jobs.

Everything here is thin: read the request or event, call one service
function, answer. Routes are declared once, by ``@endpoint`` in modules
under ``chalicelib/api``, and served from what those declarations say
(``chalicelib.api.serving``); every Lambda function of the stack imports
this file, so each imports the code it needs where it needs it, and a cold
start pays for that alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from chalice import Chalice, ConvertToMiddleware
from chalice.app import CloudWatchEvent, DynamoDBEvent, Rate, SNSEvent

from chalicelib import settings
from chalicelib.adapters.clock import get_clock
from chalicelib.api.middleware import contract_errors
from chalicelib.api.serving import serve
from chalicelib.bootstrap import wire_aws
from chalicelib.observability import count, observe, working_on
from chalicelib.services.jobs import JOBS

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

# Chalice needs a stream ARN to package the app; each deployed stack sets its own
# (``docs/design.md``, "Known traps"), and the local stack's pump calls the handler directly.
CARDS_STREAM_ARN = settings.cards_stream_arn()

# The topic the SES receipt rule notifies once it has stored a message in S3.
INBOUND_MAIL_TOPIC = settings.inbound_mail_topic()

# The composition root wires every port before the first event (adapters are built lazily).
wire_aws()
app = Chalice(app_name="sladesk")
# Every entry point logs with its correlation id and is traced (``chalicelib.observability``);
# registered first, so that errors caught by ``contract_errors`` are logged with the request id.
for event_type in ("http", "dynamodb", "scheduled", "sns"):
    app.register_middleware(ConvertToMiddleware(observe(event_type)), event_type)
app.register_middleware(contract_errors, "http")

# Each route's module is imported on the route's first request (``chalicelib.api.serving``).
serve(app)

if settings.dev():
    # The local stack's clock and outbox; deployed stacks never set SLADESK_DEV.
    from chalicelib.api.dev import dev_routes

    app.register_blueprint(dev_routes)


@app.on_dynamodb_record(stream_arn=CARDS_STREAM_ARN)
def recompute_timers(event: DynamoDBEvent) -> PartialItemFailureResponse:
    """The cards table's stream: recompute the timers of every card the batch touches.

    Answers the partial batch response: the records of a card whose
    recomputation failed are reported in ``batchItemFailures``, the others
    are done.
    """
    # Imported here, not at the top: only the stream function needs Powertools' batch
    # utility and the timer code, and every other function would pay for them at cold start.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    from chalicelib.adapters.card_stream import card_id_of_stream_keys, inserted_card_event
    from chalicelib.services.card_event_alerts import CardEventAlerts
    from chalicelib.services.timers import TimerRecompute

    recompute = TimerRecompute()
    alerts = CardEventAlerts()

    def handle(record: DynamoDBRecord) -> None:
        card_id = card_id_of_stream_keys(record.dynamodb.keys if record.dynamodb else {})
        if card_id is not None:
            working_on(card_id)
            recompute.card(card_id)
            inserted = inserted_card_event(record)
            if inserted is not None:  # card_created / card_entered_column, once per event
                alerts.event(*inserted)

    batch = event.to_dict()
    response = process_partial_response(
        event=batch,
        record_handler=handle,
        processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
        # Chalice types the context as a dict; Lambda hands over its context object.
        context=cast("LambdaContext", event.context),
    )
    count("StreamBatchSize", len(batch.get("Records", [])))
    count("StreamRecordsFailed", len(response.get("batchItemFailures", [])))
    return response


@app.on_sns_message(topic=INBOUND_MAIL_TOPIC)
def receive_inbound_mail(event: SNSEvent) -> None:
    """SES inbound mail: the receipt rule stored the message in S3 and notified this topic."""
    from chalicelib.services.intake import receive_stored_mail  # only this function needs it

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
