"""The card use cases in one place for their callers (the API, intake, chat, timers, status).

Each lives in the module of its job: ``card_views`` (what a card, a list, a history
answer), ``card_commands`` (open, change, move, take, comment, attach, detach, re-pin),
``card_automations`` (rules attaching SLAs), ``card_writes`` (the guarded write); the
placement and label rules are the board's (``chalicelib.domain.boards``).
"""

from __future__ import annotations

from chalicelib.services.card_automations import (
    attach_by_automation,
    board_automations,
    card_state,
)
from chalicelib.services.card_commands import (
    add_comment,
    attach_sla,
    detach_sla,
    move_card,
    open_card,
    repin_sla,
    take_card,
    update_card,
)
from chalicelib.services.card_views import (
    card_history,
    card_timers,
    card_view,
    explain_card_timers,
    get_card,
    list_cards,
    list_comments,
    load_card,
    load_history,
    timer_view,
)
from chalicelib.services.card_writes import Claims

__all__ = [
    "Claims",
    "add_comment",
    "attach_by_automation",
    "attach_sla",
    "board_automations",
    "card_history",
    "card_state",
    "card_timers",
    "card_view",
    "detach_sla",
    "explain_card_timers",
    "get_card",
    "list_cards",
    "list_comments",
    "load_card",
    "load_history",
    "move_card",
    "open_card",
    "repin_sla",
    "take_card",
    "timer_view",
    "update_card",
]
