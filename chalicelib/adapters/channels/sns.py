"""SNS topic publish: how SMS and mobile push reach people.

Each message carries string attributes that topic subscriptions can filter
on (``event``, ``board_id``, ``card_id``, ``locale``) and ``sent_at``, which
the local outbox reads (``chalicelib.adapters.outbox``). The client is made
on first use.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.channels import DeliveryError, Message
from chalicelib.adapters.clock import get_clock
from chalicelib.adapters.outbox import CARD_ATTRIBUTE, EVENT_ATTRIBUTE, SENT_AT_ATTRIBUTE

# SNS refuses these codes for good; anything else (throttling, 5xx) may pass.
_PERMANENT = {"NotFound", "InvalidParameter", "AuthorizationError", "InvalidParameterValue"}


def message_attributes(message: Message, sent_at: str) -> dict[str, Any]:
    """The filterable attributes of an alert (empty values are left out, as SNS requires)."""
    values = {
        EVENT_ATTRIBUTE: message.event,
        CARD_ATTRIBUTE: message.card_id,
        "board_id": message.facts.get("board_id"),
        "locale": message.locale,
        SENT_AT_ATTRIBUTE: sent_at,
    }
    return {
        name: {"DataType": "String", "StringValue": value}
        for name, value in values.items()
        if value
    }


class SnsChannel:
    """Publishes to the subscription's topic."""

    def send(self, target: str, message: Message, secret: str | None) -> str:
        """Publish the plain text with the alert's attributes; answers the SNS message id."""
        sent_at = get_clock().now().isoformat()
        try:
            answer = boto3.client("sns").publish(
                TopicArn=target,
                Subject=message.subject[:99],
                Message=message.text,
                MessageAttributes=message_attributes(message, sent_at),
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise DeliveryError(f"sns: {code}", permanent=code in _PERMANENT) from error
        except BotoCoreError as error:
            raise DeliveryError(f"sns: {error}") from error
        return str(answer["MessageId"])
