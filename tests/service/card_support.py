"""A board and cards for the card service tests, opened through the services on the fakes."""

from chalicelib.services import boards, cards

BOARD = {
    "name": "Support",
    "key": "SUP",
    "columns": [
        {"id": "queue", "name": "Queue", "kind": "queue"},
        {"id": "work", "name": "In progress", "kind": "in_progress"},
        {"id": "wait", "name": "Waiting for customer", "kind": "waiting"},
        {"id": "done", "name": "Done", "kind": "done"},
    ],
    "lanes": [{"id": "standard", "name": "Standard"}, {"id": "premium", "name": "Premium"}],
    "card_types": ["bug", "question"],
    "services": ["web"],
}


def new_board(**changes):
    """A stored board (the Support board unless ``changes`` say otherwise)."""
    return boards.create_board({**BOARD, **changes})


def open_card(board_id, claims=None, **fields):
    """A card opened on ``board_id`` through the open command (``claims`` as it takes them)."""
    body = {"board_id": board_id, "title": "Login fails", "sla_ids": [], **fields}
    return cards.open_card(body, claims)


def kinds(card_id):
    """The kinds of the card's events, oldest first."""
    return [event["kind"] for event in cards.card_history(card_id, 100, None)["items"]]
