"""The Chalice app served in this process by chalice local's server.

Unlike the ``chalice local`` command there is no reloader and no child
process, so the API shares the process (and the emulator) with the rest of
the local stack. A path no route has is answered 404 in the contract's error
shape, as a deployed stack's API Gateway answers it
(``infrastructure/gateway.py``, ``GATEWAY_ERRORS``), not chalice local's 403.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    EventType,
    HeaderType,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
)

from devstack.part import Part

PROJECT_DIR = Path(__file__).resolve().parent.parent
STAGE = "dev"
# What a deployed stack's API Gateway answers for a path the API lacks.
NO_SUCH_ROUTE_STATUS = 404
NO_SUCH_ROUTE_BODY = {"error": {"code": "not_found", "message": "no such route"}}


class NoSuchRouteError(LocalGatewayException):
    """No route of the app matches the path: 404 in the contract's error shape."""

    CODE = NO_SUCH_ROUTE_STATUS

    def __init__(self) -> None:
        super().__init__(
            {"Content-Type": "application/json"}, json.dumps(NO_SUCH_ROUTE_BODY).encode()
        )


class ContractGateway(LocalGateway):
    """chalice local's gateway, answering an unknown path as the deployed stacks do."""

    def _generate_lambda_event(
        self, method: str, path: str, headers: HeaderType, body: bytes | None
    ) -> EventType:
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError as error:
            # chalice local turns this ValueError into API Gateway's default 403
            # ("Missing Authentication Token"); a LocalGatewayException is sent as it is.
            raise NoSuchRouteError() from error


class ContractRequestHandler(ChaliceRequestHandler):
    """chalice local's request handler with ``ContractGateway`` in front of the app."""

    def __init__(
        self,
        request: Any,
        client_address: tuple[str, int],
        server: HTTPServer,
        app_object: Chalice,
        config: Config,
    ) -> None:
        self.local_gateway = ContractGateway(app_object, config)
        # The parent's __init__ would replace the gateway, then serve the request at once.
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)


class ApiServer(Part):
    """app.py on ``host:port``, one thread per connection; entering starts it, leaving stops it.

    Import-time settings of the app (``SLADESK_DEV``, table names) must be in
    the environment before entering; ``app`` is the Chalice app once entered.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._server: LocalDevServer | None = None
        self._thread: threading.Thread | None = None
        self.app: Chalice | None = None

    @property
    def url(self) -> str:
        """Where the API answers."""
        return f"http://{self._host}:{self._port}"

    def start(self) -> None:
        """Load the app and serve it in a thread."""
        factory = CLIFactory(str(PROJECT_DIR))
        config = factory.create_config_obj(chalice_stage_name=STAGE)
        # As chalice local does, the app sees the stage's variables, but the stack's own win.
        for name, value in config.environment_variables.items():
            os.environ.setdefault(name, value)
        app = self.app = config.chalice_app
        try:
            self._server = factory.create_local_server(app, config, self._host, self._port)
        except OSError as error:
            raise OSError(f"cannot listen on {self.url}: {error.strerror} (set PORT)") from error
        http_server = self._server.server
        # The server makes one handler per connection from this (a socketserver attribute).
        http_server.RequestHandlerClass = functools.partial(
            ContractRequestHandler, app_object=app, config=config
        )
        # http.server writes a response's headers and body separately; with Nagle's
        # algorithm on, the client's delayed ACK holds every kept-alive answer ~40 ms.
        # Accepted connections inherit the option from the listening socket.
        http_server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(
            target=http_server.serve_forever,
            # How often it looks for a stop request: short, so that Ctrl-C is prompt.
            kwargs={"poll_interval": 0.1},
            name="api-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._thread.join()
        self._server.server.server_close()
        self._server = None
        self._thread = None
