"""A card's stored history reads back as the domain's CardEvent values, unchanged."""

from chalicelib.domain.events import CardEvent, EventKind
from chalicelib.services import boards, cards


def test_the_history_reads_back_as_domain_events(tables, clock):
    board = boards.create_board(
        {
            "name": "Support",
            "key": "SUP",
            "columns": [
                {"id": "queue", "name": "Queue", "kind": "queue"},
                {"id": "work", "name": "In progress", "kind": "in_progress"},
            ],
        }
    )
    card_id = cards.open_card({"board_id": board["id"], "title": "History", "sla_ids": []})["id"]
    cards.move_card(card_id, "work", None)
    queue = {"column_id": "queue", "column_kind": "queue", "lane_id": None}
    work = {"column_id": "work", "column_kind": "in_progress", "lane_id": None}
    assert cards.load_history(card_id) == [
        CardEvent(1, clock.now(), EventKind.CREATED, queue),
        CardEvent(2, clock.now(), EventKind.MOVED, work),
    ]
