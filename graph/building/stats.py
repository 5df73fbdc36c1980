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

from qkg.graph.named_graphs import BUILD_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, YEAR_TAG
from qkg.graph.serving.store import Store, classes_in_use
from qkg.ontology import QKG
from qkg.ontology.curies import short

__all__ = ["graph_stats"]


def graph_stats(store: Store) -> dict:
    """Return ``{"triples", "asserted", "inferred", "graphs": {name: n}, "classes": {curie: n}, "build": {...},
    "years": {year: {"triples", "graphs", "classes"}}}``.

    ``years`` counts, per report year, the triples of its named graphs and the entities its files type (by
    class, inferred classes included): a few rows per year, whatever the size of the graph.
    """
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
    tags = {
        short(r["g"].value): r["y"].value
        for r in store.select(f"SELECT ?g ?y WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} }}", union=False)
    }
    years: dict[str, dict] = {}
    for graph, year in sorted(tags.items()):
        entry = years.setdefault(year, {"triples": 0, "graphs": 0, "classes": {}})
        entry["triples"] += graphs.get(graph, 0)
        entry["graphs"] += 1
    if used and years:
        for r in store.select(
            f"SELECT ?y ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} "
            f"GRAPH ?g {{ ?s a ?t }} VALUES ?c {{ {used} }} ?s a ?c }} GROUP BY ?y ?c ORDER BY ?y DESC(?n) ?c"
        ):
            years[r["y"].value]["classes"][short(r["c"].value)] = int(r["n"].value)
    return {
        "triples": total,
        "asserted": total - inferred,
        "inferred": inferred,
        "graphs": graphs,
        "classes": classes,
        "build": build,
        "years": years,
    }
