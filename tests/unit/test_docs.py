"""The documentation in docs/ stays true to the tree: every function the rule map names
exists, and every relative link leads somewhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# `path/to/module.py::name` or `path/to/module.py::Class.method` (or just the path).
_CODE_REFERENCE = re.compile(r"`((?:[\w-]+/)*[\w-]+\.py)(?:::([\w.]+))?`")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)")


def _defined_names(tree: ast.Module) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def _defines(path: Path, dotted: str) -> bool:
    scope: ast.AST = ast.parse(path.read_text(encoding="utf-8"))
    for part in dotted.split("."):
        body = _defined_names(scope) if isinstance(scope, ast.Module) else None
        if body is None and isinstance(scope, ast.ClassDef):
            body = _defined_names(ast.Module(body=scope.body, type_ignores=[]))
        if body is None or part not in body:
            return False
        scope = body[part]
    return True


def _references() -> list[tuple[str, str | None]]:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    return sorted(set(_CODE_REFERENCE.findall(text)), key=str)


def test_the_rule_map_names_code():
    assert len(_references()) > 50


@pytest.mark.parametrize(("module", "name"), _references())
def test_each_place_the_rule_map_names_exists(module, name):
    path = ROOT / module
    assert path.is_file(), f"docs/rules.md names {module}, which is gone: move its entry"
    if name:
        assert _defines(path, name), (
            f"docs/rules.md names {module}::{name}, which {module} no longer defines: "
            "point the entry at where the rule lives now"
        )


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda page: page.name)
def test_relative_links_of_the_docs_lead_somewhere(page):
    text = page.read_text(encoding="utf-8")
    broken = [
        target
        for target in _LINK.findall(text)
        if "://" not in target and not (page.parent / target).exists()
    ]
    assert broken == []
