"""sladesk entry points: HTTP routes, the stream handler and the scheduled jobs.

Everything here is thin: read the request or event, call one service
function, answer. Routes are grouped in blueprints under ``chalicelib/api``.
"""

import os

from chalice import Chalice

from chalicelib.api.automations import automation_routes
from chalicelib.api.boards import board_routes
from chalicelib.api.calendars import calendar_routes
from chalicelib.api.cards import card_routes
from chalicelib.api.keys import key_routes
from chalicelib.api.meta import meta_routes
from chalicelib.api.middleware import contract_errors
from chalicelib.api.slas import sla_routes

app = Chalice(app_name="sladesk")
app.register_middleware(contract_errors, "http")

for blueprint in (
    meta_routes,
    key_routes,
    calendar_routes,
    board_routes,
    sla_routes,
    automation_routes,
    card_routes,
):
    app.register_blueprint(blueprint)

if os.environ.get("SLADESK_DEV") == "1":
    # The local stack's clock and outbox; deployed stacks never set SLADESK_DEV.
    from chalicelib.api.dev import dev_routes

    app.register_blueprint(dev_routes)
