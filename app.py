"""sladesk entry points: HTTP routes, the stream handler and the scheduled jobs.

Everything here is thin: read the request or event, call one service
function, answer. Routes are grouped in blueprints under ``chalicelib/api``.
"""

from chalice import Chalice

app = Chalice(app_name="sladesk")


@app.route("/health", methods=["GET"])
def health() -> dict:
    """Public liveness probe."""
    return {"status": "ok"}
