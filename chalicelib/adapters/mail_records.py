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
from chalicelib.domain.cards import Claim
from chalicelib.domain.mail_records import RECEIVED, SENT, MailRecord
from chalicelib.ports.intake import MAX_LOOKED_UP

_SK = "MAIL"


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


def record_from_item(item: MailRecordItem) -> MailRecord:
    """The record an item holds."""
    return MailRecord(
        card_id=item.card_id,
        direction=item.direction,
        at=item.at,
        outcome=item.outcome,
        seq=None if item.seq is None else int(item.seq),
    )


class DynamoMailRecords:
    """Reads and writes Message-ID items (``chalicelib.ports.intake.MailRecords``)."""

    def claim(
        self, message_id: str, card_id: str, outcome: str, at: datetime, seq: int | None = None
    ) -> Claim:
        """The claim of a received message: its item, written with the card change it led to."""
        pk = mail_pk(message_id)
        item = MailRecordItem(
            pk, _SK, card_id=card_id, direction=RECEIVED, outcome=outcome, seq=seq, at=at
        )
        return Claim(key=pk, record=item)

    def record_sent(self, message_id: str, card_id: str, at: datetime) -> None:
        """Remember a message sladesk is about to send, so replies to it find the card."""
        MailRecordItem(mail_pk(message_id), _SK, card_id=card_id, direction=SENT, at=at).save()

    def find(self, message_id: str) -> MailRecord | None:
        """The record of one Message-ID, or None."""
        try:
            item = MailRecordItem.get(mail_pk(message_id), _SK, consistent_read=True)
        except MailRecordItem.DoesNotExist:
            return None
        return record_from_item(item)

    def first_known(self, message_ids: Iterable[str]) -> MailRecord | None:
        """The record of the first of ``message_ids`` that has one (at most MAX_LOOKED_UP asked)."""
        wanted = list(dict.fromkeys(message_ids))[:MAX_LOOKED_UP]
        if not wanted:
            return None
        found = {
            item.pk: item for item in MailRecordItem.batch_get([(mail_pk(m), _SK) for m in wanted])
        }
        item = next((found[mail_pk(m)] for m in wanted if mail_pk(m) in found), None)
        return None if item is None else record_from_item(item)


def get_mail_records() -> DynamoMailRecords:
    """The Message-ID store of this process."""
    bind_tables()
    return DynamoMailRecords()
