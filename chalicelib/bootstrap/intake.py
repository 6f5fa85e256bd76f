"""Wiring of the intake ports (see ``chalicelib/ports/intake.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalicelib import ports

if TYPE_CHECKING:
    from chalicelib.bootstrap import MemoryWorld

# The names the fakes are kept under in ``MemoryWorld.stores``, as the ports are named.
MAIL_RECORDS = "intake.mail_records"
ATTACHMENTS = "intake.attachments"
STORED_MAIL = "intake.stored_mail"
FORM_IDEMPOTENCY = "intake.form_idempotency"


def _mail_records() -> object:
    from chalicelib.adapters.mail_records import get_mail_records

    return get_mail_records()


def _objects() -> object:
    from chalicelib.adapters.attachments import S3Objects

    return S3Objects()


def _form_idempotency() -> object:
    from chalicelib.adapters.idempotency import PowertoolsFormIdempotency

    return PowertoolsFormIdempotency()


def wire_aws() -> None:
    """Wire the intake ports to DynamoDB, S3 and Powertools (each built on first use)."""
    ports.provide(MAIL_RECORDS, _mail_records)
    ports.provide(ATTACHMENTS, _objects)
    ports.provide(STORED_MAIL, _objects)
    ports.provide(FORM_IDEMPOTENCY, _form_idempotency)


def wire_memory(world: MemoryWorld) -> None:
    """Wire the intake ports to in-memory fakes, kept in ``world.stores`` under the port names.

    Message-IDs live in the claims the card store fake shares (``world.stores["claims"]``);
    one object store holds both the attachments and the raw mail.
    """
    from chalicelib.adapters.memory.intake import (
        MemoryFormIdempotency,
        MemoryMailRecords,
        MemoryObjects,
    )

    claims = world.stores.setdefault("claims", {})
    assert isinstance(claims, dict)
    objects = MemoryObjects()
    fakes: dict[str, object] = {
        MAIL_RECORDS: MemoryMailRecords(claims),
        ATTACHMENTS: objects,
        STORED_MAIL: objects,
        FORM_IDEMPOTENCY: MemoryFormIdempotency(world.clock),
    }
    for name, fake in fakes.items():
        world.stores[name] = fake
        ports.provide(name, _answering(fake))


def _answering(fake: object) -> Callable[[], object]:
    return lambda: fake
