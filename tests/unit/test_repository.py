"""What the repository promises about itself: the benchmarks' packages stay out of
the code and the tests, and what it cites is in the clone."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Installed by `make bench` alone (requirements-bench.txt): the reference libraries
# of bench/calendar.py and what only they pull in.
BENCH_ONLY = {"businesstimedelta", "pandas", "numpy", "pytz"}


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listing.split("\0") if name]


def imported_top_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_only_bench_imports_the_benchmark_packages():
    offenders = {}
    for path in tracked_files():
        relative = path.relative_to(ROOT)
        if path.suffix != ".py" or relative.parts[0] == "bench" or not path.exists():
            continue
        found = imported_top_modules(path.read_text(encoding="utf-8")) & BENCH_ONLY
        if found:
            offenders[str(relative)] = sorted(found)
    assert offenders == {}


def test_make_test_and_make_run_do_not_install_the_benchmark_packages():
    def requirement_names(name: str) -> set[str]:
        lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
        return {
            line.split("==")[0].split("[")[0].strip().lower()
            for line in lines
            if line.strip() and not line.startswith(("#", "-"))
        }

    runtime_and_dev = requirement_names("requirements.txt") | requirement_names(
        "requirements-dev.txt"
    )
    assert runtime_and_dev & BENCH_ONLY == set()
    assert {"businesstimedelta", "pandas"} <= requirement_names("requirements-bench.txt")


def test_nothing_cites_texts_outside_the_repository():
    # The project's own words live in docs/; a clone has nothing beside it to cite.
    # Written split so that this file does not cite it either.
    outside = "../" + "shared/"
    citing = []
    for path in tracked_files():
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "docs" or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files cite nothing
        if outside in text:
            citing.append(str(relative))
    assert citing == [], "cite docs/ instead"
