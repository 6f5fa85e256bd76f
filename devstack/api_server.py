"""The Chalice app served in this process by chalice local's server.

Unlike the ``chalice local`` command there is no reloader and no child
process, so the API shares the process (and the emulator) with the rest of
the local stack.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from types import TracebackType

from chalice import Chalice
from chalice.cli.factory import CLIFactory
from chalice.local import LocalDevServer

PROJECT_DIR = Path(__file__).resolve().parent.parent
STAGE = "dev"


class ApiServer:
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

    def __enter__(self) -> ApiServer:
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
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._thread.join()
        self._server.server.server_close()
        self._server = None
        self._thread = None
