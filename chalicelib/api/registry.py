"""Declares JSON routes once: the Chalice route, its role, its models and the OpenAPI entry.

``endpoint`` wraps a view so that every route refuses the same way (401/403,
413, malformed JSON, validation errors naming the field) before the view
runs, and records what it declared in ``ROUTES`` for ``/openapi.json``. A
route cannot exist without its entry in the document, so the two cannot drift.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.api.auth import authorize
from chalicelib.api.errors import (
    ApiError,
    api_error_response,
    service_error_response,
    validation_response,
)
from chalicelib.services.errors import ServiceError

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """What one route declares: the source of its OpenAPI operation."""

    method: str
    path: str
    role: str
    handler: Callable[..., Any]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int

    @property
    def summary(self) -> str:
        """The first line of the view's docstring."""
        return (inspect.getdoc(self.handler) or "").split("\n", 1)[0]


ROUTES: list[RouteSpec] = []


def endpoint(
    blueprint: Blueprint,
    method: str,
    path: str,
    *,
    role: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``handler`` as ``method path`` on ``blueprint`` for callers with ``role``.

    The handler receives the path parameters, plus ``body`` (a validated
    ``body`` model), ``query`` (a validated ``query`` model) and ``principal``
    when it names them. What it returns is passed through ``response`` and
    answered with ``status``; a 204 route answers no body.
    """

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(method, path, role, handler, body, query, response, status)
        ROUTES.append(spec)
        wants_principal = "principal" in inspect.signature(handler).parameters

        @functools.wraps(handler)
        def view(**path_params: str) -> Response:
            request = blueprint.current_request
            try:
                principal = authorize(request.headers, role)
                kwargs: dict[str, Any] = dict(path_params)
                if wants_principal:
                    kwargs["principal"] = principal
                if body is not None:
                    kwargs["body"] = _parse_body(request.raw_body, body)
                if query is not None:
                    kwargs["query"] = _parse_query(request.query_params, query)
            except ApiError as error:
                return api_error_response(error)
            except ValidationError as error:
                return validation_response(error, "body" if body else "query")
            try:
                result = handler(**kwargs)
            except ServiceError as error:
                return service_error_response(error)
            return _respond(result, response, status)

        blueprint.route(path, methods=[method])(view)
        return handler

    return decorator


def _parse_body(raw_body: bytes | None, model: type[BaseModel]) -> BaseModel:
    raw = raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", "the request body is larger than 1 MiB")
    return model.model_validate_json(raw)


def _parse_query(params: dict[str, str] | None, model: type[BaseModel]) -> BaseModel:
    return model.model_validate(params or {})


def _respond(result: Any, model: type[BaseModel] | None, status: int) -> Response:
    if status == 204:
        return Response(body="", status_code=204)
    if model is not None:
        result = model.model_validate(result).model_dump(mode="json")
    return Response(body=result, status_code=status)
