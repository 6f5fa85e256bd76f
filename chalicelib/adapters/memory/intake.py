"""In-memory Message-ID records, object store and form retry keys, as the real ones behave.

A received Message-ID's claim lives in the claims the card store fake writes in one
"transaction" with the card (``world.stores["claims"]``), so a second delivery finds it
taken exactly as with DynamoDB; a form key runs its post once, refuses a retry while the
first run goes on or with other fields, forgets a run that failed, and expires after
``FORM_KEY_LIFETIME_SECONDS`` like a Powertools record.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from chalicelib.domain.cards import Claim
from chalicelib.domain.mail_records import RECEIVED, SENT, MailRecord
from chalicelib.ports.clock import Clock
from chalicelib.ports.intake import (
    FORM_KEY_LIFETIME_SECONDS,
    MAX_LOOKED_UP,
    FormAction,
    FormAnswer,
    FormRequest,
    KeyReusedError,
    RequestInProgressError,
)


def _mail_key(message_id: str) -> str:
    return f"MAIL#{message_id}"


class MemoryMailRecords:
    """Message-IDs in the shared claims (``ports.intake.MailRecords``)."""

    def __init__(self, claims: dict[str, object] | None = None) -> None:
        self.claims: dict[str, object] = {} if claims is None else claims

    def claim(
        self, message_id: str, card_id: str, outcome: str, at: datetime, seq: int | None = None
    ) -> Claim:
        record = MailRecord(card_id, RECEIVED, at, outcome=outcome, seq=seq)
        return Claim(key=_mail_key(message_id), record=record)

    def record_sent(self, message_id: str, card_id: str, at: datetime) -> None:
        self.claims[_mail_key(message_id)] = MailRecord(card_id, SENT, at)

    def find(self, message_id: str) -> MailRecord | None:
        record = self.claims.get(_mail_key(message_id))
        return record if isinstance(record, MailRecord) else None

    def first_known(self, message_ids: Iterable[str]) -> MailRecord | None:
        wanted = list(dict.fromkeys(message_ids))[:MAX_LOOKED_UP]
        return next((r for r in map(self.find, wanted) if r is not None), None)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One object: its bytes and content type."""

    content: bytes
    content_type: str


@dataclass
class MemoryObjects:
    """Attachments and stored raw mail (``ports.intake.AttachmentStore`` and ``StoredMail``).

    ``files`` are the attachments kept, by key; ``mail`` the raw messages a test
    stored, by (bucket, key).
    """

    files: dict[str, StoredFile] = field(default_factory=dict)
    mail: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def keep(
        self, message_id: str, position: int, filename: str, content: bytes, content_type: str
    ) -> str:
        key = f"mail/{quote(message_id, safe='')}/{position}/{quote(filename, safe='')}"
        self.files[key] = StoredFile(content, content_type)
        return key

    def download_link(
        self, key: str, *, content_type: str, disposition: str, expires_seconds: int
    ) -> str:
        if key not in self.files:
            raise KeyError(f"no object {key}")
        headers = f"type={quote(content_type)}&disposition={quote(disposition)}"
        return f"memory://attachments/{key}?{headers}&expires={expires_seconds}"

    def read(self, bucket: str, key: str, max_bytes: int) -> bytes:
        raw = self.mail[(bucket, key)]
        if len(raw) > max_bytes:
            raise ValueError(f"{bucket}/{key} holds {len(raw)} bytes")
        return raw


@dataclass
class _KeyRecord:
    fields: object
    expires: datetime
    answer: FormAnswer | None = None


class MemoryFormIdempotency:
    """Form retry keys (``ports.intake.FormIdempotency``), by ``[board_id, key]``."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.records: dict[tuple[str, str], _KeyRecord] = {}
        self._lock = threading.Lock()

    def once(self, action: FormAction, request: FormRequest, context: object = None) -> FormAnswer:
        key = (str(request["board_id"]), str(request["key"]))
        now = self.clock.now()
        with self._lock:
            record = self.records.get(key)
            if record is not None and record.expires > now:
                if record.fields != request["fields"]:
                    raise KeyReusedError(f"key {key[1]!r} came with other fields")
                if record.answer is None:
                    raise RequestInProgressError(f"key {key[1]!r} is in progress")
                return dict(record.answer)
            expires = now + timedelta(seconds=FORM_KEY_LIFETIME_SECONDS)
            self.records[key] = _KeyRecord(copy.deepcopy(request["fields"]), expires)
        try:
            answer = action(request)
        except BaseException:
            with self._lock:
                del self.records[key]
            raise
        with self._lock:
            self.records[key].answer = dict(answer)
        return answer
