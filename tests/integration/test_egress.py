"""Outbound HTTP under attack, on loopback only: forbidden addresses, redirects, refused
connections, DNS rebinding, tarpits and huge answers (``docs/design.md``, "Deliveries")."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.channels import egress
from chalicelib.adapters.channels.egress import MAX_ANSWER_BYTES, post
from chalicelib.domain.deliveries import DeliveryError


class RawServer:
    """A TCP server on 127.0.0.1 that reads a request and then does what ``answer`` does."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                self.requests.append(request)
                self.answer(conn, self.stop)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def answering(raw: bytes) -> Any:
    return lambda conn, stop: conn.sendall(raw)


def dripping(first: bytes, every: float = 0.1) -> Any:
    """A tarpit: ``first``, then one byte every ``every`` seconds for as long as it may."""

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(first)
        while not stop.is_set():
            conn.sendall(b"x")
            time.sleep(every)

    return answer


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[RawServer] = []

    def start(answer: Any) -> RawServer:
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def local(monkeypatch):
    """The local stack: http and loopback sinks allowed."""
    monkeypatch.setenv("SLADESK_DEV", "1")


@pytest.fixture
def deployed(monkeypatch):
    monkeypatch.delenv("SLADESK_DEV", raising=False)


OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


def test_a_sink_on_loopback_is_reached_from_the_local_stack(local, serve):
    server = serve(answering(OK))
    answer = post(f"{server.url}/hook?x=1", b"{}", {"X-Test": "1"})
    assert (answer.status, answer.body) == (200, b'{"ok":true}')
    (request,) = server.requests
    assert request.startswith(b"POST /hook?x=1 HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}".encode() in request


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_deployed_stack_never_connects_to_loopback(deployed, serve, scheme):
    server = serve(answering(OK))
    with pytest.raises(DeliveryError) as failure:
        post(f"{scheme}://127.0.0.1:{server.port}/latest/meta-data", b"{}", {})
    assert (failure.value.reason, failure.value.permanent) == ("forbidden_address", True)
    time.sleep(0.2)
    assert server.requests == []


@pytest.mark.parametrize(
    "host", ["localhost", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "10.0.0.1", "169.254.169.254"]
)
def test_names_and_literals_for_loopback_and_private_addresses_are_forbidden(deployed, host):
    with pytest.raises(DeliveryError) as failure:
        post(f"https://{host}/hook", b"{}", {})
    assert failure.value.reason == "forbidden_address"


def test_a_redirect_to_a_metadata_path_on_loopback_is_not_followed(local, serve):
    metadata = serve(answering(OK))
    location = f"{metadata.url}/latest/meta-data/iam"
    redirect = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
    server = serve(answering(redirect.encode()))
    with pytest.raises(DeliveryError) as failure:
        post(f"{server.url}/hook", b"{}", {})
    assert (failure.value.reason, failure.value.permanent) == ("HTTP 302", True)
    time.sleep(0.2)
    assert metadata.requests == []


def test_a_refused_connection_says_refused_and_may_pass(local):
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
    with pytest.raises(DeliveryError) as failure:
        post(f"http://127.0.0.1:{port}/hook", b"{}", {})
    assert (failure.value.reason, failure.value.permanent) == ("refused", False)


def test_the_host_is_resolved_once_and_the_vetted_address_is_connected_to(deployed, monkeypatch):
    asked: list[str] = []
    connected: list[tuple[str, int]] = []
    answers = iter(["8.8.8.8", "127.0.0.1"])  # a rebinding DNS: public first, loopback next

    def resolve(host, port, *args, **kwargs):
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    def connect(address, timeout=None):
        connected.append(address)
        raise ConnectionRefusedError

    monkeypatch.setattr(egress.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(egress.socket, "create_connection", connect)
    with pytest.raises(DeliveryError) as failure:
        post("https://hooks.example.com/hook", b"{}", {})
    assert failure.value.reason == "refused"
    assert (asked, connected) == (["hooks.example.com"], [("8.8.8.8", 443)])


def test_a_name_with_any_forbidden_address_is_refused_whole(deployed, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port)),
        ]

    monkeypatch.setattr(egress.socket, "getaddrinfo", resolve)
    with pytest.raises(DeliveryError) as failure:
        post("https://hooks.example.com/hook", b"{}", {})
    assert failure.value.reason == "forbidden_address"


@pytest.mark.parametrize(
    "first",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",  # drips the body
        b"HTTP/1.1 200 OK\r\nX-Slow: ",  # drips a header
        b"",  # drips the status line
    ],
)
def test_a_tarpit_is_cut_at_the_total_deadline(local, serve, first):
    server = serve(dripping(first))
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failure:
        post(f"{server.url}/hook", b"{}", {}, deadline=1.0)
    took = time.monotonic() - started
    assert (failure.value.reason, failure.value.permanent) == ("timeout", False)
    assert took < 2.0, took


def test_at_most_64_kib_of_a_huge_answer_is_read(local, serve):
    huge = 50 * 1024 * 1024
    sent = {"bytes": 0}

    def flood(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % huge)
        chunk = b"x" * 65536
        while sent["bytes"] < huge and not stop.is_set():
            conn.sendall(chunk)
            sent["bytes"] += len(chunk)

    server = serve(flood)
    started = time.monotonic()
    answer = post(f"{server.url}/hook", b"{}", {})
    assert answer.status == 200
    assert len(answer.body) == MAX_ANSWER_BYTES
    assert time.monotonic() - started < 2.0
    assert sent["bytes"] < huge  # the rest was never taken
