"""The bounds on what one inbound message may cost to read."""

from __future__ import annotations

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
"""Raw messages above this size are refused before parsing (SES itself accepts up to 40 MB)."""

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""Attachments above this decoded size are listed on the card but not kept."""

MAX_HTML_CHARS = 1024 * 1024
"""How much of an HTML-only body is read for its text: the start of a longer one (a card
keeps far less text than this; reducing HTML costs about a second per megabyte)."""

MAX_TEXT_CHARS = 1024 * 1024
"""How much body text a message gives at most (a card keeps far less): the start of a longer one."""

MAX_PARTS = 100
"""MIME parts read per message, containers included: parsing stops after the 100th, and the
parts after it are not read at all (``InboundMessage.parts_not_read``)."""

MAX_MIME_DEPTH = 30
"""How deeply parts may nest; a message nested deeper is refused (real mail nests a few levels)."""

MAX_ATTACHMENTS_KEPT = 20
"""Files kept per message, in the order sent; the ones after are listed but not kept."""

MAX_QUOTE_DEPTH = 8
"""Nested ``<blockquote>`` levels marked with ``>`` in text; deeper ones get no more marks."""

MAX_HEADER_VALUES = 20
"""Values read of one header name (``To``, ``Delivered-To``, ...): the first ones."""

MAX_HEADER_CHARS = 16 * 1024
"""How much of one header value is read (a ``Subject``, a long ``References``): the start."""

MAX_PARSED_HEADER_CHARS = 2 * 1024
"""How much of a structured header (addresses, MIME headers, dates, Message-ID) the ``email``
package parses: its parser costs far more per character than the rest of reading. Address
headers longer than this (hostile, or hundreds of recipients) are searched for addresses in one
linear pass instead; other structured headers are cut to this length."""

MAX_HEADER_FIELDS = 200
"""Header fields kept per part (real mail carries a few dozen): the first ones."""
