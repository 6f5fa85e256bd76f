"""The service tier: use cases run on the in-memory fakes of every port, without moto."""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import MemoryWorld, wire_memory


@pytest.fixture
def world() -> MemoryWorld:
    """Every port wired to its fake; the clock stands at 2026-11-02 09:00 UTC until moved."""
    return wire_memory()
