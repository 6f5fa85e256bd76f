"""Chat callbacks: what ``/hooks/slack`` and ``/hooks/telegram/{secret}`` read and answer.

Only the fields sladesk acts on are declared; Slack and Telegram send many
more, which are let through and ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.api.schemas.common import Resource


class SlackForm(BaseModel):
    """The form Slack posts: one field, ``payload``, holding the interaction as JSON."""

    payload: str


class SlackInteraction(BaseModel):
    """A Slack ``block_actions`` interaction (``actions[0].action_id``, ``value``, ``user``)."""

    model_config = ConfigDict(extra="allow")

    type: str | None = None
    trigger_id: str | None = None
    user: dict[str, Any] = {}
    actions: list[dict[str, Any]] = []
    response_url: str | None = None


class TelegramUpdate(BaseModel):
    """A Telegram update; sladesk acts on its ``callback_query`` (``data`` = ``take:<card>``)."""

    model_config = ConfigDict(extra="allow")

    update_id: int | None = None
    callback_query: dict[str, Any] | None = None


class ChatActionAnswer(Resource):
    """What a callback did: ``outcome`` and the answer the chat was given."""

    outcome: Literal[
        "taken",
        "already_taken",
        "resolved",
        "unknown_card",
        "no_in_progress_column",
        "busy",
        "ignored",
    ]
    card_id: str
    text: str
    repeated: bool
