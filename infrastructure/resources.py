"""What a tenant stack builds before its app: every resource a function may be pointed at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from infrastructure.tables import TableSpec


@dataclass(frozen=True)
class Resources:
    """The stack's tables, mail bucket, topics, queues and secrets, and the shared environment."""

    tables: dict[str, dynamodb.Table]
    specs: dict[str, TableSpec]
    streamed_table: str
    mail_bucket: s3.IBucket
    inbound_mail_topic: sns.Topic
    alerts_topic: sns.Topic
    topics_key: kms.IKey
    failure_queue: sqs.Queue
    mail_failure_queue: sqs.Queue
    secrets: Mapping[str, secretsmanager.ISecret]
    environment: dict[str, str]
