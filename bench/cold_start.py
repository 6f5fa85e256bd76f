"""Cold start: how long importing ``app.py`` takes, beside a bare Chalice app with boto3.

A Lambda cold start pays the import of the handler's module once. Each
repeat runs a fresh interpreter with ``python -X importtime -c "import app"``
and one with a bare app (``Chalice(...)`` and ``import boto3``, nothing else),
alternating so that both see the same machine, and reads the cumulative
import time of the top-level module from ``-X importtime``'s report (the
interpreter's own start-up is left out). The process's wall time is shown
too. Target: sladesk ≤ 2 × the bare app. Route modules load on a route's
first request, so three more rows show what a function has loaded once it
has served its first request of a kind (app.py included). Run with
``.venv/bin/python -m bench.cold_start`` (``--repeats`` to change the count).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
BARE_APP = '''"""The smallest Chalice app that talks to AWS: the baseline."""
import boto3
from chalice import Chalice

app = Chalice(app_name="bare")
'''
# What a function loads beyond app.py on its first request (``chalicelib.api.serving``).
FIRST_REQUESTS = {
    "first_cards_request": (
        "the API, first GET /cards",
        "import app\n"
        "from chalicelib.api.route_table import ROUTE_TABLE\n"
        "from chalicelib.api.serving import load\n"
        "load(next(r for r in ROUTE_TABLE if (r.method, r.path) == ('GET', '/cards')))\n",
    ),
    "every_route": (
        "the API, every route",
        "import app\nfrom chalicelib.api.serving import load_all\nload_all()\n",
    ),
    "first_stream_batch": (
        "the stream, first batch",
        "import app\n"
        "import aws_lambda_powertools.utilities.batch\n"
        "import chalicelib.services.card_event_alerts\n"
        "import chalicelib.services.timers\n",
    ),
}
TARGET_RATIO = 2.0


def import_time(module: str, cwd: Path, path: Path | None = None) -> tuple[float, float]:
    """(cumulative import time of ``module`` in ms, wall time of the process in ms)."""
    # The deployed environment has no SLADESK_DEV: the dev routes are not imported.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLADESK_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if path is not None:
        env["PYTHONPATH"] = str(path)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = (time.perf_counter() - started) * 1000
    for line in reversed(done.stderr.splitlines()):
        # "import time:  self [us] | cumulative | imported package"
        fields = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1]) / 1000, wall
    raise RuntimeError(f"no import time reported for {module}:\n{done.stderr[-2000:]}")


def main() -> None:
    """Measure both apps ``--repeats`` times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare_dir = Path(folder)
        (bare_dir / "bare_app.py").write_text(BARE_APP)
        for module, (_, source) in FIRST_REQUESTS.items():
            (bare_dir / f"{module}.py").write_text(source)
        # One unmeasured run each, so that both read .pyc files and a warm disk cache.
        import_time("app", PROJECT_DIR)
        import_time("bare_app", bare_dir)
        sladesk, bare = [], []
        first: dict[str, list[tuple[float, float]]] = {module: [] for module in FIRST_REQUESTS}
        for _ in range(args.repeats):
            sladesk.append(import_time("app", PROJECT_DIR))
            bare.append(import_time("bare_app", bare_dir))
            for module, runs in first.items():
                runs.append(import_time(module, PROJECT_DIR, bare_dir))
    rows = [
        ("sladesk app.py", sladesk),
        *((f"+ {FIRST_REQUESTS[module][0]}", runs) for module, runs in first.items()),
        ("bare Chalice + boto3", bare),
    ]
    print(f"{'app':<34} {'import ms (median)':>18} {'min':>8} {'max':>8} {'process ms':>11}")
    for name, runs in rows:
        imports = [run[0] for run in runs]
        walls = [run[1] for run in runs]
        print(
            f"{name:<34} {statistics.median(imports):>18.1f} {min(imports):>8.1f} "
            f"{max(imports):>8.1f} {statistics.median(walls):>11.1f}"
        )
    ratio = statistics.median(r[0] for r in sladesk) / statistics.median(r[0] for r in bare)
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"ratio {ratio:.2f} × the bare app ({verdict} the {TARGET_RATIO:.0f}× target), "
        f"{args.repeats} repeats, Python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    main()
