"""Re-driving a failed inbound message by its object key (``infrastructure/redrive_mail.py``).

The failure queue is moto's SQS; the function is a stand-in that records what it is sent.
"""

import io
import json

import boto3
import pytest
from moto import mock_aws

from infrastructure.redrive_mail import RedriveError, object_keys, redrive

KEY = "inbound/0a1b2c3d4e"


def _event(object_key):
    """The SNS event Lambda got for a message SES stored under ``object_key``."""
    notification = {
        "notificationType": "Received",
        "receipt": {
            "recipients": ["help@help.acme.example"],
            "spfVerdict": {"status": "PASS"},
            "action": {"type": "S3", "bucketName": "mail", "objectKey": object_key},
        },
        "mail": {"messageId": "ses-1"},
    }
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(notification)}}]}


def _failure(object_key):
    """What Lambda sends the on-failure destination once retries are exhausted."""
    return json.dumps(
        {
            "version": "1.0",
            "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
            "requestPayload": _event(object_key),
            "responsePayload": {"errorMessage": "Task timed out after 60.00 seconds"},
        }
    )


class Function:
    """A stand-in for the deployed inbound mail function."""

    def __init__(self, error=None):
        self.events = []
        self.error = error

    def invoke(self, FunctionName, InvocationType, Payload):  # noqa: N803 (boto3's names)
        assert InvocationType == "RequestResponse"
        self.events.append((FunctionName, json.loads(Payload)))
        answer = {"StatusCode": 200, "Payload": io.BytesIO(b"null")}
        if self.error:
            answer.update(FunctionError="Unhandled", Payload=io.BytesIO(self.error.encode()))
        return answer


@pytest.fixture
def queue():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.create_queue(QueueName="InboundMailFailures")["QueueUrl"]
        for key in ("inbound/other-1", KEY, "inbound/other-2"):
            sqs.send_message(QueueUrl=url, MessageBody=_failure(key))
        yield sqs, url


def _left(sqs, url):
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_the_failed_event_of_the_key_is_sent_again_as_it_was_and_then_forgotten(queue):
    sqs, url = queue
    function = Function()
    redrive(sqs, function, url, "Sladesk-acme-ReceiveInboundMail", KEY)
    # The very event of the first delivery: SES's verdicts and the recipients are kept.
    assert function.events == [("Sladesk-acme-ReceiveInboundMail", _event(KEY))]
    # Only that failure is gone; the others are visible again at once.
    assert _left(sqs, url) == (2, 0)


def test_a_function_that_fails_again_leaves_the_failure_in_the_queue(queue):
    sqs, url = queue
    with pytest.raises(RedriveError, match="failed again: boom"):
        redrive(sqs, Function(error="boom"), url, "f", KEY)
    assert _left(sqs, url)[0] + _left(sqs, url)[1] == 3


def test_a_key_the_queue_does_not_hold_is_refused_and_nothing_is_invoked(queue):
    sqs, url = queue
    function = Function()
    with pytest.raises(RedriveError, match="no failed delivery of 'inbound/unknown'"):
        redrive(sqs, function, url, "f", "inbound/unknown")
    assert function.events == []
    assert _left(sqs, url) == (3, 0)


def test_object_keys_skip_records_that_are_not_ses_notifications():
    event = _event(KEY)
    event["Records"].append({"Sns": {"Message": "not json"}})
    event["Records"].append({"Sns": {"Message": json.dumps({"notificationType": "Bounce"})}})
    assert object_keys(event) == [KEY]
