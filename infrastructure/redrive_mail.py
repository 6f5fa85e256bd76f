"""Re-drive one inbound message that failed: ``python -m infrastructure.redrive_mail acme <key>``.

When the inbound mail function fails a message three times, Lambda puts the
invocation (the SES notification that names the stored message) in the
stack's inbound mail failure queue, and its alarm notifies ops. Once the cause
is fixed, this command finds the failed invocation whose message is stored
under the given S3 object key (``inbound/...``), invokes the deployed function
again with the very same event, so SES's verdicts and the envelope recipients
are those of the first delivery, and deletes it from the queue once the
function succeeded. A message sladesk already took answers what it did the
first time, so a re-drive never opens a second card. ``docs/operations.md``
says when and how. Uses the caller's AWS credentials for the tenant's account.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

# The handler in app.py, and the stack outputs that name its function and failure queue.
INBOUND_MAIL_HANDLER = "receive_inbound_mail"
MAIL_FUNCTION_OUTPUT = "InboundMailFunctionName"
MAIL_FAILURES_OUTPUT = "InboundMailFailuresQueueUrl"
# Long enough for the function's own timeout (the tenant's; 60 s by default) and more.
INVOKE_READ_TIMEOUT_SECONDS = 960
# How long a received failure is hidden from other readers while this command looks at it.
VISIBILITY_SECONDS = 120


class RedriveError(RuntimeError):
    """A re-drive that could not be done, with the reason in words."""


@dataclass(frozen=True)
class FailedMail:
    """One failed invocation in the queue: its event and the handle to delete it."""

    event: dict[str, Any]
    receipt_handle: str


def object_keys(event: dict[str, Any]) -> list[str]:
    """The S3 object keys of the stored messages an SNS event of SES notifications names."""
    keys = []
    for record in event.get("Records", []):
        try:
            notification = json.loads(record["Sns"]["Message"])
            keys.append(notification["receipt"]["action"]["objectKey"])
        except (KeyError, TypeError, ValueError):
            continue
    return keys


def find_failed(sqs: Any, queue_url: str, object_key: str) -> FailedMail | None:
    """The failed invocation for ``object_key`` in the queue; None when it is not there.

    Every other failure read on the way is made visible again at once.
    """
    seen: set[str] = set()
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=VISIBILITY_SECONDS,
            WaitTimeSeconds=1,
        ).get("Messages", [])
        fresh = [message for message in messages if message["MessageId"] not in seen]
        if not fresh:
            _release(sqs, queue_url, messages)
            return None
        for message in fresh:
            seen.add(message["MessageId"])
            record = json.loads(message["Body"])
            event = record.get("requestPayload") or {}
            if object_key in object_keys(event):
                _release(sqs, queue_url, [m for m in fresh if m is not message])
                return FailedMail(event=event, receipt_handle=message["ReceiptHandle"])
        _release(sqs, queue_url, fresh)


def _release(sqs: Any, queue_url: str, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        sqs.change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )


def redrive(
    sqs: Any, lambda_client: Any, queue_url: str, function_name: str, object_key: str
) -> None:
    """Invoke ``function_name`` again with the failed event of ``object_key``, then forget it.

    Raises ``RedriveError`` when the queue holds no such failure or the function fails
    again (the failure then stays in the queue, for a later re-drive).
    """
    failed = find_failed(sqs, queue_url, object_key)
    if failed is None:
        raise RedriveError(
            f"no failed delivery of {object_key!r} in the inbound mail failure queue "
            "(kept 14 days): see docs/operations.md for a message that is not there"
        )
    answer = lambda_client.invoke(
        FunctionName=function_name,
        InvocationType="RequestResponse",
        Payload=json.dumps(failed.event).encode("utf-8"),
    )
    if answer.get("FunctionError"):
        detail = answer["Payload"].read().decode("utf-8", "replace")
        raise RedriveError(f"the inbound mail function failed again: {detail}")
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=failed.receipt_handle)


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """The outputs of the tenant's deployed stack, by key."""
    [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def main(argv: list[str]) -> int:
    """``python -m infrastructure.redrive_mail <tenant> <object key>``."""
    if len(argv) != 2:
        print("usage: python -m infrastructure.redrive_mail <tenant> <object key>", file=sys.stderr)
        return 2
    import boto3
    from botocore.config import Config

    from infrastructure.tenants import TENANTS_DIR, load_tenant

    tenant = load_tenant(TENANTS_DIR / f"{argv[0]}.json")
    outputs = stack_outputs(
        boto3.client("cloudformation", region_name=tenant.region), tenant.stack_name
    )
    try:
        redrive(
            boto3.client("sqs", region_name=tenant.region),
            boto3.client(
                "lambda",
                region_name=tenant.region,
                config=Config(
                    read_timeout=INVOKE_READ_TIMEOUT_SECONDS, retries={"max_attempts": 0}
                ),
            ),
            outputs[MAIL_FAILURES_OUTPUT],
            outputs[MAIL_FUNCTION_OUTPUT],
            argv[1],
        )
    except RedriveError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{argv[1]} re-driven for {tenant.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
