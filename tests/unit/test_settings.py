"""``chalicelib.settings`` is the one reader of the environment, and reads it at call time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chalicelib import settings

ROOT = Path(__file__).resolve().parents[2]
_OS_READERS = {"environ", "environb", "getenv", "getenvb"}


def _runtime_modules() -> list[Path]:
    """Every module of the app's runtime: ``app.py`` and ``chalicelib/``, settings aside."""
    modules = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    return [path for path in modules if path != ROOT / "chalicelib" / "settings.py"]


def _environment_reads(path: Path) -> list[str]:
    """Where ``path`` touches ``os.environ`` / ``os.getenv`` (or imports them from ``os``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _OS_READERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"{where}:{node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found.extend(
                f"{where}:{node.lineno}: from os import {alias.name}"
                for alias in node.names
                if alias.name in _OS_READERS
            )
    return found


def test_only_settings_reads_the_environment() -> None:
    reads = [read for path in _runtime_modules() for read in _environment_reads(path)]
    assert reads == [], "read the environment through chalicelib.settings:\n" + "\n".join(reads)


def test_the_guard_sees_a_read(tmp_path: Path) -> None:
    module = tmp_path / "reads.py"
    module.write_text("import os\nfrom os import getenv\nX = os.environ.get('A')\n")
    assert sorted(read.split(": ", 1)[1] for read in _environment_reads(module)) == [
        "from os import getenv",
        "os.environ",
    ]


def test_readers_see_the_environment_of_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.DEV, raising=False)
    monkeypatch.delenv(settings.CARDS_TABLE, raising=False)
    assert settings.dev() is False
    assert settings.table_name(settings.CARDS_TABLE) == "sladesk-cards"
    monkeypatch.setenv(settings.DEV, "1")
    monkeypatch.setenv(settings.CARDS_TABLE, "cards-of-a-test")
    assert settings.dev() is True
    assert settings.table_name(settings.CARDS_TABLE) == "cards-of-a-test"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.MAIL_FROM, "")
    monkeypatch.setenv(settings.PUBLIC_URL, "")
    monkeypatch.setenv(settings.TELEGRAM_API_BASE, "")
    assert settings.mail_from() == settings.DEFAULT_MAIL_FROM
    assert settings.public_url() == ""
    assert settings.telegram_api_base() == settings.DEFAULT_TELEGRAM_API_BASE


def test_values_are_tidied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.MAIL_FROM, " Desk@Example.COM ")
    monkeypatch.setenv(settings.PUBLIC_URL, "https://desk.example/api/")
    monkeypatch.setenv(settings.TELEGRAM_API_BASE, "http://127.0.0.1:9/")
    assert settings.mail_from() == "desk@example.com"
    assert settings.public_url() == "https://desk.example/api"
    assert settings.telegram_api_base() == "http://127.0.0.1:9"


def test_a_secret_is_found_by_its_arn_variable_or_its_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = settings.SESSION_SECRET
    monkeypatch.delenv(settings.arn_variable(name), raising=False)
    monkeypatch.setenv(name, "plain")
    assert settings.arn_variable(name) == "SLADESK_SESSION_SECRET_ARN"
    assert settings.secret_arn(name) is None
    assert settings.secret_value(name) == "plain"
    monkeypatch.setenv(settings.arn_variable(name), "arn:aws:secretsmanager:x")
    assert settings.secret_arn(name) == "arn:aws:secretsmanager:x"
