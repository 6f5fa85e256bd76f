"""Two tenant stacks synthesized in one process: every resource the issue asks for, and isolation.

Slow (the synth packages the app once per stack): see the ``stacks`` fixture.
"""

import json
import re
import zipfile
from pathlib import Path

import pytest
from aws_cdk.assertions import Annotations, Match

from infrastructure.access import (
    HANDLER_ACCESS,
    TABLE_READ_ACTIONS,
    TABLE_WRITE_ACTIONS,
    TRACING_ACTIONS,
)
from infrastructure.functions import PLACEHOLDER_ROLE_ARN, REPO_DIR
from infrastructure.runtime import ARCHITECTURE, RUNTIME
from tests.infrastructure.template import functions as _functions
from tests.infrastructure.template import logical_id as _logical_id
from tests.infrastructure.template import statements as _statements

pytestmark = pytest.mark.slow

TENANTS = ["acme", "globex"]
# Handlers that exist in app.py today; a new one must not break these tests.
KNOWN_HANDLERS = {
    "api_handler",
    "recompute_timers",
    "receive_inbound_mail",
    "breach_scan",
    "daily_digest",
    "aggregate_compliance",
}
CARDS, TIMERS, CONFIG, REPORTS = "cards", "timers", "config", "reports"
ALL = {CARDS, TIMERS, CONFIG, REPORTS}
SESSION, SLACK, TELEGRAM_HOOK, TELEGRAM_BOT = (
    "SLADESK_SESSION_SECRET",
    "SLACK_SIGNING_SECRET",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_BOT_TOKEN",
)
SECRET_VARIABLES = {SESSION, SLACK, TELEGRAM_HOOK, TELEGRAM_BOT}
# What each handler's code touches (read from the code, independently of access.py):
# tables read and written, and the other services it calls.
EXPECTED_ACCESS = {
    "api_handler": {
        "reads": ALL,
        "writes": ALL,
        "services": {"s3:GetObject", "s3:PutObject", "ses:SendRawEmail"},
        "secrets": {SESSION, SLACK, TELEGRAM_HOOK, TELEGRAM_BOT},
    },
    "recompute_timers": {
        "reads": ALL,
        "writes": {CARDS, TIMERS, REPORTS},
        "services": {"ses:SendRawEmail", "sns:Publish", "sqs:SendMessage", "dynamodb:GetRecords"},
        "secrets": {TELEGRAM_BOT},
    },
    "receive_inbound_mail": {
        "reads": {CARDS, CONFIG},
        "writes": {CARDS, CONFIG},
        # Its async invocations' failures go to the inbound mail failure queue.
        "services": {"s3:GetObject", "s3:PutObject", "ses:SendRawEmail", "sqs:SendMessage"},
        "secrets": set(),
    },
    "breach_scan": {
        "reads": ALL,
        "writes": {CARDS, TIMERS, REPORTS},
        "services": {"ses:SendRawEmail", "sns:Publish"},
        "secrets": {TELEGRAM_BOT},
    },
    "daily_digest": {
        "reads": {CONFIG, TIMERS, REPORTS},
        "writes": {REPORTS},
        "services": {"ses:SendRawEmail", "sns:Publish"},
        "secrets": {TELEGRAM_BOT},
    },
    "aggregate_compliance": {
        "reads": {TIMERS, REPORTS},
        "writes": {REPORTS},
        "services": set(),
        "secrets": set(),
    },
}
# Every service action a function may be granted besides its tables, logs and tracing.
SERVICE_ACTIONS = {
    "s3:GetObject",
    "s3:PutObject",
    "ses:SendRawEmail",
    "sns:Publish",
    "sqs:SendMessage",
    "dynamodb:GetRecords",
}
# Variables the code reads that a deployed stack must leave unset: the local stack's
# switches and endpoints, and the two app.py reads only while it is packaged (the
# stack points each event source at its own stream and topic instead).
LOCAL_ONLY_VARIABLES = {
    "SLADESK_DEV",
    "SLADESK_DYNAMODB_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "SLACK_API_BASE",
    "TELEGRAM_API_BASE",
    "SLADESK_CARDS_STREAM_ARN",
    "SLADESK_INBOUND_MAIL_TOPIC",
    # The local stack's demo data and printed admin key (read by devstack/ only).
    "SLADESK_DEMO",
    "SLADESK_ADMIN_KEY",
}
# Lambda sets its reserved variables itself; a template may not.
LAMBDA_RESERVED_VARIABLES = {"AWS_DEFAULT_REGION"}


def _references(node):
    """Every logical id the template node refers to with Ref, GetAtt or Sub."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref":
                yield value
            elif key == "Fn::GetAtt":
                yield value[0]
            elif key == "Fn::Sub":
                text, local = (value[0], value[1]) if isinstance(value, list) else (value, {})
                for part in text.split("${")[1:]:
                    name = part.split("}")[0].split(".")[0]
                    if name not in local:
                        yield name
                if isinstance(value, list):
                    yield from _references(value[1])
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_known_handler_is_deployed(stacks, tenant):
    assert set(_functions(stacks[tenant])) >= KNOWN_HANDLERS


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_function_runs_on_the_chosen_runtime_on_graviton(stacks, tenant):
    functions = _functions(stacks[tenant])
    assert RUNTIME == "python3.13"
    for handler, (_, function) in functions.items():
        # Chosen in infrastructure/runtime.py, not the Python that ran the synth.
        assert function["Runtime"] == "python3.13", handler
        assert function["Architectures"] == ["arm64"], handler
    assert ARCHITECTURE == "arm64"


def test_the_package_carries_binaries_built_for_the_runtime_and_architecture(stacks):
    package = Path(stacks["acme"].stack.app.chalice._sam_package_dir) / "deployment.zip"
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
    extensions = [name for name in names if name.endswith(".so")]
    assert any(name.startswith("pydantic_core/") for name in extensions), extensions
    for name in extensions:
        assert name.endswith(".cpython-313-aarch64-linux-gnu.so"), name
    assert not [name for name in names if name.endswith(".pyc")]
    assert "app.py" in names


@pytest.mark.parametrize("tenant", TENANTS)
def test_no_handler_falls_back_to_the_broad_role(stacks, tenant):
    synth = stacks[tenant]
    # Every deployed handler is declared in access.py, and nothing declared is stale.
    assert set(_functions(synth)) == set(HANDLER_ACCESS)
    assert all(function.declared for function in synth.stack.app.functions)
    warnings = Annotations.from_stack(synth.stack).find_warning(
        "*", Match.string_like_regexp(".*UNDECLARED_ACCESS.*")
    )
    assert warnings == []


@pytest.mark.parametrize("tenant", TENANTS)
def test_tables_are_on_demand_encrypted_recoverable_and_protected(stacks, tenant):
    synth = stacks[tenant]
    tables = synth.resources("AWS::DynamoDB::Table")
    assert len(tables) == 4
    for resource in tables.values():
        assert resource["DeletionPolicy"] == "Retain"
        properties = resource["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["DeletionProtectionEnabled"] is True
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert properties["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }
    cards = tables[_logical_id(synth, "AWS::DynamoDB::Table", "CardsTable")]["Properties"]
    assert cards["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_stream_mapping_reads_this_stacks_cards_stream_with_every_safety(stacks, tenant):
    synth = stacks[tenant]
    cards = _logical_id(synth, "AWS::DynamoDB::Table", "CardsTable")
    queue = _logical_id(synth, "AWS::SQS::Queue", "StreamFailures")
    _, function = _functions(synth)["recompute_timers"]
    [event] = function["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert event["Properties"] == {
        "Stream": {"Fn::GetAtt": [cards, "StreamArn"]},
        "StartingPosition": "TRIM_HORIZON",
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "MaximumRecordAgeInSeconds": 21600,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "DestinationConfig": {
            "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
        },
    }


def test_each_stack_refers_only_to_its_own_resources(stacks):
    for tenant in TENANTS:
        synth = stacks[tenant]
        text = json.dumps(synth.template)
        # No exports or imports between stacks, and nothing left from app.py's import-time defaults.
        assert "Fn::ImportValue" not in text
        assert "Export" not in json.dumps(synth.template.get("Outputs", {}))
        assert ":stream/1970-01-01" not in text
        assert "sladesk-inbound-mail" not in text
        assert PLACEHOLDER_ROLE_ARN not in text
        known = set(synth.template["Resources"]) | set(synth.template.get("Parameters", {}))
        pseudo = {"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix"}
        assert set(_references(synth.template["Resources"])) - pseudo <= known
    acme, globex = (stacks[name].template for name in TENANTS)
    assert "222222222222" not in json.dumps(acme)
    assert "111111111111" not in json.dumps(globex)


@pytest.mark.parametrize("tenant", TENANTS)
def test_inbound_mail_is_stored_privately_then_notifies_the_intake_function(stacks, tenant):
    synth = stacks[tenant]
    tenant_file = synth.stack.tenant
    bucket_id = min(
        (key for key in synth.resources("AWS::S3::Bucket") if key.startswith("MailBucket")),
        key=len,
    )
    topic = _logical_id(synth, "AWS::SNS::Topic", "InboundMailTopic")
    bucket = synth.resources("AWS::S3::Bucket")[bucket_id]["Properties"]
    assert bucket["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        ]
    }
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert {
        "Id": "expire-raw-inbound-mail",
        "Prefix": "inbound/",
        "ExpirationInDays": tenant_file.inbound_retention_days,
        "Status": "Enabled",
    } in bucket["LifecycleConfiguration"]["Rules"]
    assert "LoggingConfiguration" in bucket
    synth.assertions.has_resource_properties(
        "AWS::SES::ReceiptRule",
        {
            "Rule": Match.object_like(
                {
                    "Enabled": True,
                    "Recipients": [tenant_file.inbound_domain],
                    "ScanEnabled": True,
                    "TlsPolicy": "Require",
                    "Actions": [
                        {
                            "S3Action": {
                                "BucketName": {"Ref": bucket_id},
                                "ObjectKeyPrefix": "inbound/",
                                "TopicArn": {"Ref": topic},
                            }
                        }
                    ],
                }
            )
        },
    )
    _, function = _functions(synth)["receive_inbound_mail"]
    [event] = function["Events"].values()
    assert event == {"Type": "SNS", "Properties": {"Topic": {"Ref": topic}}}


@pytest.mark.parametrize("tenant", TENANTS)
def test_topics_are_encrypted_and_ops_reaches_the_subscribers(stacks, tenant):
    synth = stacks[tenant]
    for resource in synth.resources("AWS::SNS::Topic").values():
        assert "KmsMasterKeyId" in resource["Properties"]
    ops = _logical_id(synth, "AWS::SNS::Topic", "OpsTopic")
    subscribers = {
        resource["Properties"]["Endpoint"]
        for resource in synth.resources("AWS::SNS::Subscription").values()
        if resource["Properties"]["TopicArn"] == {"Ref": ops}
        and resource["Properties"]["Protocol"] == "email"
    }
    assert subscribers == set(synth.stack.tenant.alert_subscribers)


def test_schedules_keep_the_apps_rates_unless_the_tenant_sets_one(stacks):
    def rate(tenant, handler):
        _, function = _functions(stacks[tenant])[handler]
        [event] = function["Events"].values()
        assert event["Type"] == "Schedule"
        return event["Properties"]["Schedule"]

    assert rate("acme", "breach_scan") == "rate(1 minute)"
    assert rate("globex", "breach_scan") == "rate(2 minutes)"
    assert rate("acme", "daily_digest") == rate("globex", "daily_digest")
    assert rate("acme", "aggregate_compliance") == "rate(5 minutes)"


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_api_is_throttled_and_the_public_form_more_tightly(stacks, tenant):
    synth = stacks[tenant]
    tenant_file = synth.stack.tenant
    [api] = synth.resources("AWS::Serverless::Api").values()
    settings = api["Properties"]["MethodSettings"]
    assert settings[0] == {
        "ResourcePath": "/*",
        "HttpMethod": "*",
        "ThrottlingRateLimit": tenant_file.api_throttle.rate_limit,
        "ThrottlingBurstLimit": tenant_file.api_throttle.burst_limit,
    }
    form = settings[1:]
    assert {s["ResourcePath"] for s in form} >= {"~1form~1{board_id}", "~1intake~1form~1{board_id}"}
    assert {"POST"} <= {s["HttpMethod"] for s in form}
    for setting in form:
        assert setting["ThrottlingRateLimit"] == tenant_file.form_throttle.rate_limit
        assert setting["ThrottlingBurstLimit"] == tenant_file.form_throttle.burst_limit
        assert setting["ThrottlingRateLimit"] < tenant_file.api_throttle.rate_limit


@pytest.mark.parametrize("tenant", TENANTS)
def test_alarms_notify_ops(stacks, tenant):
    synth = stacks[tenant]
    ops = _logical_id(synth, "AWS::SNS::Topic", "OpsTopic")
    alarms = synth.resources("AWS::CloudWatch::Alarm").values()
    metrics = {}
    for alarm in alarms:
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": ops}]
        dimensions = {d["Name"]: d["Value"] for d in properties.get("Dimensions", [])}
        metrics.setdefault(properties["MetricName"], []).append(dimensions)
    functions = _functions(synth)
    function_refs = [{"FunctionName": {"Ref": logical_id}} for logical_id, _ in functions.values()]
    for name in ("Errors", "Throttles"):
        assert sorted(metrics[name], key=repr) == sorted(function_refs, key=repr)
    for name in ("ScannerLag", "NotificationsFailed", "StreamRecordsFailed"):
        assert metrics[name] == [{"service": "sladesk"}], name
    stream_function, _ = functions["recompute_timers"]
    assert metrics["IteratorAge"] == [{"FunctionName": {"Ref": stream_function}}]
    queues = [
        _logical_id(synth, "AWS::SQS::Queue", prefix)
        for prefix in ("StreamFailures", "InboundMailFailures")
    ]
    assert sorted(metrics["ApproximateNumberOfMessagesVisible"], key=repr) == sorted(
        ({"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}} for queue in queues), key=repr
    )
    assert metrics["Reputation.BounceRate"] == [{}]
    assert metrics["Reputation.ComplaintRate"] == [{}]


@pytest.mark.parametrize(
    ("metric", "statistic", "comparison", "threshold"),
    [
        ("ScannerLag", "Maximum", "GreaterThanThreshold", 300),
        ("NotificationsFailed", "Sum", "GreaterThanOrEqualToThreshold", 1),
        ("StreamRecordsFailed", "Sum", "GreaterThanOrEqualToThreshold", 1),
    ],
)
@pytest.mark.parametrize("tenant", TENANTS)
def test_the_apps_own_metrics_are_alarmed(stacks, tenant, metric, statistic, comparison, threshold):
    synth = stacks[tenant]
    [alarm] = [
        resource["Properties"]
        for resource in synth.resources("AWS::CloudWatch::Alarm").values()
        if resource["Properties"]["MetricName"] == metric
    ]
    alarm = {key: value for key, value in alarm.items() if key != "Tags"}
    assert alarm == {
        "AlarmActions": [{"Ref": _logical_id(synth, "AWS::SNS::Topic", "OpsTopic")}],
        "ComparisonOperator": comparison,
        "Dimensions": [{"Name": "service", "Value": "sladesk"}],
        "EvaluationPeriods": 1,
        "MetricName": metric,
        "Namespace": f"sladesk/{tenant}",
        "Period": 300,
        "Statistic": statistic,
        "Threshold": threshold,
        "TreatMissingData": "notBreaching",
    }


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_function_logs_json_to_its_own_group_with_the_tenants_retention(stacks, tenant):
    synth = stacks[tenant]
    groups = synth.resources("AWS::Logs::LogGroup")
    used = []
    for _, function in _functions(synth).values():
        config = function["LoggingConfig"]
        assert config["LogFormat"] == "JSON"
        used.append(config["LogGroup"]["Ref"])
        group = groups[config["LogGroup"]["Ref"]]
        assert group["Properties"]["RetentionInDays"] == synth.stack.tenant.log_retention_days
    assert len(set(used)) == len(used)


def _mail_bucket_id(synth):
    """The mail bucket (not its access-log bucket)."""
    return min(
        (key for key in synth.resources("AWS::S3::Bucket") if key.startswith("MailBucket")),
        key=len,
    )


def _secret_ids(synth):
    """Each secret's logical id, by the variable the app reads it from."""
    prefixes = {
        SESSION: "SessionSecret",
        SLACK: "SlackSigningSecret",
        TELEGRAM_HOOK: "TelegramWebhookSecret",
        TELEGRAM_BOT: "TelegramBotToken",
    }
    return {
        name: _logical_id(synth, "AWS::SecretsManager::Secret", prefix)
        for name, prefix in prefixes.items()
    }


def _secret_arn(logical_id):
    """The ARN of one secret of the stack (a secret's ``Ref``)."""
    return {"Ref": logical_id}


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_function_gets_the_variables_its_code_reads_and_no_local_switch(stacks, tenant):
    synth = stacks[tenant]
    tenant_file = synth.stack.tenant
    tables = _table_ids(synth)
    alerts_topic = _logical_id(synth, "AWS::SNS::Topic", "AlertsTopic")
    secrets = _secret_ids(synth)
    for handler, (_, function) in _functions(synth).items():
        variables = function["Environment"]["Variables"]
        expected = {
            **{f"SLADESK_{table.upper()}_TABLE": {"Ref": tables[table]} for table in ALL},
            "SLADESK_ATTACHMENTS_BUCKET": {"Ref": _mail_bucket_id(synth)},
            "SLADESK_MAIL_FROM": tenant_file.mail_from,
            "POWERTOOLS_SERVICE_NAME": "sladesk",
            "POWERTOOLS_METRICS_NAMESPACE": f"sladesk/{tenant}",
            "SLADESK_PUBLIC_URL": tenant_file.public_url,
        }
        wanted_secrets = EXPECTED_ACCESS[handler]["secrets"]
        for name in wanted_secrets:
            expected[f"{name}_ARN"] = _secret_arn(secrets[name])
        if "sns:Publish" in EXPECTED_ACCESS[handler]["services"]:
            expected["SLADESK_ALERTS_TOPIC_ARN"] = {"Ref": alerts_topic}
        assert variables == expected, handler
        assert not set(variables) & LOCAL_ONLY_VARIABLES, handler


def test_every_variable_the_code_reads_is_set_by_the_stack_or_local_only(stacks):
    sources = [REPO_DIR / "app.py", *sorted((REPO_DIR / "chalicelib").rglob("*.py"))]
    read = {
        name
        for path in sources
        for name in re.findall(
            r"[\"'](?:SLADESK|POWERTOOLS|SLACK|TELEGRAM|AWS)_[A-Z_]+[\"']",
            Path(path).read_text(encoding="utf-8"),
        )
    }
    read = {name.strip("\"'") for name in read}
    set_somewhere = {
        name
        for tenant in TENANTS
        for _, function in _functions(stacks[tenant]).values()
        for name in function["Environment"]["Variables"]
    }
    # A secret's own variable is the local stack's and the tests' fallback: a deployed
    # function is given where the secret is instead (``<name>_ARN``).
    assert read >= SECRET_VARIABLES
    assert {f"{name}_ARN" for name in SECRET_VARIABLES} <= set_somewhere
    read -= SECRET_VARIABLES
    assert not set_somewhere & LAMBDA_RESERVED_VARIABLES
    assert read - LOCAL_ONLY_VARIABLES - LAMBDA_RESERVED_VARIABLES <= set_somewhere, (
        "variables the stack does not set"
    )


@pytest.mark.parametrize("tenant", TENANTS)
def test_secrets_are_generated_per_stack_and_never_in_the_template(stacks, tenant):
    synth = stacks[tenant]
    resources = synth.resources("AWS::SecretsManager::Secret")
    assert set(resources) == set(_secret_ids(synth).values())
    for resource in resources.values():
        properties = resource["Properties"]
        assert "SecretString" not in properties
        assert properties["GenerateSecretString"]["PasswordLength"] >= 32
    text = json.dumps(synth.template)
    # The local stack's and the tests' values never reach a deployed stack.
    for literal in ("local-slack-secret", "local-telegram", "test-session-secret"):
        assert literal not in text
    for handler, (_, function) in _functions(synth).items():
        variables = function["Environment"]["Variables"]
        # Only where each secret is: neither a value nor a reference CloudFormation resolves.
        assert not set(variables) & SECRET_VARIABLES, handler
        assert "{{resolve:" not in json.dumps(variables), handler
        for name in SECRET_VARIABLES:
            if f"{name}_ARN" in variables:
                assert variables[f"{name}_ARN"] == _secret_arn(_secret_ids(synth)[name])
    assert "{{resolve:secretsmanager" not in text
    outputs = synth.template["Outputs"]
    for logical_id in _secret_ids(synth).values():
        [name] = [key for key, value in outputs.items() if value["Value"] == {"Ref": logical_id}]
        assert name.endswith("Arn")


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_function_is_traced(stacks, tenant):
    synth = stacks[tenant]
    for handler, (_, function) in _functions(synth).items():
        assert function["Tracing"] == "Active", handler
        tracing = [
            statement
            for statement in _statements(synth, function)
            if set(_listed(statement["Action"])) == set(TRACING_ACTIONS)
        ]
        assert tracing == [
            {"Action": sorted(TRACING_ACTIONS), "Effect": "Allow", "Resource": "*"}
        ], handler


def _listed(value):
    """A policy field as a list (CloudFormation allows a single value)."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_function_has_its_own_role_with_named_actions_on_named_resources(stacks, tenant):
    synth = stacks[tenant]
    roles = set()
    for _, function in _functions(synth).values():
        roles.add(function["Role"]["Fn::GetAtt"][0])
        for statement in _statements(synth, function):
            actions = _listed(statement["Action"])
            assert all("*" not in action for action in actions), actions
            assert "dynamodb:Scan" not in actions
            assert not any(
                action.startswith("secretsmanager:") and action != "secretsmanager:GetSecretValue"
                for action in actions
            )
            # X-Ray's actions take no resource but "*"; every other resource is named.
            if set(actions) != set(TRACING_ACTIONS):
                assert "*" not in _listed(statement["Resource"])
    assert len(roles) == len(_functions(synth))
    # Only the roles this stack makes for its functions, none from Chalice.
    assert set(synth.resources("AWS::IAM::Role")) == roles


def _table_ids(synth):
    """Each table's logical id, by its short name."""
    return {
        table: _logical_id(synth, "AWS::DynamoDB::Table", f"{table.capitalize()}Table")
        for table in ALL
    }


def _granted_tables(synth, function):
    """The tables (short names) a function may read and may write."""
    by_id = {logical_id: table for table, logical_id in _table_ids(synth).items()}
    granted = {"reads": set(), "writes": set()}
    for statement in _statements(synth, function):
        actions = set(_listed(statement["Action"]))
        for kind, wanted in (("reads", TABLE_READ_ACTIONS), ("writes", TABLE_WRITE_ACTIONS)):
            if actions == set(wanted):
                granted[kind] |= {
                    by_id[ref["Fn::GetAtt"][0]]
                    for ref in _listed(statement["Resource"])
                    if "Fn::GetAtt" in ref
                }
    return granted


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_function_is_granted_exactly_what_its_code_touches(stacks, tenant):
    synth = stacks[tenant]
    bucket = _mail_bucket_id(synth)
    alerts_topic = _logical_id(synth, "AWS::SNS::Topic", "AlertsTopic")
    for handler, (_, function) in _functions(synth).items():
        expected = EXPECTED_ACCESS[handler]
        granted = _granted_tables(synth, function)
        assert granted == {"reads": expected["reads"], "writes": expected["writes"]}, handler
        resources_by_action = {}
        for statement in _statements(synth, function):
            for action in _listed(statement["Action"]):
                resources_by_action.setdefault(action, []).extend(_listed(statement["Resource"]))
        assert set(resources_by_action) & SERVICE_ACTIONS == expected["services"], handler
        if "s3:PutObject" in expected["services"]:
            assert resources_by_action["s3:PutObject"] == [
                {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/mail/*"]]}
            ]
        if "s3:GetObject" in expected["services"]:
            # Raw mail for the inbound function; kept attachments (downloads) for the API.
            prefix = "/inbound/*" if handler == "receive_inbound_mail" else "/mail/*"
            assert resources_by_action["s3:GetObject"] == [
                {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, prefix]]}
            ], handler
        if "sns:Publish" in expected["services"]:
            assert resources_by_action["sns:Publish"] == [{"Ref": alerts_topic}], handler
        if "ses:SendRawEmail" in expected["services"]:
            identities = json.dumps(resources_by_action["ses:SendRawEmail"])
            assert synth.stack.tenant.mail_from in identities
            assert len(resources_by_action["ses:SendRawEmail"]) == 2


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_function_may_read_exactly_the_secrets_its_code_reads(stacks, tenant):
    synth = stacks[tenant]
    secrets = _secret_ids(synth)
    for handler, (_, function) in _functions(synth).items():
        wanted = [
            _secret_arn(secrets[name]) for name in sorted(EXPECTED_ACCESS[handler]["secrets"])
        ]
        reading = [
            statement
            for statement in _statements(synth, function)
            if any(action.startswith("secretsmanager:") for action in _listed(statement["Action"]))
        ]
        if not wanted:
            assert reading == [], handler
            continue
        # One statement: GetSecretValue alone, on exactly these secrets; the secrets use
        # Secrets Manager's AWS managed key, so no kms:Decrypt goes with it.
        [statement] = reading
        assert _listed(statement["Action"]) == ["secretsmanager:GetSecretValue"], handler
        granted = _listed(statement["Resource"])
        assert sorted(granted, key=json.dumps) == sorted(wanted, key=json.dumps), handler
    for resource in synth.resources("AWS::SecretsManager::Secret").values():
        assert "KmsKeyId" not in resource["Properties"]


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_known_handler_reaches_exactly_the_tables_it_declares(stacks, tenant):
    synth = stacks[tenant]
    table_ids = {
        f"SLADESK_{table.upper()}_TABLE": logical_id
        for table, logical_id in _table_ids(synth).items()
    }
    for handler, (_, function) in _functions(synth).items():
        if handler not in HANDLER_ACCESS:
            continue
        declared = HANDLER_ACCESS[handler]
        granted = {"read": set(), "write": set()}
        for statement in _statements(synth, function):
            actions = set(_listed(statement["Action"]))
            for kind, wanted in (("read", TABLE_READ_ACTIONS), ("write", TABLE_WRITE_ACTIONS)):
                if actions == set(wanted):
                    granted[kind] |= {
                        ref["Fn::GetAtt"][0]
                        for ref in _listed(statement["Resource"])
                        if "Fn::GetAtt" in ref
                    }
        assert granted["read"] == {table_ids[t] for t in declared.reads}, handler
        index_arns = {
            part
            for statement in _statements(synth, function)
            for ref in _listed(statement["Resource"])
            if "Fn::Join" in ref
            for part in ref["Fn::Join"][1]
            if isinstance(part, str) and part.startswith("/index/")
        }
        if "SLADESK_TIMERS_TABLE" in declared.reads:
            assert {"/index/due", "/index/stopped"} <= index_arns, handler
        assert granted["write"] == {table_ids[t] for t in declared.writes}, handler


@pytest.mark.parametrize("tenant", TENANTS)
def test_only_the_stream_function_reads_the_stream_and_only_intake_reads_raw_mail(stacks, tenant):
    synth = stacks[tenant]
    for handler, (_, function) in _functions(synth).items():
        actions = {
            action
            for statement in _statements(synth, function)
            for action in _listed(statement["Action"])
        }
        assert ("dynamodb:GetRecords" in actions) == (handler == "recompute_timers"), handler
        assert ("sqs:SendMessage" in actions) == (
            handler in {"recompute_timers", "receive_inbound_mail"}
        ), handler
        raw_mail = {
            json.dumps(resource)
            for statement in _statements(synth, function)
            if "s3:GetObject" in _listed(statement["Action"])
            for resource in _listed(statement["Resource"])
            if "/inbound/*" in json.dumps(resource)
        }
        assert bool(raw_mail) == (handler == "receive_inbound_mail"), handler


@pytest.mark.parametrize("tenant", TENANTS)
def test_cdk_nag_reports_no_error(stacks, tenant):
    errors = Annotations.from_stack(stacks[tenant].stack).find_error(
        "*", Match.string_like_regexp("AwsSolutions-.*")
    )
    assert errors == []


def _cfn_lint_findings(synth):
    """Every cfn-lint error, warning and note on one stack's template, in its region."""
    from cfnlint.api import ManualArgs, lint

    matches = lint(
        json.dumps(synth.template),
        config=ManualArgs(regions=[synth.stack.tenant.region]),
    )
    return [str(match) for match in matches]


@pytest.mark.parametrize("tenant", TENANTS)
def test_cfn_lint_passes(stacks, tenant):
    assert _cfn_lint_findings(stacks[tenant]) == []


def test_cfn_lint_passes_on_every_committed_tenant(committed_stacks):
    assert committed_stacks
    for name, synth in committed_stacks.items():
        assert _cfn_lint_findings(synth) == [], name
