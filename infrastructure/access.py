"""What each Lambda function may touch: the input to its least-privilege role.

Every function of the Chalice app gets a role of its own, built from the
``Access`` its handler declares here: which tables it reads and writes, and
which of the stack's other resources it uses. Actions are listed one by one
(never ``*``) and ``dynamodb:Scan`` is never granted, so the "no table scans"
invariant (``docs/design.md``) holds in IAM as well as in code.

Secrets stay in the stack's Secrets Manager secrets: a function is given
only the ARNs of those its handler reads (``<name>_ARN``, see
``chalicelib/adapters/secrets.py``), never a value, and its role may read
exactly those secrets at run time.

Every function is traced (X-Ray): ``xray:PutTraceSegments`` and
``xray:PutTelemetryRecords`` support no resource but ``*``, the only statement
whose resource is not named.

A handler that appears in ``app.py`` before it is declared here gets
``UNDECLARED_ACCESS`` and the synth warns, naming it (the synth tests fail on
that warning): declare it to narrow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib import settings

# Tables and secrets by the variable the app reads them from (``chalicelib/settings.py``).
CARDS_TABLE_ENV = settings.CARDS_TABLE
TIMERS_TABLE_ENV = settings.TIMERS_TABLE
CONFIG_TABLE_ENV = settings.CONFIG_TABLE
REPORTS_TABLE_ENV = settings.REPORTS_TABLE
TELEGRAM_TOKEN_ENV = settings.TELEGRAM_BOT_TOKEN

ALL_TABLES = frozenset(settings.TABLES)

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
# A presigned download link acts with the role that signed it: the API must be able to read.
READ_ATTACHMENT_ACTIONS = ("s3:GetObject",)
TRACING_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")
# The secrets are encrypted with Secrets Manager's AWS managed key, whose key policy
# lets the account's principals decrypt through Secrets Manager: no kms:Decrypt here.
READ_SECRET_ACTIONS = ("secretsmanager:GetSecretValue",)

# The secrets a function may be given, by the environment variable the app reads.
SECRETS = settings.SECRETS
# Whoever delivers alerts may reach Telegram (the bot token is in the request's URL).
DELIVERY_SECRETS = frozenset({TELEGRAM_TOKEN_ENV})

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
    reads_attachments: bool = False
    sends_mail: bool = False
    publishes_alerts: bool = False
    secrets: frozenset[str] = frozenset()

    @property
    def tables(self) -> frozenset[str]:
        """Every table the function touches (by environment variable)."""
        return self.reads | self.writes


# By handler name (the Python function in app.py; the REST API is ``api_handler``).
HANDLER_ACCESS: dict[str, Access] = {
    # Every route: boards, cards, SLAs, subscriptions and keys (config), live
    # timers and the stopped index for reports and drill-downs, aggregates and the
    # form's idempotency records (reports); raw mail posted over HTTP keeps its
    # attachments and is acknowledged by mail; attachment downloads are presigned
    # links, which read with this role. Staff sessions are signed with the
    # session secret; Slack and Telegram callbacks are verified with theirs and
    # answered in the chat (Telegram through the bot).
    "api_handler": Access(
        reads=ALL_TABLES,
        writes=ALL_TABLES,
        writes_attachments=True,
        reads_attachments=True,
        sends_mail=True,
        secrets=frozenset(SECRETS),
    ),
    # The cards stream: reads history and policies, writes timers, the days a
    # change touched (reports) and cards whose automations attach an SLA; raises
    # card_created and card_entered_column alerts (reports) and delivers them at once.
    "recompute_timers": Access(
        reads=ALL_TABLES,
        writes=frozenset({CARDS_TABLE_ENV, TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
        sends_mail=True,
        publishes_alerts=True,
        secrets=DELIVERY_SECRETS,
    ),
    # SES inbound mail: reads the stored message, opens or comments a card
    # (numbers and claims live in config), records the mail (cards), acknowledges it.
    "receive_inbound_mail": Access(
        reads=frozenset({CARDS_TABLE_ENV, CONFIG_TABLE_ENV}),
        writes=frozenset({CARDS_TABLE_ENV, CONFIG_TABLE_ENV}),
        reads_inbound_mail=True,
        writes_attachments=True,
        sends_mail=True,
    ),
    # Every minute: due timers, the cards and policies they belong to, alerts and
    # deliveries recorded once (reports); escalations reassign cards. Delivers by
    # mail, to the stack's alerts topic and to chats.
    "breach_scan": Access(
        reads=ALL_TABLES,
        writes=frozenset({CARDS_TABLE_ENV, TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
        sends_mail=True,
        publishes_alerts=True,
        secrets=DELIVERY_SECRETS,
    ),
    # Subscribers' daily digests: due timers, subscriptions (config) and what was
    # already sent (reports); records and delivers each digest.
    "daily_digest": Access(
        reads=frozenset({CONFIG_TABLE_ENV, TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
        writes=frozenset({REPORTS_TABLE_ENV}),
        sends_mail=True,
        publishes_alerts=True,
        secrets=DELIVERY_SECRETS,
    ),
    # Every 5 minutes: rolls the finished timers of each touched day (the stopped
    # index) into aggregates, reading and clearing the stop-day marks (reports).
    "aggregate_compliance": Access(
        reads=frozenset({TIMERS_TABLE_ENV, REPORTS_TABLE_ENV}),
        writes=frozenset({REPORTS_TABLE_ENV}),
    ),
}

# A handler not declared above: the tables and the notification channels,
# never the inbound mail or a secret; the synth warns until it is declared.
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
