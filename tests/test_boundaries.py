"""``search_index/`` and ``media/`` are libraries the catalogue uses: they never import it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("search_index", "media")


def imported_modules(source: str) -> set[str]:
    """Every module a source file imports, at any depth (function bodies included)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def imports_catalogue(source: str) -> bool:
    return any(m == "catalogue" or m.startswith("catalogue.") for m in imported_modules(source))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import catalogue", True),
        ("from catalogue.models import Media", True),
        ("def f():\n    from catalogue import create_app", True),
        ("import importlib\nimportlib.import_module('catalogue.config')", True),
        ("import catalogue_tools\nfrom . import catalogue", False),
        ("import whoosh\nfrom PIL import Image", False),
    ],
)
def test_the_import_check_sees_every_kind_of_import(source, expected):
    assert imports_catalogue(source) is expected


@pytest.mark.parametrize("library", LIBRARIES)
def test_libraries_never_import_catalogue(library):
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / library).rglob("*.py"))
        if imports_catalogue(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
