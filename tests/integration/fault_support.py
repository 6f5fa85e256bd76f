"""DynamoDB faults injected below botocore's retries, as AWS would answer them.

``inject_faults`` replaces the step where botocore sends one attempt of a
call: a matching attempt gets DynamoDB's error answer (parsed by botocore's
own parser), is never sent, and goes through botocore's retry logic like a
real throttle. Under ``mock_aws`` the request never reaches moto, so a
refused attempt changes nothing stored. botocore's back-off is set to zero
so that retries cost no waiting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import botocore.endpoint
import botocore.retries.standard
from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict

THROTTLED = "ProvisionedThroughputExceededException"
THROTTLING = "ThrottlingException"
INTERNAL = "InternalServerError"
_STATUS = {THROTTLED: 400, THROTTLING: 400, INTERNAL: 500, "ValidationException": 400}


class Killed(BaseException):
    """The Lambda runtime ending a function mid-call (a timeout, the process killed).

    A BaseException, like SystemExit: nothing in the handler gets to catch it.
    """


@dataclass
class Faults:
    """Which attempts fail: ``(operation, table)`` rules, each for a number of attempts."""

    rules: list[tuple[str, str | None, str, int]] = field(default_factory=list)
    attempts: list[tuple[str, str]] = field(default_factory=list)
    """Every attempt seen (operation, table), failed or not, in order."""
    refused: int = 0
    kill_after: int | None = None
    """Raise ``Killed`` at the attempt with this index (0-based) of all attempts seen."""

    def fail(self, operation: str, code: str, times: int = 10**9, table: str | None = None) -> None:
        """The next ``times`` attempts of ``operation`` (on ``table``, if given) answer ``code``."""
        self.rules.append((operation, table, code, times))

    def clear(self) -> None:
        """No more faults."""
        self.rules.clear()
        self.kill_after = None

    def _error_for(self, operation: str, table: str) -> str | None:
        for index, (wanted, wanted_table, code, times) in enumerate(self.rules):
            if wanted == operation and wanted_table in (None, table) and times > 0:
                self.rules[index] = (wanted, wanted_table, code, times - 1)
                self.refused += 1
                return code
        return None


def _table_of(body: bytes | str | None) -> str:
    params = json.loads(body or b"{}")
    if "TransactItems" in params:
        return ",".join(
            sorted({next(iter(item.values()))["TableName"] for item in params["TransactItems"]})
        )
    return params.get("TableName", "")


class _Body:
    """Just enough of urllib3's response for botocore to read an error body."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self.content


@contextmanager
def inject_faults() -> Iterator[Faults]:
    """DynamoDB attempts answer the faults a test asks for, until the block ends."""
    faults = Faults()
    original: Callable = botocore.endpoint.Endpoint._do_get_response
    original_delay = botocore.retries.standard.ExponentialBackoff.delay_amount

    def attempt(self, request, operation_model, context):
        if operation_model.service_model.service_name != "dynamodb":
            return original(self, request, operation_model, context)
        where = (operation_model.name, _table_of(request.body))
        seen = len(faults.attempts)
        faults.attempts.append(where)
        if faults.kill_after is not None and seen >= faults.kill_after:
            raise Killed(f"killed at {where}")
        code = faults._error_for(*where)
        if code is None:
            return original(self, request, operation_model, context)
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code})
        response = AWSResponse(request.url, _STATUS[code], {}, _Body(body.encode()))
        parser = self._response_parser_factory.create_parser(operation_model.metadata["protocol"])
        parsed = parser.parse(
            convert_to_response_dict(response, operation_model), operation_model.output_shape
        )
        return (response, parsed), None

    botocore.endpoint.Endpoint._do_get_response = attempt
    botocore.retries.standard.ExponentialBackoff.delay_amount = lambda self, context: 0
    try:
        yield faults
    finally:
        botocore.endpoint.Endpoint._do_get_response = original
        botocore.retries.standard.ExponentialBackoff.delay_amount = original_delay
