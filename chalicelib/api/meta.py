"""Public routes about the service itself: health and the OpenAPI document."""

from chalice import Blueprint

from chalicelib.api.auth import PUBLIC
from chalicelib.api.openapi import openapi_document
from chalicelib.api.registry import ROUTES, endpoint
from chalicelib.api.schemas.common import Resource

meta_routes = Blueprint(__name__)


class Health(Resource):
    """The liveness answer."""

    status: str


@endpoint(meta_routes, "GET", "/health", role=PUBLIC, response=Health)
def health() -> dict:
    """Public liveness probe."""
    return {"status": "ok"}


@endpoint(meta_routes, "GET", "/openapi.json", role=PUBLIC)
def openapi() -> dict:
    """This API as an OpenAPI 3.1 document, generated from the routes' own models."""
    return openapi_document(ROUTES)
