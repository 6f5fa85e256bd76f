"""The cards table's stream records read as what they are about: a card, and its new events.

The stream handler (``app.py``) hands each record's keys to
``card_id_of_stream_keys`` (every item of a card's partition names the card)
and its new image to ``inserted_card_event`` (an event appended to a card's
history); services see card ids and ``CardEvent``s, never stream images.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.events import CardEvent, EventKind

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

_CARD_PREFIX = "CARD#"
_EVENT_PREFIX = "EVENT#"


def card_id_of_stream_keys(keys: Mapping[str, Any]) -> str | None:
    """The card a cards-table item belongs to (card, event, comment), or None for other items."""
    pk = keys.get("pk")
    if isinstance(pk, str) and pk.startswith(_CARD_PREFIX) and len(pk) > len(_CARD_PREFIX):
        return pk[len(_CARD_PREFIX) :]
    return None


def inserted_card_event(record: DynamoDBRecord) -> tuple[str, CardEvent] | None:
    """(card id, event) when the record inserts an event into a card's history, else None."""
    # Imported here: only the stream function reads records.
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecordEventName,
    )

    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return None
    image = record.dynamodb.new_image or {}
    if not str(image.get("sk", "")).startswith(_EVENT_PREFIX):
        return None
    try:
        kind = EventKind(str(image.get("kind")))
    except ValueError:
        return None
    at = datetime.fromisoformat(str(image["at"]))
    event = CardEvent(int(image["seq"]), at, kind, _json(image.get("data")))
    return str(image["card_id"]), event


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return value if isinstance(value, dict) else {}
