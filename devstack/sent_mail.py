"""Mail the emulator's SES sends is read for the outbox as it is sent, not when the outbox is read.

Parsing a MIME message costs about a millisecond; an outbox of 10,000 mails
read for the first time would pay them all in one ``GET /dev/outbox``. While
the local stack runs, ``apply()`` makes moto's ``SendRawEmail`` hand each
stored message to ``chalicelib.adapters.outbox.remember``, so the outbox
finds every message already read. Without it (moto under ``mock_aws`` in
tests) the outbox reads each message on its first read, with the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ses.models import SESBackend

from chalicelib.adapters.outbox import remember

_original_send_raw_email = SESBackend.send_raw_email


def apply() -> Callable[[], None]:
    """Make the emulator's SES hand every raw message it stores to the outbox; answers the undo."""

    def send_raw_email(self: SESBackend, *args: Any, **kwargs: Any) -> Any:
        message = _original_send_raw_email(self, *args, **kwargs)
        remember(message)
        return message

    SESBackend.send_raw_email = send_raw_email  # type: ignore[method-assign]

    def undo() -> None:
        SESBackend.send_raw_email = _original_send_raw_email  # type: ignore[method-assign]

    return undo
