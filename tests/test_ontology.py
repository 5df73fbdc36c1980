"""The ontology: declared terms, bilingual labels and definitions, vocabularies, HermiT consistency."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from qkg import ontology
from qkg.ontology import QKG, load_ontology, ontology_paths
from qkg.ontology.owl import hermit_check, java_available
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SKOS


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load_ontology()


def _qkg_terms(g: Graph, kind):
    return sorted(s for s in g.subjects(RDF.type, kind) if str(s).startswith(str(QKG)))


def _terms_used_in_code() -> dict[str, set[str]]:
    """Every ``qkg:`` term the code names (``QKG.x``, ``QKG["x"]``) or a canned query uses (``qkg:x``)."""
    root = Path(ontology.__file__).resolve().parent.parent
    used: dict[str, set[str]] = {}
    for layer in ("ontology", "graph", "loaders", "viz", "api"):
        for path in (root / layer).rglob("*.py"):
            for m in re.finditer(r'\bQKG(?:\.(\w+)|\["(\w+)"\])', path.read_text(encoding="utf-8")):
                used.setdefault(m.group(1) or m.group(2), set()).add(str(path.relative_to(root)))
    for path in (root / "graph" / "queries").glob("*.rq"):
        for m in re.finditer(r"\bqkg:(\w+)", path.read_text(encoding="utf-8")):
            used.setdefault(m.group(1), set()).add(str(path.relative_to(root)))
    return used


def test_every_term_the_code_uses_is_declared(onto):
    used = _terms_used_in_code()
    assert len(used) > 40  # the scan found the code's terms
    declared = {
        str(t)[len(str(QKG)) :]
        for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in _qkg_terms(onto, k)
    }
    assert {term: sorted(files) for term, files in used.items() if term not in declared} == {}


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
@pytest.mark.parametrize("prop", [RDFS.label, SKOS.definition])
def test_terms_have_french_and_english_text(onto, kind, prop):
    lacking = []
    for term in _qkg_terms(onto, kind):
        langs = {o.language for o in onto.objects(term, prop) if isinstance(o, Literal)}
        if not {"fr", "en"} <= langs:
            lacking.append((str(term), prop.n3(), sorted(filter(None, langs))))
    assert lacking == []


def test_concepts_have_bilingual_labels_and_a_scheme(onto):
    concepts = set(onto.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 40
    for c in concepts:
        langs = {o.language for o in onto.objects(c, SKOS.prefLabel)}
        assert {"fr", "en"} <= langs, c
        assert (c, SKOS.inScheme, None) in onto, c


def test_standard_alignments(onto):
    schema, org, gist, foaf = ontology.SCHEMA, ontology.ORG, ontology.GIST, ontology.FOAF
    assert (QKG.City, RDFS.subClassOf, schema.City) in onto
    assert (QKG.Country, RDFS.subClassOf, schema.Country) in onto
    assert (QKG.Mission, RDFS.subClassOf, schema.Trip) in onto
    assert (QKG.Agreement, RDFS.subClassOf, gist.Agreement) in onto
    assert (QKG.party, RDFS.subPropertyOf, gist.hasParty) in onto
    assert (QKG.destination, RDFS.subPropertyOf, schema.itinerary) in onto
    assert (QKG.Post, RDFS.subClassOf, org.Post) in onto
    assert (QKG.Person, RDFS.subClassOf, foaf.Person) in onto
    assert (QKG.CityNetwork, RDFS.subClassOf, schema.Consortium) in onto


def test_no_owl_imports(onto):
    """owlready2 would follow them to the web: the standard axioms are vendored in external.ttl instead."""
    assert list(onto.objects(None, OWL.imports)) == []
    for path in ontology_paths():
        code = [
            line.split("#")[0]
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#")
        ]
        assert not any("owl:imports" in line for line in code), path


@pytest.mark.skipif(not java_available(), reason="HermiT needs Java")
def test_hermit_finds_the_ontology_consistent(onto):
    report = hermit_check(onto)
    assert report.consistent, report.detail


@pytest.mark.skipif(not java_available(), reason="HermiT needs Java")
def test_hermit_detects_an_inconsistency(onto):
    """The check can fail: a city that is also an organisation breaks the vendored disjointness axioms."""
    g = Graph()
    g += onto
    x = ontology.QKGD["bad"]
    g.add((x, RDF.type, QKG.City))
    g.add((x, RDF.type, QKG.LocalGovernment))
    assert not hermit_check(g).consistent
