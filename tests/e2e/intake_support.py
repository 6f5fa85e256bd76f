"""Shared setup of the intake tests: the emulated mail and file services, and their outbox."""

import boto3

from chalicelib.adapters.attachments import attachments_bucket
from chalicelib.adapters.mail_sender import mail_from
from chalicelib.adapters.outbox import read_outbox


def prepare_mail_services():
    """Verify the sender in SES and create the attachments bucket (what the stack does)."""
    boto3.client("ses").verify_email_identity(EmailAddress=mail_from())
    boto3.client("s3").create_bucket(Bucket=attachments_bucket())


def acknowledgements():
    """The acknowledgements sent so far, oldest first."""
    return [item for item in read_outbox() if item.event == "acknowledgement"]


def post_mail(api, raw, role="intake"):
    return api.call(
        "POST", "/intake/email", raw=raw, role=role, headers={"Content-Type": "message/rfc822"}
    )
