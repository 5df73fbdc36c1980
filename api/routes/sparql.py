"""``/sparql``: the SPARQL 1.1 Protocol endpoint (read-only), its service description and the editor.

=====================================================  ===============================================
request                                                answer
=====================================================  ===============================================
GET ``?query=`` / POST form ``query=`` /               the results, in the format negotiated by
POST ``application/sparql-query``                      :mod:`qkg.graph.serving.formats`; ``X-QKG-Rows`` and
                                                       ``X-QKG-Truncated`` headers
GET without query, ``Accept: text/html`` first         the query editor page
GET without query, otherwise                           the service description (Turtle or JSON-LD)
``update=`` anywhere, ``application/sparql-update``,   403: the endpoint is read-only (store untouched)
PUT/DELETE/PATCH, graph-store POST
``default-graph-uri`` / ``named-graph-uri``            400: the dataset is fixed (union of the graphs)
SERVICE, FROM, LOAD... (the guard)                     400 with the guard's message
timeout                                                503, the worker is killed
=====================================================  ===============================================

Every query runs in the pool's worker processes (``await pool.arun``): the event loop never waits for
the store, so ``/health`` answers while runaway queries are being stopped.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from qkg.api.deps import PoolDep, get_pool
from qkg.api.errors import ERROR_RESPONSES, wants_html
from qkg.api.views import editor_context, endpoint_url, run_query
from qkg.graph.errors import N_, ParameterError, QueryError, UpdateRefused
from qkg.graph.serving import terms
from qkg.graph.serving.formats import GRAPH_FORMATS, guess_form, negotiate, service_description
from qkg.ontology.curies import expand_curie
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["router"]

router = APIRouter(tags=["sparql"])

_RESULT_CONTENT = {
    media: {"schema": {"type": "object"} if media.endswith("+json") and "ld" not in media else {"type": "string"}}
    for media in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
        "text/html",
    )
}
_RESPONSES = {
    200: {"description": "Query results, the service description, or the editor page", "content": _RESULT_CONTENT},
    403: {"model": ERROR_RESPONSES[400]["model"], "description": "SPARQL Update refused (read-only)"},
    415: {"model": ERROR_RESPONSES[400]["model"], "description": "Unsupported request content type"},
    **{k: v for k, v in ERROR_RESPONSES.items() if k != 404},
}
_QUERY_DOC = "The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)."
_FORMAT_DOC = "Result format, overriding Accept: json, xml, csv, tsv, turtle, jsonld, ntriples, rdfxml."


def _refuse_update() -> UpdateRefused:
    return UpdateRefused(
        "this endpoint is read-only: SPARQL Update is refused, the store is unchanged",
        hint="changes go through the data files and `qkg build`",
    )


def _check_dataset(params: dict[str, list[str]]) -> None:
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
        if params.get(name):
            raise ParameterError(
                N_("{name} is not supported: the dataset is fixed, its default graph is the union of the named graphs"),
                hint=N_("drop the parameter; use GRAPH <iri> { ... } in the query to target one named graph"),
                fields={"name": name},
            )


async def _answer(request: Request, pool, query: str, params: dict[str, list[str]]) -> Response:
    fmt_values = params.get("format") or params.get("output")
    fmt = negotiate(request.headers.get("accept"), fmt_values[-1] if fmt_values else None, guess_form(query))
    return await run_query(pool, query, fmt, request=request, etag=request.method == "GET")


_GET_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": _QUERY_DOC,
        "schema": {"type": "string"},
        "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    },
    {"name": "format", "in": "query", "required": False, "description": _FORMAT_DOC, "schema": {"type": "string"}},
]


async def sparql_get(request: Request) -> Response:
    """Run a query given as ``?query=``; without one, the editor (browsers) or the service description."""
    state = request.app.state.qkg
    query_params = request.query_params
    params = {k: query_params.getlist(k) for k in query_params}
    if params.get("update"):
        raise _refuse_update()
    _check_dataset(params)
    queries = params.get("query", [])
    if len(queries) > 1:
        raise ParameterError(N_("more than one query parameter"), hint=N_("send exactly one query="))
    formats = params.get("format")
    format = formats[-1] if formats else None
    if not queries or (wants_html(request) and not format):
        if wants_html(request):
            return state.templates.TemplateResponse(
                request, "editor.html", editor_context(queries[0] if queries else "")
            )
        return _service_description(request, state, format)
    return await _answer(request, await get_pool(request), queries[0], params)


# GET /sparql is the endpoint's hot path. It is served by a plain Starlette route, registered first, so a
# request skips FastAPI's parameter and dependency machinery (a tenth of a millisecond or more per request:
# the difference that matters for point look-ups); the handler reads the request itself. Middleware and
# error handlers apply as everywhere. The FastAPI route below, which the Starlette one shadows, is the same
# handler and only documents the parameters in /openapi.json.
router.add_route("/sparql", sparql_get, methods=["GET"], include_in_schema=False)
router.add_api_route(
    "/sparql",
    sparql_get,
    methods=["GET"],
    responses=_RESPONSES,
    summary="SPARQL query (GET), editor or service description",
    description="Run a query given as `?query=`; without one, the editor (browsers) or the service description.",
    openapi_extra={"parameters": _GET_PARAMETERS},
)


@router.post(
    "/sparql",
    responses=_RESPONSES,
    summary="SPARQL query (POST)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string", "description": _QUERY_DOC},
                            "format": {"type": "string", "description": _FORMAT_DOC},
                        },
                    }
                },
            },
        }
    },
)
async def sparql_post(request: Request, pool: PoolDep) -> Response:
    """Run a query sent as a form (``query=``) or directly (``Content-Type: application/sparql-query``)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in params or content_type == "application/sparql-update":
        raise _refuse_update()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form()
        except StarletteHTTPException as exc:  # Starlette's "Invalid multipart data." with no hint, in English
            if exc.status_code != 400:
                raise
            raise ParameterError(
                N_("the request body is not valid {type}"),
                hint=N_(
                    "send query=<SPARQL> as application/x-www-form-urlencoded, the query itself as "
                    "application/sparql-query, or multipart/form-data with its boundary"
                ),
                fields={"type": content_type},
            ) from None
        for key in form:
            params.setdefault(key, []).extend(v for v in form.getlist(key) if isinstance(v, str))
        if "update" in params:
            raise _refuse_update()
        _check_dataset(params)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise ParameterError(
                N_("send exactly one query= parameter") if queries else N_("no query= in the form"),
                hint=N_("POST query=<SPARQL> as application/x-www-form-urlencoded"),
            )
        return await _answer(request, pool, queries[0], params)
    if content_type == "application/sparql-query":
        _check_dataset(params)
        body = await request.body()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ParameterError(N_("the query is not valid UTF-8"), hint=N_("encode the query as UTF-8")) from None
        return await _answer(request, pool, text, params)
    if params.get("graph") is not None or params.get("default") is not None or content_type in _RDF_TYPES:
        raise UpdateRefused(
            N_("this endpoint is read-only: Graph Store Protocol writes are refused"),
            hint=N_("changes go through the data files and `qkg build`"),
        )
    raise _UnsupportedType(content_type)


_RDF_TYPES = {
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
}


class _UnsupportedType(QueryError):
    status = 415

    def __init__(self, content_type: str) -> None:
        super().__init__(
            N_("unsupported content type {value!r} for a SPARQL request"),
            hint=N_("POST application/x-www-form-urlencoded (query=...) or application/sparql-query"),
            fields={"value": content_type or "(none)"},
        )


async def sparql_write(request: Request) -> Response:
    """Graph Store Protocol writes: always 403, the endpoint is read-only and the store never changes."""
    raise UpdateRefused(
        "this endpoint is read-only: Graph Store Protocol writes are refused",
        hint="changes go through the data files and `qkg build`",
    )


for _method in ("PUT", "DELETE", "PATCH"):  # one route per method: each gets its own OpenAPI operation id
    router.add_api_route(
        "/sparql",
        sparql_write,
        methods=[_method],
        summary="Graph Store writes (always refused)",
        responses={403: _RESPONSES[403]},
        status_code=403,
        response_class=Response,
        operation_id=f"sparql_write_{_method.lower()}",
    )


def _service_description(request: Request, state, format: str | None) -> Response:
    settings = state.settings
    counts = _graph_counts(state)
    ttl = service_description(
        endpoint_url(request, settings.public_base),
        graphs=counts,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        void_url=endpoint_url(request, settings.public_base, "/.well-known/void"),
    )
    fmt = negotiate(request.headers.get("accept"), format, "DESCRIBE")
    if fmt == "turtle":
        return Response(ttl, media_type="text/turtle; charset=utf-8")
    out = GRAPH_FORMATS.get(fmt)
    if out is None:
        raise ParameterError(
            N_("the service description is RDF: format {value!r} does not apply"),
            hint=N_("use turtle, jsonld, ntriples or rdfxml"),
            fields={"value": fmt},
        )
    body = terms.serialize(terms.parse(ttl.encode(), format=terms.RdfFormat.TURTLE), format=out)
    return Response(body, media_type=out.media_type)


def _graph_counts(state) -> dict[str, int]:
    """Each named graph's triples, for the service description: the build's counts (its ``stats`` artefact),
    not a count over the store at the first request (1.5 s at 1M triples, linear in the size)."""

    def counts() -> dict[str, int]:
        try:
            return {expand_curie(name): int(n) for name, n in state.prepared("stats")["graphs"].items()}
        except (KeyError, ValueError):  # a name the prefixes do not give back: counted in the store
            return {
                r["g"].value: int(r["n"].value)
                for r in state.require_store().select(
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False
                )
            }

    return state.cache(("sparql", "graph-counts"), counts)


@router.options("/sparql", include_in_schema=False)
async def sparql_options() -> Response:
    """Not a CORS preflight (the CORS middleware answers those): 405 listing the methods of ``/sparql``."""
    from fastapi import HTTPException

    raise HTTPException(405, "Method Not Allowed", headers={"Allow": "DELETE, GET, PATCH, POST, PUT"})
