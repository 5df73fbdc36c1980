"""A remote SPARQL 1.1 store: Query, Update and the Graph Store HTTP Protocol over httpx.

Tested against Virtuoso Open Source 7.2 (``scripts/virtuoso.py`` starts one); any SPARQL 1.1 store (Fuseki,
GraphDB, Stardog, QLever, Neptune) speaks the same protocols.

Endpoints. ``url`` is the query endpoint. Updates go to ``QKG_STORE_UPDATE_URL`` and bulk loads to
``QKG_STORE_GRAPH_URL`` (the Graph Store protocol); by default both are ``url``, except on Virtuoso (a URL
ending in ``/sparql``): ``/sparql-auth`` and ``/sparql-graph-crud-auth``, which take digest authentication.

Credentials. ``QKG_STORE_USER`` with ``QKG_STORE_PASSWORD`` or ``QKG_STORE_PASSWORD_FILE`` (or user:password in
the URL, which is stripped from it). They go to the HTTP client only: :attr:`RemoteStore.name`, log lines and
error messages carry the URL without them.

Limits. A query's time limit becomes the client's read deadline and, on Virtuoso, the endpoint's ``timeout``
parameter (its answer then carries ``X-SQL-State: S1TAT`` and is refused as a :class:`QueryTimeout`). The row
cap is also written into the query as a LIMIT when the text allows it. Answers are read as a stream (SPARQL
XML results, N-Triples) and reading stops at the row cap or the byte cap, so an unbounded answer is never
loaded. A store that is down, refuses connections or does not answer in time raises :class:`StoreUnavailable`.

Published builds. ``qkg build --publish URL`` (:func:`publish`) copies each graph ``G`` of a local build into
``<https://w3id.org/qkg/build/ID/g/quote(G)>``, lists them in the build's manifest graph
``<https://w3id.org/qkg/build/ID>``, then switches the pointer graph ``<https://w3id.org/qkg/build/current>``
(one triple naming the manifest) in a single DELETE/INSERT operation, then drops the build it replaced. Readers
resolve the pointer and query the served build's graphs (``default-graph-uri`` / ``named-graph-uri``), with
graph names mapped back and forth so that answers name the graphs as the local build does.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from qkg.graph.errors import N_, NP_, Message, QueryError, QuerySyntaxError, QueryTimeout, StoreError, StoreUnavailable
from qkg.graph.named_graphs import BUILD_GRAPH
from qkg.graph.serving.formats import rdf_format
from qkg.graph.serving.guard import blank_tokens, cap_select_rows, query_form
from qkg.graph.serving.store import QueryService, Store
from qkg.graph.serving.terms import (
    BlankNode,
    Literal,
    NamedNode,
    NTriplesReader,
    Quad,
    Rows,
    Triple,
    XmlResultsReader,
    ntriples,
    parse,
)
from qkg.ontology import BASE

__all__ = [
    "RemoteStore",
    "publish",
    "publish_build",
    "open_published",
    "local_graphs",
    "BUILD_NS",
    "ENV_USER",
    "ENV_PASSWORD",
    "ENV_PASSWORD_FILE",
    "ENV_SPACE",
]

log = logging.getLogger("qkg.store.remote")

ENV_USER = "QKG_STORE_USER"
ENV_PASSWORD = "QKG_STORE_PASSWORD"
ENV_PASSWORD_FILE = "QKG_STORE_PASSWORD_FILE"
ENV_UPDATE_URL = "QKG_STORE_UPDATE_URL"
ENV_GRAPH_URL = "QKG_STORE_GRAPH_URL"
ENV_SPACE = "QKG_STORE_SPACE"  # where builds live in the store (several qkg deployments can share one store)

BUILD_NS = BASE + "build/"
SERVES = BUILD_NS + "serves"  # <pointer> <serves> <manifest>, in the pointer graph (<space>current)
GRAPH_OF = BUILD_NS + "graphOf"  # <remote graph> <graphOf> <local graph name>, in the manifest graph
DEFAULT_NAME = BUILD_NS + "default-graph"  # stands for the local default graph in a manifest

CONNECT_TIMEOUT = 5.0  # seconds to reach the store before it counts as down
DEFAULT_TIMEOUT = 30.0  # a query's time limit when the caller gives none
WRITE_TIMEOUT = 600.0  # one bulk-load chunk or one DROP on a large graph
LOAD_CHUNK_BYTES = 8 << 20  # N-Triples per Graph Store request
MAX_BYTES = 256 << 20  # the byte cap when the caller gives none
VIEW_TTL = 2.0  # seconds a resolved pointer is reused (one request batch)

_SPARQL_RESULTS_XML = "application/sparql-results+xml"
_NTRIPLES = "application/n-triples"
_FORM = "application/x-www-form-urlencoded"
_VIRTUOSO_LINE = re.compile(r"line (\d+)", re.IGNORECASE)
_VIRTUOSO_TIMEOUT = re.compile(r"S1T00|S1TAT|estimated execution time|timed? ?out", re.IGNORECASE)


@dataclass
class _View:
    """The served build of a published store: its manifest and graph names (local name -> remote name)."""

    manifest: str | None
    graphs: dict[str, str] = field(default_factory=dict)
    back: dict[str, str] = field(default_factory=dict)
    at: float = 0.0


class _Auth(httpx.Auth):
    """Digest (Virtuoso) or Basic, whichever the store's challenge asks for."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._use_basic = False

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._use_basic:
            yield from self._basic.auth_flow(request)
            return
        flow = self._digest.auth_flow(request)
        response = yield next(flow)
        if response.status_code == 401 and response.headers.get("www-authenticate", "").lower().startswith("basic"):
            self._use_basic = True
            yield from self._basic.auth_flow(request)
            return
        try:
            while True:
                response = yield flow.send(response)
        except StopIteration:
            return


def _credentials(
    user: str | None, password: str | None, password_file: str | os.PathLike | None
) -> tuple[str, str] | None:
    user = user or os.environ.get(ENV_USER)
    if password is None:
        password = os.environ.get(ENV_PASSWORD)
    password_file = password_file or os.environ.get(ENV_PASSWORD_FILE)
    if password is None and password_file:
        try:
            password = Path(password_file).read_text().strip()
        except OSError as exc:
            raise StoreError(
                f"cannot read the store password file {password_file}: {exc.strerror}",
                hint=f"check {ENV_PASSWORD_FILE}",
            ) from None
    if user and password is not None:
        return user, password
    return None


def _strip_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(
            f"not a SPARQL endpoint URL: {url.split('@')[-1]!r}",
            hint="give an http(s):// URL, e.g. http://127.0.0.1:8890/sparql",
        )
    creds = None
    if parts.username is not None:
        creds = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), creds


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint as qkg's store (see the module's docstring for endpoints, credentials, limits)."""

    values_minus = False  # Virtuoso 7.2 rejects MINUS { VALUES ... } in a GRAPH <iri> group (see Store)

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        password_file: str | os.PathLike | None = None,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_BYTES,
        connect_timeout: float = CONNECT_TIMEOUT,
        space: str | None = None,
    ) -> None:
        self.url, in_url = _strip_userinfo(url)
        self.name = self.url
        creds = in_url or _credentials(user, password, password_file)
        virtuoso_like = self.url.rstrip("/").endswith("/sparql")
        base = self.url.rstrip("/")
        self.update_url = _strip_userinfo(
            update_url or os.environ.get(ENV_UPDATE_URL) or (base + "-auth" if virtuoso_like and creds else self.url)
        )[0]
        self.graph_store_url = _strip_userinfo(
            graph_store_url
            or os.environ.get(ENV_GRAPH_URL)
            or (
                base[: -len("/sparql")] + ("/sparql-graph-crud-auth" if creds else "/sparql-graph-crud")
                if virtuoso_like
                else self.url
            )
        )[0]
        self.space = space or os.environ.get(ENV_SPACE) or BUILD_NS
        if not self.space.endswith("/"):
            self.space += "/"
        self.pointer = self.space + "current"
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.connect_timeout = connect_timeout
        self._client = httpx.Client(
            auth=_Auth(*creds) if creds else None,
            headers={"User-Agent": "qkg"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        )
        self._virtuoso: bool | None = None
        self._markers: dict[str, str] = {}  # ASCII stand-ins for non-ASCII GROUP_CONCAT separators (Virtuoso)
        self._view: _View | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.name!r})"

    # -- reading -------------------------------------------------------------------------------------------

    def select(
        self,
        text: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping | None = None,
    ) -> Rows:
        """Run a SELECT; rows stop at ``max_rows`` (then ``truncated``) or at ``max_bytes`` read."""
        _expect(text, ("SELECT",))
        if max_rows is not None and bindings is None:
            capped = cap_select_rows(text, max_rows)
            if capped is not None:
                text = capped[0]
        reader = XmlResultsReader()
        truncated = self._read(
            text,
            _SPARQL_RESULTS_XML,
            reader.feed,
            lambda: len(reader.rows),
            timeout=timeout,
            max_rows=max_rows,
            max_bytes=max_bytes,
            union=union,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            bindings=bindings,
        )
        rows = reader.rows[:max_rows] if max_rows is not None else reader.rows
        view = self._view
        if view and view.back:
            rows = [tuple(_back(t, view.back) for t in row) for row in rows]
        if self._markers:
            rows = [tuple(_unmark(t, self._markers) for t in row) for row in rows]
        return Rows(reader.variables, rows, truncated=truncated)

    def ask(
        self,
        text: str,
        *,
        timeout: float | None = None,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping | None = None,
        **_: object,
    ) -> bool:
        _expect(text, ("ASK",))
        reader = XmlResultsReader()
        self._read(
            text,
            _SPARQL_RESULTS_XML,
            reader.feed,
            lambda: 0,
            timeout=timeout,
            max_rows=None,
            max_bytes=1 << 20,
            union=union,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            bindings=bindings,
        )
        if reader.boolean is None:
            raise QueryError(f"the store {self.name} gave no boolean answer to an ASK query")
        return reader.boolean

    def construct(
        self,
        text: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping | None = None,
    ) -> list[Triple]:
        """Run a CONSTRUCT or DESCRIBE; the triples stop at ``max_rows`` or ``max_bytes`` read."""
        _expect(text, ("CONSTRUCT", "DESCRIBE"))
        reader = NTriplesReader()
        self._read(
            text,
            _NTRIPLES,
            reader.feed,
            lambda: len(reader.triples),
            timeout=timeout,
            max_rows=max_rows,
            max_bytes=max_bytes,
            union=union,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            bindings=bindings,
            final=lambda: reader.feed(b"", final=True),
        )
        triples = reader.triples[:max_rows] if max_rows is not None else reader.triples
        view = self._view
        if view and view.back:
            triples = [Triple(_back(t.subject, view.back), t.predicate, _back(t.object, view.back)) for t in triples]
        return triples

    def query(self, text: str, **options):
        """Dispatch on the query form: :meth:`select` rows, :meth:`ask` bool, :meth:`construct` triples."""
        form = query_form(text)
        if form == "ASK":
            options.pop("max_rows", None)
            options.pop("max_bytes", None)
            return self.ask(text, **options)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self.construct(text, **options)
        return self.select(text, **options)

    def graphs(self) -> list[str]:
        """The named graphs: those of the served build when the store holds a published build."""
        view = self.view()
        if view.manifest:
            return sorted(g for g in view.graphs if g != DEFAULT_NAME)
        rows = self._raw_select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", timeout=None)
        return sorted(r[0].value for r in rows if r[0] is not None)

    # -- the served build ------------------------------------------------------------------------------------

    def view(self, *, refresh: bool = False) -> _View:
        """The served build (re-read at most every VIEW_TTL seconds): its manifest and graph mapping."""
        view = self._view
        if view is not None and not refresh and time.monotonic() - view.at < VIEW_TTL:
            return view
        with self._lock:
            rows = self._raw_select(
                f"SELECT ?m ?r ?g WHERE {{ GRAPH <{self.pointer}> {{ <{self.pointer}> <{SERVES}> ?m }} "
                f"OPTIONAL {{ GRAPH ?m {{ ?r <{GRAPH_OF}> ?g }} }} }}",
                timeout=None,
            )
            if not rows:
                view = _View(None, at=time.monotonic())
            else:
                graphs = {
                    r[2].value: r[1].value for r in rows if r[1] is not None and r[2] is not None and r[1] != r[0]
                }
                view = _View(rows[0][0].value, graphs, {v: k for k, v in graphs.items()}, time.monotonic())
            self._view = view
            return view

    def refresh(self) -> None:
        """Forget the resolved pointer: the next query reads it again."""
        self._view = None

    def _dataset(self, union: bool, default_graphs, named_graphs) -> list[tuple[str, str]]:
        view = self.view()
        params: list[tuple[str, str]] = []
        if default_graphs is not None or named_graphs is not None:
            for g in default_graphs or ():
                params.append(("default-graph-uri", view.graphs.get(g, g)))
            for g in named_graphs or ():
                params.append(("named-graph-uri", view.graphs.get(g, g)))
            return params
        if not view.manifest:
            return params  # a plain endpoint: its own default dataset
        named = [r for g, r in view.graphs.items() if g != DEFAULT_NAME]
        defaults = list(view.graphs.values()) if union else [view.graphs.get(DEFAULT_NAME, DEFAULT_NAME + "/none")]
        params += [("default-graph-uri", g) for g in defaults]
        params += [("named-graph-uri", g) for g in named]
        return params

    # -- the protocol ----------------------------------------------------------------------------------------

    def _read(
        self,
        text: str,
        accept: str,
        feed: Callable[[bytes], int],
        count: Callable[[], int],
        *,
        timeout: float | None,
        max_rows: int | None,
        max_bytes: int | None,
        union: bool,
        default_graphs,
        named_graphs,
        bindings,
        final: Callable[[], object] | None = None,
    ) -> bool:
        """POST a query and feed its answer to ``feed`` until done or a cap is reached; return whether capped."""
        limit = self.timeout if timeout is None else timeout
        max_bytes = self.max_bytes if max_bytes is None else max_bytes
        params = self._dataset(union, default_graphs, named_graphs)
        view = self._view
        text = declare_prefixes(text)
        if view and view.graphs:
            text = _rename(text, view.graphs)
        if bindings:
            text = _bind(text, bindings)
        if self.is_virtuoso():
            text = self._separators(text)
        text = _ascii(text)
        form = [("query", text)] + params
        if self.is_virtuoso():
            form.append(("timeout", str(max(1, int(limit * 1000)))))
        deadline = time.monotonic() + limit
        read_bytes, capped = 0, False
        try:
            with self._client.stream(
                "POST",
                self.url,
                content=_form(form),
                headers={"Accept": accept, "Content-Type": _FORM},
                timeout=httpx.Timeout(limit, connect=self.connect_timeout),
            ) as response:
                self._check(response, text)
                if response.headers.get("x-sql-state", "").upper() == "S1TAT":
                    raise self._timeout(limit)
                for chunk in response.iter_raw():
                    read_bytes += len(chunk)
                    if read_bytes > max_bytes:
                        feed(chunk[: max(0, len(chunk) - (read_bytes - max_bytes))])
                        capped = True
                        break
                    feed(chunk)
                    if max_rows is not None and count() > max_rows:
                        capped = True
                        break
                    if time.monotonic() > deadline:
                        raise self._timeout(limit)
                else:
                    if final is not None:
                        final()
        except httpx.TimeoutException as exc:
            if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                raise self._down(f"did not accept a connection within {self.connect_timeout:g} s") from None
            raise self._timeout(limit) from None
        except httpx.TransportError as exc:
            raise self._down(f"cannot be reached ({type(exc).__name__})") from None
        except SyntaxError as exc:  # xml.etree's ParseError, or a malformed N-Triples line
            if capped:
                return True
            raise StoreError(f"the store {self.name} sent an answer that does not parse: {exc}") from None
        return capped

    def _raw_select(self, text: str, *, timeout: float | None) -> list[tuple]:
        reader = XmlResultsReader()
        limit = self.timeout if timeout is None else timeout
        try:
            response = self._client.post(
                self.url,
                data={"query": text},
                headers={"Accept": _SPARQL_RESULTS_XML},
                timeout=httpx.Timeout(limit, connect=self.connect_timeout),
            )
        except httpx.TimeoutException:
            raise self._down(f"did not answer within {limit:g} s") from None
        except httpx.TransportError as exc:
            raise self._down(f"cannot be reached ({type(exc).__name__})") from None
        self._note_server(response)
        self._check(response, text)
        reader.feed(response.content)
        return reader.rows

    def _separators(self, text: str) -> str:
        """Stand in an ASCII marker for each non-ASCII GROUP_CONCAT separator (Virtuoso 7.2 turns the
        characters of a separator outside Latin-1 into '?'); :func:`_unmark` restores them in the answers."""

        def swap(match: re.Match) -> str:
            value = match.group(2) if match.group(2) is not None else match.group(3)
            if value.isascii():
                return match.group(0)
            with self._lock:
                marker = self._markers.setdefault(value, f"~qkgsep{len(self._markers)}~")
            return f'{match.group(1)}"{marker}"'

        return _SEPARATOR.sub(swap, text)

    def is_virtuoso(self) -> bool:
        """Whether the store is Virtuoso (read from its Server header on the first answer)."""
        if self._virtuoso is None:
            self.view()
        return bool(self._virtuoso)

    def _note_server(self, response: httpx.Response) -> None:
        if self._virtuoso is None:
            self._virtuoso = response.headers.get("server", "").lower().startswith("virtuoso")

    def _check(self, response: httpx.Response, text: str) -> None:
        if response.status_code < 300:
            return
        if not response.is_stream_consumed:
            body = response.read()[:4000].decode("utf-8", "replace")
        else:
            body = response.text[:4000]
        detail = " ".join(body.split("SPARQL query:")[0].split())[:500]
        if response.status_code in (401, 403):
            raise StoreError(
                f"the store {self.name} refused qkg's credentials ({response.status_code})",
                hint=f"set {ENV_USER} and {ENV_PASSWORD} or {ENV_PASSWORD_FILE}",
            )
        if response.status_code in (502, 503, 504):
            raise self._down(f"answered {response.status_code}")
        if _VIRTUOSO_TIMEOUT.search(detail):
            raise self._timeout(None, detail)
        if response.status_code == 400 or "SPARQL compiler" in detail or "syntax error" in detail.lower():
            line = _VIRTUOSO_LINE.search(detail)
            raise QuerySyntaxError(
                f"the store rejected the query: {detail}",
                line=int(line.group(1)) if line else None,
                hint="check the query; the store's SPARQL dialect may differ (see README)",
            )
        raise QueryError(f"the store {self.name} failed on the query ({response.status_code}): {detail}")

    def _down(self, what: str) -> StoreUnavailable:
        return StoreUnavailable(
            f"the store {self.name} {what}", hint="check that the SPARQL store is running and reachable, then retry"
        )

    def _timeout(self, limit: float | None, detail: str = "") -> QueryTimeout:
        what = f"exceeded {limit:g} s" if limit is not None else f"hit the store's time limit ({detail[:200]})"
        return QueryTimeout(
            f"the query on {self.name} {what}", hint="add a LIMIT or narrow the patterns, or raise the time limit"
        )

    # -- writing ----------------------------------------------------------------------------------------------

    def update(self, text: str, *, timeout: float = WRITE_TIMEOUT) -> None:
        """Run a SPARQL Update on the update endpoint (credentials needed on most stores)."""
        try:
            response = self._client.post(
                self.update_url,
                data={"update": _ascii(text)},
                timeout=httpx.Timeout(timeout, connect=self.connect_timeout),
            )
        except httpx.TimeoutException:
            raise self._down(f"did not finish an update within {timeout:g} s") from None
        except httpx.TransportError as exc:
            raise self._down(f"cannot be reached ({type(exc).__name__})") from None
        self._note_server(response)
        self._check(response, text)

    def load(
        self,
        data: bytes | Path | Iterable[Triple],
        *,
        format: str = "ntriples",
        graph: str,
        chunk_bytes: int = LOAD_CHUNK_BYTES,
    ) -> int:
        """Bulk load into ``graph`` through the Graph Store protocol, in N-Triples chunks; return the triples sent.

        Triples with a blank node go in one final request so that a blank node keeps one identity.
        """
        if isinstance(data, Path):
            data = data.read_bytes()
        if isinstance(data, (bytes, bytearray)):
            triples: Iterable[Triple] = (q.triple for q in parse(bytes(data), format=rdf_format(format)))
        else:
            triples = data
        graph = self._target(graph)
        sent = 0
        plain: list[Triple] = []
        blank: list[Triple] = []
        size = 0
        for t in triples:
            if isinstance(t, Quad):
                t = t.triple
            if isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode):
                blank.append(t)
                continue
            plain.append(t)
            size += 100
            if size >= chunk_bytes:
                body = ntriples(plain)
                self._post_graph(graph, body)
                sent += len(plain)
                plain, size = [], 0
        for batch in (plain, blank):
            if batch:
                self._post_graph(graph, ntriples(batch))
                sent += len(batch)
        return sent

    def _post_graph(self, graph: str, body: bytes) -> None:
        # text/turtle: Virtuoso 7.2's N-Triples reader drops some typed literals that its Turtle reader keeps.
        try:
            response = self._client.post(
                self.graph_store_url,
                params={"graph": graph},
                content=body,
                headers={"Content-Type": "text/turtle; charset=utf-8"},
                timeout=httpx.Timeout(WRITE_TIMEOUT, connect=self.connect_timeout),
            )
        except httpx.TimeoutException:
            raise self._down(f"did not finish loading into {graph} within {WRITE_TIMEOUT:g} s") from None
        except httpx.TransportError as exc:
            raise self._down(f"cannot be reached ({type(exc).__name__})") from None
        self._note_server(response)
        if response.status_code >= 300:
            self._check(response, "")

    def drop(self, graph: str) -> None:
        """Remove a named graph (quiet if it does not exist); on a published store, a graph of the served build."""
        view = self.view()
        remote = view.graphs.get(graph) if view.manifest and not graph.startswith(self.space) else None
        if remote is None:
            self.update(f"DROP SILENT GRAPH <{graph}>")
            return
        self.update(f"DELETE DATA {{ GRAPH <{view.manifest}> {{ <{remote}> <{GRAPH_OF}> <{graph}> }} }}")
        self.update(f"DROP SILENT GRAPH <{remote}>")
        self.refresh()

    def _target(self, graph: str) -> str:
        """Where ``load`` writes ``graph``: on a published store, a graph of the served build (listed in its
        manifest, so readers see it); elsewhere, and for the build graphs publish writes, ``graph`` itself."""
        view = self.view()
        if not view.manifest or graph.startswith(self.space):
            return graph
        remote = view.graphs.get(graph)
        if remote is None:
            remote = f"{view.manifest}/g/{urllib.parse.quote(graph, safe='')}"
            self.update(f"INSERT DATA {{ GRAPH <{view.manifest}> {{ <{remote}> <{GRAPH_OF}> <{graph}> }} }}")
            self.refresh()
        return remote

    def query_service(
        self, *, workers: int, timeout: float, max_rows: int, max_bytes: int = 50_000_000, **options
    ) -> QueryService:
        """The public endpoint's path to this store (:class:`RemoteQueryService`): guarded, time-limited, capped."""
        options.pop("path", None)  # the embedded store's worker folder: nothing to open here
        return RemoteQueryService(
            self, workers=workers, timeout=timeout, max_rows=max_rows, max_bytes=max_bytes, **options
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _expect(text: str, forms: tuple[str, ...]) -> None:
    form = query_form(text)
    if form not in forms:
        raise QueryError(
            f"a {form} query cannot be run as {' or '.join(forms)}", hint=f"use the store's {form.lower()}() or query()"
        )


def _form(pairs: list[tuple[str, str]]) -> bytes:
    return urllib.parse.urlencode(pairs).encode("ascii")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii(text: str) -> str:
    r"""Non-ASCII characters as SPARQL ``\u`` escapes: Virtuoso reads a query's text as Latin-1.

    >>> _ascii('SELECT ("é → x" AS ?v) {}')
    'SELECT ("\\u00E9 \\u2192 x" AS ?v) {}'
    """
    return _NON_ASCII.sub(
        lambda m: f"\\u{ord(m.group()):04X}" if ord(m.group()) < 0x10000 else f"\\U{ord(m.group()):08X}", text
    )


_SEPARATOR = re.compile(r"""(;\s*separator\s*=\s*)(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')""", re.IGNORECASE)


def _unmark(term, markers: Mapping[str, str]):
    if isinstance(term, Literal) and "~qkgsep" in term.value:
        value = term.value
        for original, marker in markers.items():
            value = value.replace(marker, original)
        return Literal(value, language=term.language) if term.language else Literal(value, datatype=term.datatype)
    return term


def _named_as(triples: Iterable[Triple], mapping: Mapping[str, str]) -> Iterator[Triple]:
    """``triples`` with each subject that is a local graph name written as that graph's remote name."""
    for t in triples:
        remote = mapping.get(t.subject.value) if isinstance(t.subject, NamedNode) else None
        yield Triple(NamedNode(remote), t.predicate, t.object) if remote else t


def _back(term, back: Mapping[str, str]):
    if isinstance(term, NamedNode):
        name = back.get(term.value)
        if name is not None:
            return NamedNode(name)
    return term


def _rename(text: str, graphs: Mapping[str, str]) -> str:
    """Write a served build's remote graph names for the local ones a query names in full (``<iri>``)."""
    if "<" not in text:
        return text
    for local, remote in graphs.items():
        token = f"<{local}>"
        if token in text:
            text = text.replace(token, f"<{remote}>")
    return text


_PREFIX_NAME = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)


def declare_prefixes(text: str) -> str:
    r"""``text`` with the project's prefixes (:data:`qkg.ontology.PREFIXES`, those the editor shows) declared in
    front of it, as the embedded store pre-declares them, except those the query declares itself (its own
    win). The declarations go on the first line, so a line number in the remote's error still points at
    the text as written.

    >>> q = declare_prefixes("PREFIX qkg: <http://example.org/other#>\nSELECT * WHERE { ?s a qkg:City }")
    >>> "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in q, q.count("PREFIX qkg:"), q.count("\n")
    (True, 1, 1)
    """
    from qkg.ontology import PREFIXES

    own = {name or "" for name in _PREFIX_NAME.findall(blank_tokens(text))}
    missing = [f"PREFIX {name}: <{ns}>" for name, ns in PREFIXES.items() if name not in own]
    return (" ".join(missing) + " " + text) if missing else text


def _bind(text: str, bindings: Mapping) -> str:
    """Give variables fixed values: a VALUES block opening each WHERE group, subqueries' included.

    Oxigraph's substitutions replace the variable in every scope, so a subquery that selects one page first
    (``LIMIT n OFFSET m  # page``) selects it among the bound value's rows; a block in the outer group only
    would join after the subquery's LIMIT (and leave a FILTER inside the subquery on an unbound variable).
    """
    names = []
    values = []
    for var, term in bindings.items():
        names.append("?" + (var.value if hasattr(var, "value") and not isinstance(var, str) else str(var).lstrip("?$")))
        values.append(str(term))
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(values)}) }} "
    blanked = blank_tokens(text)
    matches = list(re.finditer(r"\bWHERE\s*\{", blanked, re.IGNORECASE)) or [
        m for m in [re.search(r"\{", blanked)] if m
    ]
    if not matches:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    for match in reversed(matches):
        text = text[: match.end()] + block + text[match.end() :]
    return text


# -- publishing a local build -------------------------------------------------------------------------------


def open_published(url: str) -> tuple[RemoteStore, str]:
    """The remote store at ``url`` and the manifest of the qkg build it serves (for ``qkg serve --store URL``).

    Raises
    ------
    StoreError
        ``url`` is not an http(s) URL, or no qkg build is published there (:class:`StoreUnavailable` when
        the store cannot be reached).
    """
    if url.split("://", 1)[0].lower() not in ("http", "https"):
        raise StoreError(
            "--store takes the http(s) URL of a SPARQL store",
            hint="pass the URL a build was published to, or leave --store out to serve the local build",
        )
    store = RemoteStore(url)
    manifest = store.view(refresh=True).manifest
    if manifest is None:
        store.close()
        raise StoreError(
            f"no qkg build is published at {store.name}",
            hint=f"run `qkg build --publish {store.name}` (or `qkg publish {store.name}`)",
        )
    return store, manifest


def remote_name(space: str, build_id: str, graph: str) -> str:
    """The remote graph holding a build's graph ``graph`` (the local default graph: DEFAULT_NAME)."""
    return f"{space}{build_id}/g/{urllib.parse.quote(graph, safe='')}"


def publish(
    store: RemoteStore,
    graphs: Mapping[str, Callable[[], Iterable[Triple]]],
    build_id: str,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Copy a build's graphs to ``store``, switch the pointer to them atomically, then drop the old build.

    ``graphs`` maps each local graph name (DEFAULT_NAME for the default graph) to a function giving its
    triples. A publish that stops at any point leaves the pointer, hence the served build, as it was;
    the next publish removes what it left.
    """
    say = progress or (lambda _m: None)
    started = time.monotonic()
    build_id = re.sub(r"[^A-Za-z0-9._-]", "-", build_id) + "-" + uuid.uuid4().hex[:6]
    manifest = store.space + build_id
    pointer = store.pointer
    served = store.view(refresh=True).manifest
    removed = _remove_leftovers(store, keep=served)
    if removed:
        say(
            Message(
                NP_(
                    "removed {n} graph left by earlier publishes that did not finish",
                    "removed {n} graphs left by earlier publishes that did not finish",
                ),
                n=removed,
            )
        )
    mapping = {g: remote_name(store.space, build_id, g) for g in graphs}
    # The manifest first, in one operation: a publish killed from here on is found and removed by the next one.
    triples = " ".join(f"<{r}> <{GRAPH_OF}> <{g}> ." for g, r in mapping.items())
    store.update(f"INSERT DATA {{ GRAPH <{manifest}> {{ <{manifest}> <{GRAPH_OF}> <{manifest}> . {triples} }} }}")
    total = 0
    for g, make in graphs.items():
        # The build record names the report's graphs (their year tags): it names their copies here, so that
        # `GRAPH ?g { ... } ?g dct:temporal ?year` joins on the store as it does locally.
        content = _named_as(make(), mapping) if g == BUILD_GRAPH else make()
        n = store.load(content, graph=mapping[g])
        total += n
        say(Message(NP_("loaded {n} triple into {graph}", "loaded {n} triples into {graph}"), n=n, graph=mapping[g]))
    loaded = time.monotonic()
    # The switch: one DELETE/INSERT operation, atomic on any SPARQL 1.1 store.
    # (Virtuoso inserts nothing when the WHERE clause is only an OPTIONAL that matches nothing, so the very
    # first publish, which has no previous build to protect, writes the pointer with INSERT DATA.)
    if served is None:
        store.update(f"INSERT DATA {{ GRAPH <{pointer}> {{ <{pointer}> <{SERVES}> <{manifest}> }} }}")
    else:
        store.update(
            f"DELETE {{ GRAPH <{pointer}> {{ <{pointer}> <{SERVES}> ?old }} }} "
            f"INSERT {{ GRAPH <{pointer}> {{ <{pointer}> <{SERVES}> <{manifest}> }} }} "
            f"WHERE {{ GRAPH <{pointer}> {{ <{pointer}> <{SERVES}> ?old }} }}"
        )
    store.refresh()
    if store.view(refresh=True).manifest != manifest:
        raise StoreError(
            f"the store {store.name} did not switch to build {build_id}",
            hint="check the store's log; the previous build is still served",
        )
    say(Message(N_("switched {pointer} to {manifest}"), pointer=pointer, manifest=manifest))
    dropped = _remove_leftovers(store, keep=manifest)
    return {
        "build": build_id,
        "manifest": manifest,
        "graphs": len(mapping),
        "triples": total,
        "load_seconds": round(loaded - started, 3),
        "seconds": round(time.monotonic() - started, 3),
        "dropped_graphs": dropped,
        "leftovers": removed,
    }


def _remove_leftovers(store: RemoteStore, *, keep: str | None) -> int:
    """Drop every build's graphs and manifest except ``keep`` (the served one); return how many graphs went
    (manifests included)."""
    rows = store._raw_select(f"SELECT ?m ?r WHERE {{ GRAPH ?m {{ ?r <{GRAPH_OF}> ?g }} }}", timeout=WRITE_TIMEOUT)
    doomed: dict[str, set[str]] = {}
    for m, r in rows:
        if (
            m is None
            or not m.value.startswith(store.space)
            or "/" in m.value[len(store.space) :]
            or m.value == keep
            or m.value == store.pointer
        ):
            continue
        doomed.setdefault(m.value, set()).add(r.value)
    count = 0
    for manifest, members in doomed.items():
        for r in sorted(members - {manifest}):
            store.drop(r)
            count += 1
        store.drop(manifest)  # last: while it exists, the next publish can still find what is left
        count += 1
    return count


def local_graphs(build_dir: str | os.PathLike) -> dict[str, Callable[[], Iterator[Triple]]]:
    """The graphs of a local (embedded) build, each as a function streaming its triples, for :func:`publish`."""
    import pyoxigraph as ox  # the embedded store's files: read here only to copy them out

    local = ox.Store.read_only(str(build_dir))

    def triples(graph) -> Callable[[], Iterator[Triple]]:
        return lambda: (q.triple for q in local.quads_for_pattern(None, None, None, graph))

    graphs: dict[str, Callable[[], Iterator[Triple]]] = {
        g.value: triples(g) for g in sorted(local.named_graphs(), key=lambda g: str(g)) if isinstance(g, NamedNode)
    }
    if next(iter(local.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        graphs[DEFAULT_NAME] = triples(ox.DefaultGraph())
    return graphs


def publish_build(
    build_dir: str | os.PathLike, store: RemoteStore, *, progress: Callable[[str], None] | None = None
) -> dict:
    """Publish the local build at ``build_dir`` (its folder name is the build id) to ``store``."""
    return publish(store, local_graphs(build_dir), Path(build_dir).name, progress=progress)


# -- the public endpoint's query path on a remote store ------------------------------------------------------

_GUARD_LOCK = threading.Lock()


class RemoteQueryService:
    """The public endpoint's way to a remote store: guarded, time-limited, capped, serialised.

    Every query is checked by the guard (no SERVICE, no FROM, no update: the store is never exposed), then
    run with the store's client deadline and the store's own time limit, its answer read up to ``max_rows``
    rows and ``max_bytes`` bytes. At most ``workers`` queries run at once; a query waiting longer than the
    time limit for its turn gets a :class:`QueryTimeout`. The event loop never waits on the store
    (:meth:`arun` runs in threads), so /health answers while a query runs away.
    """

    def __init__(
        self,
        store: RemoteStore,
        *,
        workers: int = 4,
        timeout: float = 10.0,
        max_rows: int = 10_000,
        max_bytes: int = 50_000_000,
        guard: bool = True,
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.store = store
        self.workers = workers
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.guard = guard
        self._slots = threading.BoundedSemaphore(workers)
        self._executor = ThreadPoolExecutor(max_workers=workers * 4, thread_name_prefix="qkg-remote")

    def start(self) -> RemoteQueryService:
        return self

    def reload(self) -> None:
        self.store.refresh()

    def pids(self) -> list[int]:
        return []

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> RemoteQueryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def arun(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_as_union: bool = True,
        bindings: Mapping | None = None,
    ):
        import asyncio

        started = time.monotonic()
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, self._run, query, result_format, default_graph_as_union, bindings, started
        )

    def run(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_as_union: bool = True,
        bindings: Mapping | None = None,
    ):
        return self._run(query, result_format, default_graph_as_union, bindings, time.monotonic())

    def _run(self, query, result_format, union, bindings, started):
        from qkg.graph.errors import ParameterError
        from qkg.graph.serving import pool
        from qkg.graph.serving.formats import graph_format, result_format_name, solution_format
        from qkg.graph.serving.guard import inspect_query_cached
        from qkg.graph.serving.terms import RdfFormat, boolean_bytes, serialize, solutions_bytes
        from qkg.ontology import PREFIXES

        if not isinstance(query, str):
            raise ParameterError("the query must be a string")
        fmt = result_format_name(result_format)
        if self.guard:
            with _GUARD_LOCK:  # rdflib's parser (pyparsing) is not thread-safe; the embedded pool runs it in processes
                form = inspect_query_cached(query).form
        else:
            form = query_form(query)
        if not self._slots.acquire(timeout=max(0.0, started + self.timeout - time.monotonic())):
            raise QueryTimeout(
                f"every query slot of {self.store.name} stayed busy for {self.timeout:g} s", hint="retry in a moment"
            )
        try:
            remaining = started + self.timeout - time.monotonic()
            if remaining <= 0:
                raise self.store._timeout(self.timeout)
            options = dict(timeout=remaining, union=union, bindings=bindings)
            if form == "ASK":
                out = solution_format(fmt, form)
                answer = self.store.ask(query, **options)
                body, rows, truncated = boolean_bytes(answer, out), 1, False
                media = out.media_type
            elif form == "SELECT":
                out = solution_format(fmt, form)
                result = self.store.select(query, max_rows=self.max_rows, max_bytes=self.max_bytes, **options)
                body, rows, truncated = solutions_bytes(result.variables, result, out), len(result), result.truncated
                media = out.media_type
            else:
                rdf = graph_format(fmt, form)
                triples = self.store.construct(query, max_rows=self.max_rows + 1, max_bytes=self.max_bytes, **options)
                truncated = len(triples) > self.max_rows
                triples = triples[: self.max_rows]
                body = serialize(triples, format=rdf, prefixes=None if rdf is RdfFormat.N_TRIPLES else PREFIXES) or b""
                rows, media = len(triples), rdf.media_type
        finally:
            self._slots.release()
        return pool.QueryResult(body, media, form, rows, truncated, time.monotonic() - started)
