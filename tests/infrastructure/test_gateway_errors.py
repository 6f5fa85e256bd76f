"""What API Gateway answers itself answers in the contract's error shape on every stack.

Slow: uses the session's synthesized stacks (``conftest.py``).
"""

import copy
import json

import pytest

from devstack.api_server import NO_SUCH_ROUTE_BODY, NO_SUCH_ROUTE_STATUS

pytestmark = pytest.mark.slow

TENANTS = ["acme", "globex"]
# API Gateway substitutes ``$context.error.messageString`` with its message in double quotes.
GATEWAY_MESSAGE = "Gateway says no"
MESSAGE_STRING = "$context.error.messageString"
# Response type: (status, or None for the gateway's own; code; message, None for the gateway's).
EXPECTED = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found", "no such route"),
    "REQUEST_TOO_LARGE": ("413", "payload_too_large", "the request is too large"),
    "THROTTLED": ("429", "throttled", "too many requests; retry later"),
    "DEFAULT_4XX": (None, "bad_request", None),
    "DEFAULT_5XX": (None, "internal_error", None),
}


def _gateway_responses(synth):
    [api] = synth.resources("AWS::Serverless::Api").values()
    return api["Properties"]["GatewayResponses"]


def _rendered(template):
    """The body API Gateway sends for ``template``, with ``GATEWAY_MESSAGE`` as its message."""
    return json.loads(template.replace(MESSAGE_STRING, json.dumps(GATEWAY_MESSAGE)))


@pytest.mark.parametrize("tenant", TENANTS)
def test_gateway_errors_answer_the_contracts_error_shape(stacks, tenant):
    responses = _gateway_responses(stacks[tenant])
    assert set(responses) == set(EXPECTED)
    for response_type, (status, code, message) in EXPECTED.items():
        response = responses[response_type]
        assert response.get("StatusCode") == status, response_type
        assert response["ResponseParameters"] == {
            "Headers": {"Content-Type": "'application/json'"}
        }, response_type
        [(content_type, template)] = response["ResponseTemplates"].items()
        assert content_type == "application/json"
        # Valid JSON once the gateway's quoted message is in, and the contract's shape exactly.
        assert _rendered(template) == {
            "error": {"code": code, "message": message or GATEWAY_MESSAGE}
        }, response_type
        assert (MESSAGE_STRING in template) == (message is None), response_type


@pytest.mark.parametrize("tenant", TENANTS)
def test_sam_puts_the_gateway_responses_into_the_deployed_apis_definition(
    stacks, tenant, monkeypatch
):
    # In the definition, a changed response changes the deployment's hash and is deployed
    # with the API (a separate GatewayResponse resource would wait for another deployment).
    from samtranslator.translator.transform import transform

    synth = stacks[tenant]
    [(logical_id, api)] = synth.resources("AWS::Serverless::Api").items()
    monkeypatch.setenv("AWS_DEFAULT_REGION", synth.stack.tenant.region)

    class NoManagedPolicies:
        def load(self):
            return {}

    translated = transform(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {logical_id: copy.deepcopy(api)},
        },
        {},
        NoManagedPolicies(),
    )
    [rest_api] = [
        resource
        for resource in translated["Resources"].values()
        if resource["Type"] == "AWS::ApiGateway::RestApi"
    ]
    deployed = rest_api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert set(deployed) == set(EXPECTED)
    missing_route = deployed["MISSING_AUTHENTICATION_TOKEN"]
    assert missing_route["statusCode"] == "404"
    assert missing_route["responseParameters"] == {
        "gatewayresponse.header.Content-Type": "'application/json'"
    }
    assert _rendered(missing_route["responseTemplates"]["application/json"]) == {
        "error": {"code": "not_found", "message": "no such route"}
    }
    assert not any(
        resource["Type"] == "AWS::ApiGateway::GatewayResponse"
        for resource in translated["Resources"].values()
    )


def test_the_local_stack_answers_a_path_no_route_has_as_deployed_stacks_do(stacks):
    response = _gateway_responses(stacks["acme"])["MISSING_AUTHENTICATION_TOKEN"]
    assert int(response["StatusCode"]) == NO_SUCH_ROUTE_STATUS
    assert _rendered(response["ResponseTemplates"]["application/json"]) == NO_SUCH_ROUTE_BODY
