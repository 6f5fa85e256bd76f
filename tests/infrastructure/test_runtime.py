"""The Lambda target: a runtime AWS supports for a year yet, and a package built for it.

Fast (no synth): the stacks' own ``Runtime`` and ``Architectures`` are asserted in
``test_stacks.py``.
"""

import ast
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from infrastructure import runtime
from infrastructure.packaging import MissingWheelError, install_dependencies
from infrastructure.wheelhouse import download_command

REPO_DIR = Path(__file__).resolve().parents[2]
# Standard library modules that are gone by Python 3.13: PEP 594's "dead batteries"
# (removed in 3.13), lib2to3 and tkinter.tix (3.13), and what 3.12 removed before them
# (distutils, imp, asyncore, asynchat, smtpd; PEP 632 and the 3.12 release notes).
REMOVED_BY_3_13 = frozenset(
    {
        *("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib"),
        *("nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib"),
        *("uu", "xdrlib", "lib2to3", "tkinter.tix"),
        *("distutils", "imp", "asyncore", "asynchat", "smtpd"),
    }
)

# How long before its deprecation a runtime must be left: a year lets a release,
# a round of tenant deploys and a customer's change window pass before AWS blocks updates.
NOTICE = timedelta(days=365)


def _lifecycle():
    """cfn-lint's record of every Lambda runtime's deprecation, blocks and successor."""
    import cfnlint.data.AdditionalSpecs

    path = Path(cfnlint.data.AdditionalSpecs.__file__).parent / "LmbdRuntimeLifecycle.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_runtime_is_python_3_13_or_newer():
    match = re.fullmatch(r"python3\.(\d+)", runtime.RUNTIME)
    assert match, runtime.RUNTIME
    assert int(match.group(1)) >= 13
    assert runtime.RUNTIME.removeprefix("python") == runtime.PYTHON_VERSION
    assert "cp3" + match.group(1) == runtime.ABI


def test_the_runtime_is_more_than_a_year_from_deprecation():
    lifecycle = _lifecycle()
    assert runtime.RUNTIME in lifecycle, f"cfn-lint does not know {runtime.RUNTIME}"
    dates = lifecycle[runtime.RUNTIME]
    deprecated = date.fromisoformat(dates["deprecated"])
    successor = dates["successor"]
    assert date.today() < deprecated - NOTICE, (
        f"{runtime.RUNTIME} is deprecated on Lambda on {deprecated} (new functions blocked "
        f"from {dates['create-block']}, updates from {dates['update-block']}): move "
        f"infrastructure/runtime.py's RUNTIME to {successor or 'its successor'} "
        "(docs/runtime.md, 'Moving to the next runtime')"
    )


def test_the_wheelhouse_holds_wheels_for_the_target_only():
    command = download_command(Path("/wheels"))
    assert command[command.index("--platform") + 1] == runtime.WHEEL_PLATFORM
    assert command[command.index("--python-version") + 1] == runtime.PYTHON_VERSION
    assert command[command.index("--abi") + 1] == runtime.ABI
    assert "--only-binary=:all:" in command
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[runtime.ARCHITECTURE]
    assert f"manylinux2014_{machine}" == runtime.WHEEL_PLATFORM


def test_the_functions_run_on_graviton():
    # docs/runtime.md, "Architecture": arm64 is the decision.
    assert runtime.ARCHITECTURE == "arm64"
    assert runtime.WHEEL_PLATFORM == "manylinux2014_aarch64"


def test_packaging_fails_loudly_when_a_dependency_has_no_wheel_for_the_target(tmp_path):
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("MarkupSafe==3.0.4\n", encoding="utf-8")
    with pytest.raises(MissingWheelError, match=r"(?is)markupsafe.*") as raised:
        install_dependencies(str(requirements), str(tmp_path / "site"), wheelhouse)
    assert runtime.RUNTIME in str(raised.value)
    assert not (tmp_path / "site" / "markupsafe").exists()


@pytest.mark.skipif(
    not any(runtime.WHEELHOUSE.glob("*.whl")), reason="no wheelhouse: run `make wheelhouse`"
)
def test_the_wheelhouse_installs_binaries_for_the_target(tmp_path):
    site = tmp_path / "site"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic-core\n", encoding="utf-8")
    install_dependencies(str(requirements), str(site), runtime.WHEELHOUSE)
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[runtime.ARCHITECTURE]
    [extension] = (site / "pydantic_core").glob("*.so")
    assert extension.name.endswith(f".cpython-{runtime.ABI[2:]}-{machine}-linux-gnu.so")
    # Nothing compiled for the interpreter running the build.
    assert not list(site.rglob(f"*.cpython-{sys.version_info[0]}{sys.version_info[1]}.pyc"))


def _imported_modules(tree):
    """Every module a module imports: import statements anywhere, and literal dynamic imports."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def _removed(name):
    parts = name.split(".")
    return any(".".join(parts[:end]) in REMOVED_BY_3_13 for end in range(1, len(parts) + 1))


def test_the_code_imports_nothing_python_3_13_removed():
    sources = [REPO_DIR / "app.py", *sorted((REPO_DIR / "chalicelib").rglob("*.py"))]
    found = {
        f"{path.relative_to(REPO_DIR)}: {name}"
        for path in sources
        for name in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if _removed(name)
    }
    assert found == set()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import cgi", ["cgi"]),
        ("from distutils import version", ["distutils", "distutils.version"]),
        ("def f():\n    import telnetlib", ["telnetlib"]),
        ("importlib.import_module('lib2to3.pgen2')", ["lib2to3.pgen2"]),
        ("from tkinter import tix", ["tkinter.tix"]),
        ("import email.message\nfrom imaplib import IMAP4", []),
    ],
)
def test_the_removed_module_check_sees_every_kind_of_import(source, found):
    names = [name for name in _imported_modules(ast.parse(source)) if _removed(name)]
    assert names == found
