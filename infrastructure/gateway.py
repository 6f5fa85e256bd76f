"""How API Gateway shapes the REST API before the app sees a request: throttling, its own errors.

The stage is throttled as a whole and the public request form more tightly
(the tenant file's ``api_throttling``), and what API Gateway answers itself
(no such route, too large, throttled, its own 4xx and 5xx) is in the
contract's error shape (``docs/api.md``, "Conventions"). Both are written as
property overrides of the API Chalice packaged.
"""

from __future__ import annotations

import json
from typing import Any

from infrastructure.tenants import Throttle

# Paths of the public request form, which gets the tighter throttle.
PUBLIC_FORM_PREFIXES = ("/form/", "/intake/form/")
# What API Gateway answers itself, before or instead of the app, in the contract's error
# shape (``docs/api.md``, "Conventions"): response type -> (status, None keeping the
# gateway's own; code; message, None for the gateway's own). MISSING_AUTHENTICATION_TOKEN
# is how API Gateway refuses a path, or a method of a path, that the API lacks.
GATEWAY_ERRORS: dict[str, tuple[int | None, str, str | None]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "no such route"),
    "REQUEST_TOO_LARGE": (413, "payload_too_large", "the request is too large"),
    "THROTTLED": (429, "throttled", "too many requests; retry later"),
    "DEFAULT_4XX": (None, "bad_request", None),
    "DEFAULT_5XX": (None, "internal_error", None),
}
# A gateway response template only substitutes variables (no VTL); this one is the
# gateway's message already in double quotes, so it stands in the template as a JSON string.
GATEWAY_MESSAGE = "$context.error.messageString"


def method_settings(
    paths: dict[str, dict[str, Any]], api: Throttle, form: Throttle
) -> list[dict[str, Any]]:
    """The stage's ``MethodSettings``: ``api`` for every method, ``form`` on the public form's.

    ``paths`` is the packaged API definition's ``paths`` (path -> method -> operation).
    """
    settings: list[dict[str, Any]] = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": api.rate_limit,
            "ThrottlingBurstLimit": api.burst_limit,
        }
    ]
    for path, operations in paths.items():
        if not path.startswith(PUBLIC_FORM_PREFIXES):
            continue
        for method in sorted(operations):
            if method.startswith("x-"):
                continue
            settings.append(
                {
                    # API Gateway escapes a path's slashes as ``~1``.
                    "ResourcePath": path.replace("/", "~1"),
                    "HttpMethod": method.upper(),
                    "ThrottlingRateLimit": form.rate_limit,
                    "ThrottlingBurstLimit": form.burst_limit,
                }
            )
    return settings


def gateway_response_body(code: str, message: str | None) -> str:
    """The template of one gateway response: the contract's error object.

    Without ``message`` the gateway's own message is the error's message.
    """
    quoted = GATEWAY_MESSAGE if message is None else json.dumps(message)
    return f'{{"error": {{"code": {json.dumps(code)}, "message": {quoted}}}}}'


def gateway_responses() -> dict[str, dict[str, Any]]:
    """SAM's ``GatewayResponses`` for the REST API: API Gateway's own errors, contract-shaped.

    SAM writes these into the API's definition (``x-amazon-apigateway-gateway-responses``),
    so a changed response changes the definition's hash and is deployed with the API;
    separate GatewayResponse resources would wait for the next unrelated deployment.
    """
    responses: dict[str, dict[str, Any]] = {}
    for response_type, (status, code, message) in GATEWAY_ERRORS.items():
        response: dict[str, Any] = {
            # Header values are mapping expressions: a literal is in single quotes.
            "ResponseParameters": {"Headers": {"Content-Type": "'application/json'"}},
            "ResponseTemplates": {"application/json": gateway_response_body(code, message)},
        }
        if status is not None:
            response["StatusCode"] = str(status)
        responses[response_type] = response
    return responses
