"""docs/api.md describes every route the API serves: a route added without its words fails here."""

import re
from pathlib import Path

from chalice.test import Client

from app import app

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_METHODS = "GET|POST|PUT|PATCH|DELETE"
# `GET /cards/{id}` or `GET|POST /dev/clock`; placeholders may be named differently.
_MENTION = re.compile(rf"\b((?:{_METHODS})(?:\|(?:{_METHODS}))*) (/[^\s`?]*)")


def _shape(path):
    return re.sub(r"\{[^}]*\}", "{}", path).rstrip(".,;:)")


def test_docs_api_md_names_every_route_of_openapi_json():
    with Client(app) as client:
        document = client.http.get("/openapi.json").json_body
    mentioned = {
        (method, _shape(path))
        for methods, path in _MENTION.findall(API_MD.read_text(encoding="utf-8"))
        for method in methods.split("|")
    }
    served = {
        (method.upper(), _shape(path))
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert served - mentioned == set()
