"""Declares routes once: the Chalice route, its role, its models and the OpenAPI entry.

``endpoint`` wraps a view so that every route refuses the same way (401/403,
413, malformed JSON, validation errors naming the field) before the view
runs, and records what it declared in ``ROUTES`` for ``/openapi.json``. A
route cannot exist without its entry in the document, so the two cannot drift.
The app serves the declared views through ``chalicelib.api.serving``, which
reads these declarations from the modules' source and imports a route's module
on its first request.

Most routes speak JSON both ways. A route may also declare other media types:
a body sent as an HTML form (decoded into the same model as JSON) or as raw
bytes of another type (``message/rfc822``), HTML answers (the view then
returns a ``Response`` itself, such as a page or a redirect), further
statuses and the request headers it reads. An ``error_page`` turns the
route's refusals into a page for browsers.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from aws_lambda_powertools import Logger
from chalice import Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.adapters.store_errors import is_transient
from chalicelib.api.auth import authorize
from chalicelib.api.errors import (
    ApiError,
    api_error_response,
    service_error_response,
    unavailable_response,
    validation_response,
)
from chalicelib.api.vocabulary import FORM, JSON

# Routes import these from here too.
from chalicelib.api.vocabulary import HTML as HTML
from chalicelib.api.vocabulary import SIGN_IN_PATH as SIGN_IN_PATH
from chalicelib.links import site_path
from chalicelib.services.errors import ServiceError

MAX_BODY_BYTES = 1024 * 1024
# A form body is a handful of fields; more than this is not a form of ours.
_MAX_FORM_FIELDS = 50

ErrorPage = Callable[[Request, Response], Response]
"""Given the request and its JSON refusal, the answer to send instead (a page for browsers)."""
SessionRule = Callable[[Request], bool]
"""Whether a request of a staff page (or its download) may sign in with the session cookie."""
logger = Logger(child=True)


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
    body_types: tuple[str, ...] = (JSON,)
    """Media types the body may be sent as; a type other than JSON and FORM is passed raw."""
    answers: tuple[str, ...] = (JSON,)
    """Media types of the answer; HTML means the view may return a page or a redirect."""
    max_body_bytes: int = MAX_BODY_BYTES
    other_statuses: Mapping[int, str] = field(default_factory=dict)
    """Statuses the route answers besides ``status`` and the refusals, with what each means."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Request headers the route reads, with what each does."""
    session: SessionRule | None = None
    """When it says so for a request, the session cookie may stand in for the key."""

    @property
    def raw_body_type(self) -> str | None:
        """The media type of a body handed to the view as bytes, if the route takes one."""
        return next((kind for kind in self.body_types if kind not in (JSON, FORM)), None)

    @property
    def summary(self) -> str:
        """The first line of the view's docstring."""
        return (inspect.getdoc(self.handler) or "").split("\n", 1)[0]


View = Callable[[Request, dict[str, str], Any], Response]
"""A declared route's view: the request, its path parameters and Lambda's context in; the answer."""

ROUTES: list[RouteSpec] = []
"""Every route declared by the modules imported so far, in the order they were declared."""
_VIEWS: dict[tuple[str, str], View] = {}


def endpoint(
    method: str,
    path: str,
    *,
    role: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    body_types: tuple[str, ...] = (JSON,),
    answers: tuple[str, ...] = (JSON,),
    max_body_bytes: int = MAX_BODY_BYTES,
    other_statuses: Mapping[int, str] | None = None,
    headers: Mapping[str, str] | None = None,
    error_page: ErrorPage | None = None,
    session: SessionRule | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``handler`` as the view of ``method path`` for callers with ``role``.

    The handler receives the path parameters, plus ``body`` (a validated
    ``body`` model, from JSON or, when ``body_types`` has FORM, from a form),
    ``raw_body`` (the bytes of a body of another media type in
    ``body_types``), ``query`` (a validated ``query`` model), ``principal``,
    ``request`` and ``lambda_context`` (Lambda's context) when it names them.
    A ``Response`` it returns is answered as it is; anything else is passed
    through ``response`` and answered with ``status`` (a 204 route answers no
    body). Refusals answer JSON, or what ``error_page`` makes of them. A
    request that ``session`` admits may present the session cookie instead
    of a key; without either it is sent (303) to sign in and come back.
    """

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(
            method,
            path,
            role,
            handler,
            body,
            query,
            response,
            status,
            body_types,
            answers,
            max_body_bytes,
            dict(other_statuses or {}),
            dict(headers or {}),
            session,
        )
        if (method, path) in _VIEWS:
            raise ValueError(f"{method} {path} is declared twice")
        wanted = set(inspect.signature(handler).parameters)

        @functools.wraps(handler)
        def view(request: Request, path_params: dict[str, str], lambda_context: Any) -> Response:
            try:
                answer = _answer(spec, handler, wanted, request, path_params, lambda_context)
            except Exception as error:
                # DynamoDB still throttling or failing after botocore's retries: come back later.
                if not is_transient(error):
                    raise
                logger.warning("storage unavailable", exc_info=error)
                answer = unavailable_response()
            if error_page is not None and answer.status_code >= 400:
                return error_page(request, answer)
            return answer

        ROUTES.append(spec)
        _VIEWS[method, path] = view
        return handler

    return decorator


def view_of(method: str, path: str) -> View:
    """The view declared for ``method path``: it answers a request given its path parameters.

    KeyError when no imported module declares the route.
    """
    return _VIEWS[method, path]


def _answer(
    spec: RouteSpec,
    handler: Callable[..., Any],
    wanted: set[str],
    request: Request,
    path_params: dict[str, str],
    lambda_context: Any,
) -> Response:
    accepts_session = spec.session is not None and spec.session(request)
    try:
        principal = authorize(request.headers, spec.role, accept_session=accepts_session)
        kwargs: dict[str, Any] = dict(path_params)
        if "principal" in wanted:
            kwargs["principal"] = principal
        if "request" in wanted:
            kwargs["request"] = request
        if "lambda_context" in wanted:
            kwargs["lambda_context"] = lambda_context
        if spec.body is not None:
            kwargs["body"] = _parse_body(request, spec)
        elif spec.raw_body_type is not None:
            kwargs["raw_body"] = _read_body(request, spec)
        if spec.query is not None:
            kwargs["query"] = _parse_query(request.query_params, spec.query)
    except ApiError as error:
        if error.status == 401 and accepts_session:
            return sign_in_redirect(request)
        return api_error_response(error)
    except ValidationError as error:
        return validation_response(error, "body" if spec.body else "query")
    try:
        result = handler(**kwargs)
    except ServiceError as error:
        return service_error_response(error)
    if isinstance(result, Response):
        return result
    return _respond(result, spec.response, spec.status)


def sign_in_redirect(request: Request) -> Response:
    """303 to the sign-in page, which sends the browser back to this address afterwards."""
    path = request.context.get("resourcePath") or "/"
    for name, value in (request.uri_params or {}).items():
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    if request.query_params:
        path = f"{path}?{urlencode(request.query_params)}"
    location = site_path(f"{SIGN_IN_PATH}?{urlencode({'next': path})}")
    return Response(body="", status_code=303, headers={"Location": location})


def body_bytes(request: Request) -> bytes:
    """The request's body as bytes, empty if it has none (Chalice encodes a text body)."""
    raw = request.raw_body or b""
    return raw.encode("utf-8") if isinstance(raw, str) else raw


def _read_body(request: Request, spec: RouteSpec) -> bytes:
    raw = body_bytes(request)
    if len(raw) > spec.max_body_bytes:
        raise ApiError(
            413,
            "payload_too_large",
            f"the request body is larger than {_size(spec.max_body_bytes)}",
        )
    return raw


def _parse_body(request: Request, spec: RouteSpec) -> BaseModel:
    assert spec.body is not None
    raw = _read_body(request, spec)
    if FORM in spec.body_types and media_type(request.headers) == FORM:
        return spec.body.model_validate(_form_fields(raw))
    return spec.body.model_validate_json(raw)


def media_type(headers: Mapping[str, str]) -> str:
    """The request's ``Content-Type`` without its parameters, lower-cased."""
    return (headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def _form_fields(raw: bytes) -> dict[str, Any]:
    """An HTML form's fields: each name once as a string, or as a list when it repeats."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError(
            400, "invalid_form", "the request body is not a UTF-8 form (name=value&...)"
        ) from error
    return {name: values[0] if len(values) == 1 else values for name, values in pairs.items()}


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit // 1024} KiB"


def _parse_query(params: Mapping[str, str] | None, model: type[BaseModel]) -> BaseModel:
    return model.model_validate(params or {})


def _respond(result: Any, model: type[BaseModel] | None, status: int) -> Response:
    if status == 204:
        return Response(body="", status_code=204)
    if model is not None:
        result = model.model_validate(result).model_dump(mode="json")
    return Response(body=result, status_code=status)
