"""Who is central, who brokers, which communities: metrics on a projection (:mod:`qkg.graph.analysis.projection`).

Choices, and why:

* **Betweenness** counts shortest paths without weights (an edge weight is the *strength* of a tie, not a
  distance). Up to :data:`EXACT_LIMIT` nodes it is exact (networkx's Brandes up to :data:`NX_EXACT_LIMIT`
  nodes, igraph's, in C, above: the same values up to float rounding). Above, it is *estimated* from
  ``k`` source nodes drawn with a fixed seed, scaled by ``n / k`` (the Brandes-Pich estimator networkx uses
  for ``k=``), computed by igraph's C code (``betweenness(sources=...)``): the same estimator as
  ``networkx.betweenness_centrality(k=...)`` at about 50x the speed. The result says which was used.
* **PageRank** (weighted, damping 0.85) comes from igraph: networkx's needs SciPy, which qkg does not ship.
* **Communities**: networkx's Louvain (``louvain_communities``, seeded) up to :data:`EXACT_LIMIT` nodes,
  igraph's multilevel (the same Louvain method, in C, seeded) above.
* **Brokers**: betweenness plus the *participation coefficient* (Guimerà & Amaral 2005):
  ``P_i = 1 - sum_c (k_ic / k_i)^2`` over communities ``c``, with weighted degrees; 0 when every tie stays
  in one community, close to 1 when ties spread evenly over many. We also count the communities touched.

All results are plain dicts and lists, ready for JSON.

>>> import networkx as nx
>>> rows = centrality(nx.star_graph(3))["rows"]
>>> [(r["node"], r["degree"], round(r["betweenness"], 2)) for r in rows[:2]]
[(0, 3, 1.0), (1, 1, 0.0)]
"""

from __future__ import annotations

import contextlib
import random
import re
from collections import Counter, defaultdict

import igraph
import networkx as nx
from qkg.graph.analysis.nxgraphs import without_views
from qkg.graph.errors import N_, ParameterError

#: How the betweenness was computed, as the answers say it (in English: the artefacts keep it as text);
#: :func:`method_label` says it in a language.
_EXACT_NETWORKX = N_("exact (networkx, Brandes)")
_EXACT_IGRAPH = N_("exact (igraph)")
_SAMPLED = N_("estimated from k={k} sampled sources, seed {seed} (igraph, Brandes-Pich)")
_PAGERANK = N_("igraph PageRank (weighted, damping 0.85)")
_DEGREE = N_("number of distinct neighbours; weighted degree = sum of edge weights")
_LOUVAIN_NETWORKX = N_("Louvain (networkx, seed {seed}, resolution {resolution})")
_LOUVAIN_IGRAPH = N_("multilevel/Louvain (igraph, seed {seed}, resolution {resolution})")


def _pattern(template: str) -> re.Pattern:
    """The texts ``template`` fills: its ``{field}`` a number, the rest as written."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>-?[0-9][0-9.e+-]*)" for i, p in enumerate(parts))
    )


#: Every method text an answer gives (``methods`` of a centrality, ``method`` of communities and brokers).
_METHODS = tuple(
    (t, _pattern(t))
    for t in (_EXACT_NETWORKX, _EXACT_IGRAPH, _SAMPLED, _PAGERANK, _DEGREE, _LOUVAIN_NETWORKX, _LOUVAIN_IGRAPH)
)


def method_label(text: str, translate) -> str:
    """A method text of an answer (``methods`` of a centrality: betweenness, PageRank, degree; ``method`` of
    communities and brokers) in the language of ``translate`` (gettext); a text it does not know, as it is (the
    artefacts keep the English text).

    >>> method_label(_SAMPLED.format(k=300, seed=42), lambda t: t.replace("estimated from", "estimée sur"))
    'estimée sur k=300 sampled sources, seed 42 (igraph, Brandes-Pich)'
    >>> method_label("exact (igraph)", str.upper)
    'EXACT (IGRAPH)'
    >>> method_label("Louvain (networkx, seed 42, resolution 1.0)", lambda t: t.replace("resolution {", "résolution {"))
    'Louvain (networkx, seed 42, résolution 1.0)'
    >>> method_label("something else", str.upper)
    'something else'
    """
    for template, pattern in _METHODS:
        found = pattern.fullmatch(text or "")
        if found:
            return translate(template).format(**found.groupdict())
    return text


__all__ = [
    "EXACT_LIMIT",
    "NX_EXACT_LIMIT",
    "DEFAULT_SAMPLES",
    "to_igraph",
    "centrality",
    "measures",
    "communities",
    "brokers",
    "ego",
    "summary",
    "node_lookup",
    "NodeNotFound",
]

#: Up to this many nodes, betweenness is exact and communities use networkx's Louvain.
EXACT_LIMIT = 3000
#: Up to this many nodes, exact betweenness is networkx's (the 2024 graph's projections have 74 and 342 nodes);
#: above, igraph's exact Brandes in C, the same values up to float rounding: networkx's pure Python took 90 s
#: of a 300k-triple build for twelve 1,000-3,000-node yearly networks.
NX_EXACT_LIMIT = 500
#: Source nodes sampled to estimate betweenness on larger graphs.
DEFAULT_SAMPLES = 300


def to_igraph(G: nx.Graph, *, weight: str = "weight") -> tuple[igraph.Graph, list]:
    """An undirected igraph copy of ``G`` with a ``weight`` edge attribute, and the node list (index -> node).

    >>> g, nodes = to_igraph(nx.path_graph(3))
    >>> g.vcount(), g.ecount(), nodes
    (3, 2, [0, 1, 2])
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs: dict[tuple[int, int], float] = {}
    for u, v, d in G.edges(data=True):
        key = (min(index[u], index[v]), max(index[u], index[v]))
        pairs[key] = pairs.get(key, 0) + float(d.get(weight, 1) or 1)
    g = igraph.Graph(n=len(nodes), edges=list(pairs), directed=False)
    weights = list(pairs.values())
    g.es["weight"] = weights
    return g, nodes


def _one_thread():
    """igraph's C code on one OpenMP thread (``threadpoolctl``), for the duration of a ``with`` block.

    igraph's PageRank (PRPACK) runs on OpenMP threads: on a loaded machine the idle ones spin, and 12 PageRanks
    of 4-10k-node networks took 5.9 s of CPU at 1M instead of 0.06 s on one thread (the build's per-year
    rankings). On one thread its values are also the same from run to run (with two, their last digits vary).
    Without ``threadpoolctl`` (a venv not yet reinstalled), igraph keeps its threads.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a declared dependency
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="openmp")


class _Seeded:
    """Run igraph with its own seeded random generator, then restore the global one."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __enter__(self):
        igraph.set_random_number_generator(self.rng)
        return self.rng

    def __exit__(self, *exc) -> None:
        igraph.set_random_number_generator(random)


def _simple(G: nx.Graph) -> nx.Graph:
    """An undirected simple graph (a multigraph's parallel edges summed into ``weight``)."""
    if not G.is_multigraph() and not G.is_directed():
        return G
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = d.get("weight", 1)
        if H.has_edge(u, v):
            H.edges[u, v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


def _pairs(G: nx.Graph) -> tuple[list, dict[tuple[int, int], float]]:
    """The nodes of ``G`` (index -> node) and its edges as an undirected simple graph: ``{(i, j): weight}``
    with ``i <= j``, parallel edges summed (what :func:`_simple` makes, without a networkx copy: the same
    nodes in the same order, the same pairs in the same order, in a fraction of the time on a large graph).
    A multigraph or directed graph loses its self-loops, as in :func:`_simple`.

    The edges are read in ``G.edges``' order from networkx's adjacency dicts (``G._adj``, as its edge views
    read them) rather than through a view, which costs a call per edge (1.2 s of the 1M network's 300k).

    >>> _pairs(nx.MultiDiGraph([(0, 1), (1, 0), (1, 2), (2, 2)]))
    ([0, 1, 2], {(0, 1): 2, (1, 2): 1})
    >>> _pairs(nx.Graph([(0, 1, {"weight": 3}), (1, 1)]))
    ([0, 1], {(0, 1): 3, (1, 1): 1})
    """
    nodes = list(G._node)
    index = {n: i for i, n in enumerate(nodes)}
    multi, directed = G.is_multigraph(), G.is_directed()
    simple = not multi and not directed
    seen: set | None = None if directed else set()  # an undirected edge is read from its first end only
    pairs: dict[tuple[int, int], float] = {}
    get = pairs.get
    for u, nbrs in G._adj.items():
        i = index[u]
        for v, data in nbrs.items():
            if seen is not None and v in seen:
                continue
            j = index[v]
            if i == j and not simple:
                continue
            key = (i, j) if i <= j else (j, i)
            if multi:
                for d in data.values():
                    pairs[key] = get(key, 0) + d.get("weight", 1)
            else:
                pairs[key] = get(key, 0) + data.get("weight", 1)
        if seen is not None:
            seen.add(u)
    return nodes, pairs


def _betweenness(G: nx.Graph | None, g: igraph.Graph, nodes: list, *, mode: str, k: int | None, seed: int):
    n = len(nodes)
    if mode == "auto":
        mode = "exact" if n <= EXACT_LIMIT else "sample"
    if mode == "exact":
        if G is not None and n <= NX_EXACT_LIMIT:
            return nx.betweenness_centrality(G, normalized=True), _EXACT_NETWORKX
        raw = g.betweenness(directed=False)
        method = _EXACT_IGRAPH
    elif mode == "sample":
        k = min(k or DEFAULT_SAMPLES, n)
        sources = random.Random(seed).sample(range(n), k)
        raw = [b * n / k for b in g.betweenness(directed=False, sources=sources)]
        method = _SAMPLED.format(k=k, seed=seed)
    else:
        raise ParameterError(
            N_("unknown betweenness mode {value!r}"), hint=N_("use auto, exact or sample"), fields={"value": mode}
        )
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    return {nodes[i]: b * scale for i, b in enumerate(raw)}, method


def measures(G: nx.Graph, *, betweenness: str = "auto", k: int | None = None, seed: int = 42) -> tuple:
    """What :func:`centrality` ranks, per node index: ``(nodes, pairs, degree, weighted degree, betweenness by
    node, betweenness method, PageRank)``, for a caller that needs no rows (the network view's sizes).

    >>> nodes, pairs, degree, strength, btw, method, pr = measures(nx.path_graph(3))
    >>> nodes, degree, btw[1], method
    ([0, 1, 2], [1, 2, 1], 1.0, 'exact (networkx, Brandes)')
    """
    nodes, pairs = _pairs(G)
    g = igraph.Graph(n=len(nodes), edges=list(pairs), directed=False)
    g.es["weight"] = [float(w) or 1.0 for w in pairs.values()]  # as to_igraph: a zero weight counts 1
    degree: list[int] = [0] * len(nodes)
    strength: list[float] = [0] * len(nodes)  # ints stay ints (sums of integer weights), as in networkx
    for (i, j), w in pairs.items():
        degree[i] += 1
        degree[j] += 1
        strength[i] += w
        strength[j] += w
    if not nodes:
        btw, btw_method = {}, "none"
    elif betweenness in ("auto", "exact") and len(nodes) <= NX_EXACT_LIMIT:
        H = _simple(G)
        btw, btw_method = _betweenness(H, g, nodes, mode=betweenness, k=k, seed=seed)
        without_views(H)  # a copy's cached views refer back to it: freed when dropped, no collection needed
    else:
        btw, btw_method = _betweenness(None, g, nodes, mode=betweenness, k=k, seed=seed)
    with _one_thread():
        pr = g.pagerank(weights="weight", damping=0.85, directed=False) if nodes else []
    return nodes, pairs, degree, strength, btw, btw_method, pr


def centrality(
    G: nx.Graph,
    *,
    top: int | None = None,
    betweenness: str = "auto",
    k: int | None = None,
    seed: int = 42,
    sort: str = "betweenness",
) -> dict:
    """Degree, weighted degree, betweenness and PageRank of every node, sorted by ``sort`` (descending).

    Parameters
    ----------
    G : networkx.Graph
        A projection (a multigraph is collapsed, parallel edges summed).
    top : int, optional
        Keep the first ``top`` rows.
    betweenness : {"auto", "exact", "sample"}
        ``auto`` is exact up to :data:`EXACT_LIMIT` nodes, sampled above.
    k : int, optional
        Sampled sources for ``sample`` (default :data:`DEFAULT_SAMPLES`).
    seed : int
        Seed of the sample.
    sort : {"betweenness", "degree", "weighted_degree", "pagerank"}

    Returns
    -------
    dict
        ``{"rows": [{"node", "label", "type", "degree", "weighted_degree", "betweenness", "pagerank"}],
        "methods": {...}, "nodes": n, "edges": m}``

    Examples
    --------
    >>> res = centrality(nx.path_graph(5))
    >>> [(r["node"], round(r["betweenness"], 3)) for r in res["rows"][:3]]
    [(2, 0.667), (1, 0.5), (3, 0.5)]
    """
    if sort not in ("betweenness", "degree", "weighted_degree", "pagerank"):
        raise ParameterError(
            N_("cannot sort by {value!r}"),
            hint=N_("use betweenness, degree, weighted_degree or pagerank"),
            fields={"value": sort},
        )
    nodes, pairs, degree, strength, btw, btw_method, pr = measures(G, betweenness=betweenness, k=k, seed=seed)
    attrs = G._node
    rows = []
    for i, n in enumerate(nodes):
        data = attrs[n]
        rows.append(
            {
                "node": n,
                "label": data.get("label", str(n)),
                "type": data.get("type", ""),
                "degree": degree[i],
                "weighted_degree": strength[i],
                "betweenness": btw.get(n, 0.0),
                "pagerank": pr[i],
            }
        )
    rows.sort(key=lambda r: (-r[sort], -r["degree"], str(r["label"])))
    return {
        "rows": rows[:top] if top else rows,
        "nodes": len(nodes),
        "edges": len(pairs),
        "methods": {
            "betweenness": btw_method,
            "pagerank": _PAGERANK,
            "degree": _DEGREE,
        },
    }


def communities(G: nx.Graph, *, method: str = "auto", seed: int = 42, resolution: float = 1.0) -> dict:
    """Louvain communities, largest first, with the modularity of the partition.

    Parameters
    ----------
    method : {"auto", "louvain", "multilevel"}
        ``louvain`` = networkx, ``multilevel`` = igraph; ``auto`` picks networkx up to :data:`EXACT_LIMIT`.

    Returns
    -------
    dict
        ``{"communities": [[node, ...], ...], "modularity": float, "method": str, "membership": {node: i}}``

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> sorted(map(sorted, communities(G)["communities"]))
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    H = _simple(G)
    if method == "auto":
        method = "louvain" if H.number_of_nodes() <= EXACT_LIMIT else "multilevel"
    if method == "louvain":
        parts = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
        label = _LOUVAIN_NETWORKX.format(seed=seed, resolution=resolution)
    elif method == "multilevel":
        g, nodes = to_igraph(H)
        with _Seeded(seed):
            clusters = g.community_multilevel(weights="weight", resolution=resolution)
        parts = [{nodes[i] for i in members} for members in clusters]
        label = _LOUVAIN_IGRAPH.format(seed=seed, resolution=resolution)
    else:
        raise ParameterError(
            N_("unknown community method {value!r}"),
            hint=N_("use auto, louvain or multilevel"),
            fields={"value": method},
        )
    parts = sorted((set(p) for p in parts if p), key=lambda p: (-len(p), sorted(map(str, p))[0]))
    modularity = nx.community.modularity(H, parts, weight="weight") if H.number_of_edges() else 0.0
    membership = {n: i for i, p in enumerate(parts) for n in p}
    return {
        "communities": [sorted(p, key=str) for p in parts],
        "modularity": modularity,
        "method": label,
        "membership": membership,
    }


def brokers(
    G: nx.Graph,
    *,
    top: int | None = 20,
    partition: dict | None = None,
    seed: int = 42,
    betweenness: str = "auto",
    k: int | None = None,
    ranked: dict | None = None,
) -> dict:
    """Actors that bridge communities: betweenness, participation coefficient, communities touched.

    Sorted by betweenness; only nodes whose ties reach at least two communities are listed. ``partition`` (a
    :func:`communities` answer) and ``ranked`` (a :func:`centrality` answer, same options) are reused when
    given (the build has made both on the same simple graph), computed here otherwise.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> [(r["node"], r["communities_touched"]) for r in brokers(G)["rows"]]
    [(3, 2), (4, 2)]
    """
    H = _simple(G)
    part = partition or communities(H, seed=seed)
    membership = part["membership"]
    cent = {r["node"]: r for r in (ranked or centrality(H, betweenness=betweenness, k=k, seed=seed))["rows"]}
    rows = []
    for n in H.nodes:
        strength: defaultdict[int, float] = defaultdict(float)
        for nb, d in H[n].items():
            strength[membership[nb]] += d.get("weight", 1)
        total = sum(strength.values())
        touched = set(strength) | {membership[n]}
        if len(touched) < 2 or not total:
            continue
        participation = 1.0 - sum((s / total) ** 2 for s in strength.values())
        row = dict(cent[n])
        row.update(
            community=membership[n],
            communities_touched=len(touched),
            participation=participation,
            ties_outside=sum(1 for nb in H[n] if membership[nb] != membership[n]),
        )
        rows.append(row)
    rows.sort(key=lambda r: (-r["betweenness"], -r["participation"], str(r["label"])))
    return {
        "rows": rows[:top] if top else rows,
        "communities": len(part["communities"]),
        "method": part["method"],
        "modularity": part["modularity"],
    }


class NodeNotFound(ParameterError):
    """The entity named is not a node of the projection (404 over HTTP)."""

    status = 404


def node_lookup(G: nx.Graph, ref: str) -> str:
    """Find a node by IRI, CURIE (``qkgd:quebec``), local name or exact label; raise if absent or ambiguous.

    >>> G = nx.Graph(); G.add_node("https://w3id.org/qkg/id/quebec", label="Québec")
    >>> node_lookup(G, "qkgd:quebec") == node_lookup(G, "Québec") == "https://w3id.org/qkg/id/quebec"
    True
    """
    from qkg.ontology.curies import expand_curie

    if ref in G:
        return ref
    try:
        iri = expand_curie(ref)
    except Exception:
        iri = ref
    if iri in G:
        return iri
    hits = [n for n in G.nodes if str(n).rsplit("/", 1)[-1] == ref or G.nodes[n].get("label") == ref]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise ParameterError(
            N_("{value!r} names {n} nodes"),
            hint=N_("pass the full IRI or the CURIE"),
            fields={"value": ref, "n": len(hits)},
        )
    raise NodeNotFound(
        N_("{value!r} is not a node of this projection"),
        hint=N_("check the IRI (qkgd:...), or change the projection or the relations so that it takes part"),
        fields={"value": str(ref)[:80]},
    )


def ego(G: nx.Graph, node: str, *, depth: int = 1) -> nx.Graph:
    """The ego network of ``node``: every node within ``depth`` steps, and the edges among them.

    >>> sorted(ego(nx.path_graph(5), 0, depth=2).nodes)
    [0, 1, 2]
    """
    if depth < 1:
        raise ParameterError(
            N_("depth {value} is too small"), hint=N_("use a depth of 1 or more"), fields={"value": depth}
        )
    node = node_lookup(G, node) if node not in G else node
    return nx.ego_graph(G.to_undirected(as_view=True) if G.is_directed() else G, node, radius=depth)


def summary(G: nx.Graph) -> dict:
    """Nodes, edges, density, connected components, node types and edge kinds of a projection.

    >>> summary(nx.path_graph(3))["components"]
    1
    """
    H = G.to_undirected(as_view=True) if G.is_directed() else G
    comps = list(nx.connected_components(H)) if H.number_of_nodes() else []
    kinds: Counter = Counter()
    for *_e, d in G.edges(data=True):
        kinds.update(d.get("kinds") or ([d["property"]] if "property" in d else []))
    return {
        "projection": G.graph.get("projection"),
        "parameters": G.graph.get("parameters", {}),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "density": nx.density(_simple(G)) if G.number_of_nodes() > 1 else 0.0,
        "components": len(comps),
        "largest_component": max((len(c) for c in comps), default=0),
        "types": dict(Counter(d.get("type", "") for _n, d in G.nodes(data=True)).most_common()),
        "edge_kinds": dict(kinds.most_common()),
    }
