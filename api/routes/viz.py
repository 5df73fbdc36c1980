"""The views: network, map, timeline and charts, as pages and as the JSON those pages draw.

=========================================================  ===================================================
route                                                      answer
=========================================================  ===================================================
``/network?focus=qkgd:x&depth=2&type=city...``             the network view (vis-network, no physics)
``/api/viz/network?type=&theme=&year=&category=``          its nodes (positions precomputed), edges, options,
``&relation=&focus=&depth=&size=&lang=``                   facets and legend; same filters as the page
``/api/viz/entity?id=qkgd:x``                              the side panel: facts, provenance, links
``/map`` , ``/api/viz/map``                                partner cities, missions as routes, receptions by
                                                           origin (Leaflet on world-atlas shapes, no tiles)
``/stats`` , ``/api/viz/stats``                            timeline of dated activities and agreements, and
                                                           counts (receptions, missions, agreements)
=========================================================  ===================================================

This module is the views' *adapter*: the only place that reads the store for them. It turns the store into
plain data and networkx graphs (with :mod:`qkg.graph.analysis.projection`, :mod:`qkg.graph.pages.entity`, :mod:`qkg.graph.analysis.metrics`) and
hands them to :mod:`viz`, whose functions are pure. Layouts and centralities are computed once per build and
cached in memory and under ``<data dir>/cache/`` (keyed by the build's directory name).
"""
from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal, get_args

import networkx as nx
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qkg.api.deps import StateDep, StoreDep, TemplatesDep
from qkg.api.errors import ERROR_RESPONSES
from qkg.graph.errors import EntityNotFound
from qkg.graph.pages.entity import resolve
from qkg.graph.pages.entity import ENTITY_NS, describe
from qkg.graph.analysis.projection import typed_multigraph
from qkg.graph.analysis.facts import labels
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology.curies import short
from qkg.ontology import PREFIXES
from qkg.viz.escape import entity_href
from qkg.viz.filters import NetworkFilter, ego_nodes, subgraph, visible
from qkg.viz.geo import map_payload
from qkg.viz.layout import centralities, layout_positions
from qkg.viz.network import collapse_nary, network_payload
from qkg.viz.panel import entity_summary
from qkg.viz.style import CATEGORY_COLOURS, KINDS, kind_of
from qkg.viz.timeline import activity_span, count_series, timeline_payload

__all__ = ["router", "Prepared", "prepare_network", "network_view", "entity_view", "map_view", "stats_view",
           "EGO_RELAYOUT_MAX", "MAX_DEPTH"]

router = APIRouter(tags=["viz"])
_ERR = {400: ERROR_RESPONSES.get(400, {}), 404: ERROR_RESPONSES.get(404, {}), 422: ERROR_RESPONSES.get(422, {})}

Q, SCHEMA, GEO = PREFIXES["qkg"], PREFIXES["schema"], PREFIXES["geo"]
#: An ego network up to this many nodes gets a layout of its own; a larger one keeps the global positions.
EGO_RELAYOUT_MAX = 2000
MAX_DEPTH = 4
_EXTRA_LABELS = {"org:memberOf": {"fr": "membre de", "en": "member of"}}
_CACHE_VERSION = 1
_lock = threading.Lock()
_memory: OrderedDict = OrderedDict()
Lang = Literal["fr", "en"]
Kind = Literal["city", "region", "country", "government", "organisation", "forum", "post", "person", "group",
               "mission", "reception", "event", "agreement", "project", "other"]
assert set(get_args(Kind)) == set(KINDS), "qkg.api.routes.viz.Kind must list qkg.viz.style.KINDS"
SizeBy = Literal["degree", "pagerank", "betweenness"]


@dataclass(frozen=True)
class Prepared:
    """A build's network, ready to draw: the graph (CURIE node ids), positions and centralities."""

    graph: nx.MultiDiGraph
    positions: dict
    metrics: dict
    build: str


# ---------------------------------------------------------------------------------------------------------
# Adapter: store -> plain data
# ---------------------------------------------------------------------------------------------------------

def _rows(store: Store, sparql: str):
    return store.select(sparql)


def _chunks(iris: list[str], size: int = 400):
    for i in range(0, len(iris), size):
        yield " ".join(f"<{x}>" for x in iris[i:i + size])


def _node_attributes(store: Store, iris: list[str]) -> dict[str, dict]:
    """Themes, reception category and dates of each node (for the filters)."""
    wanted, out = set(iris), defaultdict(dict)
    props = f"<{Q}theme> <{Q}category> <{SCHEMA}startDate> <{SCHEMA}endDate>"
    for r in _rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o }}"):
        s, p, o = r["s"].value, r["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["o"]
        if s not in wanted:
            continue
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
    for curie, names in _EXTRA_LABELS.items():
        if curie in ids and out.get(curie, curie) == curie:
            out[curie] = names.get(lang, names["en"])
    return out


def network_graph(store: Store, *, lang: str = "fr") -> nx.MultiDiGraph:
    """The graph the network view draws: every entity link, n-ary nodes collapsed, filter attributes set."""
    typed = collapse_nary(typed_multigraph(store, lang=lang))
    attrs = _node_attributes(store, list(typed.nodes))
    G = nx.MultiDiGraph()
    for iri, d in typed.nodes(data=True):
        a = attrs.get(iri, {})
        G.add_node(short(iri), label=d.get("label") or short(iri), kind=kind_of([d.get("type") or ""]),
                   themes=sorted(a.get("themes", ())), years=_years(a), category=a.get("category"))
    for u, v, k, d in typed.edges(keys=True, data=True):
        G.add_edge(short(u), short(v), key=k, rel=d.get("rel", k))
    ids = {t for _, ts in G.nodes(data="themes") for t in ts} | {c for _, c in G.nodes(data="category") if c}
    ids |= {rel for *_, rel in G.edges(data="rel")}
    G.graph["vocab"] = _vocab(store, ids, lang)
    return G


def _graph_json(G: nx.MultiDiGraph) -> dict:
    return {"nodes": [[n, d] for n, d in G.nodes(data=True)],
            "edges": [[u, v, k, d.get("rel", k)] for u, v, k, d in G.edges(keys=True, data=True)],
            "vocab": G.graph.get("vocab", {})}


def _graph_from_json(data: dict) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(vocab=data["vocab"])
    G.add_nodes_from((n, d) for n, d in data["nodes"])
    G.add_edges_from((u, v, k, {"rel": rel}) for u, v, k, rel in data["edges"])
    return G


def _read_cache(path: Path) -> Prepared | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != _CACHE_VERSION:
            return None
        positions = {k: tuple(v) for k, v in data["positions"].items()}
        return Prepared(_graph_from_json(data["graph"]), positions, data["metrics"], data["build"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(path: Path, prepared: Prepared) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": _CACHE_VERSION, "build": prepared.build, "graph": _graph_json(prepared.graph),
                               "positions": prepared.positions, "metrics": prepared.metrics}, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)
    for old in sorted(path.parent.glob("viz-*.json"), key=lambda p: p.stat().st_mtime)[:-6]:
        old.unlink(missing_ok=True)


def prepare_network(store: Store, *, build: str, cache_dir: Path | None, lang: str = "fr") -> Prepared:
    """The build's network with positions and centralities: from memory, from the disk cache, or computed.

    A build directory never changes once published, so its name keys the cache (``viz-<build>-<lang>.json``).
    """
    key = (build, lang)
    with _lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key]
        path = cache_dir / f"viz-{build}-{lang}.json" if cache_dir else None
        prepared = _read_cache(path) if path else None
        if prepared is None or prepared.build != build:
            G = network_graph(store, lang=lang)
            prepared = Prepared(G, layout_positions(G), centralities(G), build)
            if path:
                try:
                    _write_cache(path, prepared)
                except OSError:  # a read-only data dir: keep the result in memory only
                    pass
        _memory[key] = prepared
        while len(_memory) > 4:
            _memory.popitem(last=False)
        return prepared


def network_view(prepared: Prepared, *, flt: NetworkFilter | None = None, focus: str | None = None,
                 depth: int = 1, size_by: str = "degree", lang: str = "fr") -> dict:
    """The ``/api/viz/network`` answer: the (ego) network, filtered, with positions and facets."""
    G, positions, meta = prepared.graph, prepared.positions, {"build": prepared.build, "total": prepared.graph.number_of_nodes()}
    if focus:
        node = short(resolve(focus))
        if node not in G:
            raise EntityNotFound(f"{focus!r} is not in the network", hint="search for the entity at /search?q=...")
        G = subgraph(G, ego_nodes(G, node, depth))
        meta.update(focus=node, depth=depth)
        if G.number_of_nodes() <= EGO_RELAYOUT_MAX:
            positions = layout_positions(G)
    if flt is not None and flt.active:
        nodes, edges = visible(G, flt)
        G = subgraph(G, nodes, edges)
        meta["filters"] = {k: sorted(v) for k, v in vars(flt).items() if v}
    return network_payload(G, positions=positions, metrics=prepared.metrics, size_by=size_by, lang=lang, meta=meta)


def entity_view(store: Store, ref: str, *, lang: str = "fr") -> dict:
    """The side panel's summary of one entity (``ref``: local name, CURIE or IRI)."""
    iri = resolve(ref)
    described = describe(store, iri) if iri.startswith(ENTITY_NS) else None
    if described is None:
        raise EntityNotFound(f"no entity {ref!r} in the graph", hint="search for it at /search?q=...")
    return entity_summary(described, lang=lang)


def _receptions(store: Store) -> dict[str, tuple[str | None, set[str]]]:
    """Each reception's category and origins (a reception may have several origins, or none)."""
    out: dict[str, tuple[str | None, set[str]]] = {}
    for r in _rows(store, f"SELECT ?r ?c ?o WHERE {{ ?r a <{Q}Reception> OPTIONAL {{ ?r <{Q}category> ?c }} "
                          f"OPTIONAL {{ ?r <{Q}origin> ?o }} }}"):
        _cat, origins = out.setdefault(r["r"].value, (r["c"].value if r["c"] else None, set()))
        if r["o"] is not None:
            origins.add(r["o"].value)
    return out


def map_view(store: Store, *, lang: str = "fr") -> dict:
    """The ``/api/viz/map`` answer (see :func:`qkg.viz.geo.map_payload`)."""
    places: dict[str, dict] = {}
    for r in _rows(store, f"""SELECT ?p ?t ?lat ?lon ?c WHERE {{ VALUES ?t {{ <{Q}City> <{Q}Region> <{Q}Country> }}
            ?p a ?t OPTIONAL {{ ?p <{GEO}lat> ?lat ; <{GEO}long> ?lon }} OPTIONAL {{ ?p <{Q}country> ?c }} }}"""):
        p = places.setdefault(r["p"].value, {"kind": r["t"].value.rsplit("#", 1)[-1].lower()})
        if r["lat"] is not None:
            p["lat"], p["lon"] = r["lat"].value, r["lon"].value
        if r["c"] is not None:
            p["country"] = r["c"].value
    names, english = labels(store, places, lang=lang), labels(store, places, lang="en")
    for iri, p in places.items():
        p["label"], p["name_en"] = names[iri], english[iri]
    legs: dict[str, list] = defaultdict(list)
    for r in _rows(store, f"SELECT ?m ?o ?c WHERE {{ ?m a <{Q}Mission> ; <{Q}leg> ?l . ?l <{Q}legOrder> ?o ; <{Q}legCity> ?c }}"):
        legs[r["m"].value].append((int(r["o"].value), r["c"].value))
    leaders = {r["m"].value: r["l"].value for r in _rows(store, f"SELECT ?m ?l WHERE {{ ?m a <{Q}Mission> ; <{Q}missionLeader> ?l }}")}
    recs = _receptions(store)
    names.update(labels(store, set(legs) | set(leaders.values()) | set(recs) | {c for c, _ in recs.values() if c}, lang=lang))
    hrefs = {i: entity_href(i) for i in (*places, *legs, *recs) if entity_href(i)}
    missions = [{"id": m, "label": names.get(m, m), "leader": names.get(leaders.get(m, ""), ""), "legs": legs[m]}
                for m in sorted(legs)]
    receptions = [{"id": r, "label": names.get(r, r), "category": short(c) if c else None,
                   "category_label": names.get(c, "") if c else "", "origin": o}
                  for r, (c, origins) in sorted(recs.items()) for o in (sorted(origins) or [None])]
    home = ENTITY_NS + "quebec" if ENTITY_NS + "quebec" in places else None
    cities = [i for i, p in places.items() if p["kind"] == "city"]
    data = map_payload(places=places, missions=missions, receptions=receptions, home=home, partners=cities, hrefs=hrefs)
    data["categories"] = {short(c): {"label": names.get(c, short(c)), "colour": CATEGORY_COLOURS.get(short(c)[5:])}
                          for c, _ in recs.values() if c}
    return data


def stats_view(store: Store, *, lang: str = "fr") -> dict:
    """The ``/api/viz/stats`` answer: a timeline and four count series."""
    dated: dict[str, dict] = {}
    for r in _rows(store, f"SELECT ?s ?a ?b WHERE {{ ?s <{SCHEMA}startDate> ?a OPTIONAL {{ ?s <{SCHEMA}endDate> ?b }} }}"):
        dated[r["s"].value] = {"start": (r["a"].value, r["a"].datatype.value),
                               "end": (r["b"].value, r["b"].datatype.value) if r["b"] is not None else None}
    kinds: dict[str, set] = defaultdict(set)
    for chunk in _chunks(sorted(dated)):
        for r in _rows(store, f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {chunk} }} ?s a ?t }}"):
            kinds[r["s"].value].add(r["t"].value)
    countries = {r["p"].value: r["c"].value for r in _rows(store, f"SELECT ?p ?c WHERE {{ ?p <{Q}country> ?c }}")}
    country_set = {r["c"].value for r in _rows(store, f"SELECT ?c WHERE {{ ?c a <{Q}Country> }}")}
    recs = list(_receptions(store).values())
    visits = {(r["m"].value, countries.get(r["c"].value)) for r in _rows(
        store, f"SELECT ?m ?c WHERE {{ ?m a <{Q}Mission> ; <{Q}leg>/<{Q}legCity> ?c }}")}
    types = [r["t"].value if r["t"] else None for r in _rows(
        store, f"SELECT ?a ?t WHERE {{ ?a a <{Q}Agreement> OPTIONAL {{ ?a <{Q}agreementType> ?t }} }}")]
    origin_country = [c for _, origins in recs
                      for c in (sorted({o if o in country_set else countries.get(o) for o in origins} - {None}) or [None])]
    wanted = set(dated) | {c for c, _ in recs if c} | set(origin_country) | {c for _, c in visits} | set(types)
    names = labels(store, {w for w in wanted if w}, lang=lang)
    groups = {k: KINDS[k].label(lang) for k in KINDS}
    items = [{"id": short(s), "label": names.get(s, s), "group": kind_of(kinds.get(s, ())), **d,
              "href": entity_href(s)} for s, d in dated.items()]
    missing = "(non précisé)" if lang == "fr" else "(not stated)"
    series = {
        "receptions_by_category": count_series([c for c, _ in recs], names, missing=missing, colours={
            c: CATEGORY_COLOURS.get(short(c)[5:]) for c, _ in recs if c}),
        "receptions_by_country": count_series(origin_country, names, missing=missing),
        "missions_by_country": count_series([c for _, c in visits], names, missing=missing),
        "agreements_by_type": count_series(types, names, missing=missing),
    }
    for s in series.values():
        s["ids"] = [short(i) if i else None for i in s["ids"]]
    return {"timeline": timeline_payload(items, groups, lang), "charts": series,
            "totals": {"receptions": len(recs), "missions": len({m for m, _ in visits}), "agreements": len(types),
                       "dated": len(dated)}}


# ---------------------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------------------

def _prepared(state, store: Store, lang: str) -> Prepared:
    build = state.path.name if state.path is not None else "unbuilt"
    return prepare_network(store, build=build, cache_dir=Path(state.settings.data_dir) / "cache", lang=lang)


def _page(request: Request, templates, name: str, title: str) -> Response:
    return templates.TemplateResponse(request, name, {"title": title})


@router.get("/network", include_in_schema=False)
def network_page(request: Request, templates: TemplatesDep) -> Response:
    """The network view (its data comes from ``/api/viz/network``)."""
    return _page(request, templates, "network.html", "Réseau")


@router.get("/map", include_in_schema=False)
def map_page(request: Request, templates: TemplatesDep) -> Response:
    """The map (its data comes from ``/api/viz/map``)."""
    return _page(request, templates, "map.html", "Carte")


@router.get("/stats", include_in_schema=False)
def stats_page(request: Request, templates: TemplatesDep) -> Response:
    """The timeline and charts (their data comes from ``/api/viz/stats``)."""
    return _page(request, templates, "stats.html", "Statistiques")


@router.get("/api/viz/network", responses=_ERR, summary="Network view data (nodes with positions, edges, facets)")
def api_network(state: StateDep, store: StoreDep,
                type: list[Kind] = Query([], description="Keep these kinds of node."),
                theme: list[str] = Query([], description="Keep nodes with these themes (CURIEs) and their neighbours."),
                year: list[int] = Query([], description="Hide dated nodes outside these years."),
                category: list[str] = Query([], description="Keep receptions of these categories (CURIEs)."),
                relation: list[str] = Query([], description="Keep only edges of these relations (CURIEs)."),
                focus: str | None = Query(None, max_length=300, description="Ego network around this entity."),
                depth: int = Query(1, ge=0, le=MAX_DEPTH, description="Ego network depth."),
                size: SizeBy = Query("degree", description="Centrality that sizes the nodes."),
                lang: Lang = Query("fr")) -> dict:
    """Nodes, edges, vis-network options, filter facets and legend; ``meta.nodes`` is the number drawn."""
    flt = NetworkFilter.from_params({"type": type, "theme": theme, "year": [str(y) for y in year],
                                     "category": category, "relation": relation})
    return network_view(_prepared(state, store, lang), flt=flt, focus=focus, depth=depth, size_by=size, lang=lang)


@router.get("/api/viz/entity", responses=_ERR, summary="Side panel: one entity's facts and provenance")
def api_entity(store: StoreDep, id: str = Query(..., max_length=300, description="Local name, CURIE or IRI."),
               lang: Lang = Query("fr")) -> dict:
    """Label, kinds, asserted facts, incoming links and the report sections the entity comes from."""
    return entity_view(store, id, lang=lang)


@router.get("/api/viz/map", responses=_ERR, summary="Map data: cities, mission routes, receptions by origin")
def api_map(store: StoreDep, lang: Lang = Query("fr")) -> dict:
    return map_view(store, lang=lang)


@router.get("/api/viz/stats", responses=_ERR, summary="Timeline items and count series")
def api_stats(store: StoreDep, lang: Lang = Query("fr")) -> dict:
    return stats_view(store, lang=lang)

