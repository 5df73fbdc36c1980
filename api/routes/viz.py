"""The views: network, map, timeline and charts, as pages and as the JSON those pages draw.

=========================================================  ===================================================
route                                                      answer
=========================================================  ===================================================
``/network?focus=qkgd:x&depth=2&type=city...``             the network view (vis-network, no physics)
``/api/viz/network?type=&theme=&year=&category=``          its nodes (positions precomputed), edges, options,
``&relation=&focus=&depth=&size=&lang=&report_year=``      facets and legend; same filters as the page
``/api/viz/entity?id=qkgd:x``                              the side panel: facts, provenance, links
``/map`` , ``/api/viz/map``                                partner cities, missions as routes, receptions by
                                                           origin (Leaflet on world-atlas shapes, no tiles)
``/stats`` , ``/api/viz/stats``                            timeline of dated activities and agreements, and
                                                           counts (receptions, missions, agreements)
=========================================================  ===================================================

Routes only: the data come from :mod:`qkg.viz.source`, computed once per build by ``qkg build`` (the artefacts
``network``, ``map-rows``, ``stats-rows``) and read through the app state's per-build artefacts; the map and the
charts take a report ``year`` (default every year), filtered from the rows at request time and cached per build
(:func:`qkg.api.views.map_answer`). Every answer is bounded: a large network opens on an overview of the City's partners and expands one node at a time
(``focus``), the map aggregates by place, the timeline keeps its latest items.
"""

from __future__ import annotations

from typing import Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from qkg.api.deps import StateDep, StoreDep, TemplatesDep
from qkg.api.errors import error_responses
from qkg.api.views import ReportYear, build_years_of, map_answer, network_answer, stats_answer
from qkg.api.views import report_year as report_year_of
from qkg.viz.source import entity_view
from qkg.viz.style import KINDS

__all__ = ["router", "MAX_DEPTH"]

router = APIRouter(tags=["viz"])
_ERR = error_responses(400, 404, 422)

MAX_DEPTH = 4
Lang = Literal["fr", "en"]
Kind = Literal[
    "city",
    "region",
    "country",
    "government",
    "organisation",
    "forum",
    "post",
    "person",
    "group",
    "mission",
    "reception",
    "event",
    "agreement",
    "project",
    "other",
]
assert set(get_args(Kind)) == set(KINDS), "qkg.api.routes.viz.Kind must list qkg.viz.style.KINDS"
SizeBy = Literal["degree", "pagerank", "betweenness"]


# ---------------------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------------------


def _page(request: Request, templates, name: str, title: str, **context) -> Response:
    return templates.TemplateResponse(request, name, {"title": title, **context})


def _year_page(request: Request, state, templates, name: str, title: str, year: str | None) -> Response:
    """A page with a report-year selector: the year checked (a 400 page naming the build's years)."""
    return _page(request, templates, name, title, year=report_year_of(state, year), build_years=build_years_of(state))


@router.get("/network", include_in_schema=False)
def network_page(
    request: Request,
    state: StateDep,
    templates: TemplatesDep,
    report_year: str | None = ReportYear(),
    focus: str | None = Query(None, max_length=300),
) -> Response:
    """The network view (its data comes from ``/api/viz/network``), for one report year or every year
    (``report_year``: the network's ``year`` already filters the nodes by their dates)."""
    year = report_year_of(state, report_year, name="report_year")
    return _page(
        request, templates, "network.html", "Réseau", year=year, focus=focus, build_years=build_years_of(state)
    )


@router.get("/map", include_in_schema=False)
def map_page(request: Request, state: StateDep, templates: TemplatesDep, year: str | None = ReportYear()) -> Response:
    """The map (its data comes from ``/api/viz/map``), for one report year or every year."""
    return _year_page(request, state, templates, "map.html", "Carte", year)


@router.get("/stats", include_in_schema=False)
def stats_page(request: Request, state: StateDep, templates: TemplatesDep, year: str | None = ReportYear()) -> Response:
    """The timeline and charts (their data comes from ``/api/viz/stats``), for one report year or every year."""
    return _year_page(request, state, templates, "stats.html", "Statistiques", year)


@router.get("/api/viz/network", responses=_ERR, summary="Network view data (nodes with positions, edges, facets)")
def api_network(
    state: StateDep,
    type: list[Kind] = Query([], description="Keep these kinds of node."),
    theme: list[str] = Query([], description="Keep nodes with these themes (CURIEs) and their neighbours."),
    year: list[int] = Query([], description="Hide dated nodes outside these years."),
    category: list[str] = Query([], description="Keep receptions of these categories (CURIEs)."),
    relation: list[str] = Query([], description="Keep only edges of these relations (CURIEs)."),
    focus: str | None = Query(None, max_length=300, description="Ego network around this entity."),
    depth: int = Query(1, ge=0, le=MAX_DEPTH, description="Ego network depth."),
    size: SizeBy = Query("degree", description="Centrality that sizes the nodes."),
    lang: Lang = Query("fr"),
    report_year: str | None = ReportYear(),
) -> dict:
    """Nodes, edges, vis-network options, filter facets and legend; ``meta.nodes`` is the number drawn.

    A network of up to 6,000 nodes comes whole; a larger one comes as an overview (``meta.overview``: the
    City and its strongest partners), and ``focus`` expands one node (at most 1,500 nodes, ``meta.hidden``
    left out). The whole graph is at ``/api/analysis/export`` (GEXF, GraphML)."""
    return network_answer(
        state,
        types=type,
        themes=theme,
        years=year,
        categories=category,
        relations=relation,
        focus=focus,
        depth=depth,
        size_by=size,
        lang=lang,
        report_year=report_year_of(state, report_year, name="report_year"),
    )


@router.get("/api/viz/entity", responses=_ERR, summary="Side panel: one entity's facts and provenance")
def api_entity(
    store: StoreDep,
    id: str = Query(..., max_length=300, description="Local name, CURIE or IRI."),
    lang: Lang = Query("fr"),
) -> dict:
    """Label, kinds, asserted facts, incoming links and the report sections the entity comes from."""
    return entity_view(store, id, lang=lang)


@router.get("/api/viz/map", responses=_ERR, summary="Map data: cities, mission routes, receptions by origin")
def api_map(state: StateDep, lang: Lang = Query("fr"), year: str | None = ReportYear()) -> dict:
    """Cities, mission routes, receptions by origin; aggregated by place when the points are many
    (``aggregated`` then gives the whole counts). ``year``: that report year's missions and receptions."""
    return map_answer(state, lang=lang, year=year)


@router.get("/api/viz/stats", responses=_ERR, summary="Timeline items and count series")
def api_stats(state: StateDep, lang: Lang = Query("fr"), year: str | None = ReportYear()) -> dict:
    """Count series over every activity, the timeline's latest items (``timeline.total`` of them all), and per
    kind the activities with no date (``undated``: how many, and how many carry an annex rank instead).
    ``year``: that report year's activities only (default every year)."""
    return stats_answer(state, lang=lang, year=year)
