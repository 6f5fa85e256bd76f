"""Per-client rate limits on the API stage: an AWS WAF web ACL of rate-based rules.

API Gateway's stage throttle (``gateway.py``) is shared by every client, so
one client could use it up and lock every requester out of the form. These
rules count the requests of each client (source IP address) over 5 minutes:
one limit for every route, and tighter ones for the public request form,
sign-in and the requester's status pages (the tenant file's
``client_rate_limits``). A client over a limit is answered 429 in the
contract's error shape (``docs/api.md``, "Limits") until its rate falls.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infrastructure.gateway import GATEWAY_ERRORS, gateway_response_body
from infrastructure.tenants import ClientRateLimits

# WAF's evaluation window of the rate-based rules, and the key of the answer's body.
WINDOW_SECONDS = 300
THROTTLED_BODY = "throttled"
# Route groups with a limit of their own: how their paths are told apart. A path seen
# through the stage's own address starts with the stage (``/api/login``), through a
# custom domain it does not (``/login``): the matches hold for both.
ROUTE_GROUPS = (
    ("intake_form", "CONTAINS", "/form/"),  # /intake/form/{board_id}, /form/{board_id}
    ("login", "ENDS_WITH", "/login"),
    ("status", "CONTAINS", "/status/"),
)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


def _path_match(operator: str, text: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint=operator,
            search_string=text,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE"),
                wafv2.CfnWebACL.TextTransformationProperty(priority=1, type="LOWERCASE"),
            ],
        )
    )


def _rate_rule(
    name: str,
    priority: int,
    limit: int,
    scope_down: wafv2.CfnWebACL.StatementProperty | None = None,
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP",
                limit=limit,
                evaluation_window_sec=WINDOW_SECONDS,
                scope_down_statement=scope_down,
            )
        ),
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429, custom_response_body_key=THROTTLED_BODY
                )
            )
        ),
        visibility_config=_visibility(f"sladesk-{name}"),
    )


def rules(limits: ClientRateLimits) -> list[wafv2.CfnWebACL.RuleProperty]:
    """The rate-based rules: each route group's own limit first, then every route's."""
    found = [
        _rate_rule(
            f"{group.replace('_', '-')}-per-client",
            priority,
            getattr(limits, group),
            _path_match(operator, text),
        )
        for priority, (group, operator, text) in enumerate(ROUTE_GROUPS)
    ]
    found.append(_rate_rule("all-routes-per-client", len(ROUTE_GROUPS), limits.all_routes))
    return found


def add_client_rate_limits(
    scope: Construct, limits: ClientRateLimits, rest_api_logical_id: str
) -> wafv2.CfnWebACL:
    """The web ACL with ``limits``, associated with the stage of the packaged REST API."""
    _, code, message = GATEWAY_ERRORS["THROTTLED"]
    acl = wafv2.CfnWebACL(
        scope,
        "ClientRateLimits",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        custom_response_bodies={
            THROTTLED_BODY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON", content=gateway_response_body(code, message)
            )
        },
        rules=rules(limits),
        visibility_config=_visibility("sladesk-client-rate-limits"),
    )
    # ``<api>.Stage`` is SAM's name for the stage it creates for the API (its name, as Ref).
    wafv2.CfnWebACLAssociation(
        scope,
        "ClientRateLimitsAssociation",
        resource_arn=cdk.Fn.sub(
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
            f"${{{rest_api_logical_id}}}/stages/${{{rest_api_logical_id}.Stage}}"
        ),
        web_acl_arn=acl.attr_arn,
    )
    return acl
