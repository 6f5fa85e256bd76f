"""Makes Chalice's own refusals answer in the contract's error shape.

Views already answer ``{"error": {...}}``; this catches what Chalice decides
before or around them (405 for a method the path lacks, 415 for another
content type, 500 for an unhandled exception).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aws_lambda_powertools import Logger
from chalice import Response
from chalice.app import Request

from chalicelib.api.errors import error_response

logger = Logger(child=True)
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(code: str) -> str:
    return _CAMEL.sub("_", code.removesuffix("Error")).lower() or "error"


def contract_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Rewrite Chalice's ``{"Code", "Message"}`` errors (and crashes) into the contract's shape."""
    try:
        response = get_response(request)
    except Exception:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "an internal error occurred")
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    if response.status_code >= 500:
        return error_response(500, "internal_error", "an internal error occurred", None, headers)
    code = _snake(str(body["Code"]))
    return error_response(response.status_code, code, str(body.get("Message", "")), None, headers)
