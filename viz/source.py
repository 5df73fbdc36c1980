"""The views' adapter: the one module of :mod:`qkg.viz` that reads a build's store (through graph/'s readers).

It turns the store into the plain data and networkx graphs that the pure modules draw, in two steps:

* **per build** (:func:`prepare_network`, :func:`map_rows`, :func:`stats_rows`): what depends only on the
  build. ``qkg build`` computes these once and stores them with the build as artefacts
  (``network``, ``map-rows``, ``stats-rows``: see :mod:`qkg.api.prepared`); the server and
  ``qkg viz`` read them back through the build's :class:`~qkg.graph.building.artefacts.Artefacts` (one cache
  per build, on the app state), never from a module-global cache;
* **per request** (:func:`network_view`, :func:`entity_view`, :func:`map_view`, :func:`stats_view`): a bounded
  view of the prepared data (the map's and the charts' of one report year, filtered from their rows).

Bounded by design, whatever the size of the graph:

==============================  ===========================================================================
answer                          bound
==============================  ===========================================================================
network, graph up to            the whole graph, as drawn for the 2024 graph (:data:`FULL_VIEW_MAX` nodes)
:data:`FULL_VIEW_MAX` nodes
network, larger graph           an overview: the City's ego network with its :data:`OVERVIEW_NODES` strongest
                                partners; a focus (a click in the page) expands one node's ego network, at
                                most :data:`NETWORK_MAX_NODES` nodes, nearest and most central first
map                             aggregated by place above :data:`qkg.viz.geo.MAP_DETAIL_MAX` points
timeline                        the :data:`qkg.viz.timeline.TIMELINE_MAX` latest dated items (counts stay whole)
==============================  ===========================================================================

The whole graph is for the exports (``/api/analysis/export``: GEXF, GraphML), not for the browser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from urllib.parse import quote

import networkx as nx
from qkg.graph.analysis.facts import labels, types
from qkg.graph.analysis.nxgraphs import multidigraph, without_views
from qkg.graph.analysis.projection import typed_links
from qkg.graph.building.artefacts import shared
from qkg.graph.errors import N_, NP_, ParameterError, QKGError
from qkg.graph.named_graphs import BUILD_GRAPH, YEAR_TAG
from qkg.graph.pages.entity import describe, resolve
from qkg.graph.pages.years import build_years, check_year, in_year, stated_by_year
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store, classes_in_use
from qkg.ontology import PREFIXES, standard_labels
from qkg.ontology.curies import ENTITY_NS, expand_curie, short
from qkg.viz.escape import clean_text, entity_href
from qkg.viz.filters import NetworkFilter, subgraph, visible
from qkg.viz.geo import MAP_DETAIL_MAX, aggregate_map, map_payload
from qkg.viz.layout import centralities, layout_positions
from qkg.viz.network import collapse_nary, facets, network_payload
from qkg.viz.panel import entity_summary
from qkg.viz.partners import ranked_partners
from qkg.viz.style import CATEGORY_COLOURS, CLASS_KINDS, KINDS, kind_of
from qkg.viz.timeline import activity_span, count_series, latest_timeline

__all__ = [
    "Prepared",
    "NotInNetwork",
    "prepare_network",
    "network_graph",
    "network_view",
    "filtered_network",
    "bounded_ego",
    "entity_view",
    "map_rows",
    "map_view",
    "with_every_year",
    "map_data",
    "stats_rows",
    "stats_view",
    "stats_data",
    "partners_view",
    "CITY",
    "FULL_VIEW_MAX",
    "OVERVIEW_NODES",
    "NETWORK_MAX_NODES",
    "EGO_RELAYOUT_MAX",
    "HOME",
]

Q, SCHEMA, GEO = PREFIXES["qkg"], PREFIXES["schema"], PREFIXES["geo"]
#: A network up to this many nodes is drawn whole (the 2024 graph); a larger one opens on an overview.
FULL_VIEW_MAX = 6000
#: Partners of the City shown by the overview of a large network.
OVERVIEW_NODES = 150
#: Most nodes of any network answer (an ego network beyond it keeps its nearest, most central nodes).
NETWORK_MAX_NODES = 1500
#: An ego network up to this many nodes gets a layout of its own; a larger one keeps the global positions.
EGO_RELAYOUT_MAX = 2000
#: The node the overview is centred on: the City (the place; the city government when the place is absent).
HOME = ("qkgd:quebec", "qkgd:ville-de-quebec")
#: The City as an actor (the city government), whose partners the home page ranks.
CITY = "qkgd:ville-de-quebec"


class NotInNetwork(QKGError):
    """The entity asked for is not in the network (404)."""

    status = 404


@dataclass(frozen=True)
class Prepared:
    """A build's network, ready to draw: the graph (CURIE node ids, French labels), English labels and
    vocabulary, positions (only for a graph drawn whole) and centralities (each in 0..1)."""

    graph: nx.MultiDiGraph
    positions: dict
    metrics: dict
    build: str
    english: dict = field(default_factory=dict)

    @property
    def large(self) -> bool:
        return self.graph.number_of_nodes() > FULL_VIEW_MAX

    @cached_property
    def known(self) -> dict[str, list[str]]:
        """The values the network's CURIE filters can take (``theme``, ``category``, ``relation``), read once
        from the whole network (each by label, as the page's filter menus list them)."""
        found = facets(self.graph)
        return {name: [e["id"] for e in found[key]] for name, key in _FILTER_FACETS.items()}


#: The network's filters whose values are CURIEs, and the facet that lists each one's values.
_FILTER_FACETS = {"theme": "themes", "category": "categories", "relation": "relations"}
#: Values a refused filter's hint lists at most.
_KNOWN_SHOWN = 12
#: The longest of a client's unknown values said back in the error (cut with "…").
_VALUE_SHOWN = 60


def check_filters(prepared: Prepared, given: dict[str, Iterable[str]]) -> None:
    """Refuse a ``theme``, ``category`` or ``relation`` the network does not have (a typo drew an empty network,
    answered 200): a :class:`ParameterError` naming the parameter, the value and some that exist."""
    for name, values in given.items():
        known = prepared.known.get(name)
        if known is None:
            continue
        if unknown := sorted(set(values) - set(known) - {""}):
            shown = ", ".join(known[:_KNOWN_SHOWN]) + (" …" if len(known) > _KNOWN_SHOWN else "")
            # the client's values said back cut short (a 400-character value was repeated whole)
            said = ", ".join(clean_text(v, limit=_VALUE_SHOWN) for v in unknown[:_KNOWN_SHOWN])
            raise ParameterError(
                NP_("{name}: {values} is not in this network", "{name}: {values} are not in this network", "count"),
                hint=N_("use some of its values ({known}), or leave {name} out"),
                fields={
                    "name": name,
                    "values": said + (" …" if len(unknown) > _KNOWN_SHOWN else ""),
                    "known": shown or "-",
                    "count": len(unknown),
                },
            )


# ---------------------------------------------------------------------------------------------------------
# Per build
# ---------------------------------------------------------------------------------------------------------


def _rows(store: Store, sparql: str) -> list:
    return store.select(sparql)  # a list, read in the calling thread


def _node_attributes(store: Store, iris: Iterable[str]) -> dict[str, dict]:
    """Themes, reception category and dates of each node (for the filters)."""
    wanted = iris if isinstance(iris, (set, dict)) else set(iris)
    out = defaultdict[str, dict](dict)
    names = {f"{Q}theme": "theme", f"{Q}category": "category", f"{SCHEMA}startDate": "startDate"}
    names[f"{SCHEMA}endDate"] = "endDate"
    # one query per property, not the property as a column: each answer's term is decoded from the store
    for prop, p in names.items():
        for r in _rows(store, f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o }}"):
            s = r[0].value
            if s not in wanted:
                continue
            o = r[1]
            if p == "theme":
                out[s].setdefault("themes", set()).add(short(o.value))
            elif p == "category":
                out[s]["category"] = short(o.value)
            elif isinstance(o, terms.Literal):
                out[s][p] = (o.value, o.datatype.value)
    return out


def _years(attrs: dict) -> list[int]:
    """The calendar years an activity's dates cover (none when undated or malformed)."""
    if "startDate" not in attrs:
        return []
    try:
        span = activity_span(attrs["startDate"], attrs.get("endDate"))
    except ValueError:
        return []
    first, last = span.start.year, (span.end - timedelta(days=1)).year
    return list(range(first, min(last, first + 100) + 1))  # a century at most, whatever the data says


def _vocab(store: Store, ids: set[str], lang: str) -> dict[str, str]:
    iris = {}
    for curie in ids:
        prefix, _, local = curie.partition(":")
        if prefix in PREFIXES:
            iris[PREFIXES[prefix] + local] = curie
    found = labels(store, iris, lang=lang)
    out = {curie: found.get(iri, curie) for iri, curie in iris.items()}
    standard = standard_labels()  # the standard terms the ontology does not label (org:holds, foaf:member...)
    for curie in ids:
        if out.get(curie, curie) == curie and curie in standard:
            out[curie] = standard[curie].get(lang) or standard[curie].get("en") or curie
    return out


def network_graph(store: Store, *, lang: str = "fr") -> nx.MultiDiGraph:
    """The graph the network view draws: every entity link, n-ary nodes collapsed, filter attributes set.

    Each edge has ``rel`` (a property CURIE) and ``years``: the report years whose files state it (empty for a
    link of background or added files, which belongs to every year); ``G.graph["report_years"]`` lists the
    build's report years.

    It is the typed multigraph (:func:`~qkg.graph.analysis.projection.typed_links`) made once, with CURIE
    node ids, collapsed (:func:`~qkg.viz.network.collapse_nary`) and given the filters' attributes in place:
    no second copy of 300k links at 1M triples."""
    return _network_graph(store, lang=lang)[0]


def _network_graph(store: Store, *, lang: str) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """:func:`network_graph` and each of its nodes' IRI (``curie -> IRI``)."""
    links = typed_links(store, details=False)
    iris = dict.fromkeys(x for s, o, _key in links for x in (s, o))  # the nodes, in the order first seen
    curie = {iri: short(iri) for iri in iris}
    names, classes = labels(store, iris, lang=lang), types(store, iris)
    G = multidigraph(
        ((curie[i], {"label": names[i], "type": classes[i]}) for i in iris),
        ((curie[s], curie[o], key, data) for (s, o, key), data in links.items()),
    )
    del links, names, classes
    collapse_nary(G, copy=False)
    # the predecessors in the order the links were made in (each node's, in node order): as add_edge makes them
    # when the links are added in G.edges' order, as they were when the collapsed graph was copied
    pred = G._pred
    for n in pred:
        pred[n] = {}
    for u, nbrs in G._succ.items():
        for v, keyed in nbrs.items():
            pred[v][u] = keyed
    attrs = _node_attributes(store, iris)
    iri_of = {curie[i]: i for i in iris}
    del iris, curie
    kinds: dict[str, str] = {}  # the few types, each mapped to its kind once
    nodes = G._node
    for n, d in nodes.items():
        a = attrs.get(iri_of[n], {})
        cls = d.get("type") or ""
        nodes[n] = {
            "label": d.get("label") or n,
            "kind": kinds.get(cls) or kinds.setdefault(cls, kind_of([cls])),
            "themes": sorted(a.get("themes", ())),
            "years": _years(a),
            "category": a.get("category"),
        }
    del attrs
    G.graph["report_years"] = build_years(store)
    ids = {t for d in nodes.values() for t in d["themes"]} | {c for d in nodes.values() if (c := d["category"])}
    ids |= {k for nbrs in G._succ.values() for keyed in nbrs.values() for k in keyed}
    G.graph["vocab"] = _vocab(store, ids, lang)
    return G, iri_of


def prepare_network(store: Store, *, build: str = "") -> Prepared:
    """The build's network with its centralities, English labels, and positions when it is drawn whole.

    Computed once per build (``qkg build`` stores it as the ``network`` artefact). A large graph gets no
    global layout: its views (overview, ego networks) are laid out when drawn, since they are small.
    """
    G, iri_of = _network_graph(store, lang="fr")
    iris = {iri_of[n]: n for n in G._node}
    del iri_of
    english = {iris[i]: name for i, name in labels(store, iris, lang="en").items()}
    english_vocab = _vocab(store, set(G.graph["vocab"]), "en")
    positions = layout_positions(G) if G.number_of_nodes() <= FULL_VIEW_MAX else {}
    # the graph without the views networkx cached on it: dropped after it is written, it is freed at once
    return Prepared(without_views(G), positions, centralities(G), build, {"labels": english, "vocab": english_vocab})


# ---------------------------------------------------------------------------------------------------------
# Per request: bounded views
# ---------------------------------------------------------------------------------------------------------


def in_report_year(data: dict, year: str | None) -> bool:
    """Whether an edge of :func:`network_graph` belongs to the report ``year``: stated in that year's files, or
    in files of no year (``years`` empty); every edge when ``year`` is None.

    >>> in_report_year({"years": ["2024"]}, "2025"), in_report_year({"years": []}, "2025"), in_report_year({}, None)
    (False, True, True)
    """
    if year is None:
        return True
    years = data.get("years") or ()
    return not years or year in years


def _links(G: nx.MultiDiGraph, u, v, year: str | None) -> int:
    if year is None:
        return G.number_of_edges(u, v)
    return sum(1 for d in G[u][v].values() if in_report_year(d, year))


def bounded_ego(
    G: nx.MultiDiGraph,
    focus: str,
    *,
    depth: int = 1,
    max_nodes: int = NETWORK_MAX_NODES,
    rank: dict | None = None,
    year: str | None = None,
) -> tuple[set, int]:
    """The ego network of ``focus`` up to ``depth`` links, at most ``max_nodes`` nodes; and how many it left out.

    Ring by ring (links followed both ways); within a ring the nodes with most links to the nodes already
    kept come first, then the highest ``rank`` (a centrality), then the id. So the overview of the City keeps
    its strongest partners. With a report ``year``, only the links of that year count (:func:`in_report_year`).

    Examples
    --------
    >>> g = nx.MultiDiGraph([("q", "a"), ("q", "a"), ("q", "b"), ("c", "q"), ("a", "d")])
    >>> kept, left_out = bounded_ego(g, "q", depth=1, max_nodes=2)
    >>> sorted(kept), left_out, sorted(bounded_ego(g, "q", depth=2, max_nodes=10)[0])
    (['a', 'q'], 2, ['a', 'b', 'c', 'd', 'q'])
    """
    rank = rank or {}
    kept, frontier, left_out = {focus}, [focus], 0
    for _ in range(max(0, int(depth))):
        strength: dict = defaultdict(int)
        for n in frontier:
            for m in G.successors(n):
                strength[m] += _links(G, n, m, year)
            for m in G.predecessors(n):
                strength[m] += _links(G, m, n, year)
        strength = {m: k for m, k in strength.items() if k}
        ring = sorted((m for m in strength if m not in kept), key=lambda m: (-strength[m], -rank.get(m, 0.0), str(m)))
        room = max(0, max_nodes - len(kept))
        left_out += max(0, len(ring) - room)
        frontier = ring[:room]
        kept.update(frontier)
        if not frontier:
            break
    return kept, left_out


def _home(G: nx.MultiDiGraph, rank: dict) -> str:
    """The overview's centre: the City, else the highest ranked node (ties: the greatest id).

    >>> g = nx.MultiDiGraph([("a", "b"), ("c", "b")])
    >>> _home(g, {"a": 0.5, "b": 1.0, "c": 1.0}), _home(g, {}), _home(g, {"a": 0.0})
    ('c', 'c', 'c')
    """
    for node in HOME:
        if node in G:
            return node
    # the ties of the top rank only, not a key per node (1M nodes at 10M triples: 1.9 s for every overview)
    top = max(rank.values(), default=0.0)
    ties = [n for n, r in rank.items() if r == top and n in G] if top > 0.0 else []
    if ties:
        return max(ties, key=str)
    return max(G.nodes, key=lambda n: (rank.get(n, 0.0), str(n)))


def _in_english(G: nx.MultiDiGraph, english: dict) -> nx.MultiDiGraph:
    names = english.get("labels", {})
    H = G.copy()
    for n in H.nodes:
        if n in names:
            H.nodes[n]["label"] = names[n]
    H.graph["vocab"] = {**G.graph.get("vocab", {}), **english.get("vocab", {})}
    return H


def network_view(
    prepared: Prepared,
    *,
    flt: NetworkFilter | None = None,
    focus: str | None = None,
    depth: int = 1,
    size_by: str = "degree",
    lang: str = "fr",
    build: str | None = None,
    full_view_max: int = FULL_VIEW_MAX,
    report_year: str | None = None,
) -> dict:
    """The ``/api/viz/network`` answer: the network (whole when small), an overview, or an ego network.

    ``meta`` says what was drawn: ``total`` nodes in the build's network, ``overview`` (True when a network
    of over ``full_view_max`` nodes opened on the City's partners), ``focus``/``depth`` and ``hidden`` (nodes
    left out by the bound). ``report_year`` keeps the links of one report year (:func:`in_report_year`) and the
    nodes they join (``meta.year``); a year the build does not hold is a :class:`ParameterError`.
    """
    G, positions = prepared.graph, prepared.positions
    meta: dict = {"build": build or prepared.build, "total": G.number_of_nodes()}
    rank = prepared.metrics.get("degree", {})
    year = None
    if report_year is not None:
        year = check_year(report_year, G.graph.get("report_years", []), name="report_year")
        meta["year"] = year
    if focus:
        node = short(resolve(focus))
        if node not in G:
            raise NotInNetwork(f"{focus!r} is not in the network", hint="search for the entity at /search?q=...")
        nodes, hidden = bounded_ego(G, node, depth=depth, max_nodes=NETWORK_MAX_NODES, rank=rank, year=year)
        meta.update(focus=node, depth=depth, hidden=hidden)
    elif G.number_of_nodes() > full_view_max:
        node = _home(G, rank)
        nodes, hidden = bounded_ego(G, node, depth=1, max_nodes=OVERVIEW_NODES + 1, rank=rank, year=year)
        meta.update(overview=True, focus=node, depth=1, hidden=hidden)
    else:
        nodes = None
    if year is not None:  # the year's links among the nodes drawn (the whole graph only when it is small)
        among = G if nodes is None else G.subgraph(nodes)
        edges = [(u, v, k) for u, v, k, d in among.edges(keys=True, data=True) if in_report_year(d, year)]
        ends = {n for u, v, _ in edges for n in (u, v)} | ({meta["focus"]} if meta.get("focus") else set())
        G = subgraph(G, ends, edges)
    elif nodes is not None:
        G = subgraph(G, nodes)
    if not positions or (nodes is not None and G.number_of_nodes() <= EGO_RELAYOUT_MAX):
        positions = layout_positions(G)
    if flt is not None and flt.active:
        kept, edges = visible(G, flt)
        G = subgraph(G, kept, edges)
        meta["filters"] = {k: sorted(v) for k, v in vars(flt).items() if v}
    if lang == "en":
        G = _in_english(G, prepared.english)
    if meta.get("focus"):
        meta["partners"] = partners_view(prepared, meta["focus"], lang=lang)
    return network_payload(G, positions=positions, metrics=prepared.metrics, size_by=size_by, lang=lang, meta=meta)


def filtered_network(
    prepared: Prepared,
    *,
    types: Iterable[str] = (),
    themes: Iterable[str] = (),
    years: Iterable[int] = (),
    categories: Iterable[str] = (),
    relations: Iterable[str] = (),
    focus: str | None = None,
    depth: int = 1,
    size_by: str = "degree",
    lang: str = "fr",
    build: str | None = None,
    report_year: str | None = None,
) -> dict:
    """:func:`network_view` under the network page's filters: what ``/api/viz/network`` answers and ``qkg viz``
    writes into its file (kinds, themes and categories as CURIEs, years, relations as CURIEs, one report year)."""
    themes, categories, relations = list(themes), list(categories), list(relations)
    check_filters(prepared, {"theme": themes, "category": categories, "relation": relations})
    flt = NetworkFilter.from_params(
        {
            "type": list(types),
            "theme": list(themes),
            "year": [str(y) for y in years],
            "category": list(categories),
            "relation": list(relations),
        }
    )
    return network_view(
        prepared,
        flt=flt,
        focus=focus,
        depth=depth,
        size_by=size_by,
        lang=lang,
        build=build,
        report_year=report_year,
    )


def partners_view(prepared: Prepared, node: str | None = None, *, lang: str = "fr") -> dict | None:
    """``node``'s partners ranked by shared facts (:func:`qkg.viz.partners.ranked_partners`), with links to
    their pages and to the network centred on them; ``node`` defaults to the City (:data:`CITY`). None when
    the node is not in the network. Bounded by the ranking's own caps."""
    G = prepared.graph
    node = node or (CITY if CITY in G else None)
    if node is None or node not in G:
        return None
    english = prepared.english if lang == "en" else {}
    # the page language's names: its own vocabulary's, else the standard terms' (org:memberOf...), else French
    own = english.get("vocab", {}) if lang == "en" else G.graph.get("vocab", {})
    standard = {curie: names[lang] for curie, names in standard_labels().items() if lang in names}
    vocab = {**G.graph.get("vocab", {}), **standard, **{c: name for c, name in own.items() if name != c}}
    out = ranked_partners(G, node, names=english.get("labels"), vocab=vocab)
    for p in out["partners"]:
        p["href"] = entity_href(expand_curie(p["id"]))
        p["network"] = "/network?focus=" + quote(p["id"], safe=":")
        for f in p["facts"]:
            f["href"] = entity_href(expand_curie(f["id"])) if f["id"] else None
    return out


def entity_view(store: Store, ref: str, *, lang: str = "fr") -> dict:
    """The side panel's summary of one entity (``ref``: local name, CURIE or IRI); one bounded look-up."""
    iri = resolve(ref)
    described = describe(store, iri, lang=lang) if iri.startswith(ENTITY_NS) else None
    if described is None:
        raise NotInNetwork(f"no entity {ref!r} in the graph", hint="search for it at /search?q=...")
    return entity_summary(described, lang=lang)


def _values(store: Store, prop: str) -> dict[str, str]:
    """``subject -> value`` of ``prop`` for every subject that has it (its last value in the store's order): one
    scan, the same query text wherever it is read (the build's query memo answers it once per group)."""
    return {s.value: o.value for s, o in _rows(store, f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o }}")}


def _receptions(store: Store) -> dict[str, tuple[str | None, set[str]]]:
    """Each reception's category and origins (a reception may have several origins, or none).

    The receptions, their categories and their origins are three scans joined here: the OPTIONAL joins of one
    query look each reception up in the on-disk store (0.5 s of CPU at 1M triples, 0.25 s as scans). A
    reception's category is its first in the store's order, as the joined query's first row gave it."""
    categories: dict[str, str] = {}
    for r, c in _rows(store, f"SELECT ?r ?c WHERE {{ ?r <{Q}category> ?c }}"):
        categories.setdefault(r.value, c.value)
    origins: dict[str, set[str]] = defaultdict(set)
    for r, o in _rows(store, f"SELECT ?r ?o WHERE {{ ?r <{Q}origin> ?o }}"):
        origins[r.value].add(o.value)
    out: dict[str, tuple[str | None, set[str]]] = {}
    for (r,) in _rows(store, f"SELECT ?r WHERE {{ ?r a <{Q}Reception> }}"):
        if (iri := r.value) not in out:
            out[iri] = (categories.get(iri), set(origins.get(iri, ())))
    return out


def _mission_legs(store: Store) -> tuple[dict[str, list[tuple[list[str], list[str]]]], dict[str, list[str]]]:
    """The missions' legs, for the map and the charts (read once for both: they are made in one group).

    ``(legs, cities)``: each mission's legs in the order the store gives them, each as (its ``qkg:legOrder``
    values, its ``qkg:legCity`` values); and each mission's leg cities (``qkg:leg/qkg:legCity``), legs with
    no order included. Four scans joined here: one query joining them looks each mission and leg up in the
    on-disk store (1 s of CPU at 1M triples for the two queries it replaces)."""

    def read():
        missions = {m.value for (m,) in _rows(store, f"SELECT ?m WHERE {{ ?m a <{Q}Mission> }}")}
        orders: dict[str, list[str]] = defaultdict(list)
        for leg, o in _rows(store, f"SELECT ?s ?o WHERE {{ ?s <{Q}legOrder> ?o }}"):
            orders[leg.value].append(o.value)
        city_of: dict[str, list[str]] = defaultdict(list)
        for leg, c in _rows(store, f"SELECT ?s ?o WHERE {{ ?s <{Q}legCity> ?o }}"):
            city_of[leg.value].append(c.value)
        legs: dict[str, list[tuple[list[str], list[str]]]] = defaultdict(list)
        cities: dict[str, list[str]] = defaultdict(list)
        for m, leg in _rows(store, f"SELECT ?s ?o WHERE {{ ?s <{Q}leg> ?o }}"):
            if (iri := m.value) in missions:
                its_cities = city_of.get(leg.value, [])
                legs[iri].append((orders.get(leg.value, []), its_cities))
                cities[iri] += its_cities
        return legs, {m: cs for m, cs in cities.items() if cs}

    return shared(store, "viz.mission-legs", read)


#: Where a row of the map or the charts belongs among the report years: ``(years whose files state it, or None;
#: (first, last) calendar years of its dates, or None)``, read by :func:`qkg.graph.pages.years.in_year`.
Membership = tuple[tuple[str, ...] | None, tuple[int, int] | None]
EVERY_YEAR: Membership = (None, None)


def _dated(store: Store) -> dict[str, dict]:
    """Start and end dates (``{"startDate": (lexical, datatype), "endDate": ...}``, no ``endDate`` when it has
    none) of every node that has a start date: one query, read once for the map and the statistics (they are
    made in one group: :func:`~qkg.graph.building.artefacts.shared`)."""

    def read() -> dict[str, dict]:
        # two scans joined here, not one query's OPTIONAL (which looks every start date's node up: 1.6 s of
        # CPU at 1M triples, 0.4 s as scans); a node's last start and last end in the store's order win, as
        # the joined query's last row did
        ends: dict[str, tuple[str, str]] = {}
        for s, b in _rows(store, f"SELECT ?s ?b WHERE {{ ?s <{SCHEMA}endDate> ?b }}"):
            ends[s.value] = (b.value, b.datatype.value)
        out: dict[str, dict] = {}
        for s, a in _rows(store, f"SELECT ?s ?a WHERE {{ ?s <{SCHEMA}startDate> ?a }}"):
            iri = s.value
            end = ends.get(iri)
            out[iri] = {"startDate": (a.value, a.datatype.value), **({"endDate": end} if end is not None else {})}
        return out

    return shared(store, "viz.dated", read)


def _kinds(store: Store, nodes: dict[str, dict]) -> dict[str, str]:
    """The kind (:func:`~qkg.viz.style.kind_of`) of each of ``nodes`` that has one (the rest are ``"other"``).

    The first class of :data:`~qkg.viz.style.CLASS_KINDS` a node has decides, so only those classes are read,
    one query each, returning their members alone, until every node has its kind: not every class of every
    node with its class (270k rows of two terms at 1M triples, the inferred super-classes among them, 2.4 s).
    """
    by_name: dict[str, list[str]] = defaultdict(list)
    for c in classes_in_use(store, ""):
        by_name[c.rsplit("#", 1)[-1].rsplit("/", 1)[-1]].append(c)
    out: dict[str, str] = {}
    for name, kind in CLASS_KINDS:
        for c in by_name.get(name, ()):
            if len(out) == len(nodes):  # every node has its kind: the later classes change nothing
                return out
            for r in _rows(store, f"SELECT DISTINCT ?s WHERE {{ ?s a <{c}> }}"):
                if (s := r[0].value) in nodes:
                    out.setdefault(s, kind)
    return out


def _membership(stated: dict[str, set[str]], dates: dict[str, dict]):
    """``iri -> Membership``: the report years that state the node, and its dates' span (for the rest)."""

    def of(iri: str) -> Membership:
        if stated.get(iri):  # the years that state a node decide alone (in_year)
            return (tuple(sorted(stated[iri])), None)
        years = _years(dates.get(iri, {}))
        return (None, (years[0], years[-1]) if years else None)

    return of


def _shared(value, pool: dict | None = None):
    """``value`` with its equal strings and tuples made one object each, so its pickle holds each once (the
    pickler writes an object it has seen as a reference): an IRI, a datatype, a label, a year tuple repeated
    across tens of thousands of rows is stored once.

    >>> a, b = _shared([("x" * 3, "2024"), ("xxx", "2024")])
    >>> a is b
    True
    """
    pool = {} if pool is None else pool
    # strings, the most common leaves, are pooled in place (not by a call each: 1.6M values at 1M triples)
    if isinstance(value, str):
        return pool.setdefault(value, value)
    if isinstance(value, tuple):
        if not value:
            return value
        found = pool.get(value)
        if found is None:
            found = pool[value] = tuple(pool.setdefault(v, v) if type(v) is str else _shared(v, pool) for v in value)
        return found
    if isinstance(value, list):
        return [pool.setdefault(v, v) if type(v) is str else _shared(v, pool) for v in value]
    if isinstance(value, dict):
        return {
            (pool.setdefault(k, k) if type(k) is str else _shared(k, pool)): (
                pool.setdefault(v, v) if type(v) is str else _shared(v, pool)
            )
            for k, v in value.items()
        }
    return value


def _kept(year: str | None):
    """The filter of rows by their :data:`Membership` (every row when ``year`` is None)."""
    if year is None:
        return lambda m: True
    return lambda m: in_year(year, m[0], m[1])


def map_rows(store: Store) -> dict:
    """What the map draws, row by row, in both languages, each mission and reception with the report years it
    belongs to (:data:`Membership`): the ``map-rows`` artefact, read by :func:`map_view`. A fact two years
    restate is read once (the union default graph repeats it per graph: hence DISTINCT).

    Its size grows with the graph's missions, receptions and places, never with its number of years.
    """
    # the places, their coordinates and countries: scans joined here (the OPTIONAL joins of one query look each
    # place up, 0.7 s of CPU at 1M triples); a place's last values in the store's order win, as the joined
    # query's last row did
    lat, lon, country = (_values(store, p) for p in (GEO + "lat", GEO + "long", Q + "country"))
    places: dict[str, dict] = {}
    for p, t in _rows(store, f"SELECT ?p ?t WHERE {{ VALUES ?t {{ <{Q}City> <{Q}Region> <{Q}Country> }} ?p a ?t }}"):
        if (iri := p.value) in places:
            continue
        place = places[iri] = {"kind": t.value.rsplit("#", 1)[-1].lower()}
        if iri in lat and iri in lon:
            place["lat"], place["lon"] = lat[iri], lon[iri]
        if iri in country:
            place["country"] = country[iri]
    legs: dict[str, list] = {}
    ordered = _mission_legs(store)[0]
    for m, its_legs in ordered.items():  # DISTINCT (order, city) of each leg, in the order its legs are stored
        pairs = [(int(o), c) for leg in its_legs for o in leg[0] for c in leg[1]]
        if pairs:
            legs[m] = list(dict.fromkeys(pairs))
    leaders = {
        r["m"].value: r["l"].value
        for r in _rows(store, f"SELECT ?m ?l WHERE {{ ?m a <{Q}Mission> ; <{Q}missionLeader> ?l }}")
    }
    recs = _receptions(store)
    member = _membership(stated_by_year(store), _dated(store))
    wanted = set(places) | set(legs) | set(leaders.values()) | set(recs) | {c for c, _ in recs.values() if c}
    return _shared(
        {
            "places": places,
            "names": {lang: labels(store, wanted, lang=lang) for lang in ("fr", "en")},
            "missions": [
                {"id": m, "leader": leaders.get(m, ""), "legs": legs[m], "in": member(m)} for m in sorted(legs)
            ],
            "receptions": [
                {"id": r, "category": c, "origins": sorted(origins), "in": member(r)}
                for r, (c, origins) in sorted(recs.items())
            ],
        }
    )


def with_every_year(rows: dict, view) -> dict:
    """``rows`` with the answer for every year drawn in both languages (``rows["every"]``), which ``view``
    then returns as it is: the build prepares the default answer, a request with a year filters the rows."""
    return dict(rows, every={lang: view(rows, lang=lang) for lang in ("fr", "en")})


def map_view(rows: dict, *, lang: str = "fr", year: str | None = None) -> dict:
    """The ``/api/viz/map`` answer for one report year (``year``) or every year (None), from :func:`map_rows`
    (see :func:`qkg.viz.geo.map_payload`), aggregated by place when large. Partner cities and places are
    drawn whatever the year; missions and receptions are the year's."""
    if year is None and lang in rows.get("every", {}):
        return rows["every"][lang]
    keep = _kept(year)
    names, english = rows["names"][lang], rows["names"]["en"]
    places = {iri: dict(p, label=names[iri], name_en=english[iri]) for iri, p in rows["places"].items()}
    hrefs = {
        i: href
        for i in (*places, *(m["id"] for m in rows["missions"]), *(r["id"] for r in rows["receptions"]))
        if (href := entity_href(i))
    }
    missions = [
        {"id": m["id"], "label": names.get(m["id"], m["id"]), "leader": names.get(m["leader"], ""), "legs": m["legs"]}
        for m in rows["missions"]
        if keep(m["in"])
    ]
    recs = [r for r in rows["receptions"] if keep(r["in"])]
    receptions = [
        {
            "id": r["id"],
            "label": names.get(r["id"], r["id"]),
            "category": short(c) if (c := r["category"]) else None,
            "category_label": names.get(c, "") if c else "",
            "origin": o,
        }
        for r in recs
        for o in (r["origins"] or [None])
    ]
    home = ENTITY_NS + "quebec" if ENTITY_NS + "quebec" in places else None
    cities = [i for i, p in places.items() if p["kind"] == "city"]
    data = map_payload(
        places=places,
        missions=missions,
        receptions=receptions,
        home=home,
        partners=cities,
        hrefs=hrefs,
        paths_up_to=MAP_DETAIL_MAX,  # a larger answer is aggregated: routes of its own
    )
    data["categories"] = {
        short(c): {"label": names.get(c, short(c)), "colour": CATEGORY_COLOURS.get(short(c)[5:])}
        for r in recs
        if (c := r["category"])
    }
    return dict(aggregate_map(data, lang=lang), year=year)


def map_data(store: Store, *, lang: str = "fr", year: str | None = None) -> dict:
    """:func:`map_view` of the store's :func:`map_rows` (for a caller that has no artefacts)."""
    return map_view(map_rows(store), lang=lang, year=year)


#: The activities whose dates the timeline would show, in the order the note lists them.
_ACTIVITIES = ("reception", "mission", "event", "agreement")


def _undated(store: Store) -> dict:
    """Per kind of activity, how many carry no start date and how many of those carry an annex rank instead,
    for every year and per report year.

    Two aggregate queries (a count per class, and per class and year, whatever the size of the graph):
    ``{"all": {kind: (count, ranked)}, "by_year": {year or None: {kind: (count, ranked)}}}``; the ``None`` year
    counts the undated activities that no year's files state (they belong to every year). The report's
    annexes list receptions and missions in order without dates, so those are the usual ones.
    """
    classes = {f"{Q}{k.capitalize()}": k for k in _ACTIVITIES}
    values = " ".join(f"<{c}>" for c in classes)
    # MINUS, not FILTER NOT EXISTS (3x faster in Oxigraph); the year of the few undated ones joined after
    body = (
        f"VALUES ?t {{ {values} }} ?s a ?t MINUS {{ ?s <{SCHEMA}startDate> ?d }} "
        f"OPTIONAL {{ ?s <{Q}annexItem> ?i BIND(?s AS ?k) }}"
    )
    every = {
        classes[r["t"].value]: (int(r["n"].value), int(r["r"].value))
        for r in _rows(
            store, f"SELECT ?t (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?k) AS ?r) WHERE {{ {body} }} GROUP BY ?t"
        )
    }
    by_year: dict = defaultdict(dict)
    for r in _rows(
        store,
        f"SELECT ?t ?y (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?k) AS ?r) WHERE {{ {{ SELECT ?t ?s ?k WHERE {{ {body} }} }} OPTIONAL {{ "
        f"GRAPH ?g {{ ?s a ?c }} GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} }} }} GROUP BY ?t ?y",
    ):
        by_year[r["y"].value if r["y"] is not None else None][classes[r["t"].value]] = (
            int(r["n"].value),
            int(r["r"].value),
        )
    return {"all": every, "by_year": dict(by_year)}


def stats_rows(store: Store) -> dict:
    """What the timeline and charts count, row by row, in both languages, each row with the report years it
    belongs to (:data:`Membership`): the ``stats-rows`` artefact, read by :func:`stats_view`.

    Its size grows with the graph's dated activities, receptions, missions and agreements, never with its
    number of years.
    """
    dated = _dated(store)
    kinds = _kinds(store, dated)
    countries = _values(store, Q + "country")
    country_set = {r["c"].value for r in _rows(store, f"SELECT ?c WHERE {{ ?c a <{Q}Country> }}")}
    recs = _receptions(store)
    visits: dict[str, set] = defaultdict(set)
    for m, its_cities in _mission_legs(store)[1].items():
        visits[m].update(countries.get(c) for c in its_cities)
    # the agreements and their types: two scans joined here (not one query's OPTIONAL, which looks each one up),
    # the distinct (agreement, type) pairs in the joined query's order
    types_of: dict[str, list[str | None]] = defaultdict(list)
    for a, t in _rows(store, f"SELECT ?a ?t WHERE {{ ?a <{Q}agreementType> ?t }}"):
        types_of[a.value].append(t.value)
    pairs = []
    for (a,) in _rows(store, f"SELECT ?a WHERE {{ ?a a <{Q}Agreement> }}"):
        iri = a.value
        pairs += [(iri, t) for t in types_of.get(iri) or [None]]
    agreements = list(dict.fromkeys(pairs))
    member = _membership(stated_by_year(store), dated)
    receptions = [
        {
            "category": c,
            "countries": sorted(x for x in {o if o in country_set else countries.get(o) for o in origins} if x),
            "in": member(r),
        }
        for r, (c, origins) in recs.items()
    ]
    wanted = set(dated) | {c for c, _ in recs.values() if c} | {t for _, t in agreements if t}
    wanted |= {c for r in receptions for c in r["countries"]} | {c for cs in visits.values() for c in cs if c}
    return _shared(
        {
            "items": [
                {
                    "id": s,
                    "group": kinds.get(s, "other"),
                    "start": d["startDate"],
                    "end": d.get("endDate"),
                    "in": member(s),
                }
                for s, d in sorted(dated.items())
            ],
            "receptions": receptions,
            "missions": [{"countries": sorted(cs, key=str), "in": member(m)} for m, cs in sorted(visits.items())],
            "agreements": [{"type": t, "in": member(a)} for a, t in agreements],
            "undated": _undated(store),
            "names": {lang: labels(store, wanted, lang=lang) for lang in ("fr", "en")},
        }
    )


def stats_view(rows: dict, *, lang: str = "fr", year: str | None = None) -> dict:
    """The ``/api/viz/stats`` answer for one report year (``year``) or every year (None), from
    :func:`stats_rows`: a timeline (bounded) and four count series (over every activity of the year)."""
    if year is None and lang in rows.get("every", {}):
        return rows["every"][lang]
    keep = _kept(year)
    names = rows["names"][lang]
    groups = {k: KINDS[k].label(lang) for k in KINDS}
    items = [
        {
            "id": short(i["id"]),
            "label": names.get(i["id"], i["id"]),
            "group": i["group"],
            "start": i["start"],
            "end": i["end"],
            "href": entity_href(i["id"]),
        }
        for i in rows["items"]
        if keep(i["in"])
    ]
    recs = [r for r in rows["receptions"] if keep(r["in"])]
    missions = [m for m in rows["missions"] if keep(m["in"])]
    types = [a["type"] for a in rows["agreements"] if keep(a["in"])]
    missing = "(non précisé)" if lang == "fr" else "(not stated)"
    series = {
        "receptions_by_category": count_series(
            [r["category"] for r in recs],
            names,
            missing=missing,
            colours={c: CATEGORY_COLOURS.get(short(c)[5:]) for r in recs if (c := r["category"])},
        ),
        "receptions_by_country": count_series(
            [c for r in recs for c in (r["countries"] or [None])], names, missing=missing
        ),
        "missions_by_country": count_series([c for m in missions for c in m["countries"]], names, missing=missing),
        "agreements_by_type": count_series(types, names, missing=missing),
    }
    for s in series.values():
        s["ids"] = [short(i) if i else None for i in s["ids"]]
    undated = rows["undated"]
    if year is None:
        counts = undated["all"]
    else:
        own, every = undated["by_year"].get(year, {}), undated["by_year"].get(None, {})
        counts = {
            k: (own.get(k, (0, 0))[0] + every.get(k, (0, 0))[0], own.get(k, (0, 0))[1] + every.get(k, (0, 0))[1])
            for k in {*own, *every}
        }
    return {
        "year": year,
        "timeline": latest_timeline(items, groups, lang),
        "undated": [
            {"kind": kind, "label": KINDS[kind].label(lang), "count": counts[kind][0], "ranked": counts[kind][1]}
            for kind in _ACTIVITIES
            if counts.get(kind, (0, 0))[0]
        ],
        "charts": series,
        "totals": {"receptions": len(recs), "missions": len(missions), "agreements": len(types), "dated": len(items)},
    }


def stats_data(store: Store, *, lang: str = "fr", year: str | None = None) -> dict:
    """:func:`stats_view` of the store's :func:`stats_rows` (for a caller that has no artefacts)."""
    return stats_view(stats_rows(store), lang=lang, year=year)
