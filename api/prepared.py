"""The artefacts ``qkg build`` prepares for the server, drawn from every layer (see
:mod:`qkg.graph.building.artefacts` for where they live and how they are read).

==========================  ======  =================================================================
name                        format  read by
==========================  ======  =================================================================
``stats``                   json    ``/api/stats``, the home page, ``/.well-known/void``
``void``                    json    ``/.well-known/void`` (the number of entities)
``audit``                   json    ``/api/audit``, the home page
``search``                  sqlite  ``/api/search``, the search box (the label index, opened, not loaded)
``centrality-actors``       pickle  ``/api/analysis/centrality`` with its default options (all rows; a pickle,
                                    not JSON: 62 MB at 10M triples, whose ``json.loads`` held the GIL 0.5-2.9 s
                                    and stopped every request meanwhile; an older build's JSON is still read)
``analysis-actors``         pickle  ``/api/analysis/summary``, ``communities`` and ``brokers`` with their default
                                    options (on the same projection as ``centrality-actors``)
``page-centrality-fr|en``   json    the ``/analysis`` page's ranking
``page-centrality-years``   json    the ``/analysis?year=`` page's ranking, per report year and language
``reach-facts``             pickle  ``/api/analysis/reach`` with its default options (the facts of every kind
                                    and year, their actors, places, themes and homes; then each target is
                                    answered from it)
``network``                 pickle  ``/api/viz/network``, ``qkg viz`` (graph, centralities, layout if small)
``home-partners``           json    the home page's partners of the City, in each language (from the network:
                                    the home page never waits for the network's pickle)
``network-overview``        json    ``/api/viz/network`` with no focus nor filter, every year, in each language
                                    (what the network page asks first: no wait for the network's pickle)
``map-rows``                pickle  ``/api/viz/map`` (missions, receptions, places, each row with its years;
                                    the answer for every year in fr and en)
``stats-rows``              pickle  ``/api/viz/stats`` (dated activities and counted rows with their years;
                                    the answer for every year in fr and en)
``canned-answers``          sqlite  the pages of the canned queries marked ``# prepared: yes`` (their whole
                                    answers, every year, in each language; opened, not loaded)
==========================  ======  =================================================================

Add an artefact by appending to :data:`ARTEFACTS`; read it with ``state.prepared(name)`` (which computes it
once for a build made before the artefact existed: from the store, or, for an artefact of :data:`DERIVED`, from
another artefact of the build).

Examples
--------
>>> sorted(BY_NAME) == sorted(a.name for a in ARTEFACTS)
True
>>> BY_NAME["search"].fmt
'sqlite'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypedDict

from qkg.graph.building.artefacts import CORE, Artefact, as_reader, collector_paused, forget, shared

__all__ = [
    "ARTEFACTS",
    "BY_NAME",
    "DERIVED",
    "CENTRALITY_DEFAULTS",
    "PAGE_CENTRALITY_TOP",
    "home_partners",
    "network_overview",
    "page_centrality",
]


class CentralityOptions(TypedDict):
    projection: str
    betweenness: str
    seed: int


#: The options of ``/api/analysis/centrality`` whose answer the build prepares (the route's defaults).
CENTRALITY_DEFAULTS: CentralityOptions = {"projection": "actors", "betweenness": "auto", "seed": 42}
#: Rows of the ``/analysis`` page's ranking.
PAGE_CENTRALITY_TOP = 25


def _collector_off(make):
    """``make`` run with the cyclic garbage collector held off (:func:`collector_paused`): an artefact built
    from hundreds of thousands of rows creates millions of objects, and each full collection meanwhile walks
    every live one, the group's kept query answers included (at 1M triples, 4 s of CPU over four of them when
    made in one process; 0.65 s of the prepared canned answers' 3.7 s). What it made is then frozen, not
    collected: an artefact must leave no reference cycle behind (the networkx graphs it drops are cut from
    the views networkx caches on them, :func:`~qkg.graph.analysis.nxgraphs.without_views`), so reference
    counting frees it; a full collection at the end walked every live object again (at 1M, 1.3 s of the
    network's CPU and 0.7 s of each ranking's). A partial of module functions, so a worker process can be
    handed it (pickled)."""
    return functools.partial(_made_without_collector, make)


def _made_without_collector(make, store):
    with collector_paused():
        return make(store)


def _void(store) -> dict:
    from qkg.graph.serving.terms import NamedNode
    from qkg.ontology.curies import ENTITY_NS

    # the distinct subjects, their namespace looked at here: a FILTER on STR(?s) decodes the subject of every
    # quad (4 s of CPU at 1M triples, 2.4M quads), this reads each distinct subject once (1.5 s)
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    return {"entities": sum(1 for r in rows if isinstance(s := r[0], NamedNode) and s.value.startswith(ENTITY_NS))}


def _audit(store) -> list[dict]:
    from qkg.graph.building.audit import audit, findings_as_json

    return findings_as_json(audit(store))


def _search(store):
    from qkg.graph.pages.search import SearchIndex

    return SearchIndex.from_store(store)


def _open_search(path):
    from qkg.graph.pages.search import SearchIndex

    return SearchIndex.open(path)


def _facts(store):
    """The facts of the actor networks (default relations, every year; their actors alone, no places): read
    once per build, shared by the centrality artefacts (see :func:`~qkg.graph.building.artefacts.shared`)."""
    from qkg.graph.analysis.facts import load_facts

    return shared(store, "facts", lambda: load_facts(store, actors_only=True))


#: The key of the default actors projection in the build's memo (:func:`_actors_projection`).
_ACTORS_PROJECTION = ("projection", "actors", "default")
#: The key of the default projection's centralities in the build's memo (brokers reuse them).
_ACTORS_CENTRALITY = ("centrality", "actors", "default")
#: The brokers the build prepares (the route lists at most this many).
PREPARED_BROKERS = 500


def _actors_projection(store):
    """The analysis API's default projection (``actors``, every relation kind and year, French labels), made once
    per build for the centralities and the analyses of :func:`_analysis_actors` (shared, see
    :func:`~qkg.graph.building.artefacts.shared`; the last of them lets it go)."""
    from qkg.graph.analysis.projection import project

    return shared(
        store,
        _ACTORS_PROJECTION,
        lambda: project(
            store,
            CENTRALITY_DEFAULTS["projection"],
            relations=None,
            year_from=None,
            year_to=None,
            fold_posts=False,
            fold_units=False,
            places=False,
            lang="fr",
            index=_facts(store),
        ),
    )


def _reach_facts(store):
    """The facts of every kind and year with their actors, places, themes and homes
    (:func:`~qkg.graph.analysis.facts.load_facts` with ``relations="all"``): what ``/api/analysis/reach`` reads
    with its default options, for any target. At 1M triples: 7 s read from the store at a server's first
    ``reach``; 2.6 s of the build's CPU after the actor networks (which asked most of its queries), 30 MB
    pickled, 0.3 s to load."""
    from qkg.graph.analysis.facts import load_facts

    return load_facts(store, relations="all")


def _centrality(store) -> dict:
    from qkg.graph.analysis.metrics import centrality

    graph = _actors_projection(store)
    return shared(
        store,
        _ACTORS_CENTRALITY,
        lambda: centrality(graph, betweenness=CENTRALITY_DEFAULTS["betweenness"], seed=CENTRALITY_DEFAULTS["seed"]),
    )


def _analysis_actors(store) -> dict:
    """The analysis API's answers with their default options on the default projection, which the server would
    otherwise make at their first request (at 1M triples: summary 8.4 s, brokers 2.9 s, communities 0.9 s):
    ``{"summary", "communities": {"method", "modularity", "communities": [{"size", "members"}]}, "brokers"}``,
    each community's members most connected first (the route lists the first ones), the first
    :data:`PREPARED_BROKERS` brokers."""
    from qkg.graph.analysis.metrics import brokers, communities, summary
    from qkg.graph.analysis.nxgraphs import without_views

    graph = _actors_projection(store)
    found = communities(graph, seed=CENTRALITY_DEFAULTS["seed"], resolution=1.0)
    answer = {
        "summary": summary(graph),
        "communities": {
            "method": found["method"],
            "modularity": found["modularity"],
            "communities": [
                {"size": len(c), "members": member_rows(graph, sorted(c, key=lambda n: (-graph.degree(n), str(n))))}
                for c in found["communities"]
            ],
        },
        # the partition above and the centralities of centrality-actors, not made a second time
        "brokers": brokers(
            graph, top=PREPARED_BROKERS, seed=CENTRALITY_DEFAULTS["seed"], partition=found, ranked=_centrality(store)
        ),
    }
    forget(store, _ACTORS_PROJECTION)
    forget(store, _ACTORS_CENTRALITY)
    without_views(graph)  # freed when dropped (see _collector_off)
    return answer


def member_rows(graph, nodes) -> list[dict]:
    """Nodes of a projection as the analysis API lists them: IRI, CURIE, label, type and kind."""
    from qkg.ontology.curies import short

    return [
        {
            "id": n,
            "curie": short(n) if "://" in str(n) else n,
            "label": graph.nodes[n].get("label", str(n)),
            "type": graph.nodes[n].get("type", ""),
            "kind": graph.nodes[n].get("kind", ""),
        }
        for n in nodes
    ]


def _ranking(store, year: str | None) -> tuple[dict, list]:
    """Every row of the ranking's centralities (French labels) and the network's nodes in order: the
    network's shape, hence its centralities, do not depend on the language, only the labels (and the order
    of ties) do."""
    from qkg.graph.analysis.metrics import centrality
    from qkg.graph.analysis.nxgraphs import without_views
    from qkg.graph.analysis.projection import actor_network

    idx = _facts(store)
    if year is not None:
        from qkg.graph.pages.years import stated_by_year

        idx = idx.of_year(year, shared(store, "stated-by-year", lambda: stated_by_year(store)))
    graph = actor_network(store, fold_posts=True, lang="fr", index=idx, year=year)
    ranked = centrality(graph), list(graph.nodes)
    without_views(graph)  # freed when dropped (see _collector_off)
    return ranked


def page_centrality(store, lang: str, year: str | None = None) -> dict:
    """The ``/analysis`` page's ranking: the actors' network (posts folded), its :data:`PAGE_CENTRALITY_TOP`
    most central actors; of one report year's facts, or of every year.

    The centralities are computed once per build and year for both languages: the other language's ranking
    relabels the rows and sorts them again (by betweenness, degree, label, then node order, as
    :func:`~qkg.graph.analysis.metrics.centrality` does), which gives the answer of its own network."""
    import heapq

    from qkg.graph.analysis.facts import labels

    full, nodes = shared(store, ("ranking", year), lambda: _ranking(store, year))
    if lang != "fr":
        names = labels(store, nodes, lang=lang)
        rows = [{**r, "label": names[r["node"]]} for r in full["rows"]]
    else:
        rows = full["rows"]
    place = {n: i for i, n in enumerate(nodes)}
    rows = sorted(rows, key=lambda r: place[r["node"]])
    top = heapq.nsmallest(PAGE_CENTRALITY_TOP, rows, key=lambda r: (-r["betweenness"], -r["degree"], str(r["label"])))
    return {**full, "rows": top}


def _page_centrality(lang: str):
    # a partial of a module's function (not a closure) pickles: the build can make it in another process
    return functools.partial(page_centrality, lang=lang)


def _page_centrality_years(store) -> dict:
    """The ``/analysis?year=`` rankings: ``{year: {"fr": ranking, "en": ranking}}`` for each report year (made
    outside a build, for an older one, its years still share one fact index)."""
    from qkg.graph.pages.years import build_years

    store = as_reader(store)
    return {year: {lang: page_centrality(store, lang, year) for lang in ("fr", "en")} for year in build_years(store)}


def _network(store):
    """The build's network (:func:`~qkg.viz.source.prepare_network`), made once for its group (the network and
    the home page's partners)."""
    from qkg.viz.source import prepare_network

    return shared(store, "viz.network", lambda: prepare_network(store))


def home_partners(network) -> dict:
    """The home page's partners of the City (:func:`~qkg.viz.source.partners_view`) of the build's network
    (a :class:`~qkg.viz.source.Prepared`), in each language: ``{lang: partners or None}``; a few kB."""
    from qkg.api.i18n import LANGS
    from qkg.viz.source import partners_view

    return {lang: partners_view(network, lang=lang) for lang in LANGS}


def _home_partners(store) -> dict:
    return home_partners(_network(store))


def network_overview(network) -> dict:
    """``/api/viz/network``'s answer with no focus, no filter and its default sizes, of every year (the whole
    network of a small graph, the City's overview of a large one: :func:`~qkg.viz.source.filtered_network`), in
    each language: ``{lang: answer}``, its ``meta.build`` left empty (the server names the build it serves)."""
    from qkg.api.i18n import LANGS
    from qkg.viz.source import filtered_network

    return {lang: filtered_network(network, lang=lang, build="") for lang in LANGS}


def _network_overview(store) -> dict:
    return network_overview(_network(store))


def _map_rows(store) -> dict:
    from qkg.viz.source import map_rows, map_view, with_every_year

    return with_every_year(map_rows(store), map_view)


def _stats_rows(store) -> dict:
    from qkg.viz.source import stats_rows, stats_view, with_every_year

    return with_every_year(stats_rows(store), stats_view)


def _canned_answers(store):
    from qkg.api.i18n import LANGS
    from qkg.graph.pages.answers import PreparedAnswers, prepared_queries
    from qkg.graph.pages.catalog import load_catalog

    return PreparedAnswers.from_store(store, prepared_queries(load_catalog()), langs=LANGS)


def _open_canned_answers(path):
    from qkg.graph.pages.answers import PreparedAnswers

    return PreparedAnswers.open(path)


#: Every artefact ``qkg build`` prepares. Those of one ``group`` ask the same queries (measured at 1M: the actor
#: facts for the three centralities; the labels and the classes' members for the search index, the map and the
#: statistics, and the dated activities for the last two): the build makes a group in one process with one
#: query memo, freed after it. The search index comes first in its group: its peak memory (0.93 GB at 1M) is
#: then reached before the memo holds the map's and the statistics' reads (1.17 GB when made last). A large build
#: hands the groups out in this order to two processes (:class:`~qkg.graph.building.artefacts.Production`), the
#: longest first, so that the two end together (CPU at 1M: years 28 s, network 19 s, actors 17 s, canned answers
#: 12 s, counts 6.5 s; the build's process validates SHACL first, 7 s, then joins the other).
ARTEFACTS: tuple[Artefact, ...] = (
    Artefact("search", _collector_off(_search), "sqlite", load=_open_search, group="years"),
    Artefact("map-rows", _collector_off(_map_rows), "pickle", group="years"),
    Artefact("stats-rows", _collector_off(_stats_rows), "pickle", group="years"),
    Artefact("network", _collector_off(_network), "pickle", group="network"),
    # after the network, from the same graph (kept by the group's memo): a few kB each, made with the collector on
    Artefact("home-partners", _home_partners, group="network"),
    Artefact("network-overview", _network_overview, group="network"),
    Artefact("centrality-actors", _collector_off(_centrality), "pickle", group="actors"),
    # after the centralities, from the same projection (kept by the group's memo until this one lets it go)
    Artefact("analysis-actors", _collector_off(_analysis_actors), "pickle", group="actors"),
    Artefact("page-centrality-fr", _collector_off(_page_centrality("fr")), group="actors"),
    Artefact("page-centrality-en", _collector_off(_page_centrality("en")), group="actors"),
    Artefact("page-centrality-years", _collector_off(_page_centrality_years), group="actors"),
    # last of its group: most of its queries are the actor networks' (kept by the group's memo)
    Artefact("reach-facts", _collector_off(_reach_facts), "pickle", group="actors"),
    Artefact("canned-answers", _collector_off(_canned_answers), "sqlite", load=_open_canned_answers),
    *(replace(a, group="counts") for a in CORE),
    Artefact("void", _collector_off(_void), group="counts"),
    Artefact("audit", _audit, group="counts"),
)
BY_NAME: dict[str, Artefact] = {a.name: a for a in ARTEFACTS}
#: Artefacts a server makes from another artefact of the build, for a build made before them:
#: ``{name: (the artefact it is made from, function of that artefact's value)}`` (the build makes them from its
#: store, as every artefact, sharing the value with the other artefact's group).
DERIVED: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "home-partners": ("network", home_partners),
    "network-overview": ("network", network_overview),
}
