"""Entities and ontology terms: every IRI of the graph resolves on this server.

=====================================================  ====================================================
route                                                  answer
=====================================================  ====================================================
``/id/{name}`` (``https://w3id.org/qkg/id/{name}``)    HTML page, or Turtle / JSON-LD / N-Triples by Accept
``/id/{name}.ttl`` ``.jsonld`` ``.nt``                 the same in that format
``/def`` (``https://w3id.org/qkg/def#Term``)           the ontology: a page listing every term (anchors)
``/def/{term}``                                        one class or property
``/api/entities/{name}?offset=``                       JSON: labels, types, facts with provenance, one page
                                                       of incoming links (``incoming_page.next``)
``/api/entities/{name}/neighbours?depth=&offset=``     one page of the nodes within ``depth`` links (at most 3)
``/api/paths?from=&to=&max=``                          shortest paths between two entities
=====================================================  ====================================================
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from qkg.api.deps import StateDep, StoreDep, TemplatesDep
from qkg.api.errors import error_responses
from qkg.api.i18n import current_lang, gettext
from qkg.api.routes.models import EntityModel, NeighboursModel, PathsModel
from qkg.api.views import build_years_of, href_for
from qkg.graph.errors import ECHO_MAX, N_, EntityNotFound, clean_text, url_value
from qkg.graph.named_graphs import ONTOLOGY_GRAPH
from qkg.graph.pages.entity import (
    ENTITY_NS,
    FACTS_PAGE,
    INCOMING_PAGE,
    NEIGHBOURS_PAGE,
    TERM_NS,
    appears,
    describe,
    entity_triples,
    has_links,
    instances_of,
    resolve,
    store_neighbourhood,
    store_shortest_paths,
)
from qkg.graph.pages.years import check_year
from qkg.graph.serving import terms
from qkg.graph.serving.formats import GRAPH_FORMATS, GRAPH_TYPES, parse_accept
from qkg.graph.serving.store import Store
from qkg.ontology import PREFIXES
from qkg.ontology.curies import short

__all__ = ["router"]

router = APIRouter(tags=["entities"])

_NAME = re.compile(r"^[A-Za-z0-9][\w.~-]*$")
_SUFFIXES = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml"}
#: Media types of an entity page: HTML, or the graph formats' own (and their aliases).
_ACCEPT = {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_TYPES}


def _not_found(name: str) -> EntityNotFound:
    return EntityNotFound(
        N_("no entity named {name!r} in the graph"),
        hint=N_("search for it: /search?q={query}"),
        # said back cleaned and cut (a 3,000-character name was echoed whole); the link percent-encoded
        fields={"name": clean_text(name, limit=ECHO_MAX), "query": url_value(name)},
    )


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise _not_found(name)


def _choose(request: Request, name: str) -> tuple[str, str]:
    for suffix, fmt in _SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], fmt
    for media in parse_accept(request.headers.get("accept")):
        if media in _ACCEPT:
            return name, _ACCEPT[media]
    return name, "html"


async def _rdf(store: Store, iri: str, fmt: str) -> Response:
    """The entity's triples (at most :data:`~qkg.graph.pages.entity.RDF_TRIPLES`: ``X-QKG-Truncated`` says
    when some were left out), read and written in a thread: the event loop serves the others meanwhile."""
    out = GRAPH_FORMATS[fmt]
    prefixes = PREFIXES if fmt == "turtle" else None

    def made() -> tuple[bytes, bool]:
        triples, truncated = entity_triples(store, iri)
        return terms.serialize(triples, format=out, prefixes=prefixes) or b"", truncated

    body, truncated = await asyncio.to_thread(made)
    headers = {"Vary": "Accept"}
    if truncated:
        headers["X-QKG-Truncated"] = "true"
    return Response(body, media_type=out.media_type, headers=headers)


@router.get("/id/{name}", include_in_schema=False)
async def entity_page(
    name: str,
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    state: StateDep,
    offset: int = Query(0, ge=0, le=1_000_000, description="First incoming link shown."),
    facts_offset: int = Query(0, ge=0, le=1_000_000, description="First of the entity's own facts shown."),
    year: str | None = Query(None, max_length=40, description="Only this report year's facts (default: every year)."),
) -> Response:
    """An entity: an HTML page for browsers, its triples in Turtle, JSON-LD or N-Triples otherwise.

    The page shows one page of the entity's facts (``facts_offset``) and one of its incoming links
    (``offset``), each with links to the pages around it; its neighbourhood is fetched a page at a time from
    ``/api/entities/{name}/neighbours``.
    """
    name, fmt = _choose(request, name)
    _check_name(name)
    iri = ENTITY_NS + name
    build_years = await asyncio.to_thread(build_years_of, state)
    if year:
        year = check_year(year, build_years)
    if fmt != "html":  # its triples: the page's description is not made for them
        if not await asyncio.to_thread(appears, store, iri):
            raise _not_found(name)
        return await _rdf(store, iri, fmt)
    data = await asyncio.to_thread(
        describe, store, iri, offset=offset, facts_offset=facts_offset, year=year or None, lang=current_lang()
    )
    if data is None:
        raise _not_found(name)
    linked = await asyncio.to_thread(has_links, store, iri)
    context = {
        "e": data,
        "title": (data.get("labels") or {}).get(current_lang()) or data["label"],
        # the other names in the page's language, or in none (an English alias on the French page read as its
        # French name)
        "alt_labels": [a for a in data["alt_labels"] if a.get("lang", current_lang()) == current_lang()],
        "href": href_for,
        "has_neighbours": linked,
        "neighbours_page": NEIGHBOURS_PAGE,
        "year": year or "",
        "build_years": build_years,
        "page_href": lambda facts, incoming: _page_href(name, facts, incoming, year),
    }
    response = templates.TemplateResponse(request, "entity.html", context)
    response.headers["Vary"] = "Accept"
    return response


def _page_href(name: str, facts: int, incoming: int, year: str | None) -> str:
    """The address of an entity's page with these pages of its facts and incoming links (its year kept).

    >>> _page_href("quebec", 500, 0, None), _page_href("quebec", 0, 100, "2024"), _page_href("quebec", 0, 0, None)
    ('/id/quebec?facts_offset=500', '/id/quebec?offset=100&year=2024', '/id/quebec')
    """
    params = {k: v for k, v in {"facts_offset": facts, "offset": incoming, "year": year}.items() if v}
    return f"/id/{name}" + (f"?{urlencode(params)}" if params else "")


@router.get("/def", include_in_schema=False)
async def ontology_page(request: Request, store: StoreDep, templates: TemplatesDep) -> Response:
    """The ontology: every class and property with its labels (``/def#Term`` anchors), or its Turtle."""
    _, fmt = _choose(request, "def")
    graph = ONTOLOGY_GRAPH
    if fmt != "html":
        quads = [
            q.triple
            for q in store.quads(None, None, None, graph)
            if isinstance(q.subject, terms.NamedNode) and q.subject.value.startswith(TERM_NS[:-1])
        ]
        out = GRAPH_FORMATS[fmt]
        return Response(
            terms.serialize(quads, format=out, prefixes=PREFIXES if fmt == "turtle" else None),
            media_type=out.media_type,
        )
    listed = await asyncio.to_thread(_terms, store)
    return templates.TemplateResponse(request, "ontology.html", {"terms": listed, "title": gettext("Ontology")})


def _terms(store: Store) -> list[dict]:
    rows = store.select(
        "SELECT ?t ?kind (SAMPLE(?fr) AS ?lfr) (SAMPLE(?en) AS ?len) (SAMPLE(?d) AS ?def) (SAMPLE(?de) AS ?defen) WHERE { "
        f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?t a ?kind "
        "OPTIONAL { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?fr FILTER(lang(?fr) = 'fr') } "
        "OPTIONAL { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?en FILTER(lang(?en) = 'en') } "
        "OPTIONAL { ?t <http://www.w3.org/2004/02/skos/core#definition> ?d FILTER(lang(?d) = 'fr') } "
        "OPTIONAL { ?t <http://www.w3.org/2004/02/skos/core#definition> ?de FILTER(lang(?de) = 'en') } } "
        "FILTER(STRSTARTS(STR(?t), 'https://w3id.org/qkg/def#') && ?kind IN (<http://www.w3.org/2002/07/owl#Class>, "
        "<http://www.w3.org/2002/07/owl#ObjectProperty>, <http://www.w3.org/2002/07/owl#DatatypeProperty>)) } "
        "GROUP BY ?t ?kind ORDER BY ?kind ?t",
        union=False,
    )
    return [
        {
            "name": r["t"].value[len(TERM_NS) :],
            "kind": r["kind"].value.rsplit("#", 1)[-1],
            "fr": r["lfr"].value if r["lfr"] else "",
            "en": r["len"].value if r["len"] else "",
            "definition": _in_lang(r["def"], r["defen"]),
        }
        for r in rows
    ]


def _in_lang(fr, en) -> str:
    """The text in the page's language, else the other one, else ''."""
    first, second = (en, fr) if current_lang() == "en" else (fr, en)
    return (first or second).value if (first or second) else ""


@router.get("/def/{term}", include_in_schema=False)
async def term_page(term: str, request: Request, store: StoreDep, templates: TemplatesDep) -> Response:
    """One ontology term: labels, definition, super/sub-classes, and for a class its instances."""
    term, fmt = _choose(request, term)
    _check_name(term)
    iri = TERM_NS + term
    missing = EntityNotFound(
        N_("no term named {name!r} in the ontology"), hint=N_("see the list at /def"), fields={"name": term}
    )
    if fmt != "html":  # its triples: the page's description is not made for them
        if not await asyncio.to_thread(appears, store, iri):
            raise missing
        return await _rdf(store, iri, fmt)
    data = await asyncio.to_thread(describe, store, iri, lang=current_lang())
    if data is None:
        raise missing
    is_class = any(t["value"] == "http://www.w3.org/2002/07/owl#Class" for t in data["types"])
    instances = await asyncio.to_thread(instances_of, store, iri, limit=500, lang=current_lang()) if is_class else []
    context = {
        "e": data,
        "title": (data.get("labels") or {}).get(current_lang()) or data["label"],
        "href": href_for,
        "is_class": is_class,
        "instances": [{"href": href_for(i), "label": label, "curie": short(i)} for i, label in instances],
    }
    return templates.TemplateResponse(request, "term.html", context)


_ERRORS = error_responses(400, 404, 422, 500)


@router.get("/api/entities/{name}", response_model=EntityModel, responses=_ERRORS, summary="One entity")
def api_entity(
    name: str,
    store: StoreDep,
    state: StateDep,
    offset: int = Query(0, ge=0, le=1_000_000, description="First incoming link returned."),
    limit: int = Query(INCOMING_PAGE, ge=1, le=500, description="Most incoming links returned."),
    facts_offset: int = Query(0, ge=0, le=1_000_000, description="First of the entity's own facts returned."),
    facts_limit: int = Query(FACTS_PAGE, ge=1, le=2000, description="Most of the entity's own facts returned."),
    year: str | None = Query(None, max_length=40, description="Only this report year's facts (default: every year)."),
) -> dict:
    """Labels (fr, en), types, facts grouped by property (each with its named graph and report section),
    one page of the entity's own facts (``facts_page.next`` is the next page's ``facts_offset``), one page of
    incoming links (``incoming_page.next`` is the next page's offset) and sources of the entity
    ``https://w3id.org/qkg/id/{name}``; ``facts_by_year`` groups the facts by report year, and ``year`` keeps
    one year's (a year the build does not hold is a 400 naming those it holds)."""
    _check_name(name)
    if year:
        year = check_year(year, build_years_of(state))
    data = describe(
        store,
        ENTITY_NS + name,
        max_incoming=limit,
        offset=offset,
        max_facts=facts_limit,
        facts_offset=facts_offset,
        year=year or None,
        lang=current_lang(),
    )
    if data is None:
        raise _not_found(name)
    return data


@router.get(
    "/api/entities/{name}/neighbours",
    response_model=NeighboursModel,
    responses=_ERRORS,
    summary="Neighbourhood of an entity",
)
def api_neighbours(
    name: str,
    store: StoreDep,
    depth: int = Query(1, ge=0, le=10, description="Links to follow; more than 3 counts as 3."),
    limit: int = Query(NEIGHBOURS_PAGE, ge=1, le=1000, description="Most nodes returned."),
    offset: int = Query(0, ge=0, le=100_000, description="First neighbour returned."),
) -> dict:
    """One page of the entities within ``depth`` links (either direction) of ``name``, the entity itself, and
    the links between them; ``next`` is the offset of the next page (None on the last)."""
    _check_name(name)
    iri = ENTITY_NS + name
    if not has_links(store, iri):
        raise EntityNotFound(
            N_("no entity named {name!r} with links to other entities"),
            hint=N_("see /id/{name} or search at /search?q={query}"),
            fields={"name": name, "query": name[:40]},
        )
    return store_neighbourhood(store, iri, depth=depth, max_nodes=limit, offset=offset, lang=current_lang())


@router.get("/api/paths", response_model=PathsModel, responses=_ERRORS, summary="Shortest paths between two entities")
def api_paths(
    store: StoreDep,
    source: str = Query(
        ...,
        alias="from",
        min_length=1,
        max_length=500,
        description="An entity: name, CURIE or IRI.",
        examples=["lausanne"],
    ),
    target: str = Query(
        ..., alias="to", min_length=1, max_length=500, description="An entity: name, CURIE or IRI.", examples=["oms"]
    ),
    max: int = Query(3, ge=1, le=20, description="Most paths returned."),
) -> dict:
    """Shortest paths over entity-to-entity links (followed in either direction); each edge keeps its
    property and its real direction. Read from the store around the two entities (a bidirectional search
    whose frontiers hold at most 2,000 nodes each, at most 6 links): ``truncated`` says a frontier was cut,
    so a shorter path may have been missed."""
    a, b = resolve(source), resolve(target)
    for value, iri in ((source, a), (target, b)):
        if not has_links(store, iri):
            raise EntityNotFound(
                N_("no entity {value!r} with links to other entities"),
                hint=N_("check the name with /api/search?q=..."),
                fields={"value": value},
            )
    found = store_shortest_paths(store, a, b, max_paths=max)
    return {"source": a, "target": b, "paths": found["paths"], "truncated": found["truncated"]}
