"""Import boundaries of the catalogue, checked on the source tree (no import is executed).

Layers, top to bottom; a module may import from its own layer or any layer below, never above:

1. ``catalogue/__init__.py`` (create_app), ``cli.py``, ``cli_exchange.py``, ``demo/``,
   ``follow_up.py``; then ``tasks.py`` (the background tasks, registered)
2. ``api/`` and ``web/``: siblings, which never import each other
3. ``http/``: what pages and API share (HTTP helpers)
4. ``services/``: its kernel modules (errors, identity, uow, etag, pagination, lookups,
   labels, readiness) never import a services sub-package (objects, media, oai, ...)
5. ``schemas/``
6. ``extensions.py`` (db, migrate, csrf: created unbound, bound in create_app)
7. ``models/``
8. ``config.py``
9. the libraries ``search_index/`` and ``media/``, which never import ``catalogue``

No import cycle either: between modules, between the parts above (each ``LAYERS`` entry is
one node), or between the sub-packages and kernel modules of ``services/``. Imports inside
function bodies count. The checks are plain functions over a list of ``Edge``; the tests at
the bottom feed them small synthetic module graphs to show that each one bites.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("search_index", "media")
# One line per layer, top to bottom; each name is a part of the app (a module or a package).
LAYERS = [
    line.split()
    for line in """
        catalogue catalogue.cli catalogue.cli_exchange catalogue.demo catalogue.follow_up
        catalogue.tasks
        catalogue.api catalogue.web
        catalogue.http
        catalogue.services
        catalogue.schemas
        catalogue.extensions
        catalogue.models
        catalogue.config
        search_index media
    """.splitlines()
    if line.strip()
]
SIBLINGS = {"catalogue.api", "catalogue.web"}
KERNEL = {
    f"catalogue.services.{name}"
    for name in ("errors", "identity", "uow", "etag", "pagination", "lookups", "labels",
                 "readiness")
}  # fmt: skip


class Edge(NamedTuple):
    source: str  # the importing module
    target: str  # the imported module, resolved as far as the known modules allow
    line: int


def imported_modules(source: str, module: str = "", package: bool = False) -> Iterator[tuple]:
    """(line, imported module, names a from-import pulls out of it) for every import, at any
    depth. Relative imports are made absolute when ``module`` is known, skipped otherwise."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = node.module
            if node.level:
                if not module:
                    continue
                parts = module.split(".")[: None if package else -1]
                parts = parts[: max(0, len(parts) - node.level + 1)]
                base = ".".join(filter(None, [*parts, node.module]))
            yield node.lineno, base, tuple(alias.name for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.lineno, str(node.args[0].value), ()


def edges_of(sources: dict[str, str], packages: frozenset[str] = frozenset()) -> list[Edge]:
    """The import graph of ``sources`` (module name -> source text), limited to imports of
    catalogue and the libraries. ``from a import b`` is an edge to ``a.b`` if that module
    exists, else to ``a``. A module with sub-modules in ``sources`` counts as a package."""
    packages = packages | {name.rpartition(".")[0] for name in sources}
    edges = []
    for module, source in sorted(sources.items()):
        for line, base, pulled in imported_modules(source, module, module in packages):
            targets = [f"{base}.{n}" if f"{base}.{n}" in sources else base for n in pulled]
            for target in dict.fromkeys(targets or [base]):
                if target != module and target.split(".")[0] in ("catalogue", *LIBRARIES):
                    edges.append(Edge(module, target, line))
    return edges


def part(module: str) -> str | None:
    """The ``LAYERS`` entry a module belongs to (``catalogue`` itself is only __init__.py)."""
    owners = [
        name
        for names in LAYERS
        for name in names
        if module == name or (name != "catalogue" and module.startswith(name + "."))
    ]
    return max(owners, key=len, default=None)


def layer(module: str) -> int | None:
    owner = part(module)
    return next((i for i, names in enumerate(LAYERS) if owner in names), None)


def service_part(module: str) -> str | None:
    """``catalogue.services.X``: a services sub-package or kernel module; None outside."""
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[:2] == ["catalogue", "services"] and parts[2:] else None


def cycles(edges: list[Edge], node: Callable[[str], str | None] = str) -> list[Edge]:
    """The edges that lie on an import cycle between nodes; ``node`` maps a module to its node
    (None: left out), and edges inside one node are ignored."""
    links = {(node(e.source), node(e.target)) for e in edges}
    successors: dict[str | None, set[str | None]] = {}
    for a, b in links:
        if None not in (a, b) and a != b:
            successors.setdefault(a, set()).add(b)

    @functools.cache
    def reach(start: str) -> frozenset[str]:
        seen, stack = set(), [start]
        while stack:
            for n in successors.get(stack.pop(), ()):
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        return frozenset(seen)

    return [
        e
        for e in edges
        if node(e.target) in successors.get(node(e.source), ())
        and node(e.source) in reach(node(e.target))
    ]


def climbs(edge: Edge) -> bool:
    source, target = edge.source, edge.target
    low, high = layer(source), layer(target)
    if low is not None and high is not None and high < low:
        return True
    if part(source) != part(target) and {part(source), part(target)} <= SIBLINGS:
        return True
    return service_part(source) in KERNEL and service_part(target) not in (None, *KERNEL)


def climbing(edges: list[Edge]) -> list[Edge]:
    """The edges that import upwards, between api and web, or from the services kernel into
    a services sub-package."""
    return [e for e in edges if climbs(e)]


CHECKS: dict[str, Callable[[list[Edge]], list[Edge]]] = {
    "module cycles": cycles,
    "cycles between parts of the app": lambda edges: cycles(edges, part),
    "cycles inside services": lambda edges: cycles(edges, service_part),
    "imports that climb a layer": climbing,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def real_tree() -> tuple[list[Edge], dict[str, Path]]:
    files = sorted(p for top in ("catalogue", *LIBRARIES) for p in (ROOT / top).rglob("*.py"))
    paths = {module_name(p): p.relative_to(ROOT) for p in files}
    sources = {name: (ROOT / path).read_text(encoding="utf-8") for name, path in paths.items()}
    packages = frozenset(name for name, path in paths.items() if path.name == "__init__.py")
    return edges_of(sources, packages), paths


# --- the real tree ----------------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS)
def test_the_catalogue_keeps_its_boundaries(check):
    edges, paths = real_tree()
    offending = CHECKS[check](edges)
    report = "\n".join(f"  {paths[e.source]}:{e.line}: {e.source} -> {e.target}" for e in offending)
    assert not offending, f"{check}:\n{report}"


def test_every_module_has_a_place():
    _, paths = real_tree()
    homeless = [str(path) for name, path in paths.items() if part(name) is None]
    unlisted = [
        str(path)
        for name, path in paths.items()
        if path.parent == Path("catalogue/services") and name not in KERNEL
    ]
    assert homeless == [], "add these to LAYERS"
    assert unlisted == [], "a module directly in services/ is a kernel module: add it to KERNEL"


# --- the checks themselves, on synthetic graphs -----------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import catalogue", {"catalogue"}),
        ("from catalogue.models import Media", {"catalogue.models"}),
        ("def f():\n    from catalogue import create_app", {"catalogue"}),
        ("import importlib\nimportlib.import_module('catalogue.config')", {"catalogue.config"}),
        ("import catalogue_tools\nfrom . import catalogue", {"media"}),
        ("import whoosh\nfrom PIL import Image", set()),
    ],
)
def test_every_kind_of_import_is_seen(source, expected):
    assert {e.target for e in edges_of({"media.storage": source})} == expected


def test_imports_resolve_to_modules_relative_ones_included():
    sources = {
        "catalogue.services.objects": "from . import read\nfrom .write import merge",
        "catalogue.services.objects.read": "from ..errors import NotFound\nfrom . import nothing",
        "catalogue.services.objects.write": "from catalogue.services.objects import read, COLUMNS",
        "catalogue.services.errors": "",
    }
    assert {(e.source, e.target) for e in edges_of(sources)} == {
        ("catalogue.services.objects", "catalogue.services.objects.read"),
        ("catalogue.services.objects", "catalogue.services.objects.write"),
        ("catalogue.services.objects.read", "catalogue.services.errors"),
        ("catalogue.services.objects.read", "catalogue.services.objects"),
        ("catalogue.services.objects.write", "catalogue.services.objects.read"),
        ("catalogue.services.objects.write", "catalogue.services.objects"),
    }


CLEAN = {
    "catalogue": "from catalogue.api import objects\nfrom catalogue.web import public",
    "catalogue.cli": "from catalogue.cli_exchange import group\nfrom catalogue.demo import load",
    "catalogue.demo": "from catalogue.services.objects import write",
    "catalogue.cli_exchange": "from catalogue.services.exchange import imports",
    "catalogue.api.objects": "from catalogue.http import json_response\nfrom .urls import base",
    "catalogue.api.urls": "from catalogue.config import Config",
    "catalogue.web.public": "from catalogue.http import identity\nfrom catalogue.web import i18n",
    "catalogue.web.i18n": "def f():\n    from catalogue.services.labels import label",
    "catalogue.http": "from catalogue.services import errors, identity",
    "catalogue.services.errors": "",
    "catalogue.services.identity": "from catalogue.services.errors import Forbidden",
    "catalogue.services.labels": "from catalogue.models import Vocabulary",
    "catalogue.services.exchange.imports": "from catalogue.services.objects import write",
    "catalogue.services.objects.write": "from catalogue.services import uow\nfrom . import read",
    "catalogue.services.objects.read": "from catalogue.schemas.objects import OBJECT",
    "catalogue.services.uow": "from catalogue.extensions import db",
    "catalogue.schemas.objects": "from catalogue.models import objects",
    "catalogue.extensions": "from catalogue.models.base import Base",
    "catalogue.models.objects": "from catalogue.models.base import Base\nimport media.images",
    "catalogue.models.base": "from catalogue.config import Config",
    "catalogue.config": "import os",
    "media.images": "from media import storage",
    "media.storage": "",
}

# Per check, graphs that each add one mistake to CLEAN: every edge they add must be reported.
BAD = {
    "module cycles": [
        {"catalogue.web.a": "from catalogue.web import b",
         "catalogue.web.b": "def f():\n    from . import a"},
    ],
    "cycles between parts of the app": [
        {"catalogue.follow_up": "from catalogue.demo import x",
         "catalogue.demo.y": "import catalogue.follow_up"},
    ],
    "cycles inside services": [
        {"catalogue.services.objects.read": "from catalogue.services.media import files",
         "catalogue.services.media.files": "from catalogue.services.objects.views import Record"},
    ],
    "imports that climb a layer": [
        {"catalogue.services.feeds.sitemap": "from catalogue.api.urls import base_url"},
        {"catalogue.schemas.changes": "def f():\n    from catalogue.services import uow"},
        {"catalogue.web.mediapanel": "from catalogue.api.media import send"},
        {"catalogue.api.objects": "from catalogue.web.rendering import pick"},
        {"catalogue.services.uow": "from catalogue.services.search import sync"},
        {"catalogue.http.files": "from ..api import urls"},
        {"catalogue.models.base": "import catalogue"},
        {"search_index.analysis": "import importlib\nimportlib.import_module('catalogue.config')"},
    ],
}  # fmt: skip


@pytest.mark.parametrize("check", CHECKS)
def test_a_clean_graph_passes_every_check(check):
    assert CHECKS[check](edges_of(CLEAN)) == []


@pytest.mark.parametrize(("check", "mistake"), [(c, m) for c, ms in BAD.items() for m in ms])
def test_each_check_reports_a_bad_import(check, mistake):
    edges = edges_of(CLEAN | mistake)
    added = {e for e in edges if e.source in mistake and e not in edges_of(CLEAN)}
    assert added, "the mistake adds no import"
    assert set(CHECKS[check](edges)) == added
