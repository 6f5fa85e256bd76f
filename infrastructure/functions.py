"""The Chalice app inside a tenant stack: its functions, their logs, environment and event sources.

Chalice's CDK construct packages ``app.py`` into a SAM template and includes
it. ``app.py`` is imported once per process, so whatever it read from the
environment at import time (the cards stream ARN, the inbound mail topic) is
the same for every stack of a synth. This module therefore rewrites each
function's event sources with property overrides that point at this stack's
own resources (``docs/design.md``, "Known traps"), and gives every
function a role of its own (what ``access.py`` declares, as ``permissions.py``
writes it), a log group with the tenant's retention, active tracing, and the
environment only some functions need: the ARNs of the secrets its handler
reads (read at run time, never a value in the configuration) and the alerts
topic. Every function's timeout and reserved concurrency are the tenant's
(``functions`` in the tenant file); an SNS-fed function (inbound mail) sends
the events it gave up on to the inbound mail failure queue. The REST API's
throttling and gateway answers are ``gateway.py``'s, its per-client rate
limits ``waf.py``'s.
Functions, handlers and event sources are read from the packaged template,
so a handler added to ``app.py`` is picked up without a change here.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib import settings
from infrastructure import access, gateway, permissions, runtime, waf
from infrastructure.packaging import packaging_for_lambda
from infrastructure.resources import Resources
from infrastructure.tenants import Tenant

REPO_DIR = Path(__file__).resolve().parent.parent
API_HANDLER = "api_handler"
# Chalice needs a role ARN when it does not manage roles; every function's
# ``Role`` is overridden with its own role, and a test proves none keeps this.
PLACEHOLDER_ROLE_ARN = "arn:aws:iam::000000000000:role/sladesk-role-set-per-function"

# The stream mapping options Chalice's decorator cannot express.
STREAM_MAPPING = {
    "StartingPosition": "TRIM_HORIZON",
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 5,
    "MaximumRecordAgeInSeconds": 6 * 60 * 60,
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
}
# An event an SNS-fed function (inbound mail) could not handle: Lambda tries it twice more,
# for up to six hours, then sends it to the inbound mail failure queue (docs/operations.md).
ASYNC_RETRIES = 2
ASYNC_MAX_EVENT_AGE_SECONDS = 6 * 60 * 60
# Set on the functions that deliver alerts: the topic their ``sns`` deliveries may
# reach (the local stack sets the same variable to its own topic).
ALERTS_TOPIC_ENV = settings.ALERTS_TOPIC_ARN


class UnsupportedEventSourceError(ValueError):
    """A handler whose event source the stack cannot point at its own resources."""


@dataclass
class AppFunction:
    """One function of the packaged app, after the stack rewired it."""

    logical_id: str
    handler: str
    resource: cdk.CfnResource
    role: iam.Role
    log_group: logs.CfnLogGroup
    declared: bool
    event_types: list[str] = field(default_factory=list)

    @property
    def function_name(self) -> str:
        """The deployed function's name (a token until deployment)."""
        return self.resource.ref


def handler_name(handler: str) -> str:
    """The handler's name in ``app.py`` (``app.app``, the REST API, is ``api_handler``)."""
    name = handler.split(".", 1)[1]
    return API_HANDLER if name == "app" else name


class SladeskApp(Construct):
    """The packaged Chalice app, each function with its own role, logs and event sources."""

    def __init__(
        self, scope: Construct, construct_id: str, tenant: Tenant, resources: Resources
    ) -> None:
        super().__init__(scope, construct_id)
        self._tenant = tenant
        self._resources = resources
        with packaging_for_lambda(tenant.region):
            self.chalice = Chalice(
                self,
                "Chalice",
                source_dir=str(REPO_DIR),
                stage_config={
                    "api_gateway_stage": "api",
                    "manage_iam_role": False,
                    "iam_role_arn": PLACEHOLDER_ROLE_ARN,
                    "lambda_memory_size": 512,
                    "lambda_architecture": runtime.ARCHITECTURE,
                    "environment_variables": resources.environment,
                },
            )
        # app.py names the topic its inbound mail handler listens to; here it is this stack's.
        inbound_topic_name = importlib.import_module("app").INBOUND_MAIL_TOPIC
        self._topics = {inbound_topic_name: resources.inbound_mail_topic}
        # The construct keeps the template it packaged only as included
        # constructs; its JSON is the readable list of functions and events.
        template = json.loads(
            (Path(self.chalice._sam_package_dir) / "sam.json").read_text(encoding="utf-8")
        )
        self.functions = [
            self._wire_function(logical_id, definition["Properties"])
            for logical_id, definition in template["Resources"].items()
            if definition["Type"] == "AWS::Serverless::Function"
        ]
        self._check_schedules()
        rest_api = template["Resources"].get("RestAPI")
        if rest_api is not None:
            self._shape_api(rest_api["Properties"]["DefinitionBody"]["paths"])

    @property
    def stream_functions(self) -> list[AppFunction]:
        """The functions fed by the cards stream."""
        return [function for function in self.functions if "DynamoDB" in function.event_types]

    def _wire_function(self, logical_id: str, properties: dict[str, Any]) -> AppFunction:
        handler = handler_name(properties["Handler"])
        needs, declared = access.access_of(handler)
        if not declared:
            cdk.Annotations.of(self).add_warning_v2(
                f"sladesk:undeclared-access:{handler}",
                f"handler {handler!r} has no entry in infrastructure/access.py and got "
                "UNDECLARED_ACCESS; declare what it uses to narrow its role",
            )
        resource = self.chalice.get_resource(logical_id)
        log_group = logs.CfnLogGroup(
            self, f"{logical_id}Logs", retention_in_days=self._tenant.log_retention_days
        )
        log_group.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        statements = permissions.function_statements(
            self, needs, self._resources, self._tenant.mail_from, log_group.attr_arn
        )
        event_types = []
        for name, event in (properties.get("Events") or {}).items():
            event_types.append(event["Type"])
            statements += self._wire_event(resource, handler, name, event)
        role = iam.Role(
            self,
            f"{logical_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"sladesk {self._tenant.name}: {handler} only",
            inline_policies={"access": iam.PolicyDocument(statements=statements)},
        )
        resource.add_property_override("Role", role.role_arn)
        resource.add_property_override(
            "LoggingConfig", {"LogGroup": log_group.ref, "LogFormat": "JSON"}
        )
        resource.add_property_override("Tracing", "Active")
        limits = self._tenant.function_limits.get(handler)
        if limits is None:
            raise ValueError(
                f"handler {handler!r} has no timeout and reserved concurrency: give it a "
                "default in infrastructure/tenant.schema.json (functions)"
            )
        resource.add_property_override("Timeout", limits.timeout_seconds)
        resource.add_property_override("ReservedConcurrentExecutions", limits.reserved_concurrency)
        for name, value in sorted(self._own_environment(needs).items()):
            resource.add_property_override(f"Environment.Variables.{name}", value)
        return AppFunction(
            logical_id=logical_id,
            handler=handler,
            resource=resource,
            role=role,
            log_group=log_group,
            declared=declared,
            event_types=event_types,
        )

    def _own_environment(self, needs: access.Access) -> dict[str, str]:
        """The variables only this function gets, on top of the stack's shared ones."""
        # Only where each secret is: the app reads its value at run time, so whoever reads
        # the function's configuration learns no secret, and a put value needs no deploy.
        environment = {
            settings.arn_variable(name): self._resources.secrets[name].secret_arn
            for name in needs.secrets
        }
        if needs.publishes_alerts:
            environment[ALERTS_TOPIC_ENV] = self._resources.alerts_topic.topic_arn
        return environment

    def _wire_event(
        self, resource: cdk.CfnResource, handler: str, name: str, event: dict[str, Any]
    ) -> list[iam.PolicyStatement]:
        """Point one event source at this stack's resources; answers what the role needs for it."""
        path = f"Events.{name}.Properties"
        kind = event["Type"]
        if kind == "DynamoDB":
            table = self._resources.tables[self._resources.streamed_table]
            stream_arn = table.table_stream_arn
            if stream_arn is None:
                raise UnsupportedEventSourceError(
                    f"handler {handler!r} reads a stream, but its table has none"
                )
            resource.add_property_override(f"{path}.Stream", stream_arn)
            for option, value in STREAM_MAPPING.items():
                resource.add_property_override(f"{path}.{option}", value)
            resource.add_property_override(
                f"{path}.DestinationConfig",
                {
                    "OnFailure": {
                        "Type": "SQS",
                        "Destination": self._resources.failure_queue.queue_arn,
                    }
                },
            )
            return permissions.stream_statements(
                stream_arn, self._resources.failure_queue.queue_arn
            )
        elif kind == "SNS":
            topic = self._topic(event["Properties"]["Topic"])
            resource.add_property_override(f"{path}.Topic", topic.topic_arn)
            return self._fail_to_queue(resource, self._resources.mail_failure_queue.queue_arn)
        elif kind == "Schedule":
            rate = self._tenant.schedules.get(handler)
            if rate is not None:
                resource.add_property_override(f"{path}.Schedule", rate)
        else:
            raise UnsupportedEventSourceError(
                f"handler {handler!r} listens to a {kind} event source; "
                "infrastructure/functions.py must point it at the stack's own resource first"
            )
        return []

    def _fail_to_queue(
        self, resource: cdk.CfnResource, queue_arn: str
    ) -> list[iam.PolicyStatement]:
        """Send the events an async invocation gave up on to ``queue_arn``; the role may send."""
        lambda_.CfnEventInvokeConfig(
            self,
            f"{resource.node.id}InvokeConfig",
            function_name=resource.ref,
            qualifier="$LATEST",
            maximum_retry_attempts=ASYNC_RETRIES,
            maximum_event_age_in_seconds=ASYNC_MAX_EVENT_AGE_SECONDS,
            destination_config=lambda_.CfnEventInvokeConfig.DestinationConfigProperty(
                on_failure=lambda_.CfnEventInvokeConfig.OnFailureProperty(destination=queue_arn)
            ),
        )
        return [permissions.failure_queue_statement(queue_arn)]

    def _topic(self, packaged: Any) -> sns.Topic:
        """This stack's topic for one ``app.py`` names (the inbound mail topic or a new one)."""
        # Chalice writes a topic name as ``Fn::Sub: arn:...:<name>``.
        reference = packaged["Fn::Sub"] if isinstance(packaged, dict) else packaged
        topic_name = str(reference).rsplit(":", 1)[-1]
        if topic_name not in self._topics:
            self._topics[topic_name] = sns.Topic(
                self,
                f"Topic{len(self._topics)}",
                master_key=self._resources.topics_key,
                enforce_ssl=True,
            )
        return self._topics[topic_name]

    def _check_schedules(self) -> None:
        scheduled = {f.handler for f in self.functions if "Schedule" in f.event_types}
        unknown = sorted(set(self._tenant.schedules) - scheduled)
        if unknown:
            raise ValueError(
                f"tenant {self._tenant.name!r} sets schedules for {unknown}, which are not "
                f"scheduled handlers of app.py (those are: {sorted(scheduled) or 'none'})"
            )

    def _shape_api(self, paths: dict[str, Any]) -> None:
        """Throttle the REST API, answer API Gateway's own errors in the contract's shape,
        and limit each client's rate with AWS WAF."""
        api = self.chalice.get_resource("RestAPI")
        api.add_property_override(
            "MethodSettings",
            gateway.method_settings(paths, self._tenant.api_throttle, self._tenant.form_throttle),
        )
        api.add_property_override("GatewayResponses", gateway.gateway_responses())
        self.web_acl = waf.add_client_rate_limits(self, self._tenant.client_rate_limits, "RestAPI")
