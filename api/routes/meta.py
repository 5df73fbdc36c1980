"""Home page, health, statistics, audit, the dataset's VoID description and the dump.

=======================  ==================================================================
route                    answer
=======================  ==================================================================
``/``                    home page: what qkg is, counts, the City's main partners, links, the audit
``/health``              ``{"ok": true}`` without touching the store (for load balancers)
``/api/stats``           :func:`qkg.graph.building.stats.graph_stats`
``/api/audit``           :func:`qkg.graph.building.audit.audit` findings (``?year=``: one report year's)
``/.well-known/void``    VoID description of the dataset (Turtle)
``/dump.trig``           the whole graph, named graphs kept (TriG); ``/dump.nq`` N-Quads
=======================  ==================================================================
"""

from __future__ import annotations

import asyncio
import functools

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from qkg.api.deps import StateDep, TemplatesDep
from qkg.api.errors import ERROR_RESPONSES
from qkg.api.i18n import current_lang
from qkg.api.i18n import gettext as _
from qkg.api.routes.models import FindingModel, HealthModel, StatsModel
from qkg.api.views import ReportYear, build_years_of, endpoint_url, report_year
from qkg.graph.errors import N_, StoreError

__all__ = ["router", "void_turtle"]

router = APIRouter(tags=["meta"])

_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def _stats(state) -> dict:
    return state.prepared("stats")


def _partners(state, lang: str) -> dict | None:
    # prepared by the build for each language (a few kB): the home page never waits for the network's pickle
    return state.prepared("home-partners").get(lang)


def _audit(state, year: str | None = None) -> list[dict]:
    """The build's findings, each with its report year; of one year only with ``year`` (checked by the route)."""
    findings = state.prepared("audit")
    return findings if year is None else [f for f in findings if f.get("year") == year]


@router.get("/health", response_model=HealthModel, summary="Liveness (no store query)")
async def health(state: StateDep) -> dict:
    """Answers at once, even while queries run or are being stopped."""
    return {"ok": True, "build": state.path.name if state.path else None, "generation": state.generation}


@router.get("/api/stats", response_model=StatsModel, responses={500: ERROR_RESPONSES[500]}, summary="Graph statistics")
def api_stats(state: StateDep) -> dict:
    """Triples (asserted, inferred), triples per named graph, entities per class, build information."""
    return _stats(state)


@router.get(
    "/api/audit",
    response_model=list[FindingModel],
    responses={400: ERROR_RESPONSES[400], 500: ERROR_RESPONSES[500]},
    summary="Audit of the report's headline figures",
)
def api_audit(state: StateDep, year: str | None = ReportYear()) -> list[dict]:
    """Each headline figure of the report recomputed from the detailed facts of its own report year (``year``
    on each finding), with a verdict and reason; ``?year=2025``: that year's figures only."""
    return _audit(state, report_year(state, year))


@router.get("/docs", include_in_schema=False)
async def docs(request: Request, templates: TemplatesDep) -> Response:
    """The REST API's documentation: Swagger UI over /openapi.json, served from the app (no CDN)."""
    return templates.TemplateResponse(request, "docs.html", {"title": "API"})


@router.get("/", include_in_schema=False)
async def home(request: Request, state: StateDep, templates: TemplatesDep, year: str | None = ReportYear()) -> Response:
    """What qkg is, the counts (of every year, or of one report year: ``?year=2025``), where to go next, and
    the audit summary."""
    year = await asyncio.to_thread(report_year, state, year)
    build_years = await asyncio.to_thread(build_years_of, state)
    stats = await asyncio.to_thread(_stats, state)
    findings = await asyncio.to_thread(_audit, state, year)
    partners = await asyncio.to_thread(_partners, state, current_lang())
    verdicts: dict[str, int] = {}
    for f in findings:
        verdicts[f["verdict"]] = verdicts.get(f["verdict"], 0) + 1
    entities = sum(
        stats["classes"].get(c, 0)
        for c in ("qkg:Place", "qkg:Organisation", "qkg:Activity", "qkg:Agreement", "qkg:Person", "qkg:Post")
    )
    context = {
        "stats": stats,
        "findings": findings,
        "verdicts": verdicts,
        "entities": entities,
        "partners": partners,
        "year": year,
        "year_counts": (stats.get("years") or {}).get(year or "", {"triples": 0, "graphs": 0, "classes": {}}),
        "build_years": build_years,
        "title": _("qkg: the City of Québec's international relations"),
    }
    return templates.TemplateResponse(request, "home.html", context)


def void_turtle(state, base: str) -> str:
    """The VoID description of the dataset served at ``base``."""
    from qkg.ontology import PREFIXES

    stats = _stats(state)
    entities = state.prepared("void")["entities"]  # counted by the build (a scan of the whole graph)
    partitions = "".join(
        f"\n    void:classPartition [ void:class <{PREFIXES['qkg']}{c.split(':', 1)[1]}> ; void:entities {n} ] ;"
        for c, n in stats["classes"].items()
        if c.startswith("qkg:")
    )
    vocabularies = ", ".join(f"<{PREFIXES[p]}>" for p in ("qkg", "skos", "schema", "org", "prov", "dct", "geo", "foaf"))
    return f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix qkgd: <{PREFIXES["qkgd"]}> .

<{base}/.well-known/void> a void:DatasetDescription ;
    dct:title "Description VoID du graphe qkg"@fr , "VoID description of the qkg graph"@en ;
    foaf:primaryTopic <{base}/.well-known/void#qkg> .

<{base}/.well-known/void#qkg> a void:Dataset ;
    dct:title "Relations internationales de la Ville de Québec (2024)"@fr ,
              "International relations of the City of Québec (2024)"@en ;
    dct:description "Faits tirés du Rapport des actions internationales de 2024 du Bureau des relations internationales, chacun relié à sa section."@fr ,
                    "Facts from the 2024 report on international actions of the City of Québec's international relations office, each linked to its section."@en ;
    dct:source qkgd:bri-2024 ;
    dct:license <{_LICENSE}> ;
    void:sparqlEndpoint <{base}/sparql> ;
    void:dataDump <{base}/dump.trig> ;
    void:uriSpace "{PREFIXES["qkgd"]}" ;
    void:exampleResource qkgd:ville-de-quebec , qkgd:quebec ;
    void:vocabulary {vocabularies} ;
    void:triples {stats["triples"]} ;
    void:entities {entities} ;
    void:classes {len(stats["classes"])} ;{partitions}
    foaf:homepage <{base}/> .
"""


@router.get("/.well-known/void", include_in_schema=False)
def void(request: Request, state: StateDep) -> Response:
    """The VoID description (Turtle)."""
    base = endpoint_url(request, state.settings.public_base, "")
    return Response(
        state.cache(("meta", "void:" + base), lambda: void_turtle(state, base)), media_type="text/turtle; charset=utf-8"
    )


@router.get("/dump.trig", include_in_schema=False)
async def dump_trig(state: StateDep) -> Response:
    """The whole graph with its named graphs, in TriG."""
    return await _dump(state, "trig", "application/trig")


@router.get("/dump.nq", include_in_schema=False)
async def dump_nq(state: StateDep) -> Response:
    """The whole graph with its named graphs, in N-Quads."""
    return await _dump(state, "nquads", "application/n-quads")


#: The dump being written, by file: one writer each, which the other requests for it wait for (in the event loop,
#: not a worker thread each: a crowd asking for the dump of a large graph must not take the threads the other
#: routes run in). Shielded: a client that leaves does not stop the writing others wait for.
_DUMPS: dict[str, asyncio.Future] = {}


async def _dump(state, fmt: str, media: str) -> Response:
    """The dump, written once per build beside its artefacts (streamed to disk, sent from the file), not held in
    the server's memory (at 1M triples: 425 MB of N-Quads made in Python at each request before, 22 s each)."""
    from qkg.graph.building.export import DUMP_SUFFIXES, dump_file

    store, artefacts = state.require_store(), state.artefacts
    assert artefacts is not None  # set with the store
    folder = artefacts.path
    path = folder / f"dump{DUMP_SUFFIXES[fmt]}"
    if not path.is_file():
        key = str(path)
        job = _DUMPS.get(key)
        if job is None:  # forgotten once done: written (the file is there), or failed (the next request tries again)
            job = _DUMPS[key] = asyncio.ensure_future(asyncio.to_thread(dump_file, store, fmt, folder))
            job.add_done_callback(functools.partial(_forget_dump, key))
        try:
            path = await asyncio.shield(job)
        except OSError as exc:  # a build folder the server may not write to, a full disk
            raise StoreError(
                N_("the dump could not be written to {path}: {problem}"),
                hint=N_("let the server write in the build's folder, or make the dump with `qkg export`"),
                fields={"path": path, "problem": exc.strerror or exc},
            ) from None
    return FileResponse(path, media_type=media, filename=f"qkg{DUMP_SUFFIXES[fmt]}")


def _forget_dump(key: str, _done: asyncio.Future) -> None:
    _DUMPS.pop(key, None)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The site icon (SVG)."""
    from qkg.api.app import STATIC_DIR

    return Response(
        (STATIC_DIR / "favicon.svg").read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
