"""What app.py serves is read from the route modules' own declarations, route for route."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from chalicelib.api.serving import PACKAGE, ROUTE_MODULES, Route, declared_routes, module_routes

API_DIR = Path(__file__).resolve().parents[2] / "chalicelib" / "api"


def _imported_declarations() -> tuple[Route, ...]:
    """What the route modules declare once imported, module by module, in declaration order."""
    from chalicelib.api.registry import ROUTES

    for module in ROUTE_MODULES:
        import_module(f"{PACKAGE}.{module}")
    position = {f"{PACKAGE}.{module}": index for index, module in enumerate(ROUTE_MODULES)}
    mine = [spec for spec in ROUTES if spec.handler.__module__ in position]
    mine.sort(key=lambda spec: position[spec.handler.__module__])
    return tuple(
        Route(spec.method, spec.path, spec.handler.__module__.rsplit(".", 1)[1], spec.body_types)
        for spec in mine
    )


def test_what_is_read_is_what_the_modules_declare():
    assert declared_routes() == _imported_declarations()


def test_every_module_that_declares_routes_is_listed():
    declaring = {
        path.stem
        for path in API_DIR.glob("*.py")
        if re.search(r"^@endpoint\(", path.read_text(), re.M)
    }
    assert declaring == set(ROUTE_MODULES), f"list each in ROUTE_MODULES: {sorted(declaring)}"


def test_a_declaration_is_read_with_its_names_resolved():
    source = '''
RFC822 = "message/rfc822"


@endpoint(
    "POST",
    "/things/{thing_id}",
    role="agent",
    body_types=(RFC822, FORM),
    other_statuses={202: "accepted (later)"},
)
def post_thing(thing_id: str) -> dict:
    """Take a (raw) thing."""


@endpoint("GET", SIGN_IN_PATH, role=PUBLIC, answers=(HTML,))
def sign_in() -> dict:
    return {}
'''
    assert module_routes("things", source) == [
        Route(
            "POST",
            "/things/{thing_id}",
            "things",
            ("message/rfc822", "application/x-www-form-urlencoded"),
        ),
        Route("GET", "/login", "things"),
    ]


def test_view_names_are_unique():
    names = [route.name for route in declared_routes()]
    assert len(names) == len(set(names))


def test_importing_the_app_imports_no_route_module():
    """Every function of the stack imports app.py; none pays for the routes' code by that."""
    probe = (
        "import sys, app; "
        f"print(sorted(m for m in sys.modules if m.startswith('{PACKAGE}.') "
        f"and m.rsplit('.', 1)[1] in {ROUTE_MODULES!r}))"
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
