"""How ``chalice package`` builds the Lambda package inside a synth: for the target, offline.

Chalice packages for the interpreter that runs it: ``Config.lambda_python_version``
is read from ``sys.version_info``, and it decides both every function's
``Runtime`` and which wheels go into the package. A synth runs on the
development Python (3.11), the functions on ``infrastructure/runtime.py``'s
runtime, so while packaging this module tells Chalice the target instead.

Chalice's own dependency step also only warns when a dependency has no wheel
for Lambda and deploys a package without it. Here the dependencies are
installed from the wheelhouse (``make wheelhouse``) with pip, for the target
platform and wheels only, and a missing wheel stops the synth with pip's words.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chalice.config import Config
from chalice.deploy.packager import DependencyBuilder

from infrastructure import runtime


class MissingWheelError(RuntimeError):
    """A dependency has no wheel for the target runtime and architecture in the wheelhouse."""


def install_command(requirements: str, target: str, wheelhouse: Path) -> list[str]:
    """pip installing ``requirements`` into ``target`` from ``wheelhouse`` for the Lambda target."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-index",
        "--find-links",
        str(wheelhouse),
        "--no-compile",  # the package must not carry this interpreter's bytecode
        "--target",
        target,
        *runtime.pip_target_arguments(),
        "-r",
        requirements,
    ]


def install_dependencies(requirements: str, target: str, wheelhouse: Path) -> None:
    """Install the target's wheels into ``target``; raise when one is missing."""
    completed = subprocess.run(  # noqa: S603 - a fixed pip command
        install_command(requirements, target, wheelhouse),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise MissingWheelError(
            f"cannot build the Lambda package for {runtime.RUNTIME} on {runtime.ARCHITECTURE}: "
            f"pip found no wheel for every dependency in {wheelhouse} "
            f"(run `make wheelhouse`; a dependency without a {runtime.WHEEL_PLATFORM} wheel "
            f"for {runtime.ABI} cannot be deployed):\n{completed.stderr.strip()}"
        )


def _build_site_packages(
    self: DependencyBuilder, abi: str, requirements_filepath: str, target_directory: str
) -> None:
    """Stands in for ``DependencyBuilder.build_site_packages`` while a synth packages."""
    if abi != runtime.ABI:
        raise MissingWheelError(f"Chalice asked for {abi} wheels, the target is {runtime.ABI}")
    install_dependencies(requirements_filepath, target_directory, runtime.WHEELHOUSE)


@contextmanager
def _replaced(owner: type, name: str, value: Any) -> Iterator[None]:
    original = owner.__dict__[name]
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def packaging_for_lambda(region: str) -> Iterator[None]:
    """While Chalice packages: the target runtime, the wheelhouse only, the tenant's region."""
    if not any(runtime.WHEELHOUSE.glob("*.whl")):
        raise FileNotFoundError(f"{runtime.WHEELHOUSE} has no wheels: run `make wheelhouse` first")
    # Chalice also copies the stage's variables (CDK tokens here) into the
    # process environment: restore all of it, so nothing leaks into the next stack.
    saved = dict(os.environ)
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        # Chalice derives the runtime from sys.version_info (the interpreter running
        # the synth); the functions run on the runtime chosen in infrastructure/runtime.py.
        with (
            _replaced(Config, "lambda_python_version", property(lambda _: runtime.RUNTIME)),
            _replaced(DependencyBuilder, "build_site_packages", _build_site_packages),
        ):
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
