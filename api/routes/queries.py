"""Canned queries: ``/queries`` (pages) and ``/api/queries`` (JSON), from ``graph/queries/*.rq``.

Parameters are bound as substitutions (pyoxigraph ``substitutions``, through the pool's ``bindings=``),
never pasted into the query text. An ``iri`` parameter gets a pick-list of the graph's entities of one
class: the class named by the query header ``# param-class: <param> | qkg:Country``, else a guess from the
parameter's name (``country`` -> ``qkg:Country``...).

======================================  ======================================================
route                                   answer
======================================  ======================================================
``/queries``                            list page (titles fr/en, descriptions, tags)
``/queries/{name}``                     the query, its form and, once parameters are set, results
``/queries/{name}.json`` / ``.csv``     the results (SPARQL JSON / CSV)
``/api/queries``                        JSON list with metadata
``/api/queries/{name}?param=...``       JSON results
======================================  ======================================================
"""
from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from qkg.api.deps import PoolDep, StateDep, TemplatesDep
from qkg.api.errors import ERROR_RESPONSES
from qkg.api.views import href_for, run_query
from qkg.graph.pages.catalog import CannedQuery, bind, get_query, load_catalog
from qkg.graph.pages.entity import instances_of, labels_of
from qkg.graph.errors import ParameterError
from qkg.ontology.curies import expand_curie, short

__all__ = ["router", "query_meta", "param_classes"]

router = APIRouter(tags=["queries"])

#: Class of an ``iri`` parameter, guessed from its name when the header gives none.
CLASS_BY_NAME = {
    "country": "qkg:Country", "city": "qkg:City", "place": "qkg:Place", "region": "qkg:Region",
    "organisation": "qkg:Organisation", "organization": "qkg:Organisation", "org": "qkg:Organisation",
    "network": "qkg:CityNetwork", "partner": "qkg:Organisation", "mission": "qkg:Mission",
    "reception": "qkg:Reception", "agreement": "qkg:Agreement", "section": "qkg:ReportSection",
    "person": "qkg:Person", "post": "qkg:Post", "event": "qkg:Event", "project": "qkg:Project",
    "category": "skos:Concept", "theme": "skos:Concept",
}
_PARAM_CLASS = re.compile(r"^#\s*param-class\s*:\s*([\w-]+)\s*\|\s*(\S+)\s*$", re.M)


class ParamModel(BaseModel):
    name: str
    type: str = Field(..., examples=["iri"])
    default: str | None = None
    description: str = ""
    cls: str | None = Field(None, alias="class", description="Class of the pick-list (iri parameters).")


class QueryModel(BaseModel):
    name: str = Field(..., examples=["receptions-by-category"])
    title: dict[str, str] = Field(..., examples=[{"fr": "Accueils par catégorie", "en": "Receptions by category"}])
    description: dict[str, str] = {}
    params: list[ParamModel] = []
    tags: list[str] = []
    answers: str = ""
    form: str = Field(..., examples=["SELECT"])
    sparql: str
    url: str = Field(..., examples=["/queries/receptions-by-category"])


def param_classes(query: CannedQuery) -> dict[str, str]:
    """The class of each ``iri`` parameter: header ``# param-class:`` first, else a guess from its name."""
    declared = dict(_PARAM_CLASS.findall(query.sparql))
    out = {}
    for p in query.params:
        if p.type == "iri":
            cls = declared.get(p.name) or CLASS_BY_NAME.get(p.name.lower().rstrip("s"))
            if cls:
                out[p.name] = cls
    return out


def query_meta(query: CannedQuery) -> dict:
    """The JSON metadata of a canned query."""
    classes = param_classes(query)
    return {
        "name": query.name, "title": query.title, "description": query.description,
        "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description,
                    "class": classes.get(p.name)} for p in query.params],
        "tags": list(query.tags), "answers": query.answers, "form": query.form, "sparql": query.sparql,
        "url": f"/queries/{query.name}",
    }


def _values(request: Request, query: CannedQuery) -> dict[str, str]:
    names = {p.name for p in query.params}
    unknown = [k for k in request.query_params if k not in names and k not in ("format", "run")]
    if unknown:
        raise ParameterError(f"{query.name} has no parameter {', '.join(sorted(unknown))}",
                             hint=f"its parameters: {', '.join(sorted(names)) or 'none'}")
    return {k: v for k, v in request.query_params.items() if k in names and v != ""}


async def _run(state, pool, query: CannedQuery, values: dict[str, str], fmt: str, request: Request | None = None
               ) -> Response:
    """Run a canned query in the pool, its parameters bound as substitutions (never pasted).

    With the ``request``, the answer carries an ETag and a matching ``If-None-Match`` gets 304.
    """
    return await run_query(pool, query.sparql, fmt, bindings=bind(query, values), request=request, canned=True)


@router.get("/api/queries", response_model=list[QueryModel], summary="List the canned queries")
def api_queries() -> list[dict]:
    """Every canned query with its titles (fr, en), description, parameters and SPARQL."""
    return [query_meta(q) for q in load_catalog().values()]


@router.get("/api/queries/{name}", responses={200: {"description": "SPARQL JSON results",
            "content": {"application/sparql-results+json": {"schema": {"type": "object"}}}}, **ERROR_RESPONSES},
            summary="Run a canned query (JSON)")
async def api_query(name: str, request: Request, state: StateDep, pool: PoolDep) -> Response:
    """Run canned query ``name``; its parameters are query-string parameters (``?country=qkgd:suisse``)."""
    query = get_query(name)
    return await _run(state, pool, query, _values(request, query), "json", request)


@router.get("/queries", include_in_schema=False)
def queries_page(request: Request, templates: TemplatesDep) -> Response:
    """The list of canned queries."""
    catalog = [query_meta(q) for q in load_catalog().values()]
    return templates.TemplateResponse(request, "queries.html", {"queries": catalog, "title": "Requêtes / Queries"})


@router.get("/queries/{name}.json", include_in_schema=False)
async def query_json(name: str, request: Request, state: StateDep, pool: PoolDep) -> Response:
    """Results of a canned query as SPARQL JSON."""
    query = get_query(name)
    return await _run(state, pool, query, _values(request, query), "json", request)


@router.get("/queries/{name}.csv", include_in_schema=False)
async def query_csv(name: str, request: Request, state: StateDep, pool: PoolDep) -> Response:
    """Results of a canned query as CSV."""
    query = get_query(name)
    response = await _run(state, pool, query, _values(request, query), "csv", request)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@router.get("/queries/{name}", include_in_schema=False)
async def query_page(name: str, request: Request, state: StateDep, pool: PoolDep, templates: TemplatesDep) -> Response:
    """A canned query: its SPARQL, its parameter form and its results as a table."""
    query = get_query(name)
    values = _values(request, query)
    meta = query_meta(query)
    store = state.require_store()
    for p in meta["params"]:
        p["value"] = values.get(p["name"], p["default"] or "")
        if p["type"] == "iri" and p["class"]:
            p["choices"] = await asyncio.to_thread(_choices, store, p["class"], p["value"])
    table, error = None, None
    if all(p["value"] for p in meta["params"]) and query.form in ("SELECT", "ASK"):
        response = await _run(state, pool, query, values, "json")
        table = await asyncio.to_thread(_table, store, json.loads(response.body), response.headers)
    link_params = urlencode({p["name"]: p["value"] for p in meta["params"] if p["value"]})
    context = {"q": meta, "table": table, "error": error, "title": meta["title"].get("fr", name),
               "suffix": f"?{link_params}" if link_params else "",
               "editor_url": "/sparql?" + urlencode({"query": query.sparql})}
    return templates.TemplateResponse(request, "query.html", context)


def _choices(store, cls: str, current: str) -> list[dict]:
    try:
        iri = expand_curie(cls)
    except ValueError:
        return []
    current_iri = ""
    if current:
        try:
            current_iri = expand_curie(current)
        except ValueError:
            pass
    return [{"value": short(i).removeprefix("<").removesuffix(">"), "label": label, "selected": i == current_iri}
            for i, label in instances_of(store, iri)]


def _table(store, results: dict, headers) -> dict:
    """SPARQL JSON results -> rows of display cells (IRIs labelled and linked)."""
    if "boolean" in results:
        return {"vars": ["result"], "rows": [[{"text": str(results["boolean"]).lower()}]], "truncated": False}
    names = results["head"]["vars"]
    bindings = results["results"]["bindings"]
    iris = {b[n]["value"] for b in bindings for n in names if n in b and b[n]["type"] == "uri"}
    labels = labels_of(store, iris)
    rows = []
    for b in bindings:
        row = []
        for n in names:
            term = b.get(n)
            row.append(_cell(term, labels) if term else {"text": ""})
        rows.append(row)
    return {"vars": names, "rows": rows, "truncated": headers.get("x-qkg-truncated") == "true"}


def _cell(term: dict, labels: dict) -> dict:

    if term["type"] == "uri":
        found = labels.get(term["value"], {})
        label = found.get("fr") or found.get("en") or found.get("")
        return {"text": label or short(term["value"]), "curie": short(term["value"]), "href": href_for(term["value"])}
    if term["type"] == "literal":
        return {"text": term["value"], "lang": term.get("xml:lang")}
    return {"text": "_:" + term["value"]}
