"""The build's SHACL engines (the shapes compiled to SPARQL, and pyshacl-turbo when a shape is not compiled) give
pySHACL's report: on the 2024 graph and on known-bad facts."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from qkg.graph.building import pipeline, shacl_sparql
from qkg.graph.building.pipeline import build, shacl_report, shacl_view, validate_shacl
from qkg.graph.errors import DataError
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.sources import discover
from rdflib import Graph, Literal, URIRef

DATA = Path(__file__).parent / "data"
SH = "http://www.w3.org/ns/shacl#"


def results(report: Graph) -> Counter:
    """Every validation result as (focus, path, constraint component, severity, value, message), counted."""

    def value(res, prop):
        v = report.value(res, URIRef(SH + prop))
        return None if v is None else str(v)

    return Counter(
        (
            value(r, "focusNode"),
            value(r, "resultPath"),
            value(r, "sourceConstraintComponent"),
            value(r, "resultSeverity"),
            value(r, "value"),
            value(r, "resultMessage"),
        )
        for r in report.subjects(URIRef(SH + "resultSeverity"), None)
    )


@pytest.fixture(scope="module")
def bad_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shacl-bad")
    shutil.copy(DATA / "mini" / "facts.ttl", folder / "facts.ttl")
    shutil.copy(DATA / "shacl-bad" / "violations.ttl", folder / "violations.ttl")
    result = build(discover(folder), data_dir=folder / "out", shacl=False)  # the fast checks pass
    return folder, open_read_only(result.path)


@pytest.mark.parametrize("engine", ["sparql", "turbo"])
def test_same_report_as_pyshacl_on_the_2024_graph(graph_2024, engine):
    store = open_read_only(StoreLayout(graph_2024).current())
    fast, reference = shacl_report(store, engine=engine), shacl_report(store, engine="pyshacl")
    assert fast[0] is reference[0] is True
    assert results(fast[1]) == results(reference[1]) == Counter()


@pytest.mark.parametrize("engine", ["sparql", "turbo"])
def test_same_report_as_pyshacl_on_known_bad_facts(bad_store, engine):
    _, store = bad_store
    (ok, fast), (ref_ok, reference) = shacl_report(store, engine=engine), shacl_report(store, engine="pyshacl")
    assert ok is ref_ok is False
    assert results(fast) == results(reference)
    found = {(focus.rsplit("/", 1)[-1], component.rsplit("#", 1)[-1]) for focus, _, component, *_ in results(fast)}
    # one of each kind the fixture plants
    assert {
        ("b-reception", "QualifiedMinCountConstraintComponent"),
        ("b-reception", "MaxCountConstraintComponent"),
        ("b-reception", "MinCountConstraintComponent"),
        ("b-reception", "DatatypeConstraintComponent"),
        ("b-mission", "ClassConstraintComponent"),
        ("b-leg", "MinInclusiveConstraintComponent"),
        ("b-agreement", "NodeConstraintComponent"),
        ("b-membership", "OrConstraintComponent"),
        ("b-city", "MaxCountConstraintComponent"),
        ("b-event", "OrConstraintComponent"),
        ("b-meeting", "OrConstraintComponent"),
        ("t-country-a", "HasValueConstraintComponent"),  # the sh:detail of b-agreement's sh:node
    } <= found


def test_the_problems_are_the_same_whichever_engine(bad_store):
    folder, store = bad_store
    sources = discover(folder)
    sparql = validate_shacl(store, sources, engine="sparql")
    assert sparql and sparql == validate_shacl(store, sources, engine="turbo")
    assert sparql == validate_shacl(store, sources, engine="pyshacl")


def test_every_shape_is_compiled_to_sparql(bad_store):
    """The build's shapes are all compiled (a shape that is not would send the build to pyshacl-turbo)."""
    _, store = bad_store
    checks = shacl_sparql.compile_shapes(store, _shapes())
    assert len(checks) > 100
    shapes = {str(c.shape) for c in checks}
    assert "https://w3id.org/qkg/shapes#CountedShape" in shapes  # a node shape's own sh:class


def test_a_shape_not_compiled_falls_back_to_turbo_with_the_same_report(bad_store, monkeypatch):
    _, store = bad_store
    shapes = _shapes()
    shape = next(shapes.subjects(URIRef(SH + "targetClass"), None))
    shapes.add((shape, URIRef(SH + "closed"), Literal(True)))
    with pytest.raises(shacl_sparql.Unsupported, match="sh:closed"):
        shacl_sparql.validate(store, shapes)
    monkeypatch.setattr(pipeline, "_shapes", lambda: shapes)
    ok, report = shacl_report(store, engine="sparql")  # pyshacl-turbo's report, sh:closed included
    closed = [c for *_, c, _, _, _ in results(report) if c == SH + "ClosedConstraintComponent"]
    assert not ok and closed and results(report) == results(shacl_report(store, engine="turbo")[1])
    shapes = _shapes()  # a shape without sh:message: pySHACL writes its own text, which the compiler does not
    for s, p, o in list(shapes.triples((None, URIRef(SH + "message"), None))):
        shapes.remove((s, p, o))
    with pytest.raises(shacl_sparql.Unsupported, match="no sh:message"):
        shacl_sparql.validate(store, shapes)


def test_the_problems_are_the_same_made_in_a_process_of_their_own(bad_store, graph_2024):
    """A large graph's build validates in a process of its own (validate_shacl(apart=True)): same problems."""
    folder, store = bad_store
    sources = discover(folder)
    apart = validate_shacl(store, sources, apart=True)
    assert apart and apart == validate_shacl(store, sources)
    assert validate_shacl(open_read_only(StoreLayout(graph_2024).current()), [], apart=True) == []


def test_the_build_runs_shacl_and_names_the_file_and_entity(bad_store, tmp_path):
    folder, _ = bad_store
    with pytest.raises(DataError) as info:
        build(discover(folder), data_dir=tmp_path / "out")
    message = str(info.value)
    assert "violations.ttl" in message and "qkgd:b-agreement" in message and "at least two qkg:party" in message
    # every problem located in its file and line, those of entities whose types are also inferred included
    assert "unknown file" not in message
    assert "violations.ttl:20: qkgd:b-leg: qkg:legCity:" in message and "facts.ttl:14: qkgd:t-country-a:" in message
    assert StoreLayout(tmp_path / "out").current() is None


def _shapes() -> Graph:
    from qkg.ontology import SHAPES_FILE, ontology_paths

    return Graph().parse(ontology_paths()[0].parent / SHAPES_FILE, format="turtle")


def test_the_engine_reads_only_what_the_shapes_read(bad_store):
    _, store = bad_store
    view = Graph().parse(data=shacl_view(store, _shapes()).decode(), format="nt")
    predicates = {str(p) for p in view.predicates()}
    # the shapes' paths and the types of their classes, not the whole graph
    assert {"https://w3id.org/qkg/def#party", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"} <= predicates
    assert store.ask(
        "ASK { ?a <https://w3id.org/qkg/def#twinnedWith> ?b . ?i a <http://www.w3.org/2006/time#Instant> }"
    )
    assert "https://w3id.org/qkg/def#twinnedWith" not in predicates  # inferred, but no shape reads it
    assert 0 < len(view) < len(store)
    classes = {str(c) for c in view.objects(None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))}
    assert "https://w3id.org/qkg/def#Reception" in classes and "http://www.w3.org/2006/time#Instant" not in classes


def test_shapes_that_read_more_than_their_paths_get_the_whole_graph(bad_store):
    _, store = bad_store
    shapes = _shapes()
    shape = next(shapes.subjects(URIRef(SH + "targetClass"), None))
    shapes.add((shape, URIRef(SH + "closed"), Literal(True)))
    assert shacl_view(store, shapes) is None
