"""Powertools idempotency records in the reports table, for retried form posts.

A form post that carries an ``Idempotency-Key`` runs once: Powertools keeps
an in-progress record while it runs (a concurrent retry is refused), then the
answer, which a retry with the same key and the same fields gets back. The
records live in the reports table under pk ``IDEMPOTENCY#<use>`` and sk
``<hash of the key>``, and expire (``FORM_KEY_LIFETIME_SECONDS``): a form is
retried within minutes, and the answer (which holds the status link) should
not be kept longer than that need.
"""

from __future__ import annotations

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
)

from chalicelib.adapters.table_base import REPORTS_TABLE_ENV, dynamodb_endpoint, table_name

FORM_KEY_LIFETIME_SECONDS = 24 * 3600


def idempotency_store(use: str) -> DynamoDBPersistenceLayer:
    """The persistence layer for the idempotency records of ``use`` (e.g. ``form``)."""
    return DynamoDBPersistenceLayer(
        table_name=table_name(REPORTS_TABLE_ENV),
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{use}",
        boto3_client=boto3.client("dynamodb", endpoint_url=dynamodb_endpoint()),
    )


def form_idempotency_config() -> IdempotencyConfig:
    """Keys are ``key`` with ``board_id``; a key used again must come with the same fields."""
    return IdempotencyConfig(
        event_key_jmespath="[board_id, key]",
        payload_validation_jmespath="fields",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=FORM_KEY_LIFETIME_SECONDS,
        use_local_cache=False,
    )
