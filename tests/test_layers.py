"""Layers import downward only: ontology <- graph <- (loaders, viz) <- api."""
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


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_downward(layer):
    bad = {}
    for path in (ROOT / layer).rglob("*.py"):
        wrong = _imports(path) - ALLOWED[layer]
        if wrong:
            bad[str(path.relative_to(ROOT))] = sorted(wrong)
    assert bad == {}


def test_packages_resolve_to_this_repository():
    import api
    import graph
    import loaders
    import ontology
    import viz

    for module in (api, graph, loaders, ontology, viz):
        assert Path(module.__file__).resolve().parent.parent == ROOT
