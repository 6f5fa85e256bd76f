"""Create the first admin key of a deployed tenant: ``make admin-key TENANT=acme``.

Finds the tenant's config table in its stack's outputs, stores the new key's
hash there (``chalicelib.services.keys``) and prints the key once; it is never
stored or shown again. Uses the caller's AWS credentials for the tenant's account.
"""

from __future__ import annotations

import os
import sys

import boto3

from chalicelib import settings
from infrastructure.tenants import TENANTS_DIR, Tenant, load_tenant

CONFIG_TABLE_OUTPUT = "ConfigTableName"


def config_table_of(tenant: Tenant) -> str:
    """The name of the tenant's deployed config table, from its stack's outputs."""
    cloudformation = boto3.client("cloudformation", region_name=tenant.region)
    [stack] = cloudformation.describe_stacks(StackName=tenant.stack_name)["Stacks"]
    for output in stack.get("Outputs", []):
        if output["OutputKey"] == CONFIG_TABLE_OUTPUT:
            return output["OutputValue"]
    raise LookupError(f"stack {tenant.stack_name} has no {CONFIG_TABLE_OUTPUT} output")


def create_admin_key(tenant: Tenant, name: str = "first admin") -> tuple[str, str]:
    """Store a new admin key in the tenant's config table; answers (key id, key)."""
    os.environ[settings.CONFIG_TABLE] = config_table_of(tenant)
    os.environ[settings.AWS_DEFAULT_REGION] = tenant.region
    from chalicelib.bootstrap import wire_aws
    from chalicelib.services.keys import create_key

    wire_aws()
    return create_key(name, "admin")


def main(argv: list[str]) -> int:
    """``python -m infrastructure.admin_key <tenant>``: print the new key once."""
    if len(argv) != 1:
        print("usage: python -m infrastructure.admin_key <tenant>", file=sys.stderr)
        return 2
    tenant = load_tenant(TENANTS_DIR / f"{argv[0]}.json")
    key_id, key = create_admin_key(tenant)
    print(f"admin key {key_id} for {tenant.name} (shown once, store it now):\n{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
