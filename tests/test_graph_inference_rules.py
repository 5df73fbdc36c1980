"""Known answers of the compiled OWL 2 RL rules: one tiny ontology and graph per axiom kind, the exact triples
inferred (semi-naive evaluation included: chains over inferred triples, transitivity over several rounds)."""

from __future__ import annotations

import re

import pytest
from qkg.graph.building import pipeline
from qkg.graph.building.inference import DELTA_GRAPH, INFERRED_GRAPH, Rule, compile_rules, materialise
from qkg.graph.serving import terms
from qkg.graph.serving.backends.oxigraph import OxigraphStore
from qkg.loaders.sources import default_data_root, discover
from qkg.ontology import load_ontology
from rdflib import Graph

PREFIXES = """@prefix e: <http://e/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix qkg: <https://w3id.org/qkg/def#> . @prefix qkgd: <https://w3id.org/qkg/id/> .
"""
SHORT = {
    "http://e/": "e:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "a",
    "https://w3id.org/qkg/def#": "qkg:",
    "http://www.w3.org/ns/org#": "org:",
    "http://www.w3.org/2006/time#": "time:",
    "https://w3id.org/qkg/id/": "qkgd:",
}


def _short(term) -> str:
    if isinstance(term, terms.Literal):
        return f'"{term.value}"'
    value = term.value
    for long, short in SHORT.items():
        if value.startswith(long):
            return short + value[len(long) :]
    return value


#: A property rule given as SPARQL only (it derives nothing): with it, the property rounds run in Python rather
#: than as queries in Oxigraph (:func:`~qkg.graph.building.inference._property_fixpoint`).
IN_PYTHON = Rule("in Python", "CONSTRUCT { ?s ?p ?o } WHERE { FILTER(false) }")


def infer(ontology: str, data: str, *, engine: bool = True) -> set[str]:
    """The inferred triples, each written ``"s p o"`` with short names (the property rounds run in the
    engine, or in Python with ``engine=False``)."""
    onto = Graph().parse(data=PREFIXES + ontology, format="turtle")
    store = OxigraphStore()
    store.load((PREFIXES + data).encode(), format="turtle", graph="http://e/g")
    count = materialise(store, compile_rules(onto) + ([] if engine else [IN_PYTHON]))
    assert DELTA_GRAPH not in store.graphs()
    found = {
        " ".join(_short(t) for t in (q.subject, q.predicate, q.object))
        for q in store.quads(None, None, None, INFERRED_GRAPH)
    }
    assert count == len(found)
    return found


CASES = {
    "subClassOf": (
        "e:A rdfs:subClassOf e:B . e:B rdfs:subClassOf e:C .",
        "e:x a e:A . e:y a e:B .",
        {"e:x a e:B", "e:x a e:C", "e:y a e:C"},
    ),
    "equivalentClass": ("e:A owl:equivalentClass e:B .", "e:x a e:A . e:y a e:B .", {"e:x a e:B", "e:y a e:A"}),
    "subPropertyOf": (
        "e:p rdfs:subPropertyOf e:q . e:q rdfs:subPropertyOf e:r .",
        "e:a e:p e:b . e:c e:q e:d .",
        {"e:a e:q e:b", "e:a e:r e:b", "e:c e:r e:d"},
    ),
    "equivalentProperty": (
        "e:p owl:equivalentProperty e:q .",
        "e:a e:p e:b . e:c e:q e:d .",
        {"e:a e:q e:b", "e:c e:p e:d"},
    ),
    "inverseOf": (
        "e:p owl:inverseOf e:q .",
        'e:a e:p e:b . e:c e:q e:d . e:f e:p "literal" .',
        {"e:b e:q e:a", "e:d e:p e:c"},
    ),
    "SymmetricProperty": ("e:p a owl:SymmetricProperty .", "e:a e:p e:b . e:c e:p e:c .", {"e:b e:p e:a"}),
    "TransitiveProperty": (
        "e:p a owl:TransitiveProperty .",
        "e:a e:p e:b . e:b e:p e:c . e:c e:p e:d .",
        {"e:a e:p e:c", "e:b e:p e:d", "e:a e:p e:d"},
    ),
    "propertyChainAxiom": (
        "e:r owl:propertyChainAxiom ( e:p e:q ) .",
        "e:a e:p e:b . e:b e:q e:c . e:b e:q e:d . e:x e:p e:y .",
        {"e:a e:r e:c", "e:a e:r e:d"},
    ),
    "hasValue": (
        "e:Special owl:equivalentClass [ owl:intersectionOf ( e:Thing [ owl:onProperty e:kind ; owl:hasValue e:v ] ) ] .",
        "e:x a e:Thing ; e:kind e:v . e:y a e:Thing ; e:kind e:w . e:z e:kind e:v .",
        {"e:x a e:Special"},
    ),
    # the documented domain rules
    "twinning": (
        "",
        "e:t qkg:agreementType qkgd:type-twinning ; qkg:party e:a , e:b . "
        "e:u qkg:agreementType qkgd:type-other ; qkg:party e:c , e:d .",
        {"e:a qkg:twinnedWith e:b", "e:b qkg:twinnedWith e:a"},
    ),
    "membership": (
        "",
        "e:m a org:Membership ; org:member e:a ; org:organization e:o . e:n org:member e:b ; org:organization e:o .",
        {"e:a qkg:memberOf e:o", "e:o org:hasMember e:a"},
    ),
    "time": (
        "",
        'e:x schema:startDate "2024-05"^^xsd:gYearMonth .',
        {
            "e:x time:hasTime e:x-time",
            "e:x-time a time:Interval",
            "e:x-time time:hasBeginning e:x-start",
            "e:x-start a time:Instant",
            'e:x-start time:inXSDgYearMonth "2024-05"',
        },
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_known_answer(kind):
    ontology, data, expected = CASES[kind]
    assert infer(ontology, data) == expected


def test_rules_chain_over_inferred_triples_in_later_rounds():
    """A chain over a sub-property's inferred triples, then an inverse of the chain's result, then a transitive
    closure over the inverse: each needs the previous round's new triples, and only those."""
    ontology = (
        "e:p0 rdfs:subPropertyOf e:p . e:r owl:propertyChainAxiom ( e:p e:q ) . e:r owl:inverseOf e:rInv . "
        "e:rInv a owl:TransitiveProperty ."
    )
    data = "e:a e:p0 e:b . e:b e:q e:c . e:c e:rInv e:z . e:a e:rInv e:w ."
    assert infer(ontology, data) == {
        "e:a e:p e:b",  # round 1: sub-property
        "e:z e:r e:c",
        "e:w e:r e:a",  # round 1: inverses of the asserted rInv
        "e:a e:r e:c",  # round 2: the chain over round 1's e:p
        "e:c e:rInv e:a",  # round 3: inverse of the chain's result
        "e:c e:rInv e:w",  # round 4: transitivity over it
        "e:w e:r e:c",  # round 5: inverse again
    }


def test_nothing_is_inferred_without_an_axiom_that_needs_it():
    assert infer("e:p rdfs:subPropertyOf e:q .", "e:a e:other e:b . e:x a e:A .") == set()


CHAINED = (
    "e:p0 rdfs:subPropertyOf e:p . e:r owl:propertyChainAxiom ( e:p e:q ) . e:r owl:inverseOf e:rInv . "
    "e:rInv a owl:TransitiveProperty .",
    "e:a e:p0 e:b . e:b e:q e:c . e:c e:rInv e:z . e:a e:rInv e:w .",
)


@pytest.mark.parametrize("kind", sorted(CASES) + ["chained"])
def test_rounds_in_the_engine_and_in_python_agree(kind):
    ontology, data = CHAINED if kind == "chained" else CASES[kind][:2]
    assert infer(ontology, data) == infer(ontology, data, engine=False)


def test_rounds_in_the_engine_and_in_python_agree_on_the_2024_graph():
    """The repository's data: the same inferred graph either way (blank nodes, renamed by each load, aside)."""

    def inferred(extra: list[Rule]) -> list[str]:
        store = OxigraphStore()
        for src in pipeline._ontology_sources() + [
            s for s in discover(default_data_root()) if s.path.suffix in (".ttl", ".nt", ".nq")
        ]:
            pipeline._load(store, src)
        count = materialise(store, compile_rules(load_ontology()) + extra)
        found = sorted(re.sub(r"_:\S+", "_:b", str(q)) for q in store.quads(None, None, None, INFERRED_GRAPH))
        assert count == len(found) > 2000
        return found

    assert inferred([]) == inferred([IN_PYTHON])
