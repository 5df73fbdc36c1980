"""How is X connected to Y: the k shortest paths, each step with its triples or facts and their provenance.

Two views:

``typed`` (default)
    The typed multigraph (:func:`qkg.graph.analysis.projection.typed_multigraph`): each step is one or more triples
    ``s -[property]-> o`` (walked in either direction) and a fact node on the path (an agreement, an event,
    a membership...) brings its report section and annex item.
``actors``
    The actor network (:func:`qkg.graph.analysis.projection.actor_network`): each step is a pair of actors and the facts
    they share.

Places that merely contain others (countries, regions) are not walked *through* by default (``avoid``):
"both are in Canada" is not a connection. They can still be the source or the target.

>>> import networkx as nx
>>> G = nx.Graph(); nx.add_path(G, ["a", "f", "b"]); G.add_edge("a", "b", facts=["f2"])
>>> [p["nodes"] for p in k_shortest_paths(G, "a", "b", k=2)]
[['a', 'b'], ['a', 'f', 'b']]
"""

from __future__ import annotations

import weakref
from itertools import islice, pairwise

import networkx as nx
from qkg.graph.analysis.facts import provenance
from qkg.graph.analysis.metrics import node_lookup
from qkg.graph.errors import N_, ParameterError
from qkg.graph.serving.store import Store
from qkg.ontology.curies import short

__all__ = ["DEFAULT_AVOID", "FACT_TYPES", "k_shortest_paths", "connection_paths"]

#: Node types (most specific class, local name) that are facts: a step touching one cites it.
FACT_TYPES = frozenset(
    {
        "Mission",
        "MissionLeg",
        "Event",
        "NetworkMeeting",
        "Reception",
        "CourtesyReception",
        "CollaborationReception",
        "StrategicReception",
        "Activity",
        "Project",
        "Agreement",
        "Membership",
        "PartnerEntry",
    }
)
#: Node types not walked through by default.
DEFAULT_AVOID = ("Country", "Region")
_UNDIRECTED: weakref.WeakKeyDictionary[nx.Graph, nx.Graph] = weakref.WeakKeyDictionary()


def _undirected(G: nx.Graph) -> nx.Graph:
    """A simple undirected graph whose edges keep the triples (``links``) or facts they stand for."""
    if not G.is_directed() and not G.is_multigraph():
        return G
    if G in _UNDIRECTED:
        return _UNDIRECTED[G]
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, key, d in G.edges(keys=True, data=True):
        if u == v:
            continue
        link = {
            "s": u,
            "property": d.get("property", key),
            "o": v,
            "graph": d.get("graph"),
            "provenance": d.get("provenance", []),
        }
        if H.has_edge(u, v):
            H.edges[u, v]["links"].append(link)
        else:
            H.add_edge(u, v, links=[link])
    _UNDIRECTED[G] = H
    return H


def k_shortest_paths(
    G: nx.Graph, source, target, *, k: int = 3, avoid=DEFAULT_AVOID, max_length: int | None = None
) -> list[dict]:
    """The ``k`` shortest simple paths (fewest steps; Yen's algorithm) from ``source`` to ``target``.

    Returns ``[{"length", "nodes": [node...], "steps": [{"from", "to", "links" or "facts"}]}]``, shortest
    first; an empty list when they are not connected (within ``max_length`` steps, if given).
    """
    if k < 1:
        raise ParameterError(N_("k={value} is too small"), hint=N_("ask for 1 path or more"), fields={"value": k})
    H = _undirected(G)
    s, t = node_lookup(H, source), node_lookup(H, target)
    if s == t:
        raise ParameterError(N_("the source and the target are the same node"), hint=N_("pick two different entities"))
    avoid = set(avoid or ())
    view = nx.subgraph_view(H, filter_node=lambda n: n in (s, t) or H.nodes[n].get("type") not in avoid)
    out = []
    try:
        for nodes in islice(nx.shortest_simple_paths(view, s, t), k):
            if max_length is not None and len(nodes) - 1 > max_length:
                break
            steps = []
            for u, v in pairwise(nodes):
                e = H.edges[u, v]
                step = {"from": u, "to": v}
                if "links" in e:
                    step["links"] = [dict(x, direction="forward" if x["s"] == u else "backward") for x in e["links"]]
                else:
                    step["facts"] = list(e.get("facts", []))
                    step["kinds"] = list(e.get("kinds", []))
                steps.append(step)
            out.append({"length": len(nodes) - 1, "nodes": list(nodes), "steps": steps})
    except nx.NetworkXNoPath:
        pass
    return out


def connection_paths(
    store: Store,
    source: str,
    target: str,
    *,
    k: int = 3,
    projection: str = "typed",
    graph: nx.Graph | None = None,
    avoid=DEFAULT_AVOID,
    max_length: int | None = None,
    lang: str = "fr",
    **params,
) -> dict:
    """Answer "how is ``source`` connected to ``target``?" with facts and provenance on every step.

    Parameters
    ----------
    store : Store
        The built store (for labels and provenance).
    source, target : str
        IRIs, CURIEs (``qkgd:ville-de-quebec``), local names or exact labels.
    k : int
        How many paths (shortest first).
    projection : {"typed", "actors"}
        Which graph to walk (see the module docstring).
    graph : networkx.Graph, optional
        A prebuilt projection (e.g. from a cache); otherwise it is built with ``params``.

    Returns
    -------
    dict
        ``{"source", "target", "projection", "paths": [{"length", "nodes": [{"iri", "label", "type"}],
        "steps": [{"from", "to", "links"/"kinds", "facts": [{"iri", "label", "type", "sections", "annexItem",
        "graph"}]}]}]}``
    """
    from qkg.graph.analysis.projection import actor_network, typed_multigraph

    if projection not in ("typed", "actors"):
        raise ParameterError(
            N_("paths walk the typed or the actors projection, not {value!r}"),
            hint=N_("use --projection typed or actors"),
            fields={"value": projection},
        )
    if graph is None:
        graph = (
            typed_multigraph(store, lang=lang) if projection == "typed" else actor_network(store, lang=lang, **params)
        )
    paths = k_shortest_paths(graph, source, target, k=k, avoid=avoid, max_length=max_length)
    H = _undirected(graph)
    candidates = set()
    for p in paths:
        for step in p["steps"]:
            candidates |= {step["from"], step["to"]} if "links" in step else set(step["facts"])
    prov = provenance(store, candidates, lang=lang)
    fact_labels = {}
    if projection == "actors":
        from qkg.graph.analysis.facts import labels, types

        names, classes = labels(store, candidates, lang=lang), types(store, candidates)
        fact_labels = {f: (names[f], classes[f]) for f in candidates}

    def node(n):
        d = H.nodes[n]
        return {"iri": n, "curie": short(n), "label": d.get("label", short(n)), "type": d.get("type", "")}

    def fact(f):
        label, typ = fact_labels.get(f) or (H.nodes[f].get("label", short(f)), H.nodes[f].get("type", ""))
        return {"iri": f, "curie": short(f), "label": label, "type": typ, **prov.get(f, {})}

    for p in paths:
        for step in p["steps"]:
            if "links" in step:
                ends = [x for x in (step["from"], step["to"]) if H.nodes[x].get("type") in FACT_TYPES]
                step["facts"] = [fact(x) for x in ends]
                for link in step["links"]:
                    link["s"], link["o"] = short(link["s"]), short(link["o"])
            else:
                step["facts"] = [fact(f) for f in step["facts"]]
            step["from"], step["to"] = node(step["from"]), node(step["to"])
        p["nodes"] = [node(n) for n in p["nodes"]]
    s, t = node_lookup(H, source), node_lookup(H, target)
    return {
        "source": node(s),
        "target": node(t),
        "projection": projection,
        "k": k,
        "avoid": sorted(avoid or ()),
        "paths": paths,
    }
