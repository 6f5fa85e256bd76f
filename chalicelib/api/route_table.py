"""Every route of the API with the module that declares it: what ``app.py`` serves.

The routes themselves are declared once, with their role, models and
OpenAPI entry, by ``endpoint`` in their module (``chalicelib.api.registry``).
This table repeats only what API Gateway and Chalice must know before a
module is imported (``chalicelib.api.serving``): method, path, module and the
media types of the body. ``tests/unit/test_route_table.py`` fails when the
two disagree; ``python -m chalicelib.api.route_table`` prints the table the
modules declare, to paste here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

PACKAGE = "chalicelib.api"
JSON_ONLY = ("application/json",)
MODULES = (
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
"""The modules that declare routes, in the order their routes appear in ``/openapi.json``."""


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


ROUTE_TABLE: tuple[Route, ...] = (
    Route("GET", "/health", "meta"),
    Route("GET", "/openapi.json", "meta"),
    Route("POST", "/keys", "keys"),
    Route("GET", "/keys", "keys"),
    Route("DELETE", "/keys/{key_id}", "keys"),
    Route("POST", "/calendars", "calendars"),
    Route("GET", "/calendars", "calendars"),
    Route("GET", "/calendars/{calendar_id}", "calendars"),
    Route("PUT", "/calendars/{calendar_id}", "calendars"),
    Route("DELETE", "/calendars/{calendar_id}", "calendars"),
    Route("GET", "/calendars/{calendar_id}/versions/{version}", "calendars"),
    Route("POST", "/calendars/{calendar_id}/deadline", "calendars"),
    Route("POST", "/calendars/{calendar_id}/elapsed", "calendars"),
    Route("POST", "/boards", "boards"),
    Route("GET", "/boards", "boards"),
    Route("GET", "/boards/{board_id}", "boards"),
    Route("PUT", "/boards/{board_id}", "boards"),
    Route("POST", "/slas", "slas"),
    Route("GET", "/slas", "slas"),
    Route("GET", "/slas/{sla_id}", "slas"),
    Route("PUT", "/slas/{sla_id}", "slas"),
    Route("GET", "/slas/{sla_id}/versions/{version}", "slas"),
    Route("POST", "/automations", "automations"),
    Route("GET", "/automations", "automations"),
    Route("DELETE", "/automations/{automation_id}", "automations"),
    Route("POST", "/cards", "cards"),
    Route("GET", "/cards", "cards"),
    Route("GET", "/cards/{card_id}", "cards"),
    Route("PATCH", "/cards/{card_id}", "cards"),
    Route("POST", "/cards/{card_id}/move", "cards"),
    Route("POST", "/cards/{card_id}/comments", "cards"),
    Route("GET", "/cards/{card_id}/comments", "cards"),
    Route("POST", "/cards/{card_id}/sla", "cards"),
    Route("DELETE", "/cards/{card_id}/sla/{sla_id}", "cards"),
    Route("GET", "/cards/{card_id}/history", "cards"),
    Route("GET", "/cards/{card_id}/timers/explain", "cards"),
    Route("POST", "/cards/{card_id}/sla/{sla_id}/repin", "cards"),
    Route("GET", "/cards/{card_id}/attachments/{n}", "cards"),
    Route("GET", "/form/{board_id}", "intake"),
    Route(
        "POST",
        "/intake/form/{board_id}",
        "intake",
        ("application/json", "application/x-www-form-urlencoded"),
    ),
    Route("POST", "/intake/email", "intake", ("message/rfc822",)),
    Route("GET", "/status/{token}", "status"),
    Route("GET", "/status/{token}/files/{n}", "status"),
    Route("POST", "/subscriptions", "subscriptions"),
    Route("GET", "/subscriptions", "subscriptions"),
    Route("DELETE", "/subscriptions/{subscription_id}", "subscriptions"),
    Route("GET", "/notifications", "subscriptions"),
    Route("GET", "/reports/sla", "reports"),
    Route("GET", "/reports/sla/cards", "reports"),
    Route("GET", "/reports/sla/view", "reports"),
    Route("POST", "/slas/{sla_id}/simulate", "reports"),
    Route("GET", "/login", "login"),
    Route("POST", "/login", "login", ("application/x-www-form-urlencoded", "application/json")),
    Route("POST", "/hooks/slack", "hooks", ("application/x-www-form-urlencoded",)),
    Route("POST", "/hooks/telegram/{secret}", "hooks"),
)


def declared_table(modules: tuple[str, ...]) -> tuple[Route, ...]:
    """The routes ``modules`` declare, module by module, each in its declaration order."""
    from importlib import import_module

    from chalicelib.api.registry import ROUTES

    for module in modules:
        import_module(f"{PACKAGE}.{module}")
    position = {f"{PACKAGE}.{module}": index for index, module in enumerate(modules)}
    mine = [spec for spec in ROUTES if spec.handler.__module__ in position]
    # sorted() is stable: within a module, routes keep the order they were declared in.
    mine.sort(key=lambda spec: position[spec.handler.__module__])
    return tuple(
        Route(spec.method, spec.path, spec.handler.__module__.rsplit(".", 1)[1], spec.body_types)
        for spec in mine
    )


def table_source(table: tuple[Route, ...]) -> str:
    """``table`` as the Python lines of ``ROUTE_TABLE``'s body."""
    lines = []
    for route in table:
        types = "" if route.body_types == JSON_ONLY else f", {route.body_types!r}"
        lines.append(f"    Route({route.method!r}, {route.path!r}, {route.module!r}{types}),")
    return "\n".join(lines).replace("'", '"')


if __name__ == "__main__":
    print(table_source(declared_table(MODULES)))
