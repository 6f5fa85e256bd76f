"""Tenant files: the schema refuses bad files with the field named, defaults fill the rest."""

import json

import pytest

from infrastructure.tenants import TENANTS_DIR, TenantError, load_tenant, load_tenants, parse_tenant

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
