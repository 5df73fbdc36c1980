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
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from qkg.api.deps import PoolDep, StateDep, TemplatesDep
from qkg.api.errors import ERROR_RESPONSES
from qkg.api.i18n import LANGS, current_lang
from qkg.api.i18n import gettext as _
from qkg.api.views import build_years_of, href_for, prepared_page, run_query
from qkg.graph.errors import N_, ParameterError
from qkg.graph.pages.catalog import (
    PICK_MAX,
    TAG_NAMES,
    CannedQuery,
    answering_values,
    bind,
    display_table,
    get_query,
    load_catalog,
    paged,
)
from qkg.graph.pages.entity import labels_of, pick_label, translations
from qkg.graph.pages.search import normalise
from qkg.ontology.curies import expand_curie, short

__all__ = ["router", "query_meta", "param_classes", "paged", "CANNED_PAGE"]

router = APIRouter(tags=["queries"])

#: Class of an ``iri`` parameter, guessed from its name when the header gives none.
CLASS_BY_NAME = {
    "country": "qkg:Country",
    "city": "qkg:City",
    "place": "qkg:Place",
    "region": "qkg:Region",
    "organisation": "qkg:Organisation",
    "organization": "qkg:Organisation",
    "org": "qkg:Organisation",
    "network": "qkg:CityNetwork",
    "partner": "qkg:Organisation",
    "mission": "qkg:Mission",
    "reception": "qkg:Reception",
    "agreement": "qkg:Agreement",
    "section": "qkg:ReportSection",
    "person": "qkg:Person",
    "post": "qkg:Post",
    "event": "qkg:Event",
    "project": "qkg:Project",
    "category": "skos:Concept",
    "theme": "skos:Concept",
}
_PARAM_CLASS = re.compile(r"^#\s*param-class\s*:\s*([\w-]+)\s*\|\s*(\S+)\s*$", re.M)


class ParamModel(BaseModel):
    name: str
    label: str = Field("", description="Its name in the request's language (as the query page's form says it).")
    type: str = Field(..., examples=["iri"])
    default: str | None = None
    description: str = ""
    optional: bool = Field(False, description="Left out, the parameter is unbound (``year``: every year).")
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
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "params": [
            {
                "name": p.name,
                "label": query.var_label(p.name, current_lang()),  # its name in the reader's language
                "type": p.type,
                "default": p.default,
                # written in English in the query's header, given in the client's language (the catalogue's)
                "description": _(p.description) if p.description else p.description,
                "optional": p.optional,
                "class": classes.get(p.name),
            }
            for p in query.params
        ],
        "tags": list(query.tags),
        "answers": query.answers,
        "form": query.form,
        "sparql": query.sparql,
        "url": f"/queries/{query.name}",
    }


#: Rows per page of a canned query's answer (``?limit=`` up to :data:`CANNED_PAGE_MAX`, ``?offset=``).
CANNED_PAGE = 500
CANNED_PAGE_MAX = 5000
_PAGING = ("limit", "offset")


def _page(request: Request | None) -> tuple[int, int]:
    """``(limit, offset)`` from the query string, or :class:`ParameterError` naming the bad one."""
    if request is None:
        return CANNED_PAGE, 0
    out = []
    for name, default, top in (("limit", CANNED_PAGE, CANNED_PAGE_MAX), ("offset", 0, 10_000_000)):
        raw = request.query_params.get(name, "")
        try:
            value = int(raw) if raw != "" else default
        except ValueError:
            value = -1
        if not (name == "offset" or value >= 1) or value < 0 or value > top:
            raise ParameterError(
                N_("{name}={value!r} is not a whole number between {low} and {top}"),
                hint=N_("omit it for {default}"),
                fields={"name": name, "value": raw, "low": 1 if name == "limit" else 0, "top": top, "default": default},
            )
        out.append(value)
    return out[0], out[1]


def _next_link(request: Request, limit: int, offset: int, rows: int) -> str | None:
    """The URL of the next page when this one is full (the next page may then be empty)."""
    if rows < limit:
        return None
    params = dict(request.query_params)
    params.update(offset=str(offset + limit))
    return f"{request.url.path}?{urlencode(params)}"


def _page_lang(query: CannedQuery) -> dict[str, str]:
    """The query's ``lang`` parameters bound to the page's language (the labels it selects are in that language)."""
    return {p.name: current_lang() for p in query.params if p.type == "lang"}


def _values(request: Request, query: CannedQuery) -> dict[str, str]:
    lang = request.query_params.get("lang")
    if lang is not None and lang not in LANGS:  # a 422 as every route whose lang is declared (it was ignored)
        raise RequestValidationError(
            [
                {
                    "type": "literal_error",
                    "loc": ("query", "lang"),
                    "msg": "Input should be 'fr' or 'en'",
                    "input": lang,
                    "ctx": {"expected": " or ".join(repr(x) for x in LANGS)},
                }
            ]
        )
    names = {p.name for p in query.params}
    unknown = [k for k in request.query_params if k not in names and k not in ("format", "run", "lang", *_PAGING)]
    if unknown:
        raise ParameterError(
            N_("{query} has no parameter {names}"),
            hint=N_("its parameters: {known}") if names else N_("it takes no parameter"),
            fields={"query": query.name, "names": ", ".join(sorted(unknown)), "known": ", ".join(sorted(names))},
        )
    return {k: v for k, v in request.query_params.items() if k in names and v != ""} | _page_lang(query)


async def _run(
    state,
    pool,
    query: CannedQuery,
    values: dict[str, str],
    fmt: str,
    request: Request | None = None,
    *,
    etag: bool = True,
) -> Response:
    """Run one page of a canned query in the pool, its parameters bound as substitutions (never pasted); a
    query whose whole answer the build keeps has its page read from it (:func:`~qkg.api.views.prepared_page`).

    With the ``request``, the answer carries an ETag (a matching ``If-None-Match`` gets 304), and, when the
    page is full, a ``Link: <...?offset=N>; rel="next"`` header and ``X-QKG-Next``.
    """
    limit, offset = _page(request)
    years = await asyncio.to_thread(build_years_of, state) if "year" in values else None
    text, bindings = paged(query.sparql, limit, offset), bind(query, values, years=years)
    response = await prepared_page(
        state, query, text, fmt, bindings=bindings, limit=limit, offset=offset, request=request, etag=etag
    )
    if response is None:
        response = await run_query(pool, text, fmt, bindings=bindings, request=request, canned=True, etag=etag)
    rows = int(response.headers.get("X-QKG-Rows", "0") or 0)
    following = (
        _next_link(request, limit, offset, rows) if request is not None and response.status_code == 200 else None
    )
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
        response.headers["X-QKG-Next"] = following
    return response


@router.get("/api/queries", response_model=list[QueryModel], summary="List the canned queries")
def api_queries() -> list[dict]:
    """Every canned query with its titles (fr, en), description, parameters and SPARQL."""
    return [query_meta(q) for q in load_catalog().values()]


@router.get(
    "/api/queries/{name}",
    responses={
        200: {
            "description": "SPARQL JSON results",
            "content": {"application/sparql-results+json": {"schema": {"type": "object"}}},
        },
        **ERROR_RESPONSES,
    },
    summary="Run a canned query (JSON)",
)
async def api_query(name: str, request: Request, state: StateDep, pool: PoolDep) -> Response:
    """Run canned query ``name``; its parameters are query-string parameters (``?country=qkgd:suisse``)."""
    query = get_query(name)
    return await _run(state, pool, query, _values(request, query), "json", request)


@router.get("/queries", include_in_schema=False)
def queries_page(request: Request, templates: TemplatesDep) -> Response:
    """The list of canned queries."""
    catalog = [query_meta(q) for q in load_catalog().values()]
    return templates.TemplateResponse(
        request, "queries.html", {"queries": catalog, "title": _("Queries"), "tag_names": TAG_NAMES}
    )


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
    """A canned query: its SPARQL, its parameter form and its results as a table.

    A bad parameter is shown in the form, next to its field and in the page's language (status 400); the
    pick-lists hold only the values for which the query answers.
    """
    query = get_query(name)
    names = {p.name for p in query.params}
    values = {k: v for k, v in request.query_params.items() if k in names and v != ""} | _page_lang(query)
    errors = {
        k: {"kind": "unknown", "value": v}
        for k, v in request.query_params.items()
        if k not in names and k not in ("format", "run", "lang", *_PAGING)
    }
    meta = query_meta(query)
    # a ``lang`` parameter is the page's language, not a field of the form
    meta["params"] = [p for p in meta["params"] if p["type"] != "lang"]
    lang = current_lang()
    store = state.require_store()
    notes: list[str] = []  # what the page chose for the reader, said above the form
    unanswerable: list[str] = []  # parameters none of whose values gives an answer in this graph
    given: dict[str, Any] = {}  # the reader's valid values as terms: a pick-list answers under the others (a year)
    build_years = await asyncio.to_thread(build_years_of, state)
    for q in query.params:
        try:
            term = q.to_term(values[q.name]) if q.name in values else None
            if term is not None and (q.type != "year" or term.value in build_years):  # a year it lacks: refused below
                given[q.name] = term
        except ParameterError:
            pass
    for p, param in zip(meta["params"], [q for q in query.params if q.type != "lang"], strict=True):
        p["value"] = values.get(p["name"], p["default"] or "")
        p["label"] = query.var_label(p["name"], lang)
        try:
            term = param.to_term(p["value"])
            if param.type == "year" and term is not None:
                years = await asyncio.to_thread(build_years_of, state)
                if term.value not in years:
                    errors[p["name"]] = {"kind": "no-year", "value": p["value"], "years": ", ".join(years)}
            if param.type == "year":
                p["choices"] = [{"value": "", "label": _("Every year"), "selected": not p["value"]}] + [
                    {"value": y, "label": y, "selected": y == p["value"]}
                    for y in await asyncio.to_thread(build_years_of, state)
                ]
        except ParameterError:
            errors[p["name"]] = {"kind": "invalid", "value": p["value"], "type": p["type"]}
        if p["type"] == "iri" and p["class"]:
            others = {k: t for k, t in given.items() if k != p["name"]}
            current = "" if p["name"] in errors else p["value"]  # a value refused already is not looked up
            p["choices"], p["more"] = await asyncio.to_thread(
                _choices, state, query, p["name"], p["class"], current, others
            )
            if p["name"] in errors or any(c["selected"] for c in p["choices"]):
                continue
            if p["name"] in values:  # the reader's value: refused, next to its field
                errors[p["name"]] = {"kind": "no-answer", "value": p["value"], "more": p["more"]}
            elif p["choices"]:  # the default gives no answer in this graph (another year's report): the first that does
                # the first by identifier: the same in every language (the list is in the language's label order)
                first = min(p["choices"], key=lambda c: c["value"])
                first["selected"], p["value"] = True, first["value"]
                values[p["name"]] = first["value"]
                notes.append(
                    _("{param}: {default} gives no answer in this graph; {value} is shown instead.").format(
                        param=p["label"], default=p["default"], value=first["label"]
                    )
                )
            else:
                unanswerable.append(p["label"])
    table, following = None, None
    if (
        not errors
        and not unanswerable
        and all(p["value"] or p["optional"] for p in meta["params"])
        and query.form in ("SELECT", "ASK")
    ):
        response = await _run(state, pool, query, values, "json", request, etag=False)
        table = await asyncio.to_thread(_table, store, query, json.loads(bytes(response.body)), response.headers, lang)
        following = response.headers.get("X-QKG-Next")
    link_params = urlencode({p["name"]: p["value"] for p in meta["params"] if p["value"]})
    context = {
        "q": meta,
        "table": table,
        "errors": errors,
        "notes": notes,
        "unanswerable": unanswerable,
        "pick_max": PICK_MAX,
        "title": meta["title"].get(lang) or meta["title"].get("fr", name),
        "suffix": f"?{link_params}" if link_params else "",
        "next": following,
        "editor_url": "/sparql?" + urlencode({"query": query.sparql}),
    }
    return templates.TemplateResponse(request, "query.html", context, status_code=400 if errors else 200)


#: Pick-lists already computed: (build generation, query, parameter) -> IRIs with an answer (bounded).
_ANSWERING: dict[tuple, list[str]] = {}


def _choices(
    state, query: CannedQuery, param: str, cls: str, current: str, others: dict | None = None
) -> tuple[list[dict], bool]:
    """The pick-list of an ``iri`` parameter: the instances of its class for which the query answers (under the
    reader's values of the ``others``), by label, at most :data:`~qkg.graph.pages.catalog.PICK_MAX` of them
    (the current value added when it answers), and whether there are more."""
    store = state.require_store()
    try:
        iri = expand_curie(cls)
    except ValueError:
        return [], False
    current_iri = ""
    if current:
        try:
            current_iri = expand_curie(current)
        except ValueError:
            pass
    others = others or {}
    key = (state.generation, query.name, param, tuple(sorted((k, str(t)) for k, t in others.items())))
    if key not in _ANSWERING:
        if len(_ANSWERING) > 256:
            _ANSWERING.clear()
        _ANSWERING[key] = answering_values(store, query, param, iri, bound=others)
    answering = _ANSWERING[key]
    more = len(answering) > PICK_MAX
    shown = answering[:PICK_MAX]
    if more and current_iri and current_iri not in shown:  # past the list's end: asked on its own
        try:
            shown = [*answering_values(store, query, param, iri, value=current_iri, bound=others), *shown]
        except ValueError:  # not an IRI (a space, a '>'): it answers nothing
            pass
    lang = current_lang()
    names = labels_of(store, shown)
    choices = [
        {
            "value": short(i).removeprefix("<").removesuffix(">"),
            "label": names.get(i, {}).get(lang) or pick_label(names.get(i, {})) or short(i),
            "selected": i == current_iri,
        }
        for i in shown
    ]
    return sorted(choices, key=lambda c: (normalise(c["label"]), c["label"])), more  # "Élus" among the E


def _table(store, query: CannedQuery, results: dict, headers, lang: str) -> dict:
    """SPARQL JSON results -> the page's table (labelled, linked, label columns folded)."""

    bindings = results.get("results", {}).get("bindings", [])
    iris = {b[n]["value"] for b in bindings for n in b if b[n]["type"] == "uri"}
    tagged = {(b[n]["value"], b[n]["xml:lang"]) for b in bindings for n in b if b[n].get("xml:lang")}
    table = display_table(
        query, results, labels_of(store, iris), lang=lang, href=href_for, translated=translations(store, tagged, lang)
    )
    table["truncated"] = headers.get("x-qkg-truncated") == "true"
    return table
