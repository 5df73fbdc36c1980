"""Network analysis over HTTP: JSON under ``/api/analysis/``, and the ``/analysis`` page.

=====================================================  ========================================================
route                                                  answer
=====================================================  ========================================================
``/api/analysis/summary``                              size, density, components of a projection
``/api/analysis/centrality?top=&sort=``                degree, weighted degree, betweenness, PageRank
``/api/analysis/communities``                          Louvain communities (labels, modularity)
``/api/analysis/brokers?top=``                         betweenness, participation coefficient
``/api/analysis/ego?node=&depth=``                     nodes and edges within ``depth`` steps (vis-ready)
``/api/analysis/paths?from=&to=&k=``                   k shortest paths, facts and provenance on each step
``/api/analysis/complementarity?actors=``              the complementarity map (matrices, overlap, gaps)
``/api/analysis/complementarity/cell?dimension=``...   the facts behind one cell, with provenance
``/api/analysis/reach?target=``                        who already reaches a place, forum or theme
``/api/analysis/export?projection=&format=``           GEXF, GraphML or CSV file of a projection
``/analysis``                                          heatmaps, ranking, path finder (HTML)
=====================================================  ========================================================

Projection options (query parameters): ``projection``, ``relations`` (comma-separated), ``year_from``,
``year_to``, ``fold_posts``, ``fold_units``, ``places``, ``lang``. Results are cached per build.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from qkg.api.deps import StateDep, TemplatesDep
from qkg.api.errors import ERROR_RESPONSES, PATTERNS, error_responses
from qkg.api.views import ReportYear, label_path_links, report_year
from qkg.graph.analysis.complementarity import CELL_FACTS
from qkg.graph.analysis.exports import MEDIA_TYPES
from qkg.graph.analysis.facts import RELATIONS
from qkg.graph.errors import N_, Message
from qkg.ontology import PREFIXES

__all__ = ["router"]

router = APIRouter(tags=["analysis"])
_ERR = error_responses(400, 422)
#: Routes that look an entity up: a name that is no node (or no entity) is a 404.
_ERR_404: dict[int | str, dict[str, Any]] = {
    **_ERR,
    404: {**ERROR_RESPONSES[404], "description": "No such entity or node"},
}

# The OpenAPI patterns say exactly what the server accepts, so that a schema-valid value is a valid one (a
# value outside them is a 422 before any work). They are plain regexes: JSON Schema (ECMA 262) and
# pydantic read them alike.
_RELATION = "(?:all|" + "|".join(RELATIONS) + ")"
#: ``relations``: empty (the default kinds) or relation names separated by commas.
RELATIONS_PATTERN = f"^(?: *{_RELATION} *(?:, *{_RELATION} *)*)?$"
_CHAR = r"(?:[A-Za-z0-9_.~!$&'()*+;=:@/-]|%[0-9A-Fa-f]{2})"  # an IRI's path character, but the comma
_IRI = (
    rf"(?:https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/{_CHAR}*)?(?:\?(?:{_CHAR}|\?)*)?(?:#(?:{_CHAR}|\?)*)?"
    rf"|urn:[A-Za-z0-9]{_CHAR}*)"
)
_CURIE = "(?:" + "|".join(sorted(PREFIXES)) + r"):(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9_.~-]|%[0-9A-Fa-f]{2})*"
_ACTOR = f"(?:{_IRI}|{_CURIE})"
#: ``actors``: a scope keyword, or IRIs and CURIEs (known prefixes) separated by commas.
ACTORS_PATTERN = f"^(?:committee|partners|both|{_ACTOR}(?: *, *{_ACTOR})*)$"
_ACTORS_DOC = "committee, partners, both, or comma-separated IRIs/CURIEs (qkgd:universite-laval)."
_RELATIONS_DOC = (
    "Comma-separated kinds of fact: " + ", ".join(RELATIONS) + ", or all; empty or absent: the default kinds."
)


PATTERNS[RELATIONS_PATTERN] = Message(
    N_("should be kinds of fact separated by commas, among: {kinds}"), kinds=", ".join([*RELATIONS, "all"])
)
PATTERNS[ACTORS_PATTERN] = Message(
    N_("should be committee, partners, both, or identifiers separated by commas (qkgd:universite-laval)")
)


def _relations(value: str | None) -> str | None:
    """An empty ``relations`` means the default kinds, as an absent one."""
    return value if value and value.strip() else None


def Relations():
    return Query(None, max_length=200, pattern=RELATIONS_PATTERN, description=_RELATIONS_DOC)


def Year():
    return Query(None, ge=1900, le=2100)


Projection = Literal["actors", "actor-theme", "actor-place", "typed"]


class _Opts:
    """The projection options shared by every route, as query parameters."""

    def __init__(
        self,
        projection: Projection = Query("actors", description="Which projection."),
        relations: str | None = Relations(),
        year_from: int | None = Year(),
        year_to: int | None = Year(),
        fold_posts: bool = Query(False, description="Fold posts into their organisation."),
        fold_units: bool = Query(False, description="Fold units into their organisation."),
        places: bool = Query(False, description="Actor network: make the facts' places nodes."),
        lang: Literal["fr", "en"] = Query("fr"),
        year: str | None = ReportYear(),
    ) -> None:
        self.year = year
        self.projection, self.relations, self.year_from, self.year_to = (
            projection,
            _relations(relations),
            year_from,
            year_to,
        )
        self.fold_posts, self.fold_units, self.places, self.lang = fold_posts, fold_units, places, lang

    def key(self) -> tuple:
        return tuple(sorted(vars(self).items()))

    def graph(self, state):
        from qkg.graph.analysis.projection import project

        params = {k: v for k, v in vars(self).items() if k != "projection"}
        params["year"] = report_year(state, self.year)

        def make():
            # the facts cut from the build's (reach-facts) to these options: what the projection would read from the
            # store (load_facts, 4-7 s of the 7-16 s at 1M triples)
            store = state.require_store()
            index = state.prepared("reach-facts").cut(
                store, self.relations, year_from=self.year_from, year_to=self.year_to, year=params["year"]
            )
            return project(store, self.projection, index=index, **params)

        return state.heavy(("analysis", "graph", *self.key()), make)


@router.get("/api/analysis/summary", responses=_ERR, summary="Size and shape of a projection")
def api_summary(state: StateDep, opts: _Opts = Depends()) -> dict:
    """Nodes, edges, density, connected components, node types and edge kinds."""
    from qkg.graph.analysis.metrics import summary

    if _is_prepared(opts, "auto", 42):
        return state.prepared("analysis-actors")["summary"]
    return summary(opts.graph(state))


def _is_prepared(opts: _Opts, betweenness: str, seed: int) -> bool:
    """True when the build prepared this answer (the route's default options; see :mod:`qkg.api.prepared`)."""
    from qkg.api.prepared import CENTRALITY_DEFAULTS

    return (
        (opts.projection, betweenness, seed) == tuple(CENTRALITY_DEFAULTS.values())
        and opts.lang == "fr"
        and not (
            opts.relations
            or opts.year_from
            or opts.year_to
            or opts.year
            or opts.fold_posts
            or opts.fold_units
            or opts.places
        )
    )


@router.get("/api/analysis/centrality", responses=_ERR, summary="Central actors")
def api_centrality(
    state: StateDep,
    opts: _Opts = Depends(),
    top: int = Query(20, ge=1, le=1000),
    sort: Literal["betweenness", "degree", "weighted_degree", "pagerank"] = "betweenness",
    betweenness: Literal["auto", "exact", "sample"] = "auto",
    seed: int = 42,
) -> dict:
    """Degree, weighted degree (sum of shared facts), betweenness (exact or sampled: see ``methods``) and
    PageRank of each node, ranked by ``sort``."""
    from qkg.graph.analysis.metrics import centrality

    if _is_prepared(opts, betweenness, seed):
        res = state.prepared("centrality-actors")
    else:
        if betweenness == "exact":
            _check_exact(opts.graph(state), state.settings.exact_betweenness_max)
        res = state.heavy(
            ("analysis", "centrality", betweenness, seed, *opts.key()),
            lambda: centrality(opts.graph(state), betweenness=betweenness, seed=seed),
        )
    rows = sorted(res["rows"], key=lambda r: (-r[sort], -r["degree"], str(r["label"])))[:top]
    return {**res, "rows": rows, "sort": sort, "methods": _methods(res["methods"], opts.lang)}


def _check_export_size(graph, format: str, limit: int) -> None:
    """Refuse a GEXF or GraphML export of a projection of more than ``limit`` links (the setting
    ``export_max_edges``): networkx builds the whole XML tree in memory (at 1M triples the typed projection's GEXF:
    180 MB written in 38 s, the server 0.7 -> 2.3 GB). CSV is written at any size; the command line exports any."""
    from qkg.graph.errors import ParameterError

    if graph.number_of_edges() > limit:
        raise ParameterError(
            N_(
                "format={format}: this projection has {edges} links, more than the {limit} the server writes as {format}"
            ),
            hint=N_(
                "use format=csv, a smaller projection (projection=actors, relations=, year=), or export it on your "
                "own machine: qkg analyse export --format {format}"
            ),
            fields={"format": format, "edges": graph.number_of_edges(), "limit": limit},
        )


def _check_exact(graph, limit: int) -> None:
    """Refuse ``betweenness=exact`` on a network of more than ``limit`` nodes (the setting
    ``exact_betweenness_max``, by default what ``auto`` computes exactly): igraph's exact Brandes holds the
    interpreter while it runs (85 s at 1M triples for ``year_from=2023``, every other client's request,
    ``/health`` included, waiting meanwhile). The command line computes it on the user's own machine."""
    from qkg.graph.errors import ParameterError

    if graph.number_of_nodes() > limit:
        raise ParameterError(
            N_("betweenness=exact: this network has {nodes} nodes, more than the {limit} the server computes exactly"),
            hint=N_(
                "use betweenness=auto or sample (estimated from sampled sources), or compute it on your own machine: "
                "qkg analyse centrality --betweenness exact"
            ),
            fields={"nodes": graph.number_of_nodes(), "limit": limit},
        )


def _method(text: str, lang: str) -> str:
    """An answer's ``method`` in ``lang`` (the build's artefacts and the metrics keep it in English)."""
    from qkg.api.i18n import betweenness_method

    return betweenness_method(text, lang)


def _methods(methods: dict[str, str], lang: str) -> dict[str, str]:
    """An answer's ``methods``, each in ``lang``."""
    return {k: _method(v, lang) for k, v in methods.items()}


@router.get("/api/analysis/communities", responses=_ERR, summary="Communities (Louvain)")
def api_communities(
    state: StateDep,
    opts: _Opts = Depends(),
    seed: int = 42,
    resolution: float = Query(1.0, gt=0, le=10),
    top: int = Query(100, ge=1, le=1000, description="Communities listed, largest first."),
    members: int = Query(
        50, ge=0, le=1000, description="Members listed per community, most connected first (its size counts all)."
    ),
) -> dict:
    """Louvain communities, largest first, each with its size and its most connected members (label and type):
    an answer bounded whatever the graph (at 1M triples, 4.7 MB when every member was listed)."""
    from qkg.api.prepared import member_rows
    from qkg.graph.analysis.metrics import communities

    if _is_prepared(opts, "auto", seed) and resolution == 1.0:
        found = state.prepared("analysis-actors")["communities"]  # each community's members, most connected first
        method, modularity, ranked = found["method"], found["modularity"], found["communities"]
    else:
        G = opts.graph(state)
        found = state.heavy(
            ("analysis", "communities", seed, resolution, *opts.key()),
            lambda: communities(G, seed=seed, resolution=resolution),
        )
        method, modularity = found["method"], found["modularity"]
        ranked = [
            {"size": len(c), "members": member_rows(G, sorted(c, key=lambda n: (-G.degree(n), str(n)))[:members])}
            for c in found["communities"][:top]
        ]
        ranked += [{"size": len(c), "members": []} for c in found["communities"][top:]]  # counted, not listed
    return {
        "method": _method(method, opts.lang),
        "modularity": modularity,
        "count": len(ranked),
        "truncated": len(ranked) > top,
        "communities": [
            {"size": c["size"], "truncated": c["size"] > members, "members": c["members"][:members]}
            for c in ranked[:top]
        ],
    }


@router.get("/api/analysis/brokers", responses=_ERR, summary="Brokers between communities")
def api_brokers(state: StateDep, opts: _Opts = Depends(), top: int = Query(20, ge=1, le=500), seed: int = 42) -> dict:
    """Nodes whose ties reach several communities: betweenness, participation coefficient, communities touched."""
    from qkg.graph.analysis.metrics import brokers

    if _is_prepared(opts, "auto", seed):
        found = state.prepared("analysis-actors")["brokers"]  # the first PREPARED_BROKERS (500, the most asked)
        found = {**found, "rows": found["rows"][:top]}
    else:
        found = state.heavy(
            ("analysis", "brokers", top, seed, *opts.key()), lambda: brokers(opts.graph(state), top=top, seed=seed)
        )
    return {**found, "method": _method(found["method"], opts.lang)}


@router.get("/api/analysis/ego", responses=_ERR_404, summary="Ego network")
def api_ego(
    state: StateDep,
    node: str = Query(..., min_length=1, max_length=300, description="IRI, CURIE, local name or label."),
    depth: int = Query(1, ge=1, le=3),
    limit: int = Query(500, ge=1, le=5000),
    opts: _Opts = Depends(),
) -> dict:
    """The nodes within ``depth`` steps of ``node`` and the edges among them (at most ``limit`` nodes)."""
    from qkg.api.prepared import member_rows
    from qkg.graph.analysis.metrics import ego

    G = opts.graph(state)
    E = ego(G, node, depth=depth)
    nodes = list(E.nodes)[:limit]
    keep = set(nodes)
    edges = [
        {
            "from": u,
            "to": v,
            "weight": d.get("weight", 1),
            "kinds": d.get("kinds") or [d.get("property")],
            "facts": d.get("facts", []),
        }
        for u, v, d in E.edges(data=True)
        if u in keep and v in keep
    ]
    return {
        "centre": node,
        "depth": depth,
        "truncated": E.number_of_nodes() > limit,
        "nodes": member_rows(G, nodes),
        "edges": edges,
    }


@router.get("/api/analysis/paths", responses=_ERR_404, summary="How is X connected to Y")
def api_paths(
    state: StateDep,
    from_: str = Query(..., alias="from", min_length=1, max_length=300, description="Source entity."),
    to: str = Query(..., min_length=1, max_length=300, description="Target entity."),
    k: int = Query(3, ge=1, le=10),
    projection: Literal["typed", "actors"] = "typed",
    through_countries: bool = False,
    max_length: int | None = Query(None, ge=1, le=20),
    lang: Literal["fr", "en"] = "fr",
    year: str | None = ReportYear(),
) -> dict:
    """The ``k`` shortest paths; each step lists its triples (typed) or shared facts (actors), and every fact
    its report sections and annex item. ``year``: through that report year's facts (typed: its files' triples
    and those of no year)."""
    from qkg.graph.analysis.paths import DEFAULT_AVOID, connection_paths
    from qkg.graph.analysis.projection import actor_network, typed_multigraph
    from qkg.graph.errors import QKGError
    from qkg.graph.pages.entity import resolve

    store = state.require_store()
    build = typed_multigraph if projection == "typed" else actor_network
    year = report_year(state, year)
    G = state.heavy(("analysis", "paths-graph", projection, lang, year), lambda: build(store, lang=lang, year=year))

    def ref(value: str) -> str:  # an IRI, CURIE or local name; else left as typed (an exact label matches)
        try:
            iri = resolve(value)
        except QKGError:
            return value
        return iri if iri in G else value

    found = connection_paths(
        store,
        ref(from_),
        ref(to),
        k=k,
        projection=projection,
        graph=G,
        lang=lang,
        avoid=() if through_countries else DEFAULT_AVOID,
        max_length=max_length,
    )
    return label_path_links(found, lang)


#: Most actors one complementarity map compares over HTTP (a 400 past it; the command line has no cap).
MAX_ACTORS = 50


def _map(state, actors: str, theme_level: str, relations, year_from, year_to, lang, year=None):
    from qkg.graph.analysis.complementarity import NoCommittee, check_actors, complementarity
    from qkg.graph.errors import ParameterError

    relations = _relations(relations)
    year = report_year(state, year)
    try:  # before the heavy work: an unknown actor is a 404, too many a 400
        check_actors(state.require_store(), actors, limit=MAX_ACTORS)
    except NoCommittee as exc:  # its hint names the command line's --actors: here the fix is the parameter
        raise ParameterError(
            exc.template,
            hint=N_("list the actors in the address (?actors=qkgd:a,qkgd:b), or choose ?actors=partners"),
            fields=exc.fields,
        ) from None
    return state.heavy(
        ("analysis", "complementarity", actors, theme_level, relations, year_from, year_to, lang, year),
        lambda: complementarity(
            state.require_store(),
            actors=actors,
            theme_level=theme_level,
            relations=relations,
            year_from=year_from,
            year_to=year_to,
            lang=lang,
            year=year,
        ),
    )


@router.get("/api/analysis/complementarity", responses=_ERR_404, summary="Complementarity map")
def api_complementarity(
    state: StateDep,
    actors: str = Query("committee", max_length=2000, pattern=ACTORS_PATTERN, description=_ACTORS_DOC),
    theme_level: Literal["theme", "top"] = "theme",
    relations: str | None = Relations(),
    year_from: int | None = Year(),
    year_to: int | None = Year(),
    lang: Literal["fr", "en"] = "fr",
    year: str | None = ReportYear(),
    cell_facts: int = Query(
        CELL_FACTS,
        ge=0,
        le=100,
        description="Facts listed per cell (``count`` counts all; /api/analysis/complementarity/cell pages them).",
    ),
) -> dict:
    """Actor x theme, x country and x continent matrices (each cell its ``count`` and its first ``cell_facts``
    facts, ``truncated`` when it has more), overlaps (Jaccard on themes, countries, partners; the first shared
    items), gaps (covered by one actor, by none) and notes on thin signal; at most 50 actors (``MAX_ACTORS``)."""
    from qkg.graph.analysis.complementarity import bounded

    return bounded(_map(state, actors, theme_level, relations, year_from, year_to, lang, year), facts=cell_facts)


@router.get("/api/analysis/complementarity/cell", responses=_ERR_404, summary="The facts behind one cell")
def api_cell(
    state: StateDep,
    dimension: Literal["themes", "countries", "continents"],
    actor: str = Query(..., min_length=1, max_length=300, description="The row: an actor's IRI or CURIE."),
    column: str = Query(
        ...,
        min_length=1,
        max_length=300,
        description="The column: a theme's or country's IRI or CURIE, or continent:NAME.",
    ),
    actors: str = Query("committee", max_length=2000, pattern=ACTORS_PATTERN, description=_ACTORS_DOC),
    theme_level: Literal["theme", "top"] = "theme",
    relations: str | None = Relations(),
    year_from: int | None = Year(),
    year_to: int | None = Year(),
    lang: Literal["fr", "en"] = "fr",
    year: str | None = ReportYear(),
    limit: int = Query(100, ge=1, le=1000, description="Facts listed."),
    offset: int = Query(0, ge=0, le=1_000_000, description="Facts skipped (the next page)."),
) -> dict:
    """One page of the cell's facts, each with its label, kind, report sections, annex item and named graph;
    ``total`` counts them all, ``next_offset`` is the next page's (none on the last). A row or column the map
    does not have is a 404."""
    from qkg.graph.analysis.complementarity import cell_facts

    res = _map(state, actors, theme_level, relations, year_from, year_to, lang, year)
    facts = cell_facts(res, dimension, actor, column)
    names = res["labels"]
    return {
        "dimension": dimension,
        "actor": {"iri": actor, "label": names.get(actor, actor)},
        "column": {"iri": column, "label": names.get(column, column.split(":", 1)[-1])},
        "total": len(facts),
        "offset": offset,
        "next_offset": offset + limit if offset + limit < len(facts) else None,
        "facts": facts[offset : offset + limit],
    }


@router.get("/api/analysis/reach", responses=_ERR_404, summary="Who already reaches a target")
def api_reach(
    state: StateDep,
    target: str = Query(
        ..., min_length=1, max_length=300, description="A city, country, forum or theme: name, CURIE or IRI."
    ),
    relations: str | None = Relations(),
    year_from: int | None = Year(),
    year_to: int | None = Year(),
    lang: Literal["fr", "en"] = "fr",
    year: str | None = ReportYear(),
    limit: int = Query(100, ge=1, le=1000, description="Actors listed, those with the most facts first."),
    offset: int = Query(0, ge=0, le=1_000_000, description="Actors skipped (the next page)."),
    facts: int = Query(20, ge=1, le=500, description="Facts listed per actor (``fact_count`` counts all)."),
) -> dict:
    """Actors already linked to ``target`` and the facts (with provenance) that link them, a page at a time;
    a target that names no entity is a 404, one that is neither a place, a theme nor an organisation has no
    rows (its ``note`` says so, in ``lang``)."""
    from qkg.graph.analysis.complementarity import reach
    from qkg.graph.errors import ECHO_MAX, N_, EntityNotFound, clean_text, url_value
    from qkg.graph.pages.entity import appears, resolve
    from qkg.graph.serving import terms

    iri = resolve(target)
    try:
        terms.NamedNode(iri)
    except ValueError:  # e.g. "http://a b": the shape of an IRI, not a valid one
        raise EntityNotFound(
            N_("{value!r} names no entity: it is not a valid IRI"),
            hint=N_("write a name such as geneve, a CURIE such as qkgd:geneve, or a full IRI"),
            fields={"value": target[:80]},
        ) from None
    if not appears(state.require_store(), iri):
        raise EntityNotFound(  # was a 200 with a note, which the docstring did not promise
            N_("no entity named {name!r} in the graph"),
            hint=N_("search for it: /search?q={query}"),
            fields={"name": clean_text(target, limit=ECHO_MAX), "query": url_value(target)},
        )
    from qkg.api.i18n import gettext
    from qkg.graph.analysis.reach import describe_rows, page

    kinds, year = _relations(relations), report_year(state, year)
    store = state.require_store()
    # from the build's facts (reach-facts), cut to the options; one request at a time, once per target and options
    found = state.heavy(
        ("analysis", "reach", iri, kinds, year_from, year_to, lang, year),
        lambda: reach(
            store,
            iri,
            relations=kinds,
            year_from=year_from,
            year_to=year_to,
            lang=lang,
            year=year,
            index=state.prepared("reach-facts"),
            described=False,
        ),
    )
    answer = page(found, limit=limit, offset=offset, facts=facts)
    describe_rows(store, answer["rows"], lang=lang)  # the rows shown only: names, types, provenance
    if "note" in answer:
        answer["note"] = answer["note"].localized(gettext, lang)
    return answer


@router.get(
    "/api/analysis/export",
    response_class=Response,
    summary="Download a projection (GEXF, GraphML, CSV)",
    responses={
        200: {
            "description": "The file (``Content-Disposition: attachment``).",
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
        },
        **_ERR,
    },
)
def api_export(
    state: StateDep, format: Literal["gexf", "graphml", "csv"] = "gexf", opts: _Opts = Depends()
) -> Response:
    """The projection as a file for Gephi, yEd, Cytoscape or a spreadsheet (list attributes joined with " | ")."""
    from qkg.graph.analysis.exports import MEDIA_TYPES, export_projection

    graph = opts.graph(state)
    if format != "csv":
        _check_export_size(graph, format, state.settings.export_max_edges)
    with state.exclusive():  # one whole-graph piece of work at a time, as the analyses (its body is not kept)
        body = export_projection(graph, format)
    name = f"qkg-{opts.projection}.{format}"
    return Response(
        body, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _page_ranking(state, lang: str, year: str | None) -> dict:
    """The ``/analysis`` page's ranking, prepared by the build: of every year, or of one report year (a year
    the build holds: :func:`report_year` checked it)."""
    if year is None:
        return state.prepared(f"page-centrality-{lang}")
    return state.prepared("page-centrality-years")[year][lang]


@router.get("/analysis", include_in_schema=False)
def analysis_page(
    request: Request,
    state: StateDep,
    templates: TemplatesDep,
    actors: str = Query("committee", max_length=2000),
    theme_level: Literal["theme", "top"] = "theme",
    lang: Literal["fr", "en"] | None = None,
    year: str | None = ReportYear(),
) -> Response:
    """Complementarity heatmaps, central actors (prepared by the build) and the path finder, in the page's language."""
    from qkg.api.i18n import current_lang, gettext
    from qkg.graph.pages.entity import ENTITY_NS, labels_of

    page_lang = lang or current_lang()
    from qkg.api.views import build_years_of
    from qkg.graph.errors import EntityNotFound, ParameterError

    year = report_year(state, year)
    try:
        comp, problem = _map(state, actors, theme_level, None, None, None, page_lang, year), None
    except (ParameterError, EntityNotFound) as exc:  # a graph without the committee (a synthetic one), a typo
        message, fix = exc.localized(gettext, page_lang)
        if isinstance(exc, ParameterError):  # the fix that works on the page: an address
            fix = gettext("list the actors in the address (?actors=qkgd:a,qkgd:b), or choose ?actors=partners")
        comp, problem = None, f"{message} ({fix})"
    ranking = _page_ranking(state, page_lang, year)
    peaks = {
        dim: max([c["count"] for row in m["cells"].values() for c in row.values()] or [1])
        for dim, m in (comp["matrices"].items() if comp else ())
    }
    from qkg.graph.analysis.complementarity import readable

    return templates.TemplateResponse(
        request,
        "analysis.html",
        {
            "title": gettext("Network analysis"),
            "comp": comp,
            "view": readable(comp) if comp else None,
            "problem": problem,
            "ranking": ranking,
            "peaks": peaks,
            "actors_scope": actors,
            "theme_level": theme_level,
            "year": year,
            "build_years": build_years_of(state),
            "start_labels": {
                k: (v.get(page_lang) or v.get("fr") or k)
                for k, v in labels_of(
                    state.require_store(), [ENTITY_NS + "ville-de-quebec", ENTITY_NS + "innovaud"]
                ).items()
            },
        },
    )
