"""A real browser for the pages: Debian's Chromium, driven by Playwright for Python.

Playwright is told where the browser is (``/usr/bin/chromium``, installed by
``make test``); it never downloads one. A missing browser fails the tests
instead of skipping them: CI must prove the pages work, not quietly pass.
Each test's screenshots land in ``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that phones home: the tests' only traffic goes to the local stack.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per test worker."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium, as root)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Screenshots:
    """Saves numbered full-page screenshots of one test under ``test-artifacts/browser/``."""

    def __init__(self, test_name: str) -> None:
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name)
        self.taken = 0

    def take(self, page: Page, what: str) -> Path:
        """A screenshot of ``page`` named after the test, its order and ``what`` it shows."""
        self.taken += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.prefix}-{self.taken:02d}-{what}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, English, on a laptop-sized screen."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    """Where this test's screenshots go."""
    return Screenshots(request.node.name)
