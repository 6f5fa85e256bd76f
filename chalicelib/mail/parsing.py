"""The raw message parsed into a tree of at most ``MAX_PARTS`` parts, nested at most so deep.

The ``email`` package's parser reads every part there is, at a few milliseconds
each, and builds the whole tree; 20,000 one-line attachments would hold intake
for a minute. Here the parser is fed the message a slice at a time and stopped
once it has begun more parts than are read: what it read so far is closed as
a message whose last boundary is missing, which the package reads as usual.
The nesting is watched while feeding: a message nested deeper than
``MAX_MIME_DEPTH`` is refused as soon as that is seen (the parser's work per
line grows with the depth).

Headers are bounded too, since the package parses a structured header again
on every look-up (``get_content_type`` is asked for many times per part) at a
cost that grows with its length: each value is parsed once per message
(``_BoundedPolicy``), structured values are cut to ``MAX_PARSED_HEADER_CHARS``
and others to ``MAX_HEADER_CHARS``, and a part keeps its first
``MAX_HEADER_FIELDS`` header fields (a look-up reads them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.errors import HeaderDefect
from email.feedparser import BytesFeedParser
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from typing import Any, cast

from chalicelib.mail.errors import MessageTooComplexError
from chalicelib.mail.limits import (
    MAX_HEADER_CHARS,
    MAX_HEADER_FIELDS,
    MAX_MIME_DEPTH,
    MAX_PARSED_HEADER_CHARS,
    MAX_PARTS,
)

_SLICE_BYTES = 4 * 1024


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """The parsed tree and whether parts after the ``MAX_PARTS``-th were left unread."""

    message: EmailMessage
    parts_not_read: bool


class _BoundedPolicy(EmailPolicy):
    """The default policy, parsing each header value once and only so much of it."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        """The parsed header: cut to its bound, and parsed once per message for each value."""
        if hasattr(value, "name"):
            return value
        cache: dict[tuple[str, str], Any] = self.__dict__["_parsed"]
        key = (name.lower(), value)
        if key not in cache:
            factory: HeaderRegistry = self.header_factory  # type: ignore[assignment]
            kind = factory.registry.get(key[0], factory.default_class)
            bound = (
                MAX_HEADER_CHARS
                if issubclass(kind, UnstructuredHeader)
                else MAX_PARSED_HEADER_CHARS
            )
            cache[key] = super().header_fetch_parse(name, value[:bound])
        return cache[key]


def _bounded_policy() -> _BoundedPolicy:
    policy = _BoundedPolicy()
    # Policies refuse new attributes; the cache is private to this message's parse.
    object.__setattr__(policy, "_parsed", {})
    return policy


class _BoundedMessage(EmailMessage):
    """A part that keeps its first ``MAX_HEADER_FIELDS`` header fields and notes the rest."""

    def set_raw(self, name: str, value: Any) -> None:
        """Keep the header field, unless the part already holds ``MAX_HEADER_FIELDS`` of them."""
        if len(self._headers) < MAX_HEADER_FIELDS:  # type: ignore[attr-defined]
            super().set_raw(name, value)
        elif not getattr(self, "_headers_cut", False):
            self._headers_cut = True
            self.defects.append(
                HeaderDefect(f"more than {MAX_HEADER_FIELDS} header fields: the rest not read")
            )


class _CountingFactory:
    """Makes the parser's messages (one per part) and counts them."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self, policy: Any = None) -> EmailMessage:
        self.made += 1
        return _BoundedMessage(policy=policy)


def parse_bounded(raw: bytes, max_parts: int = MAX_PARTS) -> ParsedMessage:
    """Parse ``raw`` with the default policy's rules, reading at most ``max_parts`` parts.

    Raises ``MessageTooComplexError`` when parts nest deeper than
    ``MAX_MIME_DEPTH`` or the parser runs out of stack or memory.
    """
    factory = _CountingFactory()
    try:
        parser = BytesFeedParser(factory, policy=_bounded_policy())
        # The parser makes one message to learn the factory's signature.
        factory.made = 0
        cut = False
        for start in range(0, len(raw), _SLICE_BYTES):
            # A part is begun once its boundary line is read, so every part before
            # the last begun one is complete.
            if factory.made > max_parts:
                cut = True
                break
            parser.feed(raw[start : start + _SLICE_BYTES])
            _refuse_deeper_than(MAX_MIME_DEPTH, _open_parts(parser))
        message = parser.close()
        if cut:
            _keep_first_parts(message, max_parts)
    except (RecursionError, MemoryError) as error:
        raise MessageTooComplexError(f"the message could not be parsed: {error!r}") from None
    _refuse_deeper_than(MAX_MIME_DEPTH, nesting_depth(message))
    return ParsedMessage(message=message, parts_not_read=cut)  # type: ignore[arg-type]


def _open_parts(parser: BytesFeedParser) -> int:
    """How deeply the parts the parser is reading now are nested (its stack of open parts)."""
    # A private attribute of the stdlib parser; without it, the depth is checked once parsed.
    return len(parser.__dict__.get("_msgstack", ()))


def _refuse_deeper_than(limit: int, depth: int) -> None:
    if depth > limit:
        raise MessageTooComplexError(f"parts nest {depth} deep; at most {limit} levels are read")


def _keep_first_parts(message: Message, limit: int) -> None:
    """Drop every part after the first ``limit`` (in reading order, containers counted)."""
    in_order: list[tuple[Message | None, Message]] = []
    stack: list[tuple[Message | None, Message]] = [(None, message)]
    while stack:
        parent, part = stack.pop()
        in_order.append((parent, part))
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((part, sub) for sub in reversed(payload) if isinstance(sub, Message))
    for parent, part in in_order[limit:]:
        # A part whose container was dropped went with it; the others leave their container.
        if parent is not None:
            siblings = cast(list[Message], parent.get_payload())
            siblings[:] = [sibling for sibling in siblings if sibling is not part]


def nesting_depth(message: Message) -> int:
    """How many levels of parts ``message`` holds (1 for one part alone), without recursing."""
    deepest = 0
    stack: list[tuple[Message, int]] = [(message, 1)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((sub, depth + 1) for sub in payload if isinstance(sub, Message))
    return deepest
