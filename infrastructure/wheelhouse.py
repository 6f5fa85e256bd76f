"""Downloads the Lambda package's wheels for the target runtime (``make wheelhouse``).

Only wheels built for ``infrastructure/runtime.py``'s runtime and architecture:
pip fails, naming the package, when a dependency has none, so a package that
would need compiling (or would not run on Lambda) stops the build here rather
than at deploy time. The synth then installs from this folder alone, offline.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from infrastructure import runtime

REPO_DIR = Path(__file__).resolve().parent.parent


def download_command(destination: Path = runtime.WHEELHOUSE) -> list[str]:
    """The pip command that fills ``destination`` with the target's wheels."""
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        str(REPO_DIR / "requirements.txt"),
        "-c",
        str(REPO_DIR / "constraints.txt"),
        *runtime.pip_target_arguments(),
        "-d",
        str(destination),
    ]


def main() -> int:
    """Download the wheels; pip's own exit status (non-zero names the package without a wheel)."""
    print(
        f"wheelhouse: {runtime.RUNTIME} on {runtime.ARCHITECTURE} "
        f"({runtime.WHEEL_PLATFORM}) -> {runtime.WHEELHOUSE.relative_to(REPO_DIR)}"
    )
    return subprocess.run(download_command(), check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
