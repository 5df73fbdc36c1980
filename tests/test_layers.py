"""Layers import downward only: ontology <- graph <- (loaders, viz) <- api; inside graph/, each concern's
subpackage imports only the ones below it: errors <- serving <- (building, pages) <- analysis."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "ontology": {"ontology"},
    "graph": {"ontology", "graph"},
    "loaders": {"ontology", "graph", "loaders"},
    "viz": {"ontology", "graph", "viz"},
    "api": {"ontology", "graph", "loaders", "viz", "api"},
}
#: graph/'s subpackages (and its top-level modules, under "") and what each may import from graph/.
GRAPH_ALLOWED = {
    "": {""},
    "serving": {"", "serving"},
    "building": {"", "serving", "building"},
    "pages": {"", "serving", "pages"},
    "analysis": {"", "serving", "pages", "analysis"},
}


def _modules(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (``from qkg import graph`` counts as ``qkg.graph``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _layers(path: Path) -> set[str]:
    return {m.split(".")[1] for m in _modules(path) if m.startswith("qkg.") and m.split(".")[1] in ALLOWED}


def _graph_parts(path: Path) -> set[str]:
    """The graph/ subpackages ``path`` imports ("" for graph's top-level modules such as errors)."""
    parts = set()
    for m in _modules(path):
        bits = m.split(".")
        if bits[:2] == ["qkg", "graph"] and len(bits) > 2:
            parts.add(bits[2] if bits[2] in GRAPH_ALLOWED else "")
    return parts


def test_no_bare_layer_imports():
    """Everything imports the layers under the one installed name, ``qkg``."""
    bare = {}
    for layer in ALLOWED:
        for path in (ROOT / layer).rglob("*.py"):
            wrong = {m for m in _modules(path) if m.split(".")[0] in ALLOWED}
            if wrong:
                bare[str(path.relative_to(ROOT))] = sorted(wrong)
    assert bare == {}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_downward(layer):
    bad = {}
    for path in (ROOT / layer).rglob("*.py"):
        wrong = _layers(path) - ALLOWED[layer]
        if wrong:
            bad[str(path.relative_to(ROOT))] = sorted(wrong)
    assert bad == {}


@pytest.mark.parametrize("part", sorted(GRAPH_ALLOWED))
def test_graph_subpackages_import_only_downward(part):
    folder = ROOT / "graph" / part if part else ROOT / "graph"
    paths = folder.rglob("*.py") if part else folder.glob("*.py")
    bad = {}
    for path in paths:
        wrong = _graph_parts(path) - GRAPH_ALLOWED[part]
        if wrong:
            bad[str(path.relative_to(ROOT))] = sorted(wrong)
    assert bad == {}


def test_packages_resolve_to_this_repository():
    from qkg import api, graph, loaders, ontology, viz

    for module in (api, graph, loaders, ontology, viz):
        assert Path(module.__file__).resolve().parent.parent == ROOT


def test_routes_import_no_other_route():
    """Routes share code through ``qkg.api.views`` (and the response models), never by importing each other."""
    bad = {}
    for path in (ROOT / "api" / "routes").glob("*.py"):
        wrong = {m for m in _modules(path) if m.startswith("qkg.api.routes.") and m.split(".")[3] != "models"}
        if wrong:
            bad[path.name] = sorted(wrong)
    assert bad == {}


def test_commands_do_not_reach_into_the_cli():
    """Subcommands call the layers' public functions, never ``qkg.api.cli``'s helpers."""
    bad = {
        path.name: sorted(m for m in _modules(path) if m.startswith("qkg.api.cli"))
        for path in (ROOT / "api" / "commands").glob("*.py")
    }
    assert {name: mods for name, mods in bad.items() if mods} == {}
