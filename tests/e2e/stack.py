"""The real local stack as a subprocess, shared by the tests that drive it over HTTP.

``local_stack`` starts ``python -m devstack`` (what ``make run`` starts) on free
ports and yields once its banner says it is ready; every wait is bounded and
the process is always stopped (and killed if it will not stop) at the end.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROJECT_DIR = Path(__file__).resolve().parents[2]
ADMIN_KEY = "sld_e2e-admin-key"
START_TIMEOUT_SECONDS = 60
# The stack prints every thread's stack when a stop takes 8 s; past this it is hung.
STOP_TIMEOUT_SECONDS = 30
REQUEST_TIMEOUT_SECONDS = 10
READY_LINE = "sladesk local stack is running"


@dataclass
class RunningStack:
    """A started local stack: its process, where it answers, and an authorised session."""

    process: subprocess.Popen
    url: str
    emulator_url: str
    session: requests.Session
    output: Path
    smtp_port: int

    def get(self, path: str, **kwargs) -> requests.Response:
        """``GET path`` with the admin key."""
        return self.session.get(self.url + path, timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)

    def post(self, path: str, body: dict) -> requests.Response:
        """``POST path`` with a JSON body and the admin key."""
        return self.session.post(self.url + path, json=body, timeout=REQUEST_TIMEOUT_SECONDS)

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Ctrl-C (or another signal); the exit status. Fails, with the stack's output, if hung."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            # The stack prints every thread's stack on SIGUSR1: what held it up.
            self.process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            pytest.fail(
                f"the local stack did not stop in {STOP_TIMEOUT_SECONDS} s:\n"
                + self.output.read_text()[-20_000:]
            )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_stack(tmp_path: Path, demo: bool) -> Iterator[RunningStack]:
    """``python -m devstack`` on a free port, until its banner says it is ready."""
    port = free_port()
    smtp_port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "SMTP_PORT": str(smtp_port),
        "SLADESK_ADMIN_KEY": ADMIN_KEY,
        "SLADESK_DEMO": "1" if demo else "0",
    }
    output = tmp_path / f"stack-{port}.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    try:
        banner = wait_until_ready(process, output)
        emulator_url = re.search(r"emulator\s+(http://\S+)", banner).group(1)
        yield RunningStack(
            process, f"http://127.0.0.1:{port}", emulator_url, session, output, smtp_port
        )
    finally:
        session.close()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_SECONDS)


def wait_until_ready(process: subprocess.Popen, output: Path) -> str:
    """The stack's output once its banner is complete; fails the test if it exits or stalls."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        text = output.read_text()
        if READY_LINE in text and "Ctrl-C stops it." in text:
            return text
        if process.poll() is not None:
            pytest.fail(f"the local stack exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    pytest.fail(
        f"the local stack was not ready in {START_TIMEOUT_SECONDS} s:\n{output.read_text()}"
    )
