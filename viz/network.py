"""The network view's data: a networkx graph -> vis-network nodes, edges and options, built with pyvis.

pyvis is the project's network library, so its ``Network`` object holds the nodes, the edges and the options
(physics off, straight edges) and :meth:`pyvis.network.Network.get_network_data` hands them over. Its
template is *not* used: it runs injected script (heading, select-menu ids, tooltips once a title contains
"href") and loads Bootstrap from a CDN (research/viz-measurements.md). Our page (``api/templates/network.html``
and ``api/static/js/network.js``) draws the JSON returned here, and puts every string on screen as text.
``net.nodes``/``net.edges`` are filled directly: ``Network.add_edge`` is quadratic (6 s for 15,000 edges).

Input graph contract (the route's adapter builds it from the store): a ``MultiDiGraph`` whose nodes carry
``label``, ``kind`` and optionally ``themes``, ``years``, ``category``, ``desc``; whose edges carry ``rel``;
and whose ``graph["vocab"]`` maps theme, category and relation ids to labels.

>>> import networkx as nx
>>> g = nx.MultiDiGraph(vocab={"qkg:party": "partie"})
>>> g.add_node("qkgd:a", label="Québec", kind="government"); g.add_node("qkgd:b", label="<b>Rennes</b>", kind="government")
>>> _ = g.add_edge("qkgd:a", "qkgd:b", rel="qkg:party")
>>> data = network_payload(g, positions={"qkgd:a": (0, 0), "qkgd:b": (70, 0)})
>>> [n["label"] for n in data["nodes"]], data["options"]["physics"]["enabled"], data["meta"]["edges"]
(['Québec', '<b>Rennes</b>'], False, 1)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Mapping

import networkx as nx
from qkg.graph.errors import N_, ParameterError
from qkg.viz.escape import clean_text
from qkg.viz.style import KINDS, legend, vis_groups

__all__ = ["LARGE", "SIZE_BY", "network_payload", "vis_options", "facets", "collapse_nary"]

#: Above this many nodes the view turns on the large-graph options (no arrows, edges hidden while moving).
LARGE = 1000
#: The centralities a node's size can follow, in the order of the ``m`` array of each node.
SIZE_BY = ("degree", "pagerank", "betweenness")
_LABEL_MAX = 48


def _join(out: nx.MultiDiGraph, a, b, rel: str, graph: nx.MultiDiGraph, *via: tuple) -> None:
    """Add (or extend) the direct edge ``a -[rel]-> b`` standing for the path ``via`` (edges of ``graph``):
    its report ``years`` are those of the edges it replaces."""
    years = {y for u, v, k in via for y in graph._succ[u][v][k].get("years", ())}
    found = out._succ.get(a, {}).get(b, {}).get(rel)
    if found is not None:
        found["years"] = sorted(set(found.get("years", ())) | years)
    else:
        out.add_edge(a, b, key=rel, rel=rel, years=sorted(years))


def collapse_nary(graph: nx.MultiDiGraph, *, copy: bool = True) -> nx.MultiDiGraph:
    """Replace the n-ary nodes that only join two things by direct edges; return a new graph (``graph``
    itself, changed in place, with ``copy=False``: the build's network, whose typed graph is its own).

    * an ``org:Membership`` (``org:member`` a, ``org:organization`` b) becomes ``a -org:memberOf-> b``;
    * a ``MissionLeg`` (mission ``qkg:leg`` l, l ``qkg:legCity`` c, l ``qkg:legPurpose`` e) becomes
      ``mission -qkg:destination-> c`` and ``mission -qkg:legPurpose-> e``;
    * a ``PartnerEntry`` (an annex line naming organisations) is dropped: it joins nothing but its names.

    Nodes are recognised by their ``type`` attribute (the most specific class, as
    :func:`qkg.graph.analysis.projection.typed_multigraph` sets it); edges by their key (the property CURIE).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("m", type="Membership"); g.add_node("q", type="LocalGovernment"); g.add_node("o", type="CityNetwork")
    >>> _ = g.add_edge("m", "q", key="org:member"); _ = g.add_edge("m", "o", key="org:organization")
    >>> g.add_node("l", type="MissionLeg"); g.add_node("mi", type="Mission"); g.add_node("c", type="City")
    >>> _ = g.add_edge("mi", "l", key="qkg:leg"); _ = g.add_edge("l", "c", key="qkg:legCity")
    >>> sorted((u, v, k) for u, v, k in collapse_nary(g).edges(keys=True))
    [('mi', 'c', 'qkg:destination'), ('q', 'o', 'org:memberOf')]
    >>> h = g.copy(); collapse_nary(h, copy=False) is h and sorted(h.edges(keys=True)) == sorted(
    ...     collapse_nary(g).edges(keys=True))
    True
    """
    out = graph.copy() if copy else graph
    # networkx's adjacency dicts are read directly (G._succ[u][v][key] -> data, G._pred[v][u] the same), in the
    # order of its edge views: a view per node and a lookup per edge cost 1.3 s of the 1M network
    succ, pred = graph._succ, graph._pred
    for node, kind in [(n, d.get("type")) for n, d in graph._node.items()]:
        if kind == "Membership":
            members = [v for v, keyed in succ[node].items() for k in keyed if k == "org:member"]
            orgs = [v for v, keyed in succ[node].items() for k in keyed if k == "org:organization"]
            for a in members:
                for b in orgs:
                    _join(out, a, b, "org:memberOf", graph, (node, a, "org:member"), (node, b, "org:organization"))
        elif kind == "MissionLeg":
            missions = [u for u, keyed in pred[node].items() for k in keyed if k == "qkg:leg"]
            for target, k in [(v, k) for v, keyed in succ[node].items() for k in keyed]:
                rel = {"qkg:legCity": "qkg:destination", "qkg:legPurpose": "qkg:legPurpose"}.get(k)
                if rel is None:
                    continue
                for mission in missions:
                    _join(out, mission, target, rel, graph, (mission, node, "qkg:leg"), (node, target, k))
        elif kind != "PartnerEntry":
            continue
        out.remove_node(node)
    for nbrs in out._succ.values():
        for keyed in nbrs.values():
            for k, d in keyed.items():
                d.setdefault("rel", k)
    return out


def vis_options(n_nodes: int, *, kinds: list[str] | None = None, directed: bool = True) -> dict:
    """vis-network options from a pyvis ``Network``: physics off, straight edges, groups per kind.

    Parameters
    ----------
    n_nodes : int
        Number of nodes drawn; above :data:`LARGE`, arrows go and edges hide while dragging or zooming.
    kinds : list of str, optional
        Kinds present (one vis group each); all kinds by default.
    directed : bool
        Draw arrows (small graphs only).

    Examples
    --------
    >>> o = vis_options(10)
    >>> o["physics"]["enabled"], o["edges"]["smooth"]["enabled"], o["layout"]["improvedLayout"]
    (False, False, False)
    >>> vis_options(5000)["interaction"]["hideEdgesOnDrag"]
    True
    """
    large = n_nodes > LARGE
    from pyvis.network import Network  # here: pyvis imports IPython (0.2 s), not needed to start the server

    net = Network(directed=directed and not large, cdn_resources="in_line")
    net.toggle_physics(False)
    net.options.edges.smooth.enabled = False
    net.toggle_hide_edges_on_drag(large)
    *_, options_json = net.get_network_data()
    options = json.loads(options_json)
    options["physics"] = {"enabled": False}
    options["layout"] = {"improvedLayout": False, "randomSeed": 1}
    options["groups"] = vis_groups(kinds)
    # A small network's page gives each node a font size from its rank, so that labels appear by importance
    # as one zooms in (network.js, rankLabels): a label shows once it reaches 11 px on screen.
    label_scaling = (
        {"enabled": False, "drawThreshold": 12, "maxVisible": 26}
        if not large
        else {"enabled": False, "drawThreshold": 7}
    )
    options["nodes"] = {
        "font": {"size": 14, "face": "system-ui, sans-serif", "color": "#222222"},
        "borderWidth": 1,
        "scaling": {"min": 8, "max": 42, "label": label_scaling},
    }
    options["edges"].update(
        {
            "color": {"color": "#9a9a9a", "highlight": "#333333", "hover": "#333333", "opacity": 0.7},
            "width": 1,
            "selectionWidth": 2,
            "arrows": {"to": {"enabled": directed and not large, "scaleFactor": 0.5}},
        }
    )
    options["interaction"].update(
        {
            "hover": not large,
            "tooltipDelay": 200,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        }
    )
    return options


def facets(graph: nx.MultiDiGraph, lang: str = "fr") -> dict:
    """The values the filters can take, with labels and counts: kinds, themes, years, categories, relations.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(vocab={"t": "Culture"})
    >>> g.add_node(1, kind="event", themes=["t"], years=[2024, 2025]); g.add_node(2, kind="city")
    >>> f = facets(g, "en")
    >>> [k["kind"] for k in f["kinds"]], f["themes"], f["years"]
    (['city', 'event'], [{'id': 't', 'label': 'Culture', 'count': 1}], [2024, 2025])
    """
    vocab = graph.graph.get("vocab", {})
    kinds: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    years: set[int] = set()
    for _, d in graph.nodes(data=True):
        kinds[d.get("kind", "other")] += 1
        themes.update(set(d.get("themes") or ()))
        years.update(d.get("years") or ())
        if d.get("category"):
            cats[d["category"]] += 1
    rels = Counter(rel for *_, rel in graph.edges(data="rel") if rel)

    def entries(counter: Counter) -> list[dict]:
        rows = [{"id": k, "label": clean_text(vocab.get(k, k), limit=80), "count": n} for k, n in counter.items()]
        return sorted(rows, key=lambda r: (r["label"].casefold(), r["id"]))

    return {
        "kinds": legend(kinds, lang),
        "themes": entries(themes),
        "years": sorted(years),
        "categories": entries(cats),
        "relations": entries(rels),
    }


def _short_label(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def network_payload(
    graph: nx.MultiDiGraph,
    *,
    positions: Mapping[Hashable, tuple[float, float]],
    metrics: Mapping[str, Mapping[Hashable, float]] | None = None,
    size_by: str = "degree",
    lang: str = "fr",
    meta: Mapping | None = None,
) -> dict:
    """Everything the page needs to draw ``graph``: nodes, edges, options, filter facets, legend, meta.

    Node objects are ``{"id", "label", "full", "group", "x", "y", "value", "m", "th", "yr", "cat"}``: ``label``
    is the text drawn on the canvas, ``full`` the whole label when ``label`` had to be shortened (absent
    otherwise), ``group`` the kind, ``m`` the
    centralities in :data:`SIZE_BY` order (0..1), ``th``/``yr``/``cat`` the filter attributes. Edge objects
    are ``{"id", "from", "to", "rel"}``; ``vocab`` gives every label. All text is plain text: the page shows
    it with ``textContent`` or on the canvas, never as HTML.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The graph to draw (see the module docstring for its attributes).
    positions : mapping
        ``{node: (x, y)}`` in pixels; nodes without a position are placed at the origin.
    metrics : mapping, optional
        ``{"degree": {node: 0..1}, "pagerank": ..., "betweenness": ...}`` (see :func:`qkg.viz.layout.centralities`).
    size_by : {"degree", "pagerank", "betweenness"}
        The centrality sizing the nodes at first draw.
    lang : {"fr", "en"}
        Language of the legend and of the facet labels not found in ``vocab``.
    meta : mapping, optional
        Extra fields for ``payload["meta"]`` (build id, focus, filters...).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_node("x", label="A" * 60, kind="city")
    >>> n = network_payload(g, positions={}, metrics={"degree": {"x": 1.0}})["nodes"][0]
    >>> len(n["label"]), len(n["full"]), n["value"], n["m"], (n["x"], n["y"])
    (48, 60, 1.0, [1.0, 0.0, 0.0], (0.0, 0.0))
    """
    if size_by not in SIZE_BY:
        raise ParameterError(
            N_("unknown node size {value!r}"),
            hint=N_("size nodes by one of: {choices}"),
            fields={"value": size_by, "choices": ", ".join(SIZE_BY)},
        )
    metrics = metrics or {}
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    kinds: Counter[str] = Counter()
    for node, d in graph.nodes(data=True):
        kind = d.get("kind") if d.get("kind") in KINDS else "other"
        kinds[kind] += 1
        full = clean_text(d.get("label") or node)
        x, y = positions.get(node, (0.0, 0.0))
        m = [float(metrics.get(name, {}).get(node, 0.0)) for name in SIZE_BY]
        item = {
            "id": str(node),
            "label": _short_label(full),
            "group": kind,
            "x": float(x),
            "y": float(y),
            "value": m[SIZE_BY.index(size_by)],
            "m": m,
        }
        if item["label"] != full:
            item["full"] = full
        if d.get("themes"):
            item["th"] = sorted(set(d["themes"]))
        if d.get("years"):
            item["yr"] = sorted(set(d["years"]))
        if d.get("category"):
            item["cat"] = d["category"]
        if d.get("desc"):
            item["desc"] = clean_text(d["desc"], limit=400)
        net.nodes.append(item)
    for i, (u, v, rel) in enumerate(graph.edges(data="rel")):
        net.edges.append({"id": i, "from": str(u), "to": str(v), "rel": rel or ""})
    nodes, edges, *_ = net.get_network_data()
    found = facets(graph, lang)
    vocab = {k: clean_text(v, limit=120) for k, v in graph.graph.get("vocab", {}).items()}
    info = {
        "nodes": len(nodes),
        "edges": len(edges),
        "large": len(nodes) > LARGE,
        "size_by": size_by,
        "lang": lang,
        **(meta or {}),
    }
    return {
        "meta": info,
        "nodes": nodes,
        "edges": edges,
        "vocab": vocab,
        "options": vis_options(len(nodes), kinds=list(kinds)),
        "facets": found,
        "legend": found["kinds"],
    }
