"""GET /openapi.json: generated from the routes' models, valid OpenAPI 3.1, every route listed."""

from chalice.test import Client
from openapi_spec_validator import validate

from app import app


def document():
    with Client(app) as client:
        response = client.http.get("/openapi.json")
    assert response.status_code == 200
    return response.json_body


def test_the_document_is_valid_openapi_3_1():
    doc = document()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_route_is_listed_with_its_role():
    doc = document()
    listed = {
        (path, method.upper()): operation["x-sladesk-role"]
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
    }
    # The local stack's /dev/* routes are not part of the API (and absent unless SLADESK_DEV=1).
    served = {
        (path, method)
        for path, methods in app.routes.items()
        for method in methods
        if not path.startswith("/dev/")
    }
    assert set(listed) == served
    assert listed[("/keys", "POST")] == "admin"
    assert listed[("/boards", "GET")] == "agent"
    assert listed[("/boards", "POST")] == "admin"
    assert listed[("/automations", "GET")] == "admin"
    assert listed[("/cards/{card_id}/move", "POST")] == "agent"
    assert listed[("/health", "GET")] == "public"


def test_bodies_and_answers_come_from_the_pydantic_models():
    from chalicelib.api.schemas.cards import CardCreate

    doc = document()
    post_cards = doc["paths"]["/cards"]["post"]
    ref = post_cards["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["properties"]) == set(CardCreate.model_fields)
    assert set(post_cards["responses"]) >= {"201", "400", "401", "403", "413"}
    assert post_cards["security"] == [{"bearer": []}]
    assert doc["paths"]["/health"]["get"]["security"] == []
