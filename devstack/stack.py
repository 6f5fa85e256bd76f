"""Starts the local stack in order, prints how to reach it, and stops it on Ctrl-C or SIGTERM.

Each long-running part (the emulator, the API server, the stream pump) is a
context manager entered on one ``ExitStack``, so parts stop in the reverse
order they started, whatever happened in between. Further parts (the
scheduler, the SMTP listener) join the same way.
"""

from __future__ import annotations

import faulthandler
import os
import secrets
import shlex
import signal
import sys
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from types import FrameType

from chalice import Chalice
from chalice.app import DynamoDBEventConfig

from chalicelib.adapters.tables import (
    CARDS_TABLE_ENV,
    CONFIG_TABLE_ENV,
    REPORTS_TABLE_ENV,
    TIMERS_TABLE_ENV,
    create_tables,
    table_name,
)
from chalicelib.bootstrap import wire_aws
from chalicelib.services.keys import ensure_key
from devstack.api_server import ApiServer
from devstack.demo import INTAKE_ADDRESS, Demo, DemoError, seed_demo
from devstack.emulator import LOOPBACK, Emulator, use_emulator
from devstack.scheduler import start_alerts
from devstack.smtp_listener import start_mail
from devstack.stream_pump import StreamHandler, StreamPump

DEFAULT_PORT = 8000
# A stop that takes longer than this prints every thread's stack to stderr, so that
# whoever waits on it (a person, a test) sees what holds it up.
STOP_REPORT_SECONDS = 8.0
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
DEFAULT_SMTP_PORT = 2525
# The chat callbacks' secrets, as the contract defaults them for the local stack.
CHAT_SECRETS = {
    "SLACK_SIGNING_SECRET": "local-slack-secret",
    "TELEGRAM_WEBHOOK_SECRET": "local-telegram-secret",
}
TABLE_NAMES = {
    CARDS_TABLE_ENV: "sladesk-local-cards",
    TIMERS_TABLE_ENV: "sladesk-local-timers",
    CONFIG_TABLE_ENV: "sladesk-local-config",
    REPORTS_TABLE_ENV: "sladesk-local-reports",
}


@dataclass(frozen=True)
class Settings:
    """What the environment asks of the local stack."""

    port: int
    admin_key: str | None
    demo: bool
    smtp_port: int = DEFAULT_SMTP_PORT

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """Read PORT, SMTP_PORT, SLADESK_ADMIN_KEY and SLADESK_DEMO; ValueError when invalid."""
        port = _port(environ, "PORT", DEFAULT_PORT)
        smtp_port = _port(environ, "SMTP_PORT", DEFAULT_SMTP_PORT)
        demo = environ.get("SLADESK_DEMO", "1")
        if demo not in ("0", "1"):
            raise ValueError(f"SLADESK_DEMO must be 0 or 1, not {demo!r}")
        admin_key = environ.get("SLADESK_ADMIN_KEY") or None
        return cls(port, admin_key, demo == "1", smtp_port)


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{name} must be a TCP port number, not {raw!r}")
    return int(raw)


def main() -> int:
    """Run the local stack until Ctrl-C or SIGTERM; 0 after a clean stop."""
    try:
        settings = Settings.from_environment(os.environ)
    except ValueError as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 2
    # A crash, or `kill -USR1` on a stack that seems stuck, prints every thread's stack.
    faulthandler.enable()
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # Explicit for SIGINT too: a shell starting us in the background would have it ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    # CPython runs signal handlers in the main thread only, but the kernel may hand a
    # process's signal to any thread that does not block it; one that landed on another
    # thread would leave the main thread asleep and the stack running. So every thread
    # the parts start inherits this block, and the main thread lifts it once they have
    # started (a Ctrl-C during start-up is then handled).
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    with ExitStack() as running:
        try:
            _start(settings, running)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            while True:
                signal.pause()
        except KeyboardInterrupt:
            print("Stopping the local stack.", flush=True)
            faulthandler.dump_traceback_later(STOP_REPORT_SECONDS, exit=False)
        except (OSError, DemoError) as error:
            print(f"devstack: cannot start: {error}", file=sys.stderr)
            return 1
        finally:
            # A second Ctrl-C must not cut the stop (leaving the ExitStack) short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            stopping_since = time.monotonic()
    faulthandler.cancel_dump_traceback_later()
    print(f"Stopped in {time.monotonic() - stopping_since:.1f} s.", flush=True)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _start(settings: Settings, running: ExitStack) -> None:
    # The app reads these when it is imported (SLADESK_DEV registers the /dev routes).
    os.environ["SLADESK_DEV"] = "1"
    os.environ.update(TABLE_NAMES)
    for name, value in CHAT_SECRETS.items():
        os.environ.setdefault(name, value)
    emulator = running.enter_context(Emulator())
    use_emulator(emulator.endpoint)
    create_tables()
    wire_aws()
    admin_key = settings.admin_key or "sld_" + secrets.token_urlsafe(32)
    ensure_key(admin_key, "local stack admin", "admin")
    api = running.enter_context(ApiServer(LOOPBACK, settings.port))
    app = api.app
    assert app is not None, "the API server loads the app"
    running.enter_context(StreamPump(_stream_handler(app), table_name(CARDS_TABLE_ENV)))
    start_alerts(running, LOOPBACK)
    smtp = start_mail(running, app, api.url, settings.smtp_port)
    demo = seed_demo(api.url, admin_key) if settings.demo else None
    print(_banner(api.url, admin_key, emulator.endpoint, smtp.address, demo), flush=True)


def _stream_handler(app: Chalice) -> StreamHandler:
    """The app's one handler of DynamoDB stream records (the cards table's), as Lambda calls it."""
    names = [s.name for s in app.event_sources if isinstance(s, DynamoDBEventConfig)]
    if len(names) != 1:
        raise RuntimeError(f"expected one DynamoDB stream handler in app.py, found {names}")
    return app.handler_map[names[0]]


def _banner(
    api_url: str, admin_key: str, emulator_url: str, smtp_address: str, demo: Demo | None
) -> str:
    auth = shlex.quote(f"Authorization: Bearer {admin_key}")
    # No route serves the staff desk (/desk) yet, so the banner names none.
    pages = [f"  login      {api_url}/login   (sign in with the admin key)"]
    if demo is None:
        example = f"curl -H {auth} {api_url}/keys"
        seeded = "off (SLADESK_DEMO=0)"
        mail = "mail opens cards once a board takes its address"
    else:
        example = f"curl -H {auth} '{api_url}/cards?board_id={demo.board_id}'"
        seeded = f"board {demo.board_id}, {len(demo.card_ids)} cards"
        mail = f"mail sent here, e.g. to {INTAKE_ADDRESS}, opens cards"
        pages[:0] = [
            f"  form       {api_url}/form/{demo.board_id}",
            f"  status     {api_url}{demo.status_path}   (the first demo card's requester)",
        ]
    return "\n".join(
        [
            "",
            "sladesk local stack is running",
            f"  API        {api_url}   (try {api_url}/health)",
            f"  admin key  {admin_key}",
            f"  emulator   {emulator_url}   (moto; AWS_ENDPOINT_URL for the AWS CLI or boto3)",
            f"  SMTP       {smtp_address}   ({mail})",
            f"  demo       {seeded}",
            *pages,
            "",
            "Try:",
            f"  {example}",
            "",
            "Ctrl-C stops it.",
        ]
    )
