"""Why an inbound message cannot become a card or a comment."""

from __future__ import annotations


class InboundMailError(ValueError):
    """A message that cannot become a card or a comment."""


class MessageTooLargeError(InboundMailError):
    """The raw message is over the size limit; it was not parsed."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes is over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class InvalidSenderError(InboundMailError):
    """The message has no ``From`` header, or no address can be read from it."""


class MessageTooComplexError(InboundMailError):
    """The message's parts nest too deeply, or reading it ran out of stack or memory."""
