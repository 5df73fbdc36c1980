"""The store seam: :class:`Store`, the one interface to the triple store, and where a local build lives.

Every module outside :mod:`qkg.graph.serving.backends` reads and writes the graph through a :class:`Store`;
:func:`open_store` picks the backend from a spec:

=========================================  =======================================================
spec                                       backend
=========================================  =======================================================
a data directory (``.qkg``), or a build    :class:`~qkg.graph.serving.backends.oxigraph.OxigraphStore`,
directory under ``stores/``                embedded Oxigraph, opened read-only (the default)
``http(s)://host/sparql``                  :class:`~qkg.graph.serving.backends.remote.RemoteStore`,
                                           any SPARQL 1.1 endpoint (Query, Update, Graph Store)
=========================================  =======================================================

Terms and rows are pyoxigraph's term classes on both backends (:mod:`qkg.graph.serving.terms`). Errors:
a store that is down or too slow raises :class:`~qkg.graph.errors.StoreUnavailable` (503), a time limit
:class:`~qkg.graph.errors.QueryTimeout`, a query the engine rejects :class:`~qkg.graph.errors.QuerySyntaxError`
or :class:`~qkg.graph.errors.QueryError` (400).

Layout of a local data directory (``.qkg/`` by default)::

    .qkg/
      stores/20261125T201500-3f2a/      one complete, validated, inferred store per build
      stores/20261125T203000-9c1b.partial  a build in progress (never served; removed by the next build)
      current -> stores/20261125T203000-9c1b   symlink swapped with os.replace (atomic on POSIX)

A build writes a fresh directory and only then swaps ``current``: a failed or killed build leaves the previous
graph serving, untouched.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     layout = StoreLayout(d)
...     layout.current() is None
True
"""

from __future__ import annotations

import abc
import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qkg.graph.errors import N_, BuildError, QueryError, StoreError
from qkg.graph.serving.terms import NamedNode, Quad, Rows, Triple, ntriples

if TYPE_CHECKING:
    from qkg.graph.serving.backends.oxigraph import OxigraphStore
    from qkg.graph.serving.pool import QueryResult

__all__ = ["Store", "QueryService", "open_store", "StoreLayout", "open_read_only", "Staging", "classes_in_use"]

#: The fix for a missing or unreadable store, wherever a store is opened.
NO_STORE_HINT = N_("run `qkg build` first (or `python3 scripts/dev.py run`, which builds and serves)")


class Store(abc.ABC):
    """The triple store, whatever it is: every module outside the backends reads and writes through this.

    Options are keyword-only and shared by the query methods:

    ``timeout``
        seconds; a remote store maps it to its client deadline and its own limit (:class:`QueryTimeout`).
        The embedded store runs in-process and cannot be interrupted: the public endpoint's limit is the
        worker pool's (:meth:`query_service`).
    ``max_rows``, ``max_bytes``
        caps on the answer; ``Rows.truncated`` says if one cut it.
    ``union``
        match patterns outside GRAPH against every named graph (default True: facts live in one named graph
        per source section); False for the store's own default graph.
    ``default_graphs``, ``named_graphs``
        an explicit dataset (graph IRIs), as the SPARQL protocol's ``default-graph-uri``/``named-graph-uri``.
    ``bindings``
        values for projected variables, by name (pyoxigraph substitutions; a ``VALUES`` clause on a remote).
    """

    name: str = ""
    """What messages call the store: a path, or the URL without credentials."""

    values_minus: bool = True
    """Whether the store evaluates ``MINUS { VALUES ?x { ... } }`` (a fast exclusion on the embedded store;
    Virtuoso 7.2 fails on it inside a ``GRAPH <iri>`` group: "sparp_find_qmv_of_var_or_retval(): side effect var
    passed"). Where False, callers write ``FILTER(?x NOT IN (...))``."""

    @abc.abstractmethod
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
        """Run a SELECT: a list of rows indexable by variable name and position (unbound: None)."""

    @abc.abstractmethod
    def ask(
        self,
        text: str,
        *,
        timeout: float | None = None,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping | None = None,
    ) -> bool:
        """Run an ASK."""

    @abc.abstractmethod
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
        """Run a CONSTRUCT or DESCRIBE: the triples."""

    def query(self, text: str, **options: Any) -> Rows | bool | list[Triple]:
        """Dispatch on the query's form: :meth:`select` rows, :meth:`ask` a bool, :meth:`construct` triples."""
        from qkg.graph.serving.guard import query_form

        form = query_form(text)
        if form == "ASK":
            options.pop("max_rows", None)
            options.pop("max_bytes", None)
            return self.ask(text, **options)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self.construct(text, **options)
        return self.select(text, **options)

    def quads(self, subject=None, predicate=None, object=None, graph: str | None = None) -> Iterator[Quad]:
        """The quads of the named graphs that match a pattern (None matches anything)."""
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(str(t) if t is not None else "?" + v for v, t in terms.items())
        where = f"GRAPH <{graph}> {{ {pattern} }}" if graph is not None else f"GRAPH ?g {{ {pattern} }}"
        from qkg.graph.serving.terms import NamedNode

        for row in self.select(f"SELECT * WHERE {{ {where} }}", union=False):
            values = {v: (t if t is not None else row[v]) for v, t in terms.items()}
            yield Quad(values["s"], values["p"], values["o"], NamedNode(graph) if graph else row["g"])

    @abc.abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    @abc.abstractmethod
    def load(self, data: bytes | Path | Iterable[Triple], *, format: str = "ntriples", graph: str) -> int | None:
        """Bulk-load RDF (bytes, a file, or triples) into the named graph ``graph``; the triples sent, when the
        backend counts them (the remote one does), else None."""

    def add(self, quads: Iterable[Quad]) -> None:
        """Insert quads (each into its own graph)."""
        by_graph: dict[str, list[Quad]] = {}
        for quad in quads:
            name = getattr(quad.graph_name, "value", None)
            if name is None:
                raise QueryError(f"{self.name}: quads go into named graphs, not the default graph")
            by_graph.setdefault(name, []).append(quad)
        for name, group in by_graph.items():
            self.load(ntriples(group), format="ntriples", graph=name)

    @abc.abstractmethod
    def drop(self, graph: str) -> None:
        """Remove a named graph and its triples."""

    def close(self) -> None:  # noqa: B027 - optional: a store that holds nothing has nothing to release
        """Release the store's resources."""

    def query_service(
        self, *, workers: int, timeout: float, max_rows: int, max_bytes: int = 50_000_000, **options: Any
    ) -> QueryService:
        """The guarded, time-limited, capped query path of the public endpoint (see :class:`QueryService`)."""
        raise StoreError(
            f"the store {self.name} has no public query path",
            hint="serve the embedded store, or a remote backend that provides one",
        )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class QueryService(Protocol):
    """How the public endpoint runs a user's query: guarded, time-limited, row- and byte-capped, serialised.

    The embedded store's is the killable worker pool (:class:`qkg.graph.serving.pool.QueryPool`); a remote
    store's relies on its client deadline and the store's own limits.
    """

    timeout: float
    max_rows: int

    def start(self) -> QueryService: ...

    def run(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_as_union: bool = True,
        bindings: Mapping | None = None,
    ) -> QueryResult: ...

    async def arun(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_as_union: bool = True,
        bindings: Mapping | None = None,
    ) -> QueryResult: ...

    def reload(self) -> None: ...

    def pids(self) -> list[int]: ...

    def close(self) -> None: ...


def classes_in_use(store: Store, namespace: str) -> list[str]:
    """The classes under ``namespace`` that some resource of ``store`` has, sorted.

    A ``VALUES`` block of these is much faster than filtering every type triple on its class's IRI string
    (the engine compares encoded terms and decodes only the small distinct set): 4x at 1M triples.
    Not ``FILTER(isIRI(?c))`` either: a FILTER decodes the class of every type triple (1.5 s at 1M triples, 6x
    the DISTINCT alone); the few distinct classes are looked at here.
    """
    rows = store.select("SELECT DISTINCT ?c WHERE { ?s a ?c }")
    return sorted(c.value for c in (r["c"] for r in rows) if isinstance(c, NamedNode) and c.value.startswith(namespace))


def property_values(store: Store, prop: str):
    """Every distinct ``(subject, value)`` pair of the property ``prop`` (rows of two terms), in the store's order.

    One home for the query's text: the readers of a whole property (the search index reads each label
    property, :func:`qkg.graph.analysis.facts.labels` the whole-store label table) ask it alike, so the build's
    query memo reads it once per group of artefacts (254k labels at 1M triples, 1.6 s of CPU a read). No
    FILTER: it would decode every term it looks at; the reader checks what it keeps.
    """
    return store.select(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{prop}> ?o }}")


def open_store(spec: str | os.PathLike[str], **options: Any) -> Store:
    """Open the store a spec names: a URL (remote SPARQL 1.1) or a local data or build directory (read-only).

    Examples
    --------
    >>> open_store("/no/such/dir")
    Traceback (most recent call last):
    ...
    qkg.graph.errors.StoreError: no built graph under /no/such/dir
    """
    text = os.fspath(spec)
    if isinstance(text, str) and text.split("://", 1)[0].lower() in ("http", "https"):
        try:
            from qkg.graph.serving.backends.remote import RemoteStore
        except ImportError as exc:  # pragma: no cover - until the remote backend lands
            raise StoreError(
                f"no remote store backend to open {text.split('@')[-1]}: {exc}", hint="use a local data directory"
            ) from None
        return RemoteStore(text, **options)
    layout = StoreLayout(text)
    current = layout.current()
    if current is None and layout.root.is_dir() and not layout.stores.exists() and any(layout.root.iterdir()):
        return open_read_only(layout.root)  # a build directory itself (stores/<id>)
    return open_read_only(current or layout.require_current())


#: The builds a publish keeps in ``stores/`` (the one it publishes and the one before); older ones are removed.
KEEP_BUILDS = 2


@dataclass(frozen=True)
class StoreLayout:
    """The paths of the data directory; nothing is created until a build asks for it."""

    root: Path

    def __init__(self, root: str | os.PathLike[str]) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def stores(self) -> Path:
        return self.root / "stores"

    @property
    def pointer(self) -> Path:
        return self.root / "current"

    def current(self) -> Path | None:
        """Return the directory of the store being served, or None if nothing was ever built."""
        if not self.pointer.is_symlink() and not self.pointer.exists():
            return None
        target = self.pointer.resolve()
        return target if target.is_dir() else None

    def require_current(self) -> Path:
        """Like :meth:`current` but raise :class:`StoreError` with the fix when there is no store."""
        path = self.current()
        if path is None:
            raise StoreError(N_("no built graph under {root}"), hint=NO_STORE_HINT, fields={"root": self.root})
        return path

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Hold the data directory's build lock: one build at a time, or :class:`BuildError` at once."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".build.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildError(
                    f"another build is running in {self.root}",
                    hint="wait for it to finish, or build into another --data-dir",
                ) from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def new_staging(self) -> Staging:
        """Start a build: a fresh ``.partial`` directory with a writable Oxigraph store.

        Call it under :meth:`build_lock`: it removes the ``.partial`` directories and ``.current-*`` links that
        killed builds left.
        """
        self.stores.mkdir(parents=True, exist_ok=True)
        for stale in self.stores.glob("*.partial"):
            shutil.rmtree(stale, ignore_errors=True)
        for link in self.root.glob(".current-*"):  # a build killed between symlink and swap left it
            link.unlink(missing_ok=True)
        name = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        return Staging(self, self.stores / (name + ".partial"))

    def publish(self, staging_dir: Path, *, keep: int = KEEP_BUILDS) -> Path:
        """Rename a finished staging directory and point ``current`` at it atomically."""
        final = staging_dir.with_suffix("")
        os.replace(staging_dir, final)
        tmp_link = self.root / f".current-{uuid.uuid4().hex[:6]}"
        os.symlink(os.path.relpath(final, self.root), tmp_link)
        os.replace(tmp_link, self.pointer)
        self._prune(keep=keep, serving=final)
        return final

    def _prune(self, *, keep: int, serving: Path) -> None:
        builds = sorted(p for p in self.stores.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
        for old in builds[:-keep] if keep else builds:
            if old != serving:
                shutil.rmtree(old, ignore_errors=True)


class Staging:
    """A store being built. Use :meth:`store` to write, then :meth:`close` before publishing."""

    def __init__(self, layout: StoreLayout, path: Path) -> None:
        self.layout = layout
        self.path = path
        from qkg.graph.serving.backends.oxigraph import OxigraphStore

        self._store: OxigraphStore | None = OxigraphStore(path)

    @property
    def store(self) -> OxigraphStore:
        """The embedded store being written (a build always runs locally)."""
        if self._store is None:
            raise StoreError("the staging store is closed")
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.flush()
            self._store.close()
            self._store = None

    @property
    def compacting(self) -> bool:
        """Whether the staging store is being compacted (:meth:`discard` then waits for the compaction)."""
        return self._store is not None and self._store.compacting

    def discard(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.end_compaction(errors=False)  # RocksDB must not write in a folder being removed
            store.close()
            del store  # the last reference, before the folder goes: RocksDB writes its files back otherwise
        shutil.rmtree(self.path, ignore_errors=True)

    def publish(self) -> Path:
        self.close()
        return self.layout.publish(self.path)


def open_read_only(path: str | os.PathLike[str]) -> OxigraphStore:
    """Open a built store directory for reading (many readers may share it)."""
    from qkg.graph.serving.backends.oxigraph import OxigraphStore

    return OxigraphStore.read_only(path)
