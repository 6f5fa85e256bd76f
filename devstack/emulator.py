"""The AWS emulator of the local stack: moto server on loopback, on a free port.

Everything runs in this process, so pointing the environment at the emulator
(``aws_environment``) is enough for every boto3 client and PynamoDB model to
use it, and no request ever reaches a real AWS account.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from devstack import moto_patch, sent_mail
from devstack.part import Part

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"


class Emulator(Part):
    """moto's threaded server on loopback, patched while it runs.

    ``devstack.moto_patch`` (DynamoDB's costs follow the items a call touches) and
    ``devstack.sent_mail`` (the outbox reads each mail as it is sent).
    """

    def __init__(self, host: str = LOOPBACK) -> None:
        self._host = host
        self._server: _SerializedMotoServer | None = None
        self._unpatch: list[Callable[[], None]] = []
        self.endpoint = ""

    def start(self) -> None:
        """Patch moto and serve it on a free port of ``host``; ``endpoint`` says where."""
        # werkzeug logs every emulator call at INFO; the API server's own log is what people read.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._unpatch = [moto_patch.apply(), sent_mail.apply()]
        self._server = _SerializedMotoServer(ip_address=self._host, port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving and take the patch off."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        while self._unpatch:
            self._unpatch.pop()()


class _SerializedMotoServer(ThreadedMotoServer):
    """moto's threaded server, handling one AWS call at a time.

    moto's backends are not thread-safe: a DynamoDB transaction deep-copies
    whole tables (to roll back) while other threads write them, which fails
    with "dictionary changed size during iteration" and, rolling back, drops
    the other threads' writes and stream records. Under concurrent load the
    local stack then lost cards' timer updates. Connections are still accepted
    by many threads; only the emulator's work is taken in turn.
    """

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def one_at_a_time(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
            with lock:
                # moto answers with a built body, so the work is done inside the lock.
                return list(app(environ, start_response))

        self._server = make_server(
            self._ip_address, self._port, one_at_a_time, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


# Credentials a developer's shell may hold; the emulator must never see (or send on) real ones.
_REAL_ACCOUNT_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def use_emulator(endpoint: str) -> None:
    """Point every AWS client and PynamoDB model of this process at the emulator at ``endpoint``."""
    for name in _REAL_ACCOUNT_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "SLADESK_DYNAMODB_ENDPOINT": endpoint,
            # The emulator accepts any credentials; these can never reach a real account.
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # Without it, moto's DynamoDB Streams answers 404 on describe_stream.
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
    )
