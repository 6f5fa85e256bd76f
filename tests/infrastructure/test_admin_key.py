"""The first admin key of a deployed tenant: stored as a hash in its config table, shown once."""

import json
from pathlib import Path

import boto3
from moto import mock_aws

from chalicelib.adapters.tables import create_tables
from chalicelib.services.keys import authenticate, hash_key
from infrastructure.admin_key import create_admin_key
from infrastructure.tenants import load_tenant

GLOBEX = Path(__file__).parent / "tenants" / "globex.json"


def test_the_key_works_against_the_tables_the_stack_outputs(monkeypatch):
    tenant = load_tenant(GLOBEX)
    # The command points the process at the tenant's table and region; restore both after.
    monkeypatch.setenv("SLADESK_CONFIG_TABLE", "globex-config")
    monkeypatch.setenv("AWS_DEFAULT_REGION", tenant.region)
    with mock_aws():
        # GIVEN a deployed stack whose outputs name its config table
        create_tables()
        boto3.client("cloudformation", region_name=tenant.region).create_stack(
            StackName=tenant.stack_name,
            TemplateBody=json.dumps(
                {
                    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                    "Outputs": {"ConfigTableName": {"Value": "globex-config"}},
                }
            ),
        )
        monkeypatch.setenv("SLADESK_CONFIG_TABLE", "unset-until-the-command-reads-the-stack")

        # WHEN the command creates the first admin key
        key_id, key = create_admin_key(tenant)

        # THEN the key authenticates as admin, and only its hash is stored
        assert authenticate(key).role == "admin"
        items = boto3.client("dynamodb").scan(TableName="globex-config")["Items"]
        stored = json.dumps(items)
        assert key not in stored
        assert hash_key(key) in stored
        assert key_id
