"""Message-IDs sladesk has received or sent, and the card each belongs to.

One item per Message-ID, in the cards table so that it can be written in the
same transaction as the card or comment it led to:

- a received message's item is its claim: the transaction that opens the
  card (or adds the comment) writes it only if its key is new, so the same
  message delivered twice, even at the same time, acts once; the later
  delivery finds the item and answers the same;
- a sent message's item (an acknowledgement) lets a reply naming it in
  ``In-Reply-To`` or ``References`` find its card.

Items never expire: a provider may deliver a message again days later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.adapters.table_base import CardsTable, bind_tables

RECEIVED = "received"
SENT = "sent"
_SK = "MAIL"
# References of a long thread can list dozens of ids; the newest few are enough to find it.
MAX_LOOKED_UP = 20


class MailRecordItem(CardsTable):
    """A Message-ID seen or sent. Key: pk ``MAIL#<sha256 of the Message-ID>``, sk ``MAIL``.

    ``direction`` is ``received`` or ``sent``; a received message also keeps
    ``outcome`` (``card_opened`` or ``commented``) and, for a comment, its ``seq``.
    """

    card_id = UnicodeAttribute()
    direction = UnicodeAttribute()
    outcome = UnicodeAttribute(null=True)
    seq = NumberAttribute(null=True)
    at = UTCDateTimeAttribute()


def mail_pk(message_id: str) -> str:
    """The partition of one Message-ID's item."""
    return f"MAIL#{hashlib.sha256(message_id.encode('utf-8')).hexdigest()}"


class MailRecords:
    """Reads and writes Message-ID items."""

    def received(
        self, message_id: str, card_id: str, outcome: str, at: datetime, seq: int | None = None
    ) -> MailRecordItem:
        """The claim of a received message, to be written with the card change it led to."""
        return MailRecordItem(
            mail_pk(message_id),
            _SK,
            card_id=card_id,
            direction=RECEIVED,
            outcome=outcome,
            seq=seq,
            at=at,
        )

    def record_sent(self, message_id: str, card_id: str, at: datetime) -> None:
        """Remember a message sladesk is about to send, so replies to it find the card."""
        MailRecordItem(mail_pk(message_id), _SK, card_id=card_id, direction=SENT, at=at).save()

    def find(self, message_id: str) -> MailRecordItem | None:
        """The item of one Message-ID, or None."""
        try:
            return MailRecordItem.get(mail_pk(message_id), _SK, consistent_read=True)
        except MailRecordItem.DoesNotExist:
            return None

    def first_known(self, message_ids: Iterable[str]) -> MailRecordItem | None:
        """The item of the first of ``message_ids`` that has one (at most MAX_LOOKED_UP asked)."""
        wanted = list(dict.fromkeys(message_ids))[:MAX_LOOKED_UP]
        if not wanted:
            return None
        found = {
            item.pk: item for item in MailRecordItem.batch_get([(mail_pk(m), _SK) for m in wanted])
        }
        return next((found[mail_pk(m)] for m in wanted if mail_pk(m) in found), None)


def get_mail_records() -> MailRecords:
    """The Message-ID store of this process."""
    bind_tables()
    return MailRecords()
