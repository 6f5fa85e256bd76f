"""Browser sessions of staff: a signed cookie made from an API key at sign-in.

The cookie's value is ``v1.<key id>.<role>.<expiry, Unix seconds>.<signature>``,
the signature an HMAC-SHA256 of the rest under the server's secret
(``SLADESK_SESSION_SECRET``, read through the secrets port: from
Secrets Manager in a deployed stack). Nothing is stored per session; a session
stops at its expiry, when the secret changes, or at once when its key is
deleted (each use reads the key by id, as a header would by hash). The
raw key never leaves the sign-in request.

The local stack (``SLADESK_DEV=1``) may leave the secret unset: the process
then signs with a random secret of its own, so its sessions end with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache

from aws_lambda_powertools import Logger

from chalicelib import settings
from chalicelib.domain.keys import Principal
from chalicelib.ports.clock import now
from chalicelib.ports.config import SecretUnavailableError, key_store, read_secret
from chalicelib.services.errors import ServiceError
from chalicelib.services.keys import authenticate

SESSION_COOKIE = "sladesk_session"
SESSION_SECRET_ENV = settings.SESSION_SECRET
SESSION_LIFETIME = timedelta(hours=8)
_VERSION = "v1"

logger = Logger(child=True)


class SessionsUnavailableError(ServiceError):
    """No session secret is configured or it cannot be read, so no browser can sign in (503)."""

    code = "sessions_unavailable"


def start_session(raw_key: str) -> tuple[str, Principal] | None:
    """The cookie value for a presented key, and who it is; None for an unknown key."""
    secret = _secret()
    principal = authenticate(raw_key)
    if principal is None:
        return None
    expires = int((now() + SESSION_LIFETIME).timestamp())
    payload = f"{_VERSION}.{principal.key_id}.{principal.role}.{expires}"
    return f"{payload}.{_sign(payload, secret)}", principal


def session_principal(value: str | None) -> Principal | None:
    """The staff member behind a cookie value; None when it is forged, expired or revoked."""
    try:
        secret = _secret()
    except SessionsUnavailableError:
        return None
    parts = (value or "").split(".")
    if len(parts) != 5 or parts[0] != _VERSION:
        return None
    payload, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(signature, _sign(payload, secret)):
        return None
    key_id, role, expires = parts[1:4]
    if not expires.isdigit() or int(expires) <= now().timestamp():
        return None
    key = key_store().get(key_id)
    if key is None or key.role != role:
        return None
    return Principal.of(key)


def session_seconds() -> int:
    """How long a new session lasts (the cookie's ``Max-Age``)."""
    return int(SESSION_LIFETIME.total_seconds())


def _sign(payload: str, secret: bytes) -> str:
    digest = hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _secret() -> bytes:
    try:
        configured = read_secret(SESSION_SECRET_ENV)
    except SecretUnavailableError as error:
        logger.error("the session secret cannot be read", extra={"reason": str(error)})
        raise SessionsUnavailableError(
            "sign-in is unavailable: the server cannot read its session secret"
        ) from None
    if configured:
        return configured.encode("utf-8")
    if settings.dev():
        return _local_secret()
    raise SessionsUnavailableError(f"sign-in needs {SESSION_SECRET_ENV} on the server")


@cache
def _local_secret() -> bytes:
    return secrets.token_bytes(32)
