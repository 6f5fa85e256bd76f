"""The cards ports: the stores of cards, boards and automation rules, in domain types.

Every write that can lose a race says so in the services' words
(``chalicelib.ports.errors``): WriteConflictError when what was read changed meanwhile,
ClaimTakenError when a claim written with a card change was there already,
InvalidCursorError for a ``next`` cursor the list did not hand out. A page is the list of
items and the cursor of the next page (None on the last one).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar, cast

from chalicelib.domain.automations import Automation
from chalicelib.domain.boards import Board
from chalicelib.domain.cards import Card, CardEvent, Claim, Comment
from chalicelib.ports import resolve

T = TypeVar("T")
Page = tuple[builtins.list[T], str | None]
"""One page of a list: its items and the cursor of the next page (None on the last)."""
Cursor = str | None
"""A ``next`` cursor a list handed out; None asks for the first page."""
Events = Sequence[CardEvent]
Comments = Sequence[Comment]
Claims = Sequence[Claim]
Filters = Mapping[str, str]
"""Field values a listed card must have (``column_id``, ``lane_id``, ``assignee``)."""
Keep = Callable[[Card], bool]
"""Whether a listed card is handed out (a page still fills up to its limit)."""


class CardStore(Protocol):
    """Cards, their histories, comments and status-page tokens."""

    def next_number(self, board_key: str) -> int:
        """The next card number of a board: never handed out twice."""
        ...

    def peek_number(self, board_key: str) -> int:
        """The number the board's next card would get, without taking it."""
        ...

    def create(self, card: Card, events: Events, claims: Claims = ()) -> Card:
        """Store a new card (version 0) with its first events and its status-token lookup.

        One write: each of ``claims`` only if its key is new (ClaimTakenError, nothing
        written, otherwise); WriteConflictError when the card exists. Answers the card
        as stored (version 1).
        """
        ...

    def save(
        self, card: Card, events: Events, comments: Comments = (), claims: Claims = ()
    ) -> Card:
        """Store a changed card with the events (and comment texts) the change adds.

        One write, guarded by ``card.version`` (the version it was read at):
        WriteConflictError when the stored card is at another version or an event's
        sequence number is taken; ``claims`` as in ``create``. Answers the card as
        stored (its version one higher).
        """
        ...

    def get(self, card_id: str) -> Card | None:
        """The card, or None."""
        ...

    def card_for_status_token(self, token_hash: str) -> str | None:
        """The id of the card whose status token hashes to ``token_hash``, or None."""
        ...

    def list_board(
        self, board_id: str, filters: Filters, limit: int, cursor: Cursor, keep: Keep | None = None
    ) -> Page[Card]:
        """One page of a board's cards in number order.

        ``filters`` are field values a card must have (``column_id``, ``lane_id``,
        ``assignee``); ``keep`` may refuse more cards, and the page is still ``limit``
        cards long when enough are left.
        """
        ...

    def column_holds_cards(self, board_id: str, column_id: str) -> bool:
        """True when any card of the board sits in the column."""
        ...

    def events(self, card_id: str) -> list[CardEvent]:
        """The card's whole history, oldest first."""
        ...

    def events_page(self, card_id: str, limit: int, cursor: Cursor) -> Page[CardEvent]:
        """One page of the card's history, oldest first."""
        ...

    def comments_page(self, card_id: str, limit: int, cursor: Cursor) -> Page[Comment]:
        """One page of the card's comments, oldest first."""
        ...


class BoardStore(Protocol):
    """Boards, their unique keys and the one default intake board."""

    def create(self, board: Board, default_intake: bool) -> Board:
        """Store a new board (version 0); WriteConflictError when its key is taken.

        ``default_intake`` makes it the board that takes unmatched mail. Answers the
        board as stored.
        """
        ...

    def replace(self, board: Board, default_intake: bool | None) -> Board:
        """Store a changed board, guarded by ``board.version`` (WriteConflictError).

        ``default_intake`` True points the default at this board, False clears it if
        it pointed here, None leaves it. Answers the board as stored.
        """
        ...

    def get(self, board_id: str) -> Board | None:
        """The board, or None (also for an empty id)."""
        ...

    def list(self, limit: int, cursor: str | None) -> tuple[list[Board], str | None]:
        """One page of boards, in id order."""
        ...

    def default_board_id(self) -> str | None:
        """The board that takes unmatched mail, if any."""
        ...


class AutomationStore(Protocol):
    """Automation rules."""

    def create(self, automation: Automation) -> Automation:
        """Store a new rule (WriteConflictError when its id is taken)."""
        ...

    def list(self, limit: int, cursor: str | None) -> tuple[list[Automation], str | None]:
        """One page of rules, in id order."""
        ...

    def for_board(self, board_id: str) -> builtins.list[Automation]:
        """Every rule of one board."""
        ...

    def delete(self, automation_id: str) -> bool:
        """Delete a rule; False when there was none."""
        ...


def card_store() -> CardStore:
    """The card store the composition root wired."""
    return cast(CardStore, resolve("cards.card_store"))


def board_store() -> BoardStore:
    """The board store the composition root wired."""
    return cast(BoardStore, resolve("cards.board_store"))


def automation_store() -> AutomationStore:
    """The automation store the composition root wired."""
    return cast(AutomationStore, resolve("cards.automation_store"))
