"""Node positions and node sizes computed ahead of time, so the browser never runs a physics simulation.

Measured on this project's 2-core machine (research/viz-measurements.md, and ``tests/bench_viz.py``):
python-igraph's Fruchterman-Reingold (C, grid variant above 1,000 nodes) lays out 5,000 nodes in about 0.5 s
and 20,000 in about 2 s, where ``networkx.spring_layout`` needs about 50 s for 5,000. Positions are scaled to
vis-network's pixel space (:func:`layout_positions`); the caller caches them per build.

Centralities (:func:`centralities`, from :mod:`qkg.graph.analysis.metrics`) size the nodes: degree, PageRank and
betweenness, each scaled to 0..1. Betweenness is exact up to :data:`EXACT_BETWEENNESS_MAX` nodes and
estimated from a fixed sample of sources above (Brandes-Pich), which keeps 100,000 nodes at about 3 s.

>>> import networkx as nx
>>> pos = layout_positions(nx.path_graph(3))
>>> sorted(pos) == [0, 1, 2] and all(len(p) == 2 for p in pos.values())
True
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Hashable

import networkx as nx

__all__ = ["EXACT_BETWEENNESS_MAX", "BETWEENNESS_SAMPLE", "layout_positions", "centralities", "scale_positions"]

EXACT_BETWEENNESS_MAX = 3000
#: Sampled sources of the betweenness estimate above :data:`EXACT_BETWEENNESS_MAX` nodes. It only sizes the
#: network's nodes (scaled to 0..1): on the 1M-triple graph (102k nodes) 64 sources keep 9 of the 10 largest
#: of a 256-source estimate, 87 of its 150 largest, for a quarter of its time (2.7 s of CPU for every centrality
#: of that graph, where the betweenness alone took 7-9 s).
BETWEENNESS_SAMPLE = 64
_RNG_LOCK = threading.Lock()  # igraph's random generator is process-wide: one seeded layout at a time
#: Pixel distance vis-network should see between neighbours, on average.
_SPACING = 70.0


def _to_igraph(graph: nx.Graph):
    import igraph as ig

    nodes = list(graph.nodes())
    index = {n: i for i, n in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v}
    return ig.Graph(n=len(nodes), edges=sorted(pairs)), nodes


def scale_positions(
    raw: dict[Hashable, tuple[float, float]], n: int | None = None
) -> dict[Hashable, tuple[float, float]]:
    """Centre positions on 0 and scale them so the drawing spans about ``sqrt(n) * 70`` pixels.

    Examples
    --------
    >>> scale_positions({"a": (0.0, 0.0), "b": (2.0, 0.0)})
    {'a': (-70.0, 0.0), 'b': (70.0, 0.0)}
    """
    if not raw:
        return {}
    n = n or len(raw)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    factor = _SPACING * max(2.0, math.sqrt(n)) / span
    return {k: (round((x - cx) * factor, 1), round((y - cy) * factor, 1)) for k, (x, y) in raw.items()}


def layout_positions(graph: nx.Graph, *, seed: int = 1, iterations: int = 500) -> dict[Hashable, tuple[float, float]]:
    """Lay out ``graph`` with igraph's Fruchterman-Reingold; return ``{node: (x, y)}`` in pixels.

    Deterministic for a given graph and ``seed``. Edge direction and multiplicity are ignored. The grid
    variant (igraph's default above 1,000 nodes) keeps large graphs fast.

    Parameters
    ----------
    graph : networkx.Graph
        Any networkx graph (directed and multigraphs too); it is not modified.
    seed : int
        Seed of the initial random positions.
    iterations : int
        Fruchterman-Reingold iterations.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.star_graph(4)
    >>> layout_positions(g) == layout_positions(g)
    True
    >>> layout_positions(nx.Graph())
    {}
    """
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(graph.nodes())): (0.0, 0.0)}
    h, nodes = _to_igraph(graph)
    rnd = random.Random(seed)
    half = math.sqrt(n) / 2  # igraph's own initial spread: a wider one makes the grid variant 5-20x slower
    start = [[rnd.uniform(-half, half), rnd.uniform(-half, half)] for _ in range(n)]
    import igraph as ig

    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))  # FR draws random displacements: make them repeatable
        try:
            coords = h.layout_fruchterman_reingold(seed=start, niter=iterations, grid="auto").coords
        finally:
            ig.set_random_number_generator(random)
    return scale_positions({node: (xy[0], xy[1]) for node, xy in zip(nodes, coords, strict=True)}, n)


def _unit(values: dict) -> dict:
    top = max(values.values(), default=0.0)
    return {k: (round(v / top, 4) if top > 0 else 0.0) for k, v in values.items()}


def centralities(
    graph: nx.Graph, *, exact_max: int = EXACT_BETWEENNESS_MAX, seed: int = 1
) -> dict[str, dict[Hashable, float]]:
    """Degree, PageRank and betweenness of every node, each divided by its maximum (so in 0..1).

    Computed by :func:`qkg.graph.analysis.metrics.centrality` (igraph; the graph is taken as undirected and simple).
    Betweenness uses every node as a source up to ``exact_max`` nodes (exact), and
    :data:`BETWEENNESS_SAMPLE` sampled sources above (Brandes-Pich estimate): 100,000 nodes take about 3 s.

    Returns
    -------
    dict
        ``{"degree": {node: float}, "pagerank": {...}, "betweenness": {...}}``.

    Examples
    --------
    >>> import networkx as nx
    >>> c = centralities(nx.star_graph(3))
    >>> c["degree"][0], c["degree"][1], c["betweenness"][0], c["betweenness"][1]
    (1.0, 0.3333, 1.0, 0.0)
    >>> c["pagerank"][0] == 1.0 > c["pagerank"][2]
    True
    """
    from qkg.graph.analysis.metrics import measures

    n = graph.number_of_nodes()
    if n == 0:
        return {"degree": {}, "pagerank": {}, "betweenness": {}}
    k = n if n <= exact_max else min(n, BETWEENNESS_SAMPLE)
    nodes, _pairs, degree, _strength, btw, _method, pagerank = measures(graph, betweenness="sample", k=k, seed=seed)
    between = [btw.get(node, 0.0) for node in nodes]
    attrs = graph._node
    # each dict in the order of centrality()'s rows (betweenness, degree, label), as the view reads them
    order = sorted(range(n), key=lambda i: (-between[i], -degree[i], str(attrs[nodes[i]].get("label", str(nodes[i])))))
    values = {"degree": degree, "pagerank": pagerank, "betweenness": between}
    return {
        name: _unit({nodes[i]: float(values[name][i]) for i in order}) for name in ("degree", "pagerank", "betweenness")
    }
