"""What several routes share: running a query in the pool with its ETag, links to entity pages, the editor's
context and the endpoint's public URL. Routes import this module, never each other.

>>> href_for("https://w3id.org/qkg/id/quebec"), href_for("https://w3id.org/qkg/def#City")
('/id/quebec', '/def/City')
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from typing import Any

from fastapi import Query, Request
from fastapi.responses import Response
from qkg.api.i18n import current_lang, term_label
from qkg.api.i18n import gettext as _
from qkg.graph.pages.catalog import load_catalog
from qkg.graph.pages.entity import TERM_NS
from qkg.ontology import sparql_prefixes
from qkg.ontology.curies import local_name

__all__ = [
    "run_query",
    "prepared_page",
    "client_of",
    "answer_etag",
    "endpoint_url",
    "editor_context",
    "href_for",
    "label_path_links",
    "build_years_of",
    "ReportYear",
    "report_year",
    "map_answer",
    "stats_answer",
    "network_answer",
]


def endpoint_url(request: Request, public_base: str, path: str = "/sparql") -> str:
    """The public URL of ``path`` (``public_base`` when set, else what the client used)."""
    base = public_base.rstrip("/") if public_base else str(request.base_url).rstrip("/")
    return base + path


async def run_query(
    pool,
    query: str,
    fmt: str,
    *,
    bindings: dict | None = None,
    request: Request | None = None,
    etag: bool = True,
    canned: bool = False,
) -> Response:
    """Run ``query`` in the pool and wrap the answer (with the truncation headers).

    Given the ``request``, the query goes through the app's admission (per-client limits, the fast lane for
    ``canned`` queries and light clients: :mod:`qkg.graph.serving.admission`). With ``etag`` (GET
    requests), the answer carries a weak ETag (see :func:`answer_etag`) and an ``If-None-Match`` that
    matches it gets 304 without running the query.
    """
    tag, unchanged = _revalidate(request, query, fmt, bindings, etag)
    if unchanged is not None:
        return unchanged
    kwargs: dict[str, Any] = {"result_format": fmt}
    if bindings:
        kwargs["bindings"] = bindings
    admission = getattr(request.app.state.qkg, "admission", None) if request is not None else None
    if request is not None and admission is not None:
        result = await admission.run(client_of(request), query, canned=canned, **kwargs)
    else:
        result = await pool.arun(query, **kwargs)
    return _answer(
        result.body, result.media_type, rows=result.rows, truncated=result.truncated, elapsed=result.elapsed, tag=tag
    )


def _revalidate(
    request: Request | None, query: str, fmt: str, bindings: dict | None, etag: bool
) -> tuple[str | None, Response | None]:
    """The answer's ETag (GET requests with ``etag``), and a 304 when the client's ``If-None-Match`` matches it."""
    tag = answer_etag(request, query, fmt, bindings) if request is not None and etag else None
    if request is not None and tag and _etag_matches(request.headers.get("if-none-match"), tag):
        return tag, Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
    return tag, None


def _answer(
    body: bytes, media: str, *, rows: int, truncated: bool, elapsed: float, tag: str | None, **extra: str
) -> Response:
    """A query's answer with its headers (rows, truncation, time, ETag, and ``extra`` ones), text in UTF-8."""
    headers = {
        "X-QKG-Rows": str(rows),
        "X-QKG-Truncated": "true" if truncated else "false",
        "X-QKG-Elapsed": f"{elapsed:.3f}",
        **extra,
    }
    if tag:
        headers.update({"ETag": tag, "Cache-Control": "no-cache"})
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=utf-8"
    return Response(body, media_type=media, headers=headers)


async def prepared_page(
    state,
    query,
    text: str,
    fmt: str,
    *,
    bindings: dict,
    limit: int,
    offset: int,
    request: Request | None = None,
    etag: bool = True,
) -> Response | None:
    """One page of a canned query whose whole answer the build keeps (``# prepared: yes``), read from the
    ``canned-answers`` artefact (:mod:`qkg.graph.pages.answers`): the same rows, order and bytes as running
    ``text`` (the query's page) in the pool, and the same headers; None when the build did not prepare that answer
    (then run the query). A page is an indexed read of SQLite, so it goes through no engine admission."""
    if not query.prepared or state.artefacts is None:
        return None
    tag, unchanged = _revalidate(request, text, fmt, bindings, etag)
    if unchanged is not None:
        return unchanged
    from qkg.graph.building.artefacts import ArtefactMissing
    from qkg.graph.pages.answers import tsv_to
    from qkg.graph.serving.formats import solution_format

    start = time.perf_counter()

    def read() -> tuple[bytes, int] | None:
        try:
            page = state.prepared("canned-answers").page(query.name, bindings, limit=limit, offset=offset)
        except (ArtefactMissing, ValueError, OSError) as exc:  # no usable artefact: the query answers instead
            logging.getLogger("qkg.api").warning("canned-answers unusable (%s): running %s", exc, query.name)
            return None
        return None if page is None else (tsv_to(page[0], fmt), page[1])

    found = await asyncio.to_thread(read)
    if found is None:
        return None
    body, rows = found
    media = solution_format(fmt, "SELECT").media_type
    elapsed = time.perf_counter() - start
    return _answer(body, media, rows=rows, truncated=False, elapsed=elapsed, tag=tag, **{"X-QKG-Prepared": "true"})


def client_of(request: Request) -> str:
    """Who is asking, for the per-client limits: a configured API key (``X-API-Key``), else the address.

    Behind a proxy the address is the client's only if the proxy sets ``X-Forwarded-For`` and uvicorn trusts
    it (``--forwarded-allow-ips``; see the deploy notes in the README).
    """
    return client_key(request.scope, request.app.state.qkg.settings.api_keys)


def client_key(scope, api_keys) -> str:
    """:func:`client_of` from a request's ASGI scope (for a middleware, before any route).

    >>> client_key({"headers": [(b"x-api-key", b"k1")], "client": ("10.0.0.1", 5)}, {"k1"})
    'key:k1'
    >>> client_key({"headers": [(b"x-api-key", b"nope")], "client": ("10.0.0.1", 5)}, {"k1"})
    'ip:10.0.0.1'
    """
    key = dict(scope.get("headers", [])).get(b"x-api-key", b"").decode("latin-1")
    if key and key in api_keys:
        return "key:" + key
    client = scope.get("client")
    return "ip:" + (client[0] if client else "?")


# Functions whose value changes from one run to the next: their answers get no ETag.
_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def answer_etag(request: Request, query: str, fmt: str, bindings: dict | None = None) -> str | None:
    """A weak ETag for the answer to ``query``: the build served, the row cap, the text, the format, the bindings.

    The store only changes with a new build, so the same query on the same build gives the same answer;
    a new build changes every tag. None (no tag) for queries that call RAND, NOW, UUID, STRUUID or BNODE.
    """
    state = request.app.state.qkg
    if state.path is None or _VOLATILE.search(query):
        return None
    digest = hashlib.sha256(
        "\0".join(
            [
                state.path.name,
                str(state.settings.max_rows),
                query,
                fmt,
                # by name: the keys are pyoxigraph Variables, which do not order (two bindings: a 500)
                *sorted(f"{k}={v}" for k, v in (bindings or {}).items()),
            ]
        ).encode()
    ).hexdigest()[:32]
    return f'W/"{digest}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` against our tag, by weak comparison (RFC 9110, 13.1.2)."""
    if not header:
        return False
    opaque = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def editor_context(query: str) -> dict:
    """Template context of the editor page (prefilled query, examples, prefixes)."""
    lang = current_lang()
    examples = [
        {
            "name": q.name,
            "title": q.title.get(lang) or q.title.get("fr") or q.title.get("en"),
            "title_en": q.title.get("en", ""),
            "sparql": q.sparql,
        }
        for q in load_catalog().values()
    ]
    return {
        "query": query,
        "examples": examples,
        "prologue": sparql_prefixes(),
        "title": _("SPARQL editor"),
        "default_query": "# " + _("The project's prefixes are declared for you") + "\n"
        "SELECT ?city ?label WHERE {\n  ?city a qkg:City ; rdfs:label ?label .\n"
        f'  FILTER(lang(?label) = "{current_lang()}")\n}}\nORDER BY ?label\nLIMIT 20\n',  # the page's labels
    }


def href_for(iri: str) -> str:
    """Where an IRI is shown: ``/id/...`` for entities, ``/def/...`` for ontology terms, else itself, but only
    for ``http``, ``https`` and ``mailto`` IRIs: any other scheme (``javascript:``, ``data:``...) gets no link
    (empty string).

    >>> href_for("https://w3id.org/qkg/id/quebec"), href_for("https://w3id.org/qkg/def#City")
    ('/id/quebec', '/def/City')
    >>> href_for("mailto:bri@example.org"), href_for("javascript:alert(4)"), href_for(" JavaScript:x")
    ('mailto:bri@example.org', '', '')
    """
    local = local_name(iri)
    if local is not None and "/" not in local:
        return "/id/" + local
    if iri.startswith(TERM_NS):
        return "/def/" + iri[len(TERM_NS) :]
    return iri if _LINKABLE.match(iri) else ""


_LINKABLE = re.compile(r"(?:https?://|mailto:)[^\s]", re.IGNORECASE)


def build_years_of(state) -> list[str]:
    """The report years of the served build (a few rows from the build record), cached for the build."""
    from qkg.graph.pages.years import build_years

    return state.cache("build-years", lambda: build_years(state.require_store()))


def ReportYear():
    """The ``year`` query parameter of the routes that take a report year (checked by :func:`report_year`)."""
    return Query(None, max_length=40, description="Only the facts of this report year (default: every year).")


def report_year(state, year: str | None, *, name: str = "year") -> str | None:
    """``year`` if the served build holds that report year (else a 400 naming those it holds, in the request's
    language; ``name``: the parameter's name, which the hint says to leave out), None for every year: the one
    check of a ``year`` parameter for the routes."""
    from qkg.graph.pages.years import check_year

    return check_year(year, build_years_of(state), name=name) if year else None


def map_answer(state, *, lang: str, year: str | None) -> dict:
    """``/api/viz/map`` for one report year or every year: the build's ``map-rows`` artefact filtered and drawn
    (:func:`qkg.viz.source.map_view`), kept in the per-build cache (a few entries: years x languages)."""
    from qkg.viz.source import map_view

    year = report_year(state, year)
    return state.cache(("viz-map", lang, year), lambda: map_view(state.prepared("map-rows"), lang=lang, year=year))


def stats_answer(state, *, lang: str, year: str | None) -> dict:
    """``/api/viz/stats`` for one report year or every year, from the build's ``stats-rows`` artefact
    (:func:`qkg.viz.source.stats_view`), kept in the per-build cache."""
    from qkg.viz.source import stats_view

    year = report_year(state, year)
    return state.cache(
        ("viz-stats", lang, year), lambda: stats_view(state.prepared("stats-rows"), lang=lang, year=year)
    )


def network_answer(
    state,
    *,
    focus: str | None,
    depth: int,
    size_by: str,
    lang: str,
    report_year: str | None,
    **filters: Any,
) -> dict:
    """``/api/viz/network`` (:func:`qkg.viz.source.filtered_network`; ``report_year`` already checked). What the
    network page asks first, no focus and no filter, is never drawn per request: of every year in its default
    sizes, read from the build's ``network-overview`` artefact (no wait for the network's pickle); of one report
    year or sized otherwise, kept in the per-build cache (years x languages x sizes, each tens of kB). A focus
    or a filter draws its bounded answer from the network."""
    from qkg.viz.source import filtered_network

    build = state.path.name if state.path is not None else None
    overview = not focus and not any(filters.values())
    if overview and report_year is None and size_by == "degree" and lang in state.prepared("network-overview"):
        answer = state.prepared("network-overview")[lang]
        return {**answer, "meta": {**answer["meta"], "build": build}}

    def draw() -> dict:
        return filtered_network(
            state.prepared("network"),
            focus=focus,
            depth=depth,
            size_by=size_by,
            lang=lang,
            build=build,
            report_year=report_year,
            **filters,
        )

    return state.cache(("viz-network", lang, size_by, report_year), draw) if overview else draw()


def label_path_links(result: dict, lang: str) -> dict:
    """A :func:`qkg.graph.analysis.paths.connection_paths` answer whose links also carry their property's
    label in ``lang`` (``label``; the CURIE stays in ``property``), for people to read.

    >>> r = {"paths": [{"steps": [{"links": [{"property": "qkg:funder"}]}, {"facts": []}]}]}
    >>> label_path_links(r, "en")["paths"][0]["steps"][0]["links"][0]["label"]
    'funder'
    """
    for path in result.get("paths", ()):
        for step in path.get("steps", ()):
            for link in step.get("links", ()):
                link["label"] = term_label(link["property"], lang)
    return result
