"""Serves the API's routes, importing each route's module on the route's first request.

A route is declared once, by ``endpoint`` in its module (``chalicelib.api.registry``).
What Chalice and API Gateway must know before that module is imported (method,
path, the media types of the body) is read from the ``@endpoint(...)`` lines of
the modules' source, without running them: ``app.py`` registers every route
so found with a small view of its own, and the route's first request imports
its module (its models, services and storage) and hands the request to the
declared view. A cold start so pays for the code of the route it serves, not
for the whole API, and the stream, scheduled and mail functions, which import
``app.py`` too, pay for none of it. ``tests/unit/test_serving.py`` checks that
what is read is what the modules declare.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from chalice import Chalice, Response

from chalicelib.api import vocabulary
from chalicelib.api.vocabulary import FORM, JSON

if TYPE_CHECKING:
    from chalicelib.api.registry import RouteSpec, View

PACKAGE = "chalicelib.api"
ROUTE_MODULES = (
    "meta",
    "keys",
    "calendars",
    "boards",
    "slas",
    "automations",
    "cards",
    "intake",
    "status",
    "subscriptions",
    "reports",
    "login",
    "hooks",
)
"""The modules of ``PACKAGE`` that declare routes, in the order ``/openapi.json`` lists them."""

_API_DIR = Path(__file__).resolve().parent
JSON_ONLY = (JSON,)
# Bodies API Gateway passes as they are; every other declared type is binary to it.
_TEXT_BODY_TYPES = frozenset({JSON, FORM})
_SHARED_NAMES = {
    name: value
    for name, value in vars(vocabulary).items()
    if name.isupper() and isinstance(value, str)
}
# A declaration runs from ``@endpoint(`` at the start of a line to the ``def`` it decorates.
_DECLARATION = re.compile(r"^@endpoint\((.*?)\)\s*\n(?:async )?def ", re.M | re.S)
# A module's own media type names, such as ``RFC822 = "message/rfc822"``.
_CONSTANT = re.compile(r'^([A-Z][A-Z0-9_]*) = "([^"\\]*)"$', re.M)


class Route(NamedTuple):
    """One route: ``method path``, the module of ``PACKAGE`` declaring it, its body types."""

    method: str
    path: str
    module: str
    body_types: tuple[str, ...] = JSON_ONLY

    @property
    def name(self) -> str:
        """A view name unique to the route, such as ``get_cards_card_id``."""
        words = re.findall(r"[a-z0-9]+", self.path.lower())
        return "_".join([self.method.lower(), *words]) if words else self.method.lower()


def module_routes(module: str, source: str) -> list[Route]:
    """The routes the source of ``module`` declares with ``@endpoint``, in their order."""
    names = {**_SHARED_NAMES, **dict(_CONSTANT.findall(source))}
    routes = []
    for arguments in _DECLARATION.findall(source):
        call = ast.parse(f"endpoint({arguments})", mode="eval").body
        assert isinstance(call, ast.Call)
        method, path = (_literal(argument, names) for argument in call.args[:2])
        body_types = next(
            (_literal(k.value, names) for k in call.keywords if k.arg == "body_types"), JSON_ONLY
        )
        routes.append(Route(method, path, module, tuple(body_types)))
    return routes


def _literal(node: ast.expr, names: dict[str, str]) -> Any:
    """A string, or a tuple of strings, written as literals or as shared or module constants."""
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(element, names) for element in node.elts)
    return ast.literal_eval(node)


@cache
def declared_routes() -> tuple[Route, ...]:
    """Every route of ``ROUTE_MODULES``, module by module, as its source declares it."""
    return tuple(
        route
        for module in ROUTE_MODULES
        for route in module_routes(module, (_API_DIR / f"{module}.py").read_text("utf-8"))
    )


def serve(app: Chalice, routes: tuple[Route, ...] | None = None) -> None:
    """Register every declared route on ``app``; each loads its module when first called."""
    routes = declared_routes() if routes is None else routes
    for route in routes:
        app.route(
            route.path,
            methods=[route.method],
            content_types=list(route.body_types),
            name=route.name,
        )(_lazy_view(app, route))
    # Raw mail (message/rfc822) must reach its view byte for byte, not as text.
    app.api.binary_types.extend(binary_body_types(routes))


def binary_body_types(routes: tuple[Route, ...] | None = None) -> list[str]:
    """Media types of raw bodies some route takes: API Gateway must pass them as binary."""
    routes = declared_routes() if routes is None else routes
    return sorted({kind for route in routes for kind in route.body_types} - _TEXT_BODY_TYPES)


def load(route: Route) -> View:
    """Import the module that declares ``route`` and answer its declared view."""
    import_module(f"{PACKAGE}.{route.module}")
    from chalicelib.api.registry import view_of

    return view_of(route.method, route.path)


def load_all() -> list[RouteSpec]:
    """Import every route module; what they declare, module by module in ``ROUTE_MODULES``.

    The order does not depend on which routes happened to be called first, so
    ``/openapi.json`` reads the same on every function.
    """
    for module in ROUTE_MODULES:
        import_module(f"{PACKAGE}.{module}")
    from chalicelib.api.registry import ROUTES

    position = {f"{PACKAGE}.{module}": index for index, module in enumerate(ROUTE_MODULES)}
    served = [spec for spec in ROUTES if spec.handler.__module__ in position]
    # sorted() is stable: within a module, routes keep the order they were declared in.
    return sorted(served, key=lambda spec: position[spec.handler.__module__])


def _lazy_view(app: Chalice, route: Route) -> Callable[..., Response]:
    loaded: list[View] = []

    def view(**path_params: str) -> Response:
        # Two first requests at once both load: importing is locked and the view is the same.
        if not loaded:
            loaded.append(load(route))
        request = app.current_request
        assert request is not None  # Chalice sets it before it calls a view
        return loaded[0](request, path_params, _context_of(app))

    view.__name__ = route.name
    view.__doc__ = f"{route.method} {route.path}, declared in {PACKAGE}.{route.module}."
    return view


def _context_of(app: Chalice) -> Any:
    return getattr(app, "lambda_context", None)
