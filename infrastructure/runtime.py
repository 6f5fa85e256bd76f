"""The Lambda runtime and architecture every function of every stack runs on: chosen here, once.

Nothing infers the runtime from the interpreter that runs ``make``: development
and the tests run on the machine's Python 3.11, the functions on ``RUNTIME``.
The wheelhouse (``python -m infrastructure.wheelhouse``), Chalice's packager
(``infrastructure/packaging.py``) and the synth tests all read this module.
``docs/runtime.md`` says why these values and how to move to the next runtime;
a test fails once ``RUNTIME`` is less than a year from its deprecation.
"""

from __future__ import annotations

from pathlib import Path

# The Lambda runtime identifier (``Runtime`` of every function).
RUNTIME = "python3.13"
# Graviton (``docs/runtime.md``, "Architecture"): about 20 % cheaper per GB-second.
ARCHITECTURE = "arm64"

# pip's names for the target: its Python version, ABI and the manylinux platform of
# the Lambda architecture (Lambda's Amazon Linux 2023 has glibc 2.34, newer than 2014's 2.17).
PYTHON_VERSION = RUNTIME.removeprefix("python")
ABI = "cp" + PYTHON_VERSION.replace(".", "")
WHEEL_PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
WHEEL_PLATFORM = WHEEL_PLATFORMS[ARCHITECTURE]

# The wheels for this target only, one folder per target, so a change of runtime or
# architecture downloads a fresh set instead of mixing two.
WHEELHOUSE = Path(__file__).resolve().parent / "wheelhouse" / f"{RUNTIME}-{ARCHITECTURE}"


def pip_target_arguments() -> list[str]:
    """pip's options that select wheels for the Lambda target, never for this interpreter."""
    return [
        "--only-binary=:all:",
        "--platform",
        WHEEL_PLATFORM,
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--abi",
        ABI,
    ]
