"""Serves the API's routes, importing each route's module on the route's first request.

``app.py`` registers every route of ``ROUTE_TABLE`` on the Chalice app with
a small view of its own; the first request of a route imports the module
that declares it (its models, services and storage) and hands the request
to the declared view (``chalicelib.api.registry``). A cold start so pays for
the code of the route it serves, not for the whole API, and the stream,
scheduled and mail functions, which import ``app.py`` too, pay for none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from chalice import Chalice, Response

from chalicelib.api.route_table import PACKAGE, ROUTE_TABLE, Route

if TYPE_CHECKING:
    from chalicelib.api.registry import RouteSpec, View

# Bodies API Gateway passes as they are; every other declared type is binary to it.
_TEXT_BODY_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})


def serve(app: Chalice, table: tuple[Route, ...] = ROUTE_TABLE) -> None:
    """Register every route of ``table`` on ``app``; each loads its module when first called."""
    for route in table:
        app.route(
            route.path,
            methods=[route.method],
            content_types=list(route.body_types),
            name=route.name,
        )(_lazy_view(app, route))
    # Raw mail (message/rfc822) must reach its view byte for byte, not as text.
    app.api.binary_types.extend(binary_body_types(table))


def binary_body_types(table: tuple[Route, ...] = ROUTE_TABLE) -> list[str]:
    """Media types of raw bodies some route takes: API Gateway must pass them as binary."""
    return sorted({kind for route in table for kind in route.body_types} - _TEXT_BODY_TYPES)


def load(route: Route) -> View:
    """Import the module that declares ``route`` and answer its declared view."""
    import_module(f"{PACKAGE}.{route.module}")
    from chalicelib.api.registry import view_of

    return view_of(route.method, route.path)


def load_all(table: tuple[Route, ...] = ROUTE_TABLE) -> list[RouteSpec]:
    """Import every route module of ``table``; what they declare, in the table's order.

    The order does not depend on which routes happened to be called first, so
    ``/openapi.json`` reads the same on every function.
    """
    for module in dict.fromkeys(route.module for route in table):
        import_module(f"{PACKAGE}.{module}")
    from chalicelib.api.registry import ROUTES

    order = {(route.method, route.path): index for index, route in enumerate(table)}
    served = [spec for spec in ROUTES if (spec.method, spec.path) in order]
    return sorted(served, key=lambda spec: order[spec.method, spec.path])


def _lazy_view(app: Chalice, route: Route) -> Callable[..., Response]:
    loaded: list[View] = []

    def view(**path_params: str) -> Response:
        # Two first requests at once both load: importing is locked and the view is the same.
        if not loaded:
            loaded.append(load(route))
        return loaded[0](app.current_request, path_params, _context_of(app))

    view.__name__ = route.name
    view.__doc__ = f"{route.method} {route.path}, declared in {PACKAGE}.{route.module}."
    return view


def _context_of(app: Chalice) -> Any:
    return getattr(app, "lambda_context", None)
