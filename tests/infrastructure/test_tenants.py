"""Tenant files: the schema refuses bad files with the field named, defaults fill the rest."""

import json

import pytest

from infrastructure.tenants import (
    TENANTS_DIR,
    ClientRateLimits,
    FunctionLimits,
    TenantError,
    load_tenant,
    load_tenants,
    parse_tenant,
)

VALID = {
    "name": "acme",
    "account": "111111111111",
    "region": "eu-west-1",
    "mail": {"from": "Support@acme.example", "inbound_domain": "help.acme.example"},
    "public_url": "https://help.acme.example",
    "alert_subscribers": ["ops@acme.example"],
}


def test_every_committed_tenant_file_is_valid():
    assert [tenant.name for tenant in load_tenants()] == sorted(
        path.stem for path in TENANTS_DIR.glob("*.json")
    )


def test_defaults_come_from_the_schema():
    tenant = parse_tenant(VALID, "acme.json")
    assert tenant.mail_from == "support@acme.example"
    assert tenant.inbound_retention_days == 30
    assert tenant.log_retention_days == 90
    assert (tenant.api_throttle.rate_limit, tenant.api_throttle.burst_limit) == (50, 100)
    assert (tenant.form_throttle.rate_limit, tenant.form_throttle.burst_limit) == (2, 5)
    assert tenant.public_url == "https://help.acme.example"
    assert tenant.schedules == {}
    assert tenant.stack_name == "Sladesk-acme"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"account": "12345"}, "account"),
        ({"region": "Europe"}, "region"),
        ({"log_retention_days": 42}, "log_retention_days"),
        # Secrets are read at run time: there is no revision to raise any more.
        ({"secrets_revision": 2}, "(top level)"),
        ({"alert_subscribers": []}, "alert_subscribers"),
        ({"schedules": {"breach_scan": "every minute"}}, "schedules.breach_scan"),
        ({"mail": {"from": "support@acme.example"}}, "mail"),
        ({"colour": "blue"}, "(top level)"),
        ({"public_url": "http://help.acme.example"}, "public_url"),
        # Every handler of app.py has its limits in the schema; a name it lacks is a typo.
        ({"functions": {"breach_scanner": {"timeout_seconds": 30}}}, "functions"),
        (
            {"functions": {"breach_scan": {"timeout_seconds": 901}}},
            "functions.breach_scan.timeout_seconds",
        ),
        (
            {"functions": {"api_handler": {"reserved_concurrency": 0}}},
            "functions.api_handler.reserved_concurrency",
        ),
        # WAF's smallest rate-based limit is 10 requests per window.
        ({"client_rate_limits": {"login": 5}}, "client_rate_limits.login"),
    ],
)
def test_a_bad_field_is_refused_by_name(change, named):
    with pytest.raises(TenantError) as refusal:
        parse_tenant({**VALID, **change}, "acme.json")
    assert "acme.json is not a valid tenant file" in str(refusal.value)
    assert f"  {named}:" in str(refusal.value)


def test_a_tenant_without_its_public_address_is_refused():
    # Links in mail and on pages need it; API Gateway's own address has a path (/api).
    document = {key: value for key, value in VALID.items() if key != "public_url"}
    with pytest.raises(TenantError, match="'public_url' is a required property"):
        parse_tenant(document, "acme.json")


def test_the_name_must_match_the_file(tmp_path):
    path = tmp_path / "globex.json"
    path.write_text(json.dumps(VALID))
    with pytest.raises(TenantError, match="must match the file name 'globex'"):
        load_tenant(path)


def test_a_file_that_is_not_json_or_missing_is_refused(tmp_path):
    (tmp_path / "acme.json").write_text("{nope")
    with pytest.raises(TenantError, match="is not JSON"):
        load_tenant(tmp_path / "acme.json")
    with pytest.raises(TenantError, match="no such tenant file"):
        load_tenants(["missing"], tmp_path)


def test_every_function_has_a_timeout_and_reserved_concurrency_by_default():
    limits = parse_tenant(VALID, "acme.json").function_limits
    assert limits == {
        "api_handler": FunctionLimits(timeout_seconds=29, reserved_concurrency=50),
        "recompute_timers": FunctionLimits(timeout_seconds=120, reserved_concurrency=20),
        "receive_inbound_mail": FunctionLimits(timeout_seconds=60, reserved_concurrency=10),
        "breach_scan": FunctionLimits(timeout_seconds=60, reserved_concurrency=1),
        "daily_digest": FunctionLimits(timeout_seconds=300, reserved_concurrency=1),
        "aggregate_compliance": FunctionLimits(timeout_seconds=300, reserved_concurrency=1),
    }
    # Lambda keeps 100 executions of an account unreserved.
    assert sum(limit.reserved_concurrency for limit in limits.values()) <= 900


def test_a_tenant_sets_one_field_of_a_function_and_keeps_the_other():
    tenant = parse_tenant(
        {**VALID, "functions": {"receive_inbound_mail": {"timeout_seconds": 120}}}, "acme.json"
    )
    assert tenant.function_limits["receive_inbound_mail"] == FunctionLimits(
        timeout_seconds=120, reserved_concurrency=10
    )
    assert tenant.function_limits["api_handler"].timeout_seconds == 29


def test_client_rate_limits_default_tighter_on_the_public_routes():
    limits = parse_tenant(VALID, "acme.json").client_rate_limits
    assert limits == ClientRateLimits(all_routes=3000, intake_form=60, login=30, status=300)
    chosen = parse_tenant({**VALID, "client_rate_limits": {"login": 10}}, "acme.json")
    assert chosen.client_rate_limits.login == 10
    assert chosen.client_rate_limits.all_routes == 3000
