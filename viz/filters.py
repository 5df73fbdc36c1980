"""What the network view shows: filters by kind, theme, year, reception category and relation; ego networks.

The same rules run in the browser (``api/static/js/network.js``, ``visibleIds``) so that a filter chosen on the
page and the same filter passed to ``/api/viz/network`` give the same nodes; a browser test compares them.

The graph these functions read is a networkx ``MultiDiGraph`` whose nodes carry ``kind`` (see
:mod:`qkg.viz.style`), and optionally ``themes`` (concept ids), ``years`` (ints) and ``category`` (a concept id);
each edge carries ``rel``, the relation id. The rules:

* ``types``: keep nodes whose kind is one of them;
* ``themes``: keep nodes that have one of the themes, and their direct neighbours;
* ``years``: hide dated nodes none of whose years is chosen (undated nodes stay);
* ``categories``: hide receptions of another category (other kinds stay);
* ``relations``: keep only edges of these relations, then only nodes that still have an edge.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("m", kind="mission", years=[2024]); g.add_node("c", kind="city"); g.add_node("r", kind="reception", category="cat-courtesy")
>>> _ = g.add_edge("m", "c", rel="qkg:destination"); _ = g.add_edge("r", "c", rel="qkg:origin")
>>> sorted(visible(g, NetworkFilter(types=frozenset({"city", "mission"})))[0])
['c', 'm']
>>> sorted(visible(g, NetworkFilter(relations=frozenset({"qkg:origin"})))[0])
['c', 'r']
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

__all__ = ["NetworkFilter", "visible", "ego_nodes", "subgraph"]


def _frozen(values: Iterable | None) -> frozenset:
    return frozenset(v for v in (values or ()) if v not in (None, ""))


@dataclass(frozen=True)
class NetworkFilter:
    """A set of filters; an empty field means "no filter on that attribute".

    Examples
    --------
    >>> NetworkFilter.from_params({"type": ["city"], "year": ["2024", "x"]})
    NetworkFilter(types=frozenset({'city'}), themes=frozenset(), years=frozenset({2024}), categories=frozenset(), relations=frozenset())
    >>> NetworkFilter().active
    False
    """

    types: frozenset = field(default_factory=frozenset)
    themes: frozenset = field(default_factory=frozenset)
    years: frozenset = field(default_factory=frozenset)
    categories: frozenset = field(default_factory=frozenset)
    relations: frozenset = field(default_factory=frozenset)

    @classmethod
    def from_params(cls, params: Mapping[str, Iterable[str]]) -> NetworkFilter:
        """Build a filter from query parameters (``type``, ``theme``, ``year``, ``category``, ``relation``).

        Values that cannot be years are ignored; each parameter may repeat.
        """

        def get(name: str) -> list[str]:
            value = params.get(name) or []
            return [value] if isinstance(value, str) else list(value)

        years = {int(y) for y in get("year") if str(y).strip().isdigit() and len(str(y).strip()) <= 4}
        return cls(
            types=_frozen(get("type")),
            themes=_frozen(get("theme")),
            years=frozenset(years),
            categories=_frozen(get("category")),
            relations=_frozen(get("relation")),
        )

    @property
    def active(self) -> bool:
        """True when at least one filter is set."""
        return bool(self.types or self.themes or self.years or self.categories or self.relations)


def _node_passes(data: Mapping, f: NetworkFilter) -> bool:
    if f.types and data.get("kind") not in f.types:
        return False
    years = data.get("years") or ()
    if f.years and years and not f.years.intersection(years):
        return False
    return not (f.categories and data.get("kind") == "reception" and data.get("category") not in f.categories)


def visible(graph: nx.MultiDiGraph, f: NetworkFilter) -> tuple[set, list[tuple[Hashable, Hashable, Hashable]]]:
    """The nodes and edges ``f`` lets through.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Nodes with ``kind``/``themes``/``years``/``category``, edges with ``rel`` (see the module docstring).
    f : NetworkFilter
        The filters.

    Returns
    -------
    nodes : set
        Visible node ids.
    edges : list of (u, v, key)
        Visible edges: both ends visible and, if relations are filtered, of a chosen relation.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="event", themes=["t1"]); g.add_node("b", kind="city"); g.add_node("z", kind="city")
    >>> _ = g.add_edge("a", "b", rel="qkg:location")
    >>> sorted(visible(g, NetworkFilter(themes=frozenset({"t1"})))[0])
    ['a', 'b']
    >>> g.add_node("old", kind="event", years=[2019])
    >>> "old" in visible(g, NetworkFilter(years=frozenset({2024})))[0], "b" in visible(g, NetworkFilter(years=frozenset({2024})))[0]
    (False, True)
    """
    nodes = {n for n, d in graph.nodes(data=True) if _node_passes(d, f)}
    if f.themes:
        themed = {n for n, d in graph.nodes(data=True) if f.themes.intersection(d.get("themes") or ())}
        near = set(themed)
        for n in themed:
            near.update(graph.successors(n))
            near.update(graph.predecessors(n))
        nodes &= near
    edges = [
        (u, v, k)
        for u, v, k, rel in graph.edges(keys=True, data="rel")
        if u in nodes and v in nodes and (not f.relations or rel in f.relations)
    ]
    if f.relations:
        nodes = {u for u, _, _ in edges} | {v for _, v, _ in edges}
    return nodes, edges


def ego_nodes(graph: nx.MultiDiGraph, focus: Hashable, depth: int = 1) -> set:
    """The nodes at most ``depth`` steps from ``focus``, edges followed in both directions.

    Raises
    ------
    KeyError
        If ``focus`` is not a node of ``graph``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([(1, 2), (3, 2), (3, 4)])
    >>> sorted(ego_nodes(g, 1, 1)), sorted(ego_nodes(g, 1, 2)), sorted(ego_nodes(g, 1, 0))
    ([1, 2], [1, 2, 3], [1])
    """
    if focus not in graph:
        raise KeyError(focus)
    seen = {focus}
    frontier = deque([(focus, 0)])
    while frontier:
        node, dist = frontier.popleft()
        if dist >= depth:
            continue
        for nxt in (*graph.successors(node), *graph.predecessors(node)):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append((nxt, dist + 1))
    return seen


def subgraph(graph: nx.MultiDiGraph, nodes: set, edges: list | None = None) -> nx.MultiDiGraph:
    """A copy of ``graph`` restricted to ``nodes`` (and to ``edges`` when given), graph attributes kept.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([(1, 2), (2, 3)]); g.graph["vocab"] = {}
    >>> h = subgraph(g, {1, 2}); (sorted(h.nodes()), h.number_of_edges(), "vocab" in h.graph)
    ([1, 2], 1, True)
    """
    if edges is None:
        out = graph.subgraph(nodes).copy()
    else:
        out = nx.MultiDiGraph()
        out.add_nodes_from((n, graph.nodes[n]) for n in graph.nodes() if n in nodes)
        out.add_edges_from((u, v, k, graph.edges[u, v, k]) for u, v, k in edges)
    out.graph.update(graph.graph)
    return out
