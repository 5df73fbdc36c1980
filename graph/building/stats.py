"""Figures about a built graph: triples (asserted and inferred), named graphs, entities by class.

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> s = OxigraphStore()
>>> s.add([terms.Quad(terms.NamedNode("https://w3id.org/qkg/id/m1"), terms.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
...               terms.NamedNode("https://w3id.org/qkg/def#Mission"), terms.NamedNode("https://w3id.org/qkg/id/graph-x"))])
>>> graph_stats(s)["classes"]["qkg:Mission"]
1
"""
from __future__ import annotations


from qkg.graph.serving import terms
from qkg.graph.serving.results import short
from qkg.graph.serving.store import Store

__all__ = ["graph_stats"]

_INFERRED = "https://w3id.org/qkg/id/graph-inferred"
_ONTOLOGY = "https://w3id.org/qkg/id/graph-ontology"


def graph_stats(store: Store) -> dict:
    """Return ``{"triples", "asserted", "inferred", "graphs": {name: n}, "classes": {curie: n}, "build": {...}}``."""
    graphs = {short(r["g"].value): int(r["n"].value) for r in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", union=False)}
    total = sum(graphs.values())
    inferred = graphs.get(short(_INFERRED), 0)
    classes = {short(r["c"].value): int(r["n"].value) for r in store.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c . FILTER(STRSTARTS(STR(?c), 'https://w3id.org/qkg/def#')) "
        f"FILTER NOT EXISTS {{ GRAPH <{_ONTOLOGY}> {{ ?s a ?c }} }} }} GROUP BY ?c ORDER BY DESC(?n)")}
    build = {short(r["p"].value): r["o"].value for r in store.select(
        "SELECT ?p ?o WHERE { GRAPH <https://w3id.org/qkg/id/graph-build> { ?b ?p ?o } FILTER(?p != <http://www.w3.org/ns/prov#used>) }", union=False)}
    return {"triples": total, "asserted": total - inferred, "inferred": inferred,
            "graphs": graphs, "classes": classes, "build": build}
