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

from qkg.graph.named_graphs import BUILD_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from qkg.graph.serving.store import Store, classes_in_use
from qkg.ontology import QKG
from qkg.ontology.curies import short

__all__ = ["graph_stats"]


def graph_stats(store: Store) -> dict:
    """Return ``{"triples", "asserted", "inferred", "graphs": {name: n}, "classes": {curie: n}, "build": {...}}``."""
    graphs = {
        short(r["g"].value): int(r["n"].value)
        for r in store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", union=False
        )
    }
    total = sum(graphs.values())
    inferred = graphs.get(short(INFERRED_GRAPH), 0)
    used = " ".join(f"<{c}>" for c in classes_in_use(store, str(QKG)))
    classes = (
        {
            short(r["c"].value): int(r["n"].value)
            for r in store.select(
                f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {used} }} ?s a ?c . "
                f"FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a ?c }} }} }} GROUP BY ?c ORDER BY DESC(?n) ?c"
            )
        }
        if used
        else {}
    )
    build = {
        short(r["p"].value): r["o"].value
        for r in store.select(
            f"SELECT ?p ?o WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?b ?p ?o }} FILTER(?p != <http://www.w3.org/ns/prov#used>) }}",
            union=False,
        )
    }
    return {
        "triples": total,
        "asserted": total - inferred,
        "inferred": inferred,
        "graphs": graphs,
        "classes": classes,
        "build": build,
    }
