"""The CDK app: one stack per tenant file, checked with cdk-nag's AwsSolutions pack.

``cdk.json`` runs ``python -m infrastructure.cdk_app`` (not ``app``: that name is
the Chalice app's, which the construct imports);
``make synth TENANT=acme`` passes the tenant as CDK context (``-c tenant=acme``),
and without it every tenant in ``infrastructure/tenants/`` is built.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infrastructure.stack import SladeskStack
from infrastructure.tenants import TENANTS_DIR, Tenant, load_tenants

# Chalice's construct packages the app into ./chalice.out on every synth.
CHALICE_OUT = Path.cwd() / "chalice.out"


def add_tenants(app: cdk.App, tenants: list[Tenant]) -> list[SladeskStack]:
    """One stack per tenant in ``app``, with the AwsSolutions checks applied to all of them."""
    stacks = [SladeskStack(app, tenant) for tenant in tenants]
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return stacks


def main() -> None:
    """Synthesize the tenant named in the context (or all of them) and clean up after Chalice."""
    app = cdk.App()
    name = app.node.try_get_context("tenant")
    try:
        add_tenants(app, load_tenants([name] if name else None, TENANTS_DIR))
        app.synth()
    finally:
        shutil.rmtree(CHALICE_OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
