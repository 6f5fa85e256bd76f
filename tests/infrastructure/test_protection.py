"""What keeps one stack working whatever a stranger sends: bounds, failure queues, WAF, alarms.

Slow: uses the session's synthesized stacks (``conftest.py``).
"""

import copy
import json

import pytest

from infrastructure.redrive_mail import (
    INBOUND_MAIL_HANDLER,
    MAIL_FAILURES_OUTPUT,
    MAIL_FUNCTION_OUTPUT,
)
from tests.infrastructure.template import functions as _functions
from tests.infrastructure.template import logical_id as _logical_id
from tests.infrastructure.template import statements as _statements

pytestmark = pytest.mark.slow

TENANTS = ["acme", "globex"]
THROTTLED = {"error": {"code": "throttled", "message": "too many requests; retry later"}}


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_function_has_the_tenants_timeout_and_reserved_concurrency(stacks, tenant):
    synth = stacks[tenant]
    limits = synth.stack.tenant.function_limits
    functions = _functions(synth)
    assert set(functions) == set(limits)
    for handler, (_, function) in functions.items():
        assert function["Timeout"] == limits[handler].timeout_seconds, handler
        assert function["ReservedConcurrentExecutions"] == limits[handler].reserved_concurrency
    # The schema's defaults, and one tenant's own choices.
    mail_timeout = functions[INBOUND_MAIL_HANDLER][1]["Timeout"]
    assert mail_timeout == {"acme": 60, "globex": 120}[tenant]
    assert (
        functions["api_handler"][1]["ReservedConcurrentExecutions"]
        == {
            "acme": 50,
            "globex": 20,
        }[tenant]
    )
    # API Gateway gives up on an answer after 29 s: the API never runs longer.
    assert functions["api_handler"][1]["Timeout"] <= 29
    assert functions["breach_scan"][1]["ReservedConcurrentExecutions"] == 1


@pytest.mark.parametrize("tenant", TENANTS)
def test_inbound_mail_that_fails_lands_in_its_own_alarmed_queue(stacks, tenant):
    synth = stacks[tenant]
    queue = _logical_id(synth, "AWS::SQS::Queue", "InboundMailFailures")
    properties = synth.resources("AWS::SQS::Queue")[queue]["Properties"]
    assert properties["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert properties["SqsManagedSseEnabled"] is True
    mail_id, mail = _functions(synth)[INBOUND_MAIL_HANDLER]
    configs = synth.resources("AWS::Lambda::EventInvokeConfig")
    # Only the SNS-fed function is invoked asynchronously for an event that must not be lost.
    assert [config["Properties"] for config in configs.values()] == [
        {
            "FunctionName": {"Ref": mail_id},
            "Qualifier": "$LATEST",
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}},
        }
    ]
    sending = [
        statement["Resource"]
        for statement in _statements(synth, mail)
        if statement["Action"] == "sqs:SendMessage"
    ]
    assert sending == [{"Fn::GetAtt": [queue, "Arn"]}]
    [alarm] = [
        resource["Properties"]
        for resource in synth.resources("AWS::CloudWatch::Alarm").values()
        if resource["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    ]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Threshold"] == 1
    assert alarm["AlarmActions"] == [{"Ref": _logical_id(synth, "AWS::SNS::Topic", "OpsTopic")}]
    # What the re-drive command reads (docs/operations.md).
    outputs = synth.template["Outputs"]
    assert outputs[MAIL_FAILURES_OUTPUT]["Value"] == {"Ref": queue}
    assert outputs[MAIL_FUNCTION_OUTPUT]["Value"] == {"Ref": mail_id}


@pytest.mark.parametrize("tenant", TENANTS)
def test_ses_complaint_rate_is_alarmed_beside_the_bounce_rate(stacks, tenant):
    synth = stacks[tenant]
    alarms = {
        resource["Properties"]["MetricName"]: resource["Properties"]
        for resource in synth.resources("AWS::CloudWatch::Alarm").values()
        if resource["Properties"].get("Namespace") == "AWS/SES"
    }
    assert set(alarms) == {"Reputation.BounceRate", "Reputation.ComplaintRate"}
    assert alarms["Reputation.ComplaintRate"]["Threshold"] == 0.001
    assert alarms["Reputation.BounceRate"]["Threshold"] == 0.05
    for alarm in alarms.values():
        assert alarm["Statistic"] == "Maximum"
        assert alarm["AlarmActions"] == [{"Ref": _logical_id(synth, "AWS::SNS::Topic", "OpsTopic")}]


def _web_acl(synth):
    [(logical_id, acl)] = synth.resources("AWS::WAFv2::WebACL").items()
    return logical_id, acl["Properties"]


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_client_is_rate_limited_and_tighter_on_the_public_routes(stacks, tenant):
    synth = stacks[tenant]
    limits = synth.stack.tenant.client_rate_limits
    _, acl = _web_acl(synth)
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}
    body_key = "throttled"
    body = acl["CustomResponseBodies"][body_key]
    assert body["ContentType"] == "APPLICATION_JSON"
    assert json.loads(body["Content"]) == THROTTLED
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    expected = {
        "intake-form-per-client": (limits.intake_form, "CONTAINS", "/form/"),
        "login-per-client": (limits.login, "ENDS_WITH", "/login"),
        "status-per-client": (limits.status, "CONTAINS", "/status/"),
        "all-routes-per-client": (limits.all_routes, None, None),
    }
    assert set(rules) == set(expected)
    for name, (limit, operator, text) in expected.items():
        rule = rules[name]
        statement = rule["Statement"]["RateBasedStatement"]
        assert statement["AggregateKeyType"] == "IP", name
        assert statement["Limit"] == limit, name
        assert statement["EvaluationWindowSec"] == 300, name
        assert rule["Action"] == {
            "Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": body_key}}
        }, name
        match = statement.get("ScopeDownStatement", {}).get("ByteMatchStatement")
        if operator is None:
            assert match is None
            continue
        assert match["FieldToMatch"] == {"UriPath": {}}, name
        assert (match["PositionalConstraint"], match["SearchString"]) == (operator, text)
        assert limit < limits.all_routes, name
    # The tighter rules are evaluated before the one for every route.
    assert rules["all-routes-per-client"]["Priority"] == max(r["Priority"] for r in acl["Rules"])
    assert len({rule["Priority"] for rule in acl["Rules"]}) == len(rules)
    if tenant == "globex":
        assert (limits.intake_form, limits.login) == (20, 10)


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_web_acl_guards_the_apis_stage_once_sam_made_it(stacks, tenant, monkeypatch):
    from samtranslator.translator.transform import transform

    synth = stacks[tenant]
    acl_id, _ = _web_acl(synth)
    [association] = synth.resources("AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    [(api_id, api)] = synth.resources("AWS::Serverless::Api").items()

    class NoManagedPolicies:
        def load(self):
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", synth.stack.tenant.region)
    translated = transform(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {api_id: copy.deepcopy(api), "Association": copy.deepcopy(association)},
        },
        {},
        NoManagedPolicies(),
    )
    [stage] = [
        logical_id
        for logical_id, resource in translated["Resources"].items()
        if resource["Type"] == "AWS::ApiGateway::Stage"
    ]
    arn = translated["Resources"]["Association"]["Properties"]["ResourceArn"]
    # SAM resolved the API's stage: the association names it, so it is made after the stage.
    assert arn == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
        f"${{{api_id}}}/stages/${{{stage}}}"
    }
