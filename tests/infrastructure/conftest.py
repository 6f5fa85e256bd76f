"""Two tenants synthesized once per test session, in one process, like ``make synth``.

aws-cdk-lib runs its JavaScript under jsii, which starts ``node``: here the
Node.js LTS that ``infrastructure/package.json`` pins (``make node``), as for
``make synth``, never an unmaintained one on the machine.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

TEST_TENANTS = Path(__file__).parent / "tenants"
PINNED_NODE = (
    Path(__file__).resolve().parents[2] / "infrastructure" / "node_modules" / ".bin" / "node"
)


def _node_for_jsii():
    """The pinned Node, else a maintained LTS on PATH; None when neither is there."""
    if PINNED_NODE.exists():
        return str(PINNED_NODE)
    found = shutil.which("node")
    if found is None:
        return None
    version = subprocess.run(
        [found, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    major = int(version.lstrip("v").split(".")[0] or 0) if version else 0
    return found if major >= 22 and major % 2 == 0 else None


def pytest_configure(config):
    if "JSII_NODE" in os.environ:
        return
    node = _node_for_jsii()
    if node is None:
        raise pytest.UsageError(
            "the CDK tests need a maintained Node.js LTS (22 or newer): run `make node`, "
            "which installs the one infrastructure/package.json pins"
        )
    os.environ["JSII_NODE"] = node


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
    return _synthesized(tmp_path_factory, TEST_TENANTS)


@pytest.fixture(scope="session")
def committed_stacks(tmp_path_factory):
    """The stacks of the tenant files committed in ``infrastructure/tenants/``."""
    from infrastructure.tenants import TENANTS_DIR

    return _synthesized(tmp_path_factory, TENANTS_DIR)


def _synthesized(tmp_path_factory, directory):
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
        built = add_tenants(app, load_tenants(None, directory))
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
