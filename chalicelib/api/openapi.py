"""The OpenAPI 3.1 document, generated from the route registry and its pydantic models.

Nothing here is written by hand per route: every route declared with
``registry.endpoint`` appears with its method, path, role, parameters, body
and answer schemas, so the document cannot drift from the routes.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.api.auth import PUBLIC
from chalicelib.api.registry import FORM, JSON, RouteSpec
from chalicelib.api.schemas.common import ErrorResponse

_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{([^}]+)}")
_ERROR_REASONS = {
    "400": "Malformed JSON or a refused field (named in details)",
    "401": "Missing or unknown API key",
    "403": "The key's role may not call this route",
    "404": "An id in the path names nothing",
    "409": "Conflicting concurrent write or a broken invariant",
    "413": "Request body over the route's limit",
    "503": "Storage busy or failing for now; retry after Retry-After seconds",
}
_RAW_BODY_SCHEMA = {"type": "string", "format": "binary"}
_PAGE_SCHEMA = {"type": "string", "description": "an HTML page"}


def openapi_document(routes: list[RouteSpec], version: str = "0.1.0") -> dict[str, Any]:
    """The whole document for ``routes``."""
    refs, schemas = _schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for spec in sorted(routes, key=lambda route: route.path):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sladesk",
            "version": version,
            "description": "Serverless SLA service desk. Roles nest admin ⊃ manager ⊃ agent; "
            "intake may only post mail. Each operation names its role in x-sladesk-role.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _schemas(routes: list[RouteSpec]) -> tuple[dict[Any, dict[str, Any]], dict[str, Any]]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorResponse, "serialization")]
    for spec in routes:
        if spec.body is not None:
            wanted.append((spec.body, "validation"))
        if spec.response is not None:
            wanted.append((spec.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=_REF)
    return refs, definitions.get("$defs", {})


def _operation(spec: RouteSpec, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": spec.handler.__name__,
        "summary": spec.summary,
        "description": f"Role: {spec.role}.",
        "x-sladesk-role": spec.role,
        "security": [] if spec.role == PUBLIC else [{"bearer": []}],
        "responses": _responses(spec, refs),
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(spec.path)
    ]
    if spec.query is not None:
        parameters.extend(_query_parameters(spec.query))
    parameters.extend(
        {
            "name": name,
            "in": "header",
            "required": False,
            "description": what,
            "schema": {"type": "string"},
        }
        for name, what in spec.headers.items()
    )
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None or spec.raw_body_type is not None:
        operation["requestBody"] = {"required": True, "content": _request_content(spec, refs)}
        operation["x-sladesk-max-body-bytes"] = spec.max_body_bytes
    return operation


def _request_content(spec: RouteSpec, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for kind in spec.body_types:
        if kind in (JSON, FORM) and spec.body is not None:
            content[kind] = {"schema": refs[(spec.body, "validation")]}
        elif kind not in (JSON, FORM):
            content[kind] = {"schema": _RAW_BODY_SCHEMA}
    return content


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


def _responses(spec: RouteSpec, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    status = str(spec.status)
    if spec.status == 204:
        responses: dict[str, Any] = {status: {"description": "Done; no body"}}
    else:
        json_schema = (
            refs[(spec.response, "serialization")] if spec.response else {"type": "object"}
        )
        content = {
            kind: {"schema": json_schema if kind == JSON else _PAGE_SCHEMA} for kind in spec.answers
        }
        responses = {status: {"description": spec.summary or "OK", "content": content}}
    for code, what in spec.other_statuses.items():
        responses[str(code)] = _other_answer(code, what, spec, refs)
    error = {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}}
    for error_code, reason in _ERROR_REASONS.items():
        if _may_answer(spec, error_code) and error_code not in responses:
            responses[error_code] = {"description": reason, "content": error}
    return responses


def _other_answer(
    code: int, what: str, spec: RouteSpec, refs: dict[Any, dict[str, Any]]
) -> dict[str, Any]:
    """A further status: a redirect, the main answer's shape again, or an error."""
    if 300 <= code < 400:
        return {
            "description": what,
            "headers": {"Location": {"schema": {"type": "string"}, "description": "where to go"}},
        }
    if code >= 400:
        schema = refs[(ErrorResponse, "serialization")]
    else:
        schema = refs[(spec.response, "serialization")] if spec.response else {"type": "object"}
    return {"description": what, "content": {JSON: {"schema": schema}}}


def _may_answer(spec: RouteSpec, code: str) -> bool:
    if code in ("401", "403"):
        return spec.role != PUBLIC
    if code in ("400", "413"):
        has_body = spec.body is not None or spec.raw_body_type is not None
        return has_body or (code == "400" and spec.query is not None)
    if code == "404":
        return "{" in spec.path
    if code == "409":
        return spec.method in ("POST", "PUT", "PATCH", "DELETE") and spec.role != PUBLIC
    return True
