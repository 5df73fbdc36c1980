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

from collections import defaultdict

from qkg.graph.named_graphs import BUILD_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, YEAR_TAG
from qkg.graph.serving.store import Store
from qkg.graph.serving.terms import NamedNode
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
    # the entities of each class, less those the ontology types (a NOT EXISTS on every type triple cost 4x more
    # at 1M triples: the ontology's few typings are counted apart and taken off); classes filtered here, not
    # by a FILTER on the class's IRI string (which decodes every term)
    namespace = str(QKG)
    counts = _by_class(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c", namespace)
    in_ontology = _by_class(
        store,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a ?c }} }} GROUP BY ?c",
        namespace,
    )
    classes = {
        short(c): n
        for c, n in sorted(((c, n - in_ontology.get(c, 0)) for c, n in counts.items()), key=lambda cn: (-cn[1], cn[0]))
        if n
    }
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
    if counts and years:
        # each year's typed entities first (one DISTINCT over the year graphs' type triples), then their classes:
        # 5x less work than joining every type triple with the year graphs
        by_year: dict[str, dict[str, int]] = defaultdict(dict)
        for r in store.select(
            f"SELECT ?y ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {{ SELECT DISTINCT ?y ?s WHERE {{ "
            f"GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} GRAPH ?g {{ ?s a ?t }} }} }} ?s a ?c }} GROUP BY ?y ?c"
        ):
            c = r["c"]
            if isinstance(c, NamedNode) and c.value in counts:
                by_year[r["y"].value][c.value] = int(r["n"].value)
        for year, found in sorted(by_year.items()):
            for c, n in sorted(found.items(), key=lambda cn: (-cn[1], cn[0])):
                years[year]["classes"][short(c)] = n
    return {
        "triples": total,
        "asserted": total - inferred,
        "inferred": inferred,
        "graphs": graphs,
        "classes": classes,
        "build": build,
        "years": years,
    }


def _by_class(store: Store, query: str, namespace: str) -> dict[str, int]:
    """``{class IRI: n}`` of a ``SELECT ?c ?n`` query, for the classes (IRIs) under ``namespace``."""
    out = {}
    for r in store.select(query):
        c = r["c"]
        if isinstance(c, NamedNode) and c.value.startswith(namespace):
            out[c.value] = int(r["n"].value)
    return out
