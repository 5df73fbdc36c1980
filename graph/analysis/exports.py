"""Write a projection for analysts' tools: GEXF (Gephi), GraphML (yEd, Cytoscape, igraph) or a CSV edge list.

GEXF and GraphML accept only scalar attributes, so lists and sets are joined with ``" | "`` and ``None``
values are dropped; the graph's own attributes (projection name, parameters) become one string each.

>>> import networkx as nx
>>> G = nx.Graph(projection="actors")
>>> G.add_node("https://w3id.org/qkg/id/a", label="A")
>>> G.add_node("https://w3id.org/qkg/id/b", label="B")
>>> G.add_edge("https://w3id.org/qkg/id/a", "https://w3id.org/qkg/id/b", weight=2, kinds=["agreement", "event"],
...            facts=["https://w3id.org/qkg/id/f1", "https://w3id.org/qkg/id/f2"])
>>> print(export_projection(G, "csv").decode())  # doctest: +NORMALIZE_WHITESPACE
source,target,source_label,target_label,key,weight,facts,kinds
qkgd:a,qkgd:b,A,B,,2,qkgd:f1 | qkgd:f2,agreement | event
<BLANKLINE>
>>> b"<gexf" in export_projection(G, "gexf") and b"agreement | event" in export_projection(G, "graphml")
True
"""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
from qkg.graph.errors import N_, ParameterError
from qkg.ontology.curies import short

__all__ = ["EXPORT_FORMATS", "MEDIA_TYPES", "export_projection", "flat_graph"]

EXPORT_FORMATS = ("gexf", "graphml", "csv")
MEDIA_TYPES = {"gexf": "application/gexf+xml", "graphml": "application/graphml+xml", "csv": "text/csv"}
_SEP = " | "


def _flat(value, *, curies: bool = False):
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return _SEP.join(str(_flat(v, curies=curies)) for v in items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, (bool, int, float)):
        return value
    if curies and isinstance(value, str) and value.startswith(("http://", "https://")):
        return short(value)
    return "" if value is None else str(value)


def flat_graph(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` whose node, edge and graph attributes are all scalars (lists joined with `` | ``).

    Node ids stay IRIs; each node gets an ``iri`` attribute too. A MultiDiGraph stays one.
    """
    H = G.__class__()
    H.graph.update({k: _flat(v) for k, v in G.graph.items() if v is not None})
    for n, data in G.nodes(data=True):
        attrs = {k: _flat(v) for k, v in data.items() if v is not None}
        attrs.setdefault("iri", str(n))
        H.add_node(n, **attrs)
    if G.is_multigraph():
        for u, v, k, data in G.edges(keys=True, data=True):
            H.add_edge(u, v, key=k, **{a: _flat(x) for a, x in data.items() if x is not None})
    else:
        for u, v, data in G.edges(data=True):
            H.add_edge(u, v, **{a: _flat(x) for a, x in data.items() if x is not None})
    return H


def export_projection(G: nx.Graph, fmt: str) -> bytes:
    """Serialise a projection as ``gexf``, ``graphml`` or ``csv`` (edge list, IRIs as CURIEs); UTF-8 bytes.

    Raises
    ------
    ParameterError
        If ``fmt`` is not one of :data:`EXPORT_FORMATS`.
    """
    if fmt not in EXPORT_FORMATS:
        raise ParameterError(
            N_("unknown export format {value!r}"),
            hint=N_("use one of {choices}"),
            fields={"value": fmt, "choices": ", ".join(EXPORT_FORMATS)},
        )
    H = flat_graph(G)
    if fmt == "gexf":
        return "\n".join(nx.generate_gexf(H, prettyprint=True)).encode("utf-8") + b"\n"
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(H, prettyprint=True)).encode("utf-8") + b"\n"
    extra = sorted({a for *_e, d in G.edges(data=True) for a in d} - {"weight"})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["source", "target", "source_label", "target_label", "key", "weight", *extra])
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, "", d) for u, v, d in G.edges(data=True))
    for u, v, k, d in edges:
        w.writerow(
            [
                short(u) if "://" in str(u) else u,
                short(v) if "://" in str(v) else v,
                G.nodes[u].get("label", ""),
                G.nodes[v].get("label", ""),
                k,
                d.get("weight", 1),
                *[_flat(d.get(a), curies=True) for a in extra],
            ]
        )
    return out.getvalue().encode("utf-8")
