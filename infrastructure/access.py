"""What each Lambda function may touch: the input to its least-privilege role.

Every function of the Chalice app gets a role of its own, built from the
``Access`` its handler declares here: which tables it reads and writes, and
which of the stack's other resources it uses. Actions are listed one by one
(never ``*``) and ``dynamodb:Scan`` is never granted, so the "no table scans"
invariant (``../shared/DESIGN.md``) holds in IAM as well as in code.

A handler that appears in ``app.py`` before it is declared here gets
``UNDECLARED_ACCESS`` and the synth warns, naming it: declare it to narrow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.table_base import (
    CARDS_TABLE_ENV,
    CONFIG_TABLE_ENV,
    REPORTS_TABLE_ENV,
    TIMERS_TABLE_ENV,
)

ALL_TABLES = frozenset({CARDS_TABLE_ENV, TIMERS_TABLE_ENV, CONFIG_TABLE_ENV, REPORTS_TABLE_ENV})

# PynamoDB describes a table before its first use; transactions need the
# per-item actions (there is no separate transaction permission).
TABLE_READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
)
TABLE_WRITE_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
STREAM_READ_ACTIONS = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
)
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
SEND_MAIL_ACTIONS = ("ses:SendRawEmail",)
PUBLISH_ACTIONS = ("sns:Publish",)
ENCRYPTED_TOPIC_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
FAILURE_QUEUE_ACTIONS = ("sqs:SendMessage",)
READ_INBOUND_MAIL_ACTIONS = ("s3:GetObject",)
WRITE_ATTACHMENT_ACTIONS = ("s3:PutObject",)

# Where SES stores raw inbound messages and where attachments are kept, in the mail bucket.
INBOUND_MAIL_PREFIX = "inbound/"
ATTACHMENTS_PREFIX = "mail/"


@dataclass(frozen=True)
class Access:
    """The resources one function uses (its role allows exactly these, plus its own logs)."""

    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    reads_inbound_mail: bool = False
    writes_attachments: bool = False
    sends_mail: bool = False
    publishes_alerts: bool = False

    @property
    def tables(self) -> frozenset[str]:
        """Every table the function touches (by environment variable)."""
        return self.reads | self.writes


# By handler name (the Python function in app.py; the REST API is ``api_handler``).
HANDLER_ACCESS: dict[str, Access] = {
    # Every route: boards, cards, SLAs and keys (config), timers and reports for
    # the views, idempotency records; raw mail posted over HTTP keeps its attachments.
    "api_handler": Access(
        reads=ALL_TABLES,
        writes=ALL_TABLES,
        writes_attachments=True,
        sends_mail=True,
    ),
    # The cards stream: reads history and policies, writes timers, the days a
    # change touched (reports) and cards whose automations attach an SLA.
    "recompute_timers": Access(
        reads=ALL_TABLES,
        writes=frozenset({CARDS_TABLE_ENV, TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
    ),
    # SES inbound mail: reads the stored message, opens or comments a card
    # (numbers and claims live in config), records the mail, acknowledges it.
    "receive_inbound_mail": Access(
        reads=frozenset({CARDS_TABLE_ENV, CONFIG_TABLE_ENV, REPORTS_TABLE_ENV}),
        writes=frozenset({CARDS_TABLE_ENV, CONFIG_TABLE_ENV, REPORTS_TABLE_ENV}),
        reads_inbound_mail=True,
        writes_attachments=True,
        sends_mail=True,
    ),
    # Every minute: due timers, the cards and policies they belong to, alerts and
    # deliveries recorded once (reports); escalations reassign cards. Delivers by
    # mail and to the stack's alerts topic.
    "breach_scan": Access(
        reads=ALL_TABLES,
        writes=frozenset({CARDS_TABLE_ENV, TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
        sends_mail=True,
        publishes_alerts=True,
    ),
    # Subscribers' daily digests: reads timers, subscriptions and alerts, records what it sent.
    "daily_digest": Access(
        reads=ALL_TABLES,
        writes=frozenset({REPORTS_TABLE_ENV}),
        sends_mail=True,
        publishes_alerts=True,
    ),
    # Every 5 minutes: rolls the finished timers of each touched day into aggregates.
    "aggregate_compliance": Access(
        reads=frozenset({TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
        writes=frozenset({REPORTS_TABLE_ENV}),
    ),
}

# A handler not declared above: the tables and the notification channels,
# never the inbound mail; the synth warns until it is declared.
UNDECLARED_ACCESS = Access(
    reads=ALL_TABLES,
    writes=ALL_TABLES,
    sends_mail=True,
    publishes_alerts=True,
)


def access_of(handler: str) -> tuple[Access, bool]:
    """The access of ``handler`` and whether it is declared in ``HANDLER_ACCESS``."""
    declared = HANDLER_ACCESS.get(handler)
    return (declared, True) if declared else (UNDECLARED_ACCESS, False)
