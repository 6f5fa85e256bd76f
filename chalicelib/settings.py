"""The environment of a sladesk process: every variable's name, and the one reader of each.

This is the only module that reads ``os.environ`` (a unit test sees to it).
Deployed functions get their variables from ``infrastructure/``, the local
stack from ``devstack/``; both take the names from here. Every reader looks
at the environment when it is called, never at import time, so a test or the
local stack that sets a variable is seen by the next call. An empty value
counts as unset.
"""

from __future__ import annotations

import os

# --- the names --------------------------------------------------------------------------

# The local stack (``SLADESK_DEV=1``): its clock, outbox, dev routes and session secret.
DEV = "SLADESK_DEV"
# The local stack's demo data and the admin key it prints (read by ``devstack/`` only).
DEMO = "SLADESK_DEMO"
ADMIN_KEY = "SLADESK_ADMIN_KEY"

# The four DynamoDB tables, and the emulator endpoint of the local stack.
CARDS_TABLE = "SLADESK_CARDS_TABLE"
TIMERS_TABLE = "SLADESK_TIMERS_TABLE"
CONFIG_TABLE = "SLADESK_CONFIG_TABLE"
REPORTS_TABLE = "SLADESK_REPORTS_TABLE"
DYNAMODB_ENDPOINT = "SLADESK_DYNAMODB_ENDPOINT"
TABLES = (CARDS_TABLE, TIMERS_TABLE, CONFIG_TABLE, REPORTS_TABLE)

# What ``app.py`` subscribes its event functions to.
CARDS_STREAM_ARN = "SLADESK_CARDS_STREAM_ARN"
INBOUND_MAIL_TOPIC = "SLADESK_INBOUND_MAIL_TOPIC"
# The stack's SNS topic for alerts (set by infrastructure for the functions that publish).
ALERTS_TOPIC_ARN = "SLADESK_ALERTS_TOPIC_ARN"

# The address people use, the sender of mail, the bucket of mailed files.
PUBLIC_URL = "SLADESK_PUBLIC_URL"
MAIL_FROM = "SLADESK_MAIL_FROM"
ATTACHMENTS_BUCKET = "SLADESK_ATTACHMENTS_BUCKET"

# Secrets, by the name the app knows them by (see ``secret_arn`` and ``secret_value``).
SESSION_SECRET = "SLADESK_SESSION_SECRET"  # noqa: S105 (the name of a variable)
SLACK_SIGNING_SECRET = "SLACK_SIGNING_SECRET"  # noqa: S105 (the name of a variable)
TELEGRAM_WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105 (the name of a variable)
TELEGRAM_BOT_TOKEN = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (the name of a variable)
SECRETS = (SESSION_SECRET, SLACK_SIGNING_SECRET, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_BOT_TOKEN)
ARN_SUFFIX = "_ARN"

# Chat APIs' addresses, replaced by the local stack and tests.
SLACK_API_BASE = "SLACK_API_BASE"
TELEGRAM_API_BASE = "TELEGRAM_API_BASE"

# Powertools' own variables (each deployed stack sets its namespace).
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"

# The AWS SDK's variables that sladesk reads or sets itself.
AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"
AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION"

# --- defaults ---------------------------------------------------------------------------

DEFAULT_TABLE_NAMES = {
    CARDS_TABLE: "sladesk-cards",
    TIMERS_TABLE: "sladesk-timers",
    CONFIG_TABLE: "sladesk-config",
    REPORTS_TABLE: "sladesk-reports",
}
# Chalice needs a stream ARN to package the app; each deployed stack sets its own
# (``docs/design.md``, "Known traps"), and the local stack's pump calls the handler directly.
DEFAULT_CARDS_STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:000000000000:table/sladesk-cards/stream/1970-01-01T00:00:00.000"
)
DEFAULT_INBOUND_MAIL_TOPIC = "sladesk-inbound-mail"
DEFAULT_MAIL_FROM = "support@sladesk.local"
DEFAULT_ATTACHMENTS_BUCKET = "sladesk-attachments"
DEFAULT_TELEGRAM_API_BASE = "https://api.telegram.org"
DEFAULT_SERVICE_NAME = "sladesk"
DEFAULT_METRICS_NAMESPACE = "sladesk"


# --- the readers ------------------------------------------------------------------------


def value(name: str) -> str | None:
    """The variable ``name``: None when it is unset or empty."""
    return os.environ.get(name) or None


def dev() -> bool:
    """Whether this process is part of the local stack (``SLADESK_DEV=1``)."""
    return os.environ.get(DEV) == "1"


def table_name(variable: str) -> str:
    """The name of the table configured in ``variable`` (one of ``TABLES``)."""
    return value(variable) or DEFAULT_TABLE_NAMES[variable]


def dynamodb_endpoint() -> str | None:
    """The emulator endpoint of the local stack; None for the real (or mocked) AWS."""
    return value(DYNAMODB_ENDPOINT)


def cards_stream_arn() -> str:
    """The stream of the cards table the timer recomputation reads."""
    return value(CARDS_STREAM_ARN) or DEFAULT_CARDS_STREAM_ARN


def inbound_mail_topic() -> str:
    """The topic the SES receipt rule notifies once it has stored a message in S3."""
    return value(INBOUND_MAIL_TOPIC) or DEFAULT_INBOUND_MAIL_TOPIC


def public_url() -> str:
    """The address requesters and staff use, without a trailing slash ("" when unset)."""
    return (value(PUBLIC_URL) or "").rstrip("/")


def mail_from() -> str:
    """The address sladesk sends mail from, lower-cased."""
    return (value(MAIL_FROM) or DEFAULT_MAIL_FROM).strip().lower()


def attachments_bucket() -> str:
    """The bucket mailed files and raw inbound messages are kept in."""
    return value(ATTACHMENTS_BUCKET) or DEFAULT_ATTACHMENTS_BUCKET


def arn_variable(name: str) -> str:
    """The variable that holds the ARN of the secret the app knows as ``name``."""
    return f"{name}{ARN_SUFFIX}"


def secret_arn(name: str) -> str | None:
    """The Secrets Manager ARN a deployed function is given for the secret ``name``."""
    return value(arn_variable(name))


def secret_value(name: str) -> str | None:
    """The plain value of the secret ``name``, as the local stack and the tests set it."""
    return value(name)


def slack_api_base() -> str | None:
    """What replaces the scheme and host of Slack URLs (local stack and tests), if anything."""
    return value(SLACK_API_BASE)


def telegram_api_base() -> str:
    """The Telegram Bot API's address, without a trailing slash."""
    return (value(TELEGRAM_API_BASE) or DEFAULT_TELEGRAM_API_BASE).rstrip("/")


def service_name() -> str:
    """The service name of logs, traces and metrics."""
    return value(POWERTOOLS_SERVICE_NAME) or DEFAULT_SERVICE_NAME


def metrics_namespace() -> str:
    """The CloudWatch namespace of the metrics (``sladesk/<tenant>`` on a deployed stack)."""
    return value(POWERTOOLS_METRICS_NAMESPACE) or DEFAULT_METRICS_NAMESPACE


def aws_endpoint_url() -> str | None:
    """The address every AWS client is pointed at (the local stack's emulator), if any."""
    return value(AWS_ENDPOINT_URL)
