"""One customer's isolated sladesk stack, built from its tenant file.

The stack creates the resources and hands their names to the app through
environment variables; configuration flows one way (infrastructure sets it,
the runtime reads it). Secrets are Secrets Manager secrets of the stack,
generated at creation (operators replace the ones Slack and Telegram issue);
a function is given only their ARNs and reads the values at run time, so no
value is in the template or a function's configuration. Nothing is shared
with another tenant's stack: no exports, no imports, no names a second stack
could collide with.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagSuppressions
from constructs import Construct

from chalicelib import settings
from infrastructure.access import ATTACHMENTS_PREFIX, INBOUND_MAIL_PREFIX, SECRETS
from infrastructure.functions import AppFunction, SladeskApp
from infrastructure.redrive_mail import (
    INBOUND_MAIL_HANDLER,
    MAIL_FAILURES_OUTPUT,
    MAIL_FUNCTION_OUTPUT,
)
from infrastructure.resources import Resources
from infrastructure.tables import add_table, table_specs
from infrastructure.tenants import Tenant

# The service name the app's logs and metrics carry (``chalicelib/observability.py``).
SERVICE = settings.DEFAULT_SERVICE_NAME

# SES reviews an account at a 5 % bounce rate and may pause sending at 10 %.
BOUNCE_RATE_ALARM = 0.05
# ... and at a 0.1 % complaint rate, pausing sending at 0.5 %.
COMPLAINT_RATE_ALARM = 0.001
# Records older than this in the cards stream mean timers are running late.
ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000
# The breach scan runs every minute; handling an instant 5 minutes late means it is stuck or behind.
SCANNER_LAG_ALARM_SECONDS = 300

# Each secret by the variable the app reads: its construct id and what it is for.
# Every one is generated at creation, so none is empty or guessable before an
# operator sets the value Slack or Telegram issued (README, "Operations").
SECRET_IDS = {
    settings.SESSION_SECRET: ("SessionSecret", "signs staff session cookies"),
    settings.SLACK_SIGNING_SECRET: ("SlackSigningSecret", "the Slack app's signing secret"),
    settings.TELEGRAM_WEBHOOK_SECRET: (
        "TelegramWebhookSecret",
        "the secret_token given to setWebhook",
    ),
    settings.TELEGRAM_BOT_TOKEN: ("TelegramBotToken", "the Telegram bot's token"),
}


class SladeskStack(cdk.Stack):
    """Tables, mail, topics, the app's functions and API, alarms: one customer's sladesk."""

    def __init__(self, scope: Construct, tenant: Tenant) -> None:
        super().__init__(
            scope,
            tenant.stack_name,
            env=cdk.Environment(account=tenant.account, region=tenant.region),
            description=f"sladesk for {tenant.name}",
            termination_protection=True,
        )
        # Access logs are delivered under a bucket policy, not the legacy log-delivery ACL.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        self.tenant = tenant
        cdk.Tags.of(self).add("sladesk:tenant", tenant.name)
        for key, value in tenant.tags.items():
            cdk.Tags.of(self).add(key, value)

        specs = {spec.env_var: spec for spec in table_specs()}
        self.tables = {env_var: add_table(self, spec) for env_var, spec in specs.items()}
        [streamed] = [env_var for env_var, spec in specs.items() if spec.stream_view_type]

        self.topics_key = self._topics_key()
        self.ops_topic = self._topic("OpsTopic", "sladesk ops alarms")
        for address in tenant.alert_subscribers:
            self.ops_topic.add_subscription(subscriptions.EmailSubscription(address))
        self.inbound_mail_topic = self._topic("InboundMailTopic", "sladesk inbound mail")
        self.alerts_topic = self._topic("AlertsTopic", "sladesk SLA alerts (SMS, push)")
        self.mail_bucket = self._mail_bucket()
        self.receipt_rule_set = self._receipt_rules()
        self.failure_queue = self._failure_queue("StreamFailures")
        self.mail_failure_queue = self._failure_queue("InboundMailFailures")

        self.secrets = {name: self._secret(name) for name in SECRETS}

        environment = {
            spec.env_var: self.tables[env_var].table_name for env_var, spec in specs.items()
        }
        environment.update(
            {
                settings.ATTACHMENTS_BUCKET: self.mail_bucket.bucket_name,
                settings.MAIL_FROM: tenant.mail_from,
                settings.POWERTOOLS_SERVICE_NAME: SERVICE,
                settings.POWERTOOLS_METRICS_NAMESPACE: self.metrics_namespace,
                settings.PUBLIC_URL: tenant.public_url,
            }
        )
        self.app = SladeskApp(
            self,
            "App",
            tenant,
            Resources(
                tables=self.tables,
                specs=specs,
                streamed_table=streamed,
                mail_bucket=self.mail_bucket,
                inbound_mail_topic=self.inbound_mail_topic,
                alerts_topic=self.alerts_topic,
                topics_key=self.topics_key,
                failure_queue=self.failure_queue,
                mail_failure_queue=self.mail_failure_queue,
                secrets=self.secrets,
                environment=environment,
            ),
        )
        self._alarms()
        self._outputs(specs)
        self._suppressions()

    @property
    def metrics_namespace(self) -> str:
        """Where the app's EMF metrics go (``chalicelib/observability.py``): one per tenant."""
        return f"sladesk/{self.tenant.name}"

    def _secret(self, name: str) -> secretsmanager.Secret:
        construct_id, purpose = SECRET_IDS[name]
        return secretsmanager.Secret(
            self,
            construct_id,
            description=f"sladesk {self.tenant.name}: {purpose} ({name})",
            # Letters and digits only: Telegram's secret_token and a URL path accept them as is.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )

    def _failure_queue(self, construct_id: str) -> sqs.Queue:
        """Where records or events a function gave up on are kept, for 14 days (SQS's most)."""
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )

    def _topics_key(self) -> kms.Key:
        """The key of the stack's topics; CloudWatch and SES may use it to publish."""
        key = kms.Key(
            self,
            "TopicsKey",
            description=f"sladesk {self.tenant.name}: SNS topics",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for service in ("cloudwatch.amazonaws.com", "ses.amazonaws.com"):
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal(service)],
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=["*"],  # in a key policy, "*" is this key
                    conditions={"StringEquals": {"aws:SourceAccount": self.account}},
                )
            )
        return key

    def _topic(self, construct_id: str, display_name: str) -> sns.Topic:
        return sns.Topic(
            self,
            construct_id,
            display_name=display_name,
            master_key=self.topics_key,
            enforce_ssl=True,
        )

    def _mail_bucket(self) -> s3.Bucket:
        """Raw inbound mail (SES writes it, expires) and attachments (kept)."""
        access_logs = s3.Bucket(
            self,
            "MailBucketAccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365))],
        )
        return s3.Bucket(
            self,
            "MailBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=False,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="mail-bucket/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-raw-inbound-mail",
                    prefix=INBOUND_MAIL_PREFIX,
                    expiration=cdk.Duration.days(self.tenant.inbound_retention_days),
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-uploads",
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                ),
            ],
        )

    def _receipt_rules(self) -> ses.ReceiptRuleSet:
        """SES stores mail for the inbound domain in the bucket, then notifies the intake topic."""
        return ses.ReceiptRuleSet(
            self,
            "InboundMail",
            rules=[
                ses.ReceiptRuleOptions(
                    recipients=[self.tenant.inbound_domain],
                    scan_enabled=True,
                    tls_policy=ses.TlsPolicy.REQUIRE,
                    actions=[
                        ses_actions.S3(
                            bucket=self.mail_bucket,
                            object_key_prefix=INBOUND_MAIL_PREFIX,
                            topic=self.inbound_mail_topic,
                        )
                    ],
                )
            ],
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.Metric,
        threshold: float,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
    ) -> None:
        alarm = metric.create_alarm(
            self,
            construct_id,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.ops_topic))

    def _alarms(self) -> None:
        five_minutes = cdk.Duration.minutes(5)
        for construct_id, queue in (
            ("StreamFailuresAlarm", self.failure_queue),
            ("InboundMailFailuresAlarm", self.mail_failure_queue),
        ):
            self._alarm(
                construct_id,
                queue.metric_approximate_number_of_messages_visible(
                    period=five_minutes, statistic="Maximum"
                ),
                1,
            )
        for function in self.app.functions:
            self._alarm(f"{function.logical_id}Errors", _lambda_metric(function, "Errors"), 1)
            self._alarm(f"{function.logical_id}Throttles", _lambda_metric(function, "Throttles"), 1)
        for function in self.app.stream_functions:
            self._alarm(
                f"{function.logical_id}IteratorAge",
                _lambda_metric(function, "IteratorAge", statistic="Maximum"),
                ITERATOR_AGE_ALARM_MS,
            )
        for construct_id, metric_name, threshold in (
            ("BounceRateAlarm", "Reputation.BounceRate", BOUNCE_RATE_ALARM),
            ("ComplaintRateAlarm", "Reputation.ComplaintRate", COMPLAINT_RATE_ALARM),
        ):
            self._alarm(
                construct_id,
                cloudwatch.Metric(
                    namespace="AWS/SES",
                    metric_name=metric_name,
                    statistic="Maximum",
                    period=cdk.Duration.hours(1),
                ),
                threshold,
            )
        self._alarm(
            "ScannerLagAlarm",
            self._app_metric("ScannerLag", "Maximum"),
            SCANNER_LAG_ALARM_SECONDS,
            cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        self._alarm("NotificationsFailedAlarm", self._app_metric("NotificationsFailed", "Sum"), 1)
        self._alarm("StreamRecordsFailedAlarm", self._app_metric("StreamRecordsFailed", "Sum"), 1)

    def _app_metric(self, name: str, statistic: str) -> cloudwatch.Metric:
        """One of the app's own metrics, over every channel and SLA: the ``service`` dimension only.

        The app publishes each metric with ``service`` alone besides its own
        dimensions, so one alarm covers every channel, SLA and event.
        """
        return cloudwatch.Metric(
            namespace=self.metrics_namespace,
            metric_name=name,
            dimensions_map={"service": SERVICE},
            statistic=statistic,
            period=cdk.Duration.minutes(5),
        )

    def _outputs(self, specs: dict) -> None:
        for env_var, spec in specs.items():
            cdk.CfnOutput(self, f"{spec.logical_id}Name", value=self.tables[env_var].table_name)
        cdk.CfnOutput(self, "ReceiptRuleSetName", value=self.receipt_rule_set.receipt_rule_set_name)
        cdk.CfnOutput(self, "OpsTopicArn", value=self.ops_topic.topic_arn)
        cdk.CfnOutput(self, "AlertsTopicArn", value=self.alerts_topic.topic_arn)
        cdk.CfnOutput(self, "StreamFailuresQueueUrl", value=self.failure_queue.queue_url)
        # What ``python -m infrastructure.redrive_mail`` reads (docs/operations.md).
        cdk.CfnOutput(self, MAIL_FAILURES_OUTPUT, value=self.mail_failure_queue.queue_url)
        [mail_function] = [
            function for function in self.app.functions if function.handler == INBOUND_MAIL_HANDLER
        ]
        cdk.CfnOutput(self, MAIL_FUNCTION_OUTPUT, value=mail_function.function_name)
        # Where an operator sets or rotates each secret (README, "Operations").
        for name, secret in self.secrets.items():
            cdk.CfnOutput(self, f"{SECRET_IDS[name][0]}Arn", value=secret.secret_arn)

    def _suppressions(self) -> None:
        """cdk-nag findings that do not apply here, each with the reason."""
        NagSuppressions.add_resource_suppressions_by_path(
            self,
            f"/{self.stack_name}/MailBucketAccessLogs/Resource",
            [
                {
                    "id": "AwsSolutions-S1",
                    "reason": "This bucket receives the mail bucket's access logs; "
                    "logging it into itself would loop.",
                }
            ],
        )
        for function in self.app.functions:
            NagSuppressions.add_resource_suppressions(
                function.role,
                [
                    {
                        "id": "AwsSolutions-IAM5",
                        "reason": "Objects under one prefix of this stack's mail bucket "
                        "(raw inbound mail, or attachments): object keys are only known "
                        "at run time.",
                        "appliesTo": [
                            {"regex": _object_prefix_finding(prefix)}
                            for prefix in (INBOUND_MAIL_PREFIX, ATTACHMENTS_PREFIX)
                        ],
                    },
                    {
                        "id": "AwsSolutions-IAM5",
                        "reason": "X-Ray tracing: xray:PutTraceSegments and "
                        "xray:PutTelemetryRecords support no resource but '*' "
                        "(no resource-level permissions); the actions stay named.",
                        "appliesTo": ["Resource::*"],
                    },
                ],
                apply_to_children=True,
            )
        for secret in self.secrets.values():
            NagSuppressions.add_resource_suppressions(
                secret,
                [
                    {
                        "id": "AwsSolutions-SMG4",
                        "reason": "Slack and Telegram issue their secrets, which only they "
                        "can change, and the session secret is replaced by an operator "
                        "(README, 'Operations'); a rotation function could not reach either.",
                    }
                ],
            )
        for queue in (self.failure_queue, self.mail_failure_queue):
            NagSuppressions.add_resource_suppressions(
                queue,
                [
                    {
                        "id": "AwsSolutions-SQS3",
                        "reason": "This queue is an on-failure destination (the stream "
                        "mapping's, or inbound mail's async invocations): it is itself where "
                        "failed records end up, and its depth is alarmed.",
                    }
                ],
            )


def _object_prefix_finding(prefix: str) -> str:
    """cdk-nag's IAM5 finding for objects under ``prefix`` of the mail bucket, as its regex."""
    return rf"/^Resource::<MailBucket[0-9A-F]*\.Arn>\/{prefix[:-1]}\/\*$/g"


def _lambda_metric(function: AppFunction, name: str, statistic: str = "Sum") -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name=name,
        dimensions_map={"FunctionName": function.function_name},
        statistic=statistic,
        period=cdk.Duration.minutes(5),
    )
