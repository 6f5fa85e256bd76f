"""Files sent with inbound mail, kept in S3 (``SLADESK_ATTACHMENTS_BUCKET``).

An attachment's object key is derived from the message it came with and its
position there (``mail/<sha256 of the Message-ID>/<n>/<file name>``), so a
message delivered twice writes the same objects again rather than new ones.
Files are handed out as presigned GET links, so their bytes never pass
through the API. Raw inbound messages that SES stored are read from S3 here too.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config

from chalicelib import settings

ATTACHMENTS_BUCKET_ENV = settings.ATTACHMENTS_BUCKET
attachments_bucket = settings.attachments_bucket


def attachment_key(message_id: str, position: int, filename: str) -> str:
    """Where the ``position``-th file (from 1) of the message ``message_id`` is kept."""
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()
    return f"mail/{digest}/{position}/{quote(filename, safe='')}"


class ObjectStore:
    """Puts attachments and reads raw messages."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def put_attachment(self, key: str, content: bytes, content_type: str) -> None:
        """Keep one attachment under ``key`` in the attachments bucket."""
        self._client.put_object(
            Bucket=attachments_bucket(), Key=key, Body=content, ContentType=content_type
        )

    def download_link(
        self, key: str, *, content_type: str, disposition: str, expires_seconds: int
    ) -> str:
        """A presigned GET of the attachment ``key``, answered with these two headers.

        The link works for ``expires_seconds`` for anyone holding it; it points
        at the endpoint of the environment (the local stack's emulator there).
        """
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": attachments_bucket(),
                    "Key": key,
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition,
                },
                ExpiresIn=expires_seconds,
            )
        )

    def read(self, bucket: str, key: str, max_bytes: int) -> bytes:
        """An object's bytes; ValueError when it is over ``max_bytes`` (it is not downloaded)."""
        head = self._client.head_object(Bucket=bucket, Key=key)
        if head["ContentLength"] > max_bytes:
            raise ValueError(f"s3://{bucket}/{key} holds {head['ContentLength']} bytes")
        return self._client.get_object(Bucket=bucket, Key=key)["Body"].read()


def get_object_store() -> ObjectStore:
    """The object store of this process, for the endpoint and region of the environment."""
    # A client per use: cheap next to a send, and it always sees the current environment
    # (the local stack's emulator, or moto in tests).
    # Signature version 4 for presigned links too: botocore may still presign with version 2,
    # which newer regions refuse.
    return ObjectStore(boto3.client("s3", config=Config(signature_version="s3v4")))


class S3Objects:
    """The attachment and stored-mail ports (``chalicelib.ports.intake``) on S3."""

    def keep(
        self, message_id: str, position: int, filename: str, content: bytes, content_type: str
    ) -> str:
        """Keep one file of a message under ``attachment_key``; answers that key."""
        key = attachment_key(message_id, position, filename)
        get_object_store().put_attachment(key, content, content_type)
        return key

    def download_link(
        self, key: str, *, content_type: str, disposition: str, expires_seconds: int
    ) -> str:
        """A presigned GET of the attachment ``key`` (see ``ObjectStore.download_link``)."""
        return get_object_store().download_link(
            key,
            content_type=content_type,
            disposition=disposition,
            expires_seconds=expires_seconds,
        )

    def read(self, bucket: str, key: str, max_bytes: int) -> bytes:
        """A stored message's bytes (see ``ObjectStore.read``)."""
        return get_object_store().read(bucket, key, max_bytes)
