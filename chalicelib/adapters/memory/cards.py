"""In-memory card, board and automation stores, honouring the DynamoDB stores' conditions.

Like one DynamoDB transaction, each write checks every condition first and then writes
all or nothing: the card's version (WriteConflictError), free event and comment
sequence numbers, unused claim keys (ClaimTakenError), unique board keys. The position
numbers in ``WriteConflictError.failed`` follow the DynamoDB transaction's order (card,
events, comments, status token, claims), so callers read them the same way.
"""

from __future__ import annotations

import builtins
import threading
from dataclasses import replace

from chalicelib.adapters.memory.paging import memory_page
from chalicelib.domain.automations import Automation
from chalicelib.domain.boards import Board
from chalicelib.domain.cards import Card, CardEvent, Comment
from chalicelib.ports.cards import Claims, Comments, Cursor, Events, Filters, Keep, Page
from chalicelib.ports.errors import ClaimTakenError, WriteConflictError


class MemoryCardStore:
    """Cards, histories, comments and status tokens in dicts (``ports.cards.CardStore``).

    ``claims`` maps each claim key to its record; it is shared (``world.stores["claims"]``)
    so that the fake of the area owning a claim can read it back.
    """

    def __init__(self, claims: dict[str, object] | None = None) -> None:
        self.cards: dict[str, Card] = {}
        self.events_of: dict[str, dict[int, CardEvent]] = {}
        self.comments_of: dict[str, dict[int, Comment]] = {}
        self.tokens: dict[str, str] = {}
        self.counters: dict[str, int] = {}
        self.claims: dict[str, object] = {} if claims is None else claims
        self._lock = threading.Lock()

    def next_number(self, board_key: str) -> int:
        with self._lock:
            self.counters[board_key] = self.counters.get(board_key, 0) + 1
            return self.counters[board_key]

    def peek_number(self, board_key: str) -> int:
        return self.counters.get(board_key, 0) + 1

    def create(self, card: Card, events: Events, claims: Claims = ()) -> Card:
        return self._write(card, events, (), claims, token=card.status_token_hash)

    def save(
        self, card: Card, events: Events, comments: Comments = (), claims: Claims = ()
    ) -> Card:
        return self._write(card, events, comments, claims, token=None)

    def _write(
        self,
        card: Card,
        events: Events,
        comments: Comments,
        claims: Claims,
        token: str | None,
    ) -> Card:
        with self._lock:
            stored = self.cards.get(card.card_id)
            held_events = self.events_of.get(card.card_id, {})
            held_comments = self.comments_of.get(card.card_id, {})
            checks = [(stored.version if stored else 0) == card.version]
            checks += [event.seq not in held_events for event in events]
            checks += [comment.seq not in held_comments for comment in comments]
            if token is not None:
                checks.append(token not in self.tokens)
            first_claim = len(checks)
            checks += [claim.key not in self.claims for claim in claims]
            failed = [position for position, ok in enumerate(checks) if not ok]
            if any(position >= first_claim for position in failed):
                raise ClaimTakenError(failed)
            if failed:
                raise WriteConflictError(failed)
            written = replace(card, version=card.version + 1)
            self.cards[card.card_id] = written
            self.events_of.setdefault(card.card_id, {}).update((e.seq, e) for e in events)
            self.comments_of.setdefault(card.card_id, {}).update((c.seq, c) for c in comments)
            if token is not None:
                self.tokens[token] = card.card_id
            self.claims.update((claim.key, claim.record) for claim in claims)
            return written

    def get(self, card_id: str) -> Card | None:
        return self.cards.get(card_id)

    def card_for_status_token(self, token_hash: str) -> str | None:
        return self.tokens.get(token_hash)

    def list_board(
        self, board_id: str, filters: Filters, limit: int, cursor: Cursor, keep: Keep | None = None
    ) -> Page[Card]:
        def wanted(card: Card) -> bool:
            fits = all(getattr(card, name) == value for name, value in filters.items())
            return fits and (keep is None or keep(card))

        cards = [card for card in self.cards.values() if card.board_id == board_id]
        return memory_page(cards, f"board:{board_id}", _number, limit, cursor, wanted)

    def column_holds_cards(self, board_id: str, column_id: str) -> bool:
        return any(
            card.board_id == board_id and card.column_id == column_id
            for card in self.cards.values()
        )

    def events(self, card_id: str) -> list[CardEvent]:
        return sorted(self.events_of.get(card_id, {}).values(), key=_seq)

    def events_page(self, card_id: str, limit: int, cursor: Cursor) -> Page[CardEvent]:
        events = self.events_of.get(card_id, {}).values()
        return memory_page(events, f"events:{card_id}", _seq, limit, cursor)

    def comments_page(self, card_id: str, limit: int, cursor: Cursor) -> Page[Comment]:
        comments = self.comments_of.get(card_id, {}).values()
        return memory_page(comments, f"comments:{card_id}", _seq, limit, cursor)


def _number(card: Card) -> int:
    return card.number


def _seq(entry: CardEvent | Comment) -> int:
    return entry.seq


class MemoryBoardStore:
    """Boards with unique keys and one default intake board (``ports.cards.BoardStore``)."""

    def __init__(self) -> None:
        self.boards: dict[str, Board] = {}
        self.keys: dict[str, str] = {}
        self.default: str | None = None
        self._lock = threading.Lock()

    def create(self, board: Board, default_intake: bool) -> Board:
        with self._lock:
            checks = [board.board_id not in self.boards, board.key not in self.keys]
            failed = [position for position, ok in enumerate(checks) if not ok]
            if failed:
                raise WriteConflictError(failed)
            written = self.boards[board.board_id] = replace(board, version=1)
            self.keys[board.key] = board.board_id
            if default_intake:
                self.default = board.board_id
            return written

    def replace(self, board: Board, default_intake: bool | None) -> Board:
        with self._lock:
            stored = self.boards.get(board.board_id)
            if (stored.version if stored else 0) != board.version:
                raise WriteConflictError([0])
            written = self.boards[board.board_id] = replace(board, version=board.version + 1)
            if default_intake:
                self.default = board.board_id
            elif default_intake is False and self.default == board.board_id:
                self.default = None
            return written

    def get(self, board_id: str) -> Board | None:
        return self.boards.get(board_id)

    def list(self, limit: int, cursor: str | None) -> tuple[builtins.list[Board], str | None]:
        return memory_page(self.boards.values(), "boards", _board_id, limit, cursor)

    def default_board_id(self) -> str | None:
        return self.default


def _board_id(board: Board) -> str:
    return board.board_id


class MemoryAutomationStore:
    """Automation rules (``ports.cards.AutomationStore``)."""

    def __init__(self) -> None:
        self.rules: dict[str, Automation] = {}

    def create(self, automation: Automation) -> Automation:
        if automation.id in self.rules:
            raise WriteConflictError([0])
        self.rules[automation.id] = automation
        return automation

    def list(self, limit: int, cursor: str | None) -> tuple[builtins.list[Automation], str | None]:
        return memory_page(self.rules.values(), "automations", _rule_id, limit, cursor)

    def for_board(self, board_id: str) -> builtins.list[Automation]:
        return sorted(
            (rule for rule in self.rules.values() if rule.board_id == board_id), key=_rule_id
        )

    def delete(self, automation_id: str) -> bool:
        return self.rules.pop(automation_id, None) is not None


def _rule_id(automation: Automation) -> str:
    return automation.id
