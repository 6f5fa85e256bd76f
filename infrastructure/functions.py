"""The Chalice app inside a tenant stack: its functions, their roles, logs and event sources.

Chalice's CDK construct packages ``app.py`` into a SAM template and includes
it. ``app.py`` is imported once per process, so whatever it read from the
environment at import time (the cards stream ARN, the inbound mail topic) is
the same for every stack of a synth. This module therefore rewrites each
function's event sources with property overrides that point at this stack's
own resources (``docs/design.md``, "Known traps"), and gives every
function a role of its own (``access.py``), a log group with the tenant's
retention, active tracing, and the environment only some functions need: the
ARNs of the secrets its handler reads (read at run time, never a value in the
configuration) and the alerts topic.
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
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.adapters.secrets import arn_variable
from infrastructure import access, runtime
from infrastructure.packaging import packaging_for_lambda
from infrastructure.tables import TableSpec
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
# Set on the functions that deliver alerts: the topic their ``sns`` deliveries may
# reach (the local stack sets the same variable to its own topic).
ALERTS_TOPIC_ENV = "SLADESK_ALERTS_TOPIC_ARN"
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


class UnsupportedEventSourceError(ValueError):
    """A handler whose event source the stack cannot point at its own resources."""


@dataclass(frozen=True)
class Resources:
    """What the stack built before the app: everything a function may be pointed at."""

    tables: dict[str, dynamodb.Table]
    specs: dict[str, TableSpec]
    streamed_table: str
    mail_bucket: s3.IBucket
    inbound_mail_topic: sns.Topic
    alerts_topic: sns.Topic
    topics_key: kms.IKey
    failure_queue: sqs.Queue
    secrets: dict[str, secretsmanager.ISecret]
    environment: dict[str, str]


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
        self._throttle_api(rest_api)
        self._answer_gateway_errors_in_contract_shape(rest_api)

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
        statements = [
            iam.PolicyStatement(actions=list(access.LOG_ACTIONS), resources=[log_group.attr_arn])
        ]
        statements += self._table_statements(needs)
        statements += self._service_statements(needs)
        # X-Ray accepts no narrower resource for these actions.
        statements.append(
            iam.PolicyStatement(actions=list(access.TRACING_ACTIONS), resources=["*"])
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
            arn_variable(name): self._resources.secrets[name].secret_arn for name in needs.secrets
        }
        if needs.publishes_alerts:
            environment[ALERTS_TOPIC_ENV] = self._resources.alerts_topic.topic_arn
        return environment

    def _table_statements(self, needs: access.Access) -> list[iam.PolicyStatement]:
        statements = []
        for actions, env_vars in (
            (access.TABLE_READ_ACTIONS, needs.reads),
            (access.TABLE_WRITE_ACTIONS, needs.writes),
        ):
            arns: list[str] = []
            for env_var in sorted(env_vars):
                table = self._resources.tables[env_var]
                arns.append(table.table_arn)
                arns += [
                    f"{table.table_arn}/index/{index}"
                    for index in self._resources.specs[env_var].index_names
                ]
            if arns:
                statements.append(iam.PolicyStatement(actions=list(actions), resources=arns))
        return statements

    def _service_statements(self, needs: access.Access) -> list[iam.PolicyStatement]:
        resources = self._resources
        statements = []
        if needs.secrets:
            statements.append(
                iam.PolicyStatement(
                    actions=list(access.READ_SECRET_ACTIONS),
                    resources=[
                        resources.secrets[name].secret_arn for name in sorted(needs.secrets)
                    ],
                )
            )
        if needs.reads_inbound_mail:
            statements.append(
                iam.PolicyStatement(
                    actions=list(access.READ_INBOUND_MAIL_ACTIONS),
                    resources=[
                        resources.mail_bucket.arn_for_objects(f"{access.INBOUND_MAIL_PREFIX}*")
                    ],
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
                    resources=[
                        resources.mail_bucket.arn_for_objects(f"{access.ATTACHMENTS_PREFIX}*")
                    ],
                )
            )
        if needs.sends_mail:
            domain = self._tenant.mail_from.split("@", 1)[1]
            statements.append(
                iam.PolicyStatement(
                    actions=list(access.SEND_MAIL_ACTIONS),
                    resources=[
                        cdk.Stack.of(self).format_arn(
                            service="ses", resource="identity", resource_name=identity
                        )
                        for identity in (self._tenant.mail_from, domain)
                    ],
                )
            )
        if needs.publishes_alerts:
            statements.append(
                iam.PolicyStatement(
                    actions=list(access.PUBLISH_ACTIONS),
                    resources=[resources.alerts_topic.topic_arn],
                )
            )
            statements.append(
                iam.PolicyStatement(
                    actions=list(access.ENCRYPTED_TOPIC_ACTIONS),
                    resources=[resources.topics_key.key_arn],
                )
            )
        return statements

    def _wire_event(
        self, resource: cdk.CfnResource, handler: str, name: str, event: dict[str, Any]
    ) -> list[iam.PolicyStatement]:
        """Point one event source at this stack's resources; answers what the role needs for it."""
        path = f"Events.{name}.Properties"
        kind = event["Type"]
        if kind == "DynamoDB":
            table = self._resources.tables[self._resources.streamed_table]
            resource.add_property_override(f"{path}.Stream", table.table_stream_arn)
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
            # Lambda reads the stream and sends the records it gave up on with the function's role.
            return [
                iam.PolicyStatement(
                    actions=list(access.STREAM_READ_ACTIONS), resources=[table.table_stream_arn]
                ),
                iam.PolicyStatement(
                    actions=list(access.FAILURE_QUEUE_ACTIONS),
                    resources=[self._resources.failure_queue.queue_arn],
                ),
            ]
        elif kind == "SNS":
            topic = self._topic(event["Properties"]["Topic"])
            resource.add_property_override(f"{path}.Topic", topic.topic_arn)
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

    def _throttle_api(self, rest_api: dict[str, Any] | None) -> None:
        if rest_api is None:
            return
        default, form = self._tenant.api_throttle, self._tenant.form_throttle
        settings = [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingRateLimit": default.rate_limit,
                "ThrottlingBurstLimit": default.burst_limit,
            }
        ]
        for path, operations in rest_api["Properties"]["DefinitionBody"]["paths"].items():
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
        self.chalice.get_resource("RestAPI").add_property_override("MethodSettings", settings)

    def _answer_gateway_errors_in_contract_shape(self, rest_api: dict[str, Any] | None) -> None:
        if rest_api is None:
            return
        # SAM writes these into the API's definition (x-amazon-apigateway-gateway-responses),
        # so a changed response changes the definition's hash and is deployed with the API;
        # separate GatewayResponse resources would wait for the next unrelated deployment.
        self.chalice.get_resource("RestAPI").add_property_override(
            "GatewayResponses", gateway_responses()
        )


def gateway_response_body(code: str, message: str | None) -> str:
    """The template of one gateway response: the contract's error object.

    Without ``message`` the gateway's own message is the error's message.
    """
    quoted = GATEWAY_MESSAGE if message is None else json.dumps(message)
    return f'{{"error": {{"code": {json.dumps(code)}, "message": {quoted}}}}}'


def gateway_responses() -> dict[str, dict[str, Any]]:
    """SAM's ``GatewayResponses`` for the REST API: API Gateway's own errors, contract-shaped."""
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
