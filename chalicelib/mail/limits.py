"""The bounds on what one inbound message may cost to read."""

from __future__ import annotations

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
"""Raw messages above this size are refused before parsing (SES itself accepts up to 40 MB)."""

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""Attachments above this decoded size are listed on the card but not kept."""

MAX_HTML_CHARS = 1024 * 1024
"""How much of an HTML-only body is read for its text: the start of a longer one (a card
keeps far less text than this; reducing HTML costs about a second per megabyte)."""
