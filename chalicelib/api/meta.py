"""Public routes about the service itself: health and the OpenAPI document."""

from chalicelib.api.auth import PUBLIC
from chalicelib.api.openapi import openapi_document
from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.common import Resource
from chalicelib.api.serving import load_all


class Health(Resource):
    """The liveness answer."""

    status: str


@endpoint("GET", "/health", role=PUBLIC, response=Health)
def health() -> dict:
    """Public liveness probe."""
    return {"status": "ok"}


@endpoint("GET", "/openapi.json", role=PUBLIC)
def openapi() -> dict:
    """This API as an OpenAPI 3.1 document, generated from the routes' own models."""
    return openapi_document(load_all())
