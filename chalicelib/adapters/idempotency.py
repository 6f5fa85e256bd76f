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

from typing import Any, cast

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from chalicelib.adapters.table_base import REPORTS_TABLE_ENV, dynamodb_endpoint, table_name
from chalicelib.ports.intake import (
    FORM_KEY_LIFETIME_SECONDS,
    FormAction,
    FormAnswer,
    FormRequest,
    KeyReusedError,
    RequestInProgressError,
)


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


class PowertoolsFormIdempotency:
    """The form posts' retry keys (``chalicelib.ports.intake.FormIdempotency``), with Powertools.

    Powertools' own refusals are told as the port's: a key still in progress as
    ``RequestInProgressError``, a key reused with other fields as ``KeyReusedError``.
    """

    def once(self, action: FormAction, request: FormRequest, context: object = None) -> FormAnswer:
        """``action(request)`` once per ``[board_id, key]`` of ``request`` (see the port)."""
        config = form_idempotency_config()
        if context is not None:
            # Bounds how long an interrupted post keeps its key "in progress".
            config.register_lambda_context(cast(Any, context))
        run = idempotent_function(
            action,
            data_keyword_argument="request",
            persistence_store=idempotency_store("form"),
            config=config,
        )
        try:
            return cast(FormAnswer, run(request=request))
        except IdempotencyAlreadyInProgressError as error:
            raise RequestInProgressError(str(error)) from error
        except IdempotencyValidationError as error:
            raise KeyReusedError(str(error)) from error
