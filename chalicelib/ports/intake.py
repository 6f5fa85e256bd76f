"""The intake ports: Message-IDs, the files mail brings, stored raw mail, form retry keys.

The card and board stores and the clock the intake services also use are the ports of
``chalicelib.ports.cards`` and ``chalicelib.ports.clock``; sending mail is
``chalicelib.ports.alerts.mail_sender``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol, cast

from chalicelib.domain.cards import Claim
from chalicelib.domain.mail_records import MailRecord
from chalicelib.ports import resolve

MAX_LOOKED_UP = 20
"""How many Message-IDs of a thread ``MailRecords.first_known`` asks about, newest first:
References of a long thread can list dozens, and the newest few are enough to find it."""

FORM_KEY_LIFETIME_SECONDS = 24 * 3600
"""How long a form post's ``Idempotency-Key`` is remembered: a form is retried within
minutes, and the answer (which holds the status link) should not be kept longer."""

FormRequest = dict[str, Any]
"""A form post as intake runs it: ``board_id``, ``fields``, ``locale`` and the ``key``."""
FormAnswer = dict[str, str]
"""What a form post answers: the card's ``id`` and ``status_url``."""
FormAction = Callable[[FormRequest], FormAnswer]
"""What a form post does: open the card and acknowledge it."""


class MailRecords(Protocol):
    """The Message-IDs received and sent, kept forever (a provider may redeliver days later)."""

    def claim(
        self, message_id: str, card_id: str, outcome: str, at: datetime, seq: int | None = None
    ) -> Claim:
        """The claim of a received message, to be written with the card change it led to.

        The card store writes it only if the Message-ID is new (``ClaimTakenError``
        otherwise), so a message delivered twice, even at once, acts once.
        """
        ...

    def record_sent(self, message_id: str, card_id: str, at: datetime) -> None:
        """Remember a message sladesk is about to send, so replies to it find the card."""
        ...

    def find(self, message_id: str) -> MailRecord | None:
        """The record of one Message-ID (a consistent read), or None."""
        ...

    def first_known(self, message_ids: Iterable[str]) -> MailRecord | None:
        """The record of the first of ``message_ids`` that has one (at most MAX_LOOKED_UP asked)."""
        ...


class AttachmentStore(Protocol):
    """The files sent with inbound mail, handed out as short-lived links."""

    def keep(
        self, message_id: str, position: int, filename: str, content: bytes, content_type: str
    ) -> str:
        """Keep the ``position``-th file (from 1) of message ``message_id``; answers its key.

        The key follows from the message, the position and the name, so a message
        delivered twice writes the same objects again rather than new ones.
        """
        ...

    def download_link(
        self, key: str, *, content_type: str, disposition: str, expires_seconds: int
    ) -> str:
        """A link that downloads the file ``key`` for ``expires_seconds``, with these headers."""
        ...


class StoredMail(Protocol):
    """Raw messages the mail service stored on receipt (SES's receipt rule)."""

    def read(self, bucket: str, key: str, max_bytes: int) -> bytes:
        """A stored message's bytes; ValueError when it is over ``max_bytes`` (not read)."""
        ...


class RequestInProgressError(Exception):
    """A form post with this retry key is still being processed."""


class KeyReusedError(Exception):
    """A form post's retry key was used before with other fields."""


class FormIdempotency(Protocol):
    """Runs each form post once per (board, ``Idempotency-Key``) for FORM_KEY_LIFETIME_SECONDS."""

    def once(self, action: FormAction, request: FormRequest, context: object = None) -> FormAnswer:
        """``action(request)`` the first time its key comes; after that, the answer it gave.

        ``RequestInProgressError`` while the first run goes on, ``KeyReusedError`` when
        the key comes with other ``fields``. A run that raises leaves no trace, so a
        retry runs again. ``context`` (a Lambda's context) bounds how long an
        interrupted run keeps its key in progress.
        """
        ...


def mail_records() -> MailRecords:
    """The Message-ID records the composition root wired."""
    return cast(MailRecords, resolve("intake.mail_records"))


def attachment_store() -> AttachmentStore:
    """The attachment store the composition root wired."""
    return cast(AttachmentStore, resolve("intake.attachments"))


def stored_mail() -> StoredMail:
    """The store of raw received mail the composition root wired."""
    return cast(StoredMail, resolve("intake.stored_mail"))


def form_idempotency() -> FormIdempotency:
    """The form posts' retry keys the composition root wired."""
    return cast(FormIdempotency, resolve("intake.form_idempotency"))
