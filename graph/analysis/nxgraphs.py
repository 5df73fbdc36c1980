"""Large networkx graphs made and dropped cheaply (the build's network and actor networks, 100k+ nodes at 1M).

networkx's ``add_edge`` costs a method call, a view lookup and a cache reset per edge (605k calls, 1.6 s of
the 1M build's network); :func:`multidigraph` and :func:`simple_graph` fill the same dicts networkx's own
methods fill, in the same order (the order decides the node numbering of igraph's sampled betweenness, so the
artefacts stay the same), in a few plain dict operations per edge. networkx keeps its adjacency in documented
plain dicts (``G._node``, ``G._adj``, ``G._succ``, ``G._pred``: "the data structure", networkx's reference), which
its own ``add_edges_from`` fills the same way.

A graph whose ``edges``, ``degree``... view was asked for refers to itself (networkx caches the view on the
graph, and the view holds the graph): dropped, it waits for a full collection of the cyclic collector, which
walks every live object (1.3 s at the end of the 1M network). :func:`without_views` forgets those views, so
reference counting frees the graph at once.

>>> G = multidigraph([("a", {"label": "A"})], [("a", "b", "r", {"w": 1}), ("b", "a", "r", {"w": 2})], name="x")
>>> H = nx.MultiDiGraph(name="x"); H.add_node("a", label="A")
>>> _ = H.add_edge("a", "b", key="r", w=1); _ = H.add_edge("b", "a", key="r", w=2)
>>> same_graph(G, H)
True
>>> _ = G.edges; "edges" in vars(without_views(G))
False
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable

import networkx as nx

__all__ = ["multidigraph", "simple_graph", "without_views", "same_graph"]

#: The views networkx caches on a graph (``functools.cached_property``): each may refer back to the graph.
_VIEWS = frozenset(
    name
    for cls in (nx.Graph, nx.DiGraph, nx.MultiGraph, nx.MultiDiGraph)
    for name, value in vars(cls).items()
    if isinstance(value, functools.cached_property)
)


def without_views(G: nx.Graph) -> nx.Graph:
    """``G`` without the views networkx cached on it (asked again, they are made again); returns ``G``."""
    cached = vars(G)
    for name in _VIEWS & cached.keys():
        del cached[name]
    return G


def multidigraph(
    nodes: Iterable[tuple[Hashable, dict]], edges: Iterable[tuple[Hashable, Hashable, Hashable, dict]], **attr
) -> nx.MultiDiGraph:
    """The ``MultiDiGraph`` that ``add_node(n, **data)`` for each node, then ``add_edge(u, v, key=k, **data)``
    for each edge, would make: the same nodes, adjacency and keys in the same order (an edge's unknown end is
    added as a node, ``u`` first). Each ``data`` dict becomes the graph's own (not copied); a repeated
    ``(u, v, key)`` updates the first one's."""
    G = nx.MultiDiGraph(**attr)
    node, succ, pred = G._node, G._succ, G._pred
    for n, data in nodes:
        if n in node:
            node[n].update(data)
        else:
            succ[n], pred[n], node[n] = {}, {}, dict(data)
    for u, v, key, data in edges:
        if u not in node:
            succ[u], pred[u], node[u] = {}, {}, {}
        if v not in node:
            succ[v], pred[v], node[v] = {}, {}, {}
        keyed = succ[u].get(v)
        if keyed is None:
            succ[u][v] = pred[v][u] = {key: data}
        elif key in keyed:
            keyed[key].update(data)
        else:
            keyed[key] = data
    return G


def simple_graph(nodes: Iterable[Hashable], edges: Iterable[tuple[Hashable, Hashable, dict]], **attr) -> nx.Graph:
    """The undirected ``Graph`` that ``add_nodes_from(nodes)`` then ``add_edges_from(edges)`` would make (each
    edge ``(u, v, data)``, ``data`` made the graph's own; a repeated pair updates the first one's data)."""
    G = nx.Graph(**attr)
    node, adj = G._node, G._adj
    for n in nodes:
        if n not in node:
            adj[n], node[n] = {}, {}
    for u, v, data in edges:
        if u not in node:
            adj[u], node[u] = {}, {}
        if v not in node:
            adj[v], node[v] = {}, {}
        found = adj[u].get(v)
        if found is None:
            adj[u][v] = adj[v][u] = data
        else:
            found.update(data)
    return G


def same_graph(G: nx.Graph, H: nx.Graph) -> bool:
    """Whether ``G`` and ``H`` are the same graph in the same order: type, graph attributes, nodes with their
    data, and each node's adjacency (and, when directed, predecessors) in order, edge data shared by both ends
    as networkx shares it.

    >>> same_graph(nx.path_graph(3), nx.path_graph([0, 1, 2])), same_graph(nx.path_graph(3), nx.path_graph([2, 1, 0]))
    (True, False)
    """

    def shape(X: nx.Graph):
        adj = X._adj
        out = [type(X), X.graph, list(X._node.items()), [(u, list(nbrs.items())) for u, nbrs in adj.items()]]
        if X.is_directed():
            out.append([(v, list(nbrs)) for v, nbrs in X._pred.items()])
            shared = all(X._pred[v][u] is data for u, nbrs in adj.items() for v, data in nbrs.items())
        else:
            shared = all(adj[v][u] is data for u, nbrs in adj.items() for v, data in nbrs.items())
        return out, shared

    return shape(G) == shape(H)
