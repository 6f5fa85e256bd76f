"""The policy of each function's role: what its declared access allows, on this stack's resources.

``access.py`` says what each handler uses; this module turns that into IAM
statements naming the stack's own tables (and their indexes), objects under
one prefix of the mail bucket, the SES identities of the tenant's sender, the
alerts topic and its key, and the secrets the handler reads. Every action is
named, and no resource is ``*`` except X-Ray's, which supports no other.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from infrastructure import access
from infrastructure.resources import Resources


def function_statements(
    scope: Construct,
    needs: access.Access,
    resources: Resources,
    mail_from: str,
    log_group_arn: str,
) -> list[iam.PolicyStatement]:
    """Every statement one function's role needs for ``needs``, besides its event sources."""
    statements = [iam.PolicyStatement(actions=list(access.LOG_ACTIONS), resources=[log_group_arn])]
    statements += table_statements(needs, resources)
    statements += service_statements(scope, needs, resources, mail_from)
    # X-Ray accepts no narrower resource for these actions.
    statements.append(iam.PolicyStatement(actions=list(access.TRACING_ACTIONS), resources=["*"]))
    return statements


def table_statements(needs: access.Access, resources: Resources) -> list[iam.PolicyStatement]:
    """Reading and writing exactly the declared tables and their global secondary indexes."""
    statements = []
    for actions, env_vars in (
        (access.TABLE_READ_ACTIONS, needs.reads),
        (access.TABLE_WRITE_ACTIONS, needs.writes),
    ):
        arns: list[str] = []
        for env_var in sorted(env_vars):
            table = resources.tables[env_var]
            arns.append(table.table_arn)
            arns += [
                f"{table.table_arn}/index/{index}" for index in resources.specs[env_var].index_names
            ]
        if arns:
            statements.append(iam.PolicyStatement(actions=list(actions), resources=arns))
    return statements


def service_statements(
    scope: Construct, needs: access.Access, resources: Resources, mail_from: str
) -> list[iam.PolicyStatement]:
    """Secrets, mail objects, sending mail and publishing alerts, as far as ``needs`` says."""
    statements = []
    if needs.secrets:
        statements.append(
            iam.PolicyStatement(
                actions=list(access.READ_SECRET_ACTIONS),
                resources=[resources.secrets[name].secret_arn for name in sorted(needs.secrets)],
            )
        )
    if needs.reads_inbound_mail:
        statements.append(
            iam.PolicyStatement(
                actions=list(access.READ_INBOUND_MAIL_ACTIONS),
                resources=[resources.mail_bucket.arn_for_objects(f"{access.INBOUND_MAIL_PREFIX}*")],
            )
        )
    attachment_actions = [
        *(access.WRITE_ATTACHMENT_ACTIONS if needs.writes_attachments else ()),
        *(access.READ_ATTACHMENT_ACTIONS if needs.reads_attachments else ()),
    ]
    if attachment_actions:
        statements.append(
            iam.PolicyStatement(
                actions=attachment_actions,
                resources=[resources.mail_bucket.arn_for_objects(f"{access.ATTACHMENTS_PREFIX}*")],
            )
        )
    if needs.sends_mail:
        statements.append(send_mail_statement(scope, mail_from))
    if needs.publishes_alerts:
        statements.append(
            iam.PolicyStatement(
                actions=list(access.PUBLISH_ACTIONS), resources=[resources.alerts_topic.topic_arn]
            )
        )
        statements.append(
            iam.PolicyStatement(
                actions=list(access.ENCRYPTED_TOPIC_ACTIONS),
                resources=[resources.topics_key.key_arn],
            )
        )
    return statements


def send_mail_statement(scope: Construct, mail_from: str) -> iam.PolicyStatement:
    """Sending raw mail as the tenant's sender address or its domain, the two SES identities."""
    domain = mail_from.split("@", 1)[1]
    return iam.PolicyStatement(
        actions=list(access.SEND_MAIL_ACTIONS),
        resources=[
            cdk.Stack.of(scope).format_arn(
                service="ses", resource="identity", resource_name=identity
            )
            for identity in (mail_from, domain)
        ],
    )


def stream_statements(stream_arn: str, failure_queue_arn: str) -> list[iam.PolicyStatement]:
    """Reading the cards stream, and sending the records Lambda gave up on to the failure queue.

    Lambda does both with the function's role.
    """
    return [
        iam.PolicyStatement(actions=list(access.STREAM_READ_ACTIONS), resources=[stream_arn]),
        failure_queue_statement(failure_queue_arn),
    ]


def failure_queue_statement(queue_arn: str) -> iam.PolicyStatement:
    """Sending to one failure queue (an event source's or an invocation's on-failure target)."""
    return iam.PolicyStatement(actions=list(access.FAILURE_QUEUE_ACTIONS), resources=[queue_arn])
