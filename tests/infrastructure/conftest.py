"""Two tenants synthesized once per test session, in one process, like ``make synth``."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

TEST_TENANTS = Path(__file__).parent / "tenants"


@dataclass
class Synthesized:
    """One tenant's stack, its template as JSON and as an assertions ``Template``."""

    stack: object
    template: dict
    assertions: object

    def resources(self, kind):
        """Every resource of ``kind``, by logical id."""
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == kind
        }


@pytest.fixture(scope="session")
def stacks(tmp_path_factory):
    """The acme and globex stacks, synthesized together (the app module is imported once)."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infrastructure.cdk_app import add_tenants
    from infrastructure.tenants import load_tenants

    workdir = tmp_path_factory.mktemp("synth")
    cwd = Path.cwd()
    # Chalice's construct writes chalice.out/ into the working directory.
    os.chdir(workdir)
    try:
        app = cdk.App(outdir=str(workdir / "cdk.out"))
        built = add_tenants(app, load_tenants(None, TEST_TENANTS))
        assembly = app.synth()
    finally:
        os.chdir(cwd)
    return {
        stack.tenant.name: Synthesized(
            stack=stack,
            template=assembly.get_stack_by_name(stack.stack_name).template,
            assertions=Template.from_stack(stack),
        )
        for stack in built
    }
