"""The store seam: only the backends know the store, and every backend keeps the :class:`Store` contract.

The contract tests take a ``seam_store`` fixture holding the same small dataset; a backend joins them by adding
its name to ``BACKENDS`` and a branch to the fixture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from qkg.graph.errors import QueryError, QuerySyntaxError, StoreError
from qkg.graph.serving import terms
from qkg.graph.serving.backends.oxigraph import OxigraphStore
from qkg.graph.serving.store import Store, StoreLayout, open_store
from qkg.graph.serving.terms import Literal, NamedNode, Quad

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("ontology", "graph", "loaders", "viz", "api")
#: The only modules that may import pyoxigraph: the backends, and the one module that parses and writes terms.
ALLOWED = ("graph/serving/backends/", "graph/serving/terms.py")

EX = "http://seam.test/"
G1, G2 = EX + "g1", EX + "g2"
P, LABEL = NamedNode(EX + "p"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
A, B, C = NamedNode(EX + "a"), NamedNode(EX + "b"), NamedNode(EX + "c")
QUADS = [
    Quad(A, P, B, NamedNode(G1)),
    Quad(B, P, C, NamedNode(G1)),
    Quad(A, LABEL, Literal("Québec", language="fr"), NamedNode(G2)),
    Quad(C, LABEL, Literal("c"), NamedNode(G2)),
]
BACKENDS = ["oxigraph", "virtuoso"]


def _imports(text: str) -> set[str]:
    """The top-level packages a module's text imports, wherever the import statement is."""
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_backends_and_terms_import_pyoxigraph():
    offenders = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(ALLOWED) and "pyoxigraph" in _imports(path.read_text(encoding="utf-8")):
                offenders.append(rel)
    assert offenders == [], "go through qkg.graph.serving.store (queries) or qkg.graph.serving.terms (terms)"


@pytest.mark.parametrize(
    "text",
    [
        "import pyoxigraph",
        "import pyoxigraph as ox",
        "from pyoxigraph import Store",
        "def f():\n    import pyoxigraph.foo\n",
    ],
)
def test_the_seam_test_sees_every_way_of_importing(text):
    assert "pyoxigraph" in _imports(text)
    assert "pyoxigraph" not in _imports("from qkg.graph.serving import terms  # not pyoxigraph")


def test_terms_offers_no_store_or_query_engine():
    assert not hasattr(terms, "Store")


@pytest.fixture(params=BACKENDS)
def seam_store(request, tmp_path) -> Store:
    if request.param == "oxigraph":
        store = OxigraphStore(tmp_path / "store")
    else:  # a remote store serving an empty published build, which add() and load() then fill
        from qkg.graph.serving.backends.remote import publish

        from tests.conftest import drop_space, remote_store

        store = remote_store(request.getfixturevalue("virtuoso"), f"seam-{tmp_path.name}")
        publish(store, {}, "seam")
    store.add(QUADS)
    yield store
    if request.param == "virtuoso":
        drop_space(store)
    store.close()


def test_select_rows_by_name_and_position(seam_store):
    rows = seam_store.select(f"SELECT ?s ?o WHERE {{ ?s <{P.value}> ?o }} ORDER BY ?s")
    assert rows.variables == ["s", "o"]
    assert [(r["s"], r[1]) for r in rows] == [(A, B), (B, C)]
    assert rows.truncated is False


def test_unbound_is_none(seam_store):
    rows = seam_store.select(
        f"SELECT ?s ?l WHERE {{ ?s <{P.value}> ?o OPTIONAL {{ ?s <{LABEL.value}> ?l }} }} ORDER BY ?s"
    )
    assert [(r["s"], r["l"]) for r in rows] == [(A, Literal("Québec", language="fr")), (B, None)]


def test_row_cap_says_it_cut(seam_store):
    rows = seam_store.select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", max_rows=3)
    assert (len(rows), rows.truncated) == (3, True)
    rows = seam_store.select("SELECT ?s WHERE { ?s ?p ?o }", max_rows=4)
    assert (len(rows), rows.truncated) == (4, False)


def test_union_named_graphs_and_explicit_dataset(seam_store):
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert seam_store.select(everything)[0]["n"].value == "4"  # the default graph is the union
    assert seam_store.select(everything, union=False)[0]["n"].value == "0"  # the store's own default graph
    assert seam_store.select(everything, default_graphs=[G2])[0]["n"].value == "2"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert [r["g"].value for r in seam_store.select(named, named_graphs=[G1])] == [G1]


def test_ask_construct_and_query_dispatch(seam_store):
    assert seam_store.ask(f"ASK {{ <{A.value}> <{P.value}> <{B.value}> }}") is True
    assert seam_store.ask(f"ASK {{ <{C.value}> <{P.value}> ?x }}") is False
    triples = seam_store.construct(f"CONSTRUCT {{ ?o <{EX}back> ?s }} WHERE {{ ?s <{P.value}> ?o }}")
    assert sorted(str(t) for t in triples) == [
        f"<{B.value}> <{EX}back> <{A.value}>",
        f"<{C.value}> <{EX}back> <{B.value}>",
    ]
    assert seam_store.query("ASK { ?s ?p ?o }") is True
    assert len(seam_store.query(f"DESCRIBE <{A.value}>")) >= 1
    assert seam_store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1").variables == ["s"]


def test_bindings_bind_projected_variables(seam_store):
    rows = seam_store.select(f"SELECT ?s ?o WHERE {{ ?s <{P.value}> ?o }}", bindings={"s": B})
    assert [(r["s"], r["o"]) for r in rows] == [(B, C)]


def test_quads_graphs_load_and_drop(seam_store):
    assert seam_store.graphs() == [G1, G2]
    assert {q.object for q in seam_store.quads(A, P)} == {B}
    assert {q.subject for q in seam_store.quads(graph=G2)} == {A, C}
    seam_store.load(f'<{EX}d> <{P.value}> "1" .\n'.encode(), format="ntriples", graph=EX + "g3")
    assert seam_store.graphs() == [G1, G2, EX + "g3"]
    seam_store.drop(G1)
    assert seam_store.graphs() == [G2, EX + "g3"]
    assert seam_store.ask(f"ASK {{ <{A.value}> <{P.value}> ?o }}") is False


def test_errors_are_qkg_errors(seam_store):
    with pytest.raises(QuerySyntaxError) as caught:
        seam_store.select("SELECT ?s WHERE { ?s ?p }")
    assert caught.value.status == 400 and caught.value.line == 1
    with pytest.raises(QueryError):
        seam_store.select("ASK { ?s ?p ?o }")


def test_open_store_reads_a_data_dir_a_build_or_says_what_to_do(tmp_path):
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "nothing")
    assert "qkg build" in caught.value.hint
    layout = StoreLayout(tmp_path / "data")
    with layout.build_lock():
        staging = layout.new_staging()
        staging.store.add(QUADS)
        build = staging.publish()
    for spec in (layout.root, build, str(layout.root)):
        with open_store(spec) as store:
            assert isinstance(store, Store) and store.graphs() == [G1, G2]
