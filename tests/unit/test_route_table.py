"""The route table app.py serves matches what the route modules declare, route for route."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from chalicelib.api.route_table import MODULES, PACKAGE, ROUTE_TABLE, declared_table, table_source

API_DIR = Path(__file__).resolve().parents[2] / "chalicelib" / "api"


def test_the_table_lists_every_route_the_modules_declare():
    declared = declared_table(MODULES)
    assert declared == ROUTE_TABLE, (
        "chalicelib/api/route_table.py is out of date; its ROUTE_TABLE should read:\n"
        + table_source(declared)
    )


def test_every_module_that_declares_routes_is_listed():
    declaring = {
        path.stem
        for path in API_DIR.glob("*.py")
        if re.search(r"^@endpoint\(", path.read_text(), re.M)
    }
    assert declaring == set(MODULES), f"list each of these in MODULES: {sorted(declaring)}"


def test_view_names_are_unique():
    names = [route.name for route in ROUTE_TABLE]
    assert len(names) == len(set(names))


def test_importing_the_app_imports_no_route_module():
    """Every function of the stack imports app.py; none pays for the routes' code by that."""
    probe = (
        "import sys, app; "
        f"print(sorted(m for m in sys.modules if m.startswith('{PACKAGE}.') "
        f"and m.rsplit('.', 1)[1] in {MODULES!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=API_DIR.parents[1],
        capture_output=True,
        text=True,
        check=True,
        # As deployed: no SLADESK_DEV, so no dev routes.
        env={k: v for k, v in os.environ.items() if not k.startswith("SLADESK_")},
    )
    assert done.stdout.strip() == "[]", done.stdout
