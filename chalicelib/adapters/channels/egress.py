"""Outbound HTTP to targets a manager named: public addresses only, bounded in time and size.

``post`` is the one way a channel reaches a URL (``docs/design.md``,
"Deliveries"). It resolves the host once and refuses the whole target when
any address is loopback, private, link-local, carrier-grade NAT, multicast,
mapped or unique-local (``domain.target_urls.forbidden``); it then connects
to the vetted address itself, so a second answer of the DNS (rebinding)
is never used, while TLS still checks the certificate against the host
name. It never follows a redirect, gives the whole exchange one deadline
(``DEADLINE_SECONDS``: connect, send, headers, body) and reads at most
``MAX_ANSWER_BYTES`` of the answer. A failure says no more than
``forbidden_address``, ``HTTP n``, ``timeout`` or ``refused``: what a
target answered is not an oracle on the network behind it.

The local stack (``SLADESK_DEV=1``) also takes ``http`` and loopback
addresses, for its own sinks.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from chalicelib import settings
from chalicelib.domain.deliveries import DeliveryError
from chalicelib.domain.target_urls import TargetUrl, forbidden, target_url

DEADLINE_SECONDS = 5.0
MAX_ANSWER_BYTES = 64 * 1024
FORBIDDEN = "forbidden_address"
_RETRYABLE = {408, 425, 429}


@dataclass(frozen=True, slots=True)
class Answer:
    """What a target answered: its status and at most ``MAX_ANSWER_BYTES`` of its body."""

    status: int
    body: bytes


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    deadline: float = DEADLINE_SECONDS,
) -> Answer:
    """POST ``body`` to ``url``; answers a 2xx answer, else raises ``DeliveryError``.

    408, 425, 429 and 5xx answers, time-outs and refused connections may pass
    (tried again); a forbidden target and any other answer are permanent.
    """
    local = reaches_loopback()
    target = target_url(url, http_allowed=local)
    if target is None:
        raise DeliveryError(FORBIDDEN, permanent=True)
    ends = time.monotonic() + deadline
    address = _vetted_address(target, loopback_allowed=local)
    answer = _exchange(target, address, body, headers, ends)
    if 200 <= answer.status < 300:
        return answer
    permanent = answer.status < 500 and answer.status not in _RETRYABLE
    raise DeliveryError(f"HTTP {answer.status}", permanent=permanent)


def reaches_loopback() -> bool:
    """Whether ``http`` and loopback targets are taken: on the local stack only (its sinks)."""
    return settings.dev()


def _vetted_address(target: TargetUrl, *, loopback_allowed: bool) -> str:
    """The address to connect to: the host resolved once, every address of it allowed."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise DeliveryError("refused") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    if not addresses or any(forbidden(a, loopback_allowed=loopback_allowed) for a in addresses):
        raise DeliveryError(FORBIDDEN, permanent=True)
    return str(addresses[0])


def _exchange(
    target: TargetUrl, address: str, body: bytes, headers: dict[str, str], ends: float
) -> Answer:
    """One request to ``address`` (for ``target``'s host), all of it before ``ends``."""
    remaining = ends - time.monotonic()
    if remaining <= 0:
        raise DeliveryError("timeout")
    try:
        sock = socket.create_connection((address, target.port), timeout=remaining)
    except TimeoutError:
        raise DeliveryError("timeout") from None
    except OSError:
        raise DeliveryError("refused") from None
    line = _Line(sock)
    # The watchdog ends the exchange at the deadline whatever it waits for (a server that
    # drips one byte at a time never lets a per-read time-out expire).
    watchdog = threading.Timer(max(ends - time.monotonic(), 0), line.cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        return _request(target, line, body, headers, ends)
    except (OSError, http.client.HTTPException, ValueError):
        expired = line.was_cut or time.monotonic() >= ends
        raise DeliveryError("timeout" if expired else "refused") from None
    finally:
        watchdog.cancel()
        line.sock.close()


class _Line:
    """The socket of one exchange (plain, then TLS), which the watchdog may cut."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.was_cut = False

    def cut(self) -> None:
        """End the connection: a blocked read or write returns at once."""
        self.was_cut = True
        with contextlib.suppress(OSError):  # already closed: nothing left to end
            self.sock.shutdown(socket.SHUT_RDWR)


def _request(
    target: TargetUrl, line: _Line, body: bytes, headers: dict[str, str], ends: float
) -> Answer:
    if target.scheme == "https":
        line.sock.settimeout(max(ends - time.monotonic(), 0.001))
        # The certificate is checked against the host name, not the address connected to.
        line.sock = ssl.create_default_context().wrap_socket(line.sock, server_hostname=target.host)
    connection = http.client.HTTPConnection(target.host, target.port)
    connection.sock = line.sock  # connected to the vetted address: never resolved again
    line.sock.settimeout(max(ends - time.monotonic(), 0.001))
    connection.request(
        "POST",
        target.path,
        body=body,
        headers={"Content-Length": str(len(body)), "Connection": "close", **headers},
    )
    response = connection.getresponse()
    read = response.read(MAX_ANSWER_BYTES) if 200 <= response.status < 300 else b""
    if time.monotonic() >= ends:
        raise TimeoutError
    return Answer(response.status, read)
