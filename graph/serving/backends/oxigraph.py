"""The embedded store: Oxigraph (pyoxigraph) on disk, the default backend.

One of the two modules that open a store or run a query engine (the other is
:mod:`qkg.graph.serving.backends.remote`); everything else goes through the
:class:`~qkg.graph.serving.store.Store` seam. Queries asked here run in the
calling process and cannot be interrupted (pyoxigraph holds no GIL but ignores
signals), so a time limit is not enforced here: the public endpoint uses
:meth:`OxigraphStore.query_service`, the killable worker pool of
:mod:`qkg.graph.serving.pool`, which opens the same directory read-only in each
worker through :meth:`OxigraphStore.read_only` and evaluates with
:meth:`OxigraphStore.results`.

Examples
--------
>>> from qkg.graph.serving.terms import Literal, NamedNode, Quad
>>> store = OxigraphStore()
>>> store.add([Quad(NamedNode("http://e/a"), NamedNode("http://e/p"), Literal("x"), NamedNode("http://e/g"))])
>>> rows = store.select("SELECT ?s ?o WHERE { ?s ?p ?o }")
>>> rows.variables, rows[0]["o"].value, rows[0][0].value, len(rows)
(['s', 'o'], 'x', 'http://e/a', 1)
>>> store.select("SELECT ?s WHERE { ?s ?p ?o }", union=False)  # the default graph alone is empty
[]
>>> store.ask("ASK { ?s <http://e/p> 'x' }"), store.graphs()
(True, ['http://e/g'])
>>> [str(t) for t in store.construct("CONSTRUCT { ?s <http://e/q> ?o } WHERE { ?s ?p ?o }")]
['<http://e/a> <http://e/q> "x"']
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from qkg.graph.errors import N_, ParameterError, QueryError, QuerySyntaxError, StoreError
from qkg.graph.serving import cancel
from qkg.graph.serving.formats import rdf_format
from qkg.graph.serving.memory import release_memory
from qkg.graph.serving.store import NO_STORE_HINT, QueryService, Store
from qkg.graph.serving.terms import Quad, Rows, Triple
from qkg.ontology import PREFIXES

__all__ = ["OxigraphStore", "syntax_error", "substitutions"]

#: Prefixes every query may use without declaring them (those the editor shows; the service description lists
#: them with sh:declare); a query's own PREFIX lines win.
DEFAULT_PREFIXES = dict(PREFIXES)
_BULK_BYTES = 20_000_000  # bulk_load writes new on-disk files per call: fast for big files, slow for many small ones
#: A store holding its writes in memory (:meth:`OxigraphStore.hold_in_memory`) writes them to disk past this many
#: quads: in memory they take ~0.65 GB per million, and a build's inference more than doubles them (1M asserted:
#: 1.3 GB held at the inference's end, 2.1 GB peak while writing), so a larger graph is checked and inferred on disk.
HOLD_MAX_QUADS = 2_000_000


class OxigraphStore(Store):
    """A pyoxigraph store behind the :class:`~qkg.graph.serving.store.Store` seam.

    Parameters
    ----------
    path : str or Path, optional
        The store's directory (created if missing); in memory when None.
    read_only : bool, optional
        Open an existing directory for reading only (many processes may share it).
    """

    #: The on-disk store while this one holds its quads in memory (:meth:`hold_in_memory`), else None.
    _disk: ox.Store | None = None
    #: The compaction begun by :meth:`begin_compaction` and not yet waited for, else None.
    _compaction: cancel.Beside | None = None
    _compacted: float | None = None  # the seconds of the last compaction waited for

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.name = str(path) if path is not None else "(in memory)"
        try:
            if read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(
                N_("cannot open the store at {path}: {problem}"),
                hint=NO_STORE_HINT,
                fields={"path": path, "problem": exc},
            ) from exc

    @classmethod
    def read_only(cls, path: str | os.PathLike[str]) -> OxigraphStore:
        """Open a built store for reading (many readers may share it)."""
        return cls(path, read_only=True)

    def __repr__(self) -> str:
        return f"OxigraphStore({self.name!r})"

    # -- reading ------------------------------------------------------------------------------------------

    def results(
        self,
        text: str,
        *,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping | None = None,
    ):
        """pyoxigraph's own results object (solutions, boolean or triples), for the worker pool's writers.

        Raises pyoxigraph's ``SyntaxError``/``RuntimeError`` unchanged: the pool reports them on the user's text.
        """
        options: dict = {}
        if default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif union:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            options["substitutions"] = substitutions
        return self._store.query(text, prefixes=DEFAULT_PREFIXES, **options)

    def _run(self, text: str, union: bool, default_graphs, named_graphs, bindings):
        cancel.check()  # a request's work stops between two look-ups (pyoxigraph cannot stop one)
        try:
            return self.results(
                text,
                union=union,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                substitutions=substitutions(bindings),
            )
        except SyntaxError as exc:
            raise syntax_error(exc) from None
        except RuntimeError as exc:  # pyoxigraph's answer to a binding it cannot apply, or an evaluation error
            if bindings:
                raise ParameterError(
                    N_("cannot bind the parameters: {problem}"),
                    hint=N_("bind only variables of the SELECT projection"),
                    fields={"problem": exc},
                ) from None
            raise QueryError(f"query evaluation failed on {self.name}: {str(exc)[:300]}") from None

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
        results = self._run(text, union, default_graphs, named_graphs, bindings)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("select() takes a SELECT query", hint="use ask() or construct(), or query()")
        kept: list[ox.QuerySolution] = []
        work = cancel.current()
        try:
            for solution in results:
                if len(kept) == max_rows:
                    return Rows.of_solutions(results, kept, truncated=True)
                kept.append(solution)
                if work is not None and len(kept) % cancel.CHECK_EVERY == 0:
                    work.check()
        except BaseException:
            # pyoxigraph's solutions are "unsendable": dropped with this frame in the thread that read them, not
            # in whichever thread ends up dropping the exception (a request whose client left: a RuntimeError
            # traceback in the server's log)
            results = kept = solution = None  # type: ignore[assignment]
            raise
        return Rows.of_solutions(results, kept)

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
        results = self._run(text, union, default_graphs, named_graphs, bindings)
        if not isinstance(results, ox.QueryBoolean):
            raise QueryError("ask() takes an ASK query", hint="use select() or construct(), or query()")
        return bool(results)

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
        results = self._run(text, union, default_graphs, named_graphs, bindings)
        if not isinstance(results, ox.QueryTriples):
            raise QueryError("construct() takes a CONSTRUCT or DESCRIBE query", hint="use select() or ask()")
        return list(_checked(itertools.islice(results, max_rows)))

    def quads(self, subject=None, predicate=None, object=None, graph: str | None = None) -> Iterator[Quad]:
        cancel.check()
        found = self._store.quads_for_pattern(
            subject, predicate, object, ox.NamedNode(graph) if graph is not None else None
        )
        return found if cancel.current() is None else _checked(found)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self._store)

    # -- writing ------------------------------------------------------------------------------------------

    def load(self, data: bytes | Path | Iterable[Triple], *, format: str = "ntriples", graph: str | None) -> None:
        """Load RDF into ``graph`` (None: the default graph, or the graphs a TriG/N-Quads file names)."""
        loaded_format = rdf_format(format)
        target = ox.NamedNode(graph) if graph else None
        if not isinstance(data, (bytes, bytearray, str, Path)):  # triples
            self.add(ox.Quad(t.subject, t.predicate, t.object, target or ox.DefaultGraph()) for t in data)
            return
        if isinstance(data, str):
            data = Path(data)
        big = (data.stat().st_size if isinstance(data, Path) else len(data)) > _BULK_BYTES
        loader = self._store.bulk_load if big else self._store.load
        if isinstance(data, Path):
            loader(path=str(data), format=loaded_format, to_graph=target)
        else:
            loader(bytes(data), format=loaded_format, to_graph=target)

    def hold_in_memory(self) -> None:
        """Keep every quad of this empty on-disk store in memory until :meth:`write_to_disk` (or :meth:`flush`)
        writes them all at once: for a build, whose checks and inference read every term (decoding one from
        RocksDB costs ~5 us, from memory ~0.1) and whose inferred quads, written into a filled store, started
        a RocksDB compaction (1.4M quads after 1M: 16 s of CPU, and 6 s more in the background afterwards).
        In memory the quads take ~0.65 GB per million.
        """
        if self.path is not None and self._disk is None:
            self._disk, self._store = self._store, ox.Store()

    @property
    def held_in_memory(self) -> bool:
        """Whether the quads are still in memory (see :meth:`hold_in_memory`)."""
        return self._disk is not None

    def write_to_disk(self) -> None:
        """Write the quads held in memory to the on-disk store in one bulk load, then use it (no-op otherwise).

        Blank nodes stay one node each: they are dumped as N-Quads to a temporary file, which one bulk load
        reads (its renaming of blank node labels is consistent within the file). The file is made inside the
        store's own folder (which Oxigraph ignores, as it does the build's artefacts there): on the store's
        disk, and removed with a failed build's folder, never in a ``/tmp`` that may be memory (tmpfs).
        """
        if self._disk is None:
            return
        assert self.path is not None  # only an on-disk store holds its quads in memory
        with tempfile.TemporaryDirectory(prefix="qkg-hold-", dir=self.path) as tmp:
            dump = Path(tmp) / "held.nq"
            self._store.dump(str(dump), format=ox.RdfFormat.N_QUADS)  # a path: written in Rust (1M: 3.9 s, not 4.8)
            self._store = self._disk
            self._disk = None
            # The memory is freed before the load, and handed back to the system: the allocator kept the
            # in-memory store's pages otherwise (1M: the load's 1.2 GB came on top of 0.6 GB still held).
            release_memory()
            self._store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)

    def add(self, quads: Iterable[Quad]) -> None:
        self._store.extend(quads)

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        """Insert many quads at once, outside any transaction (several times faster than :meth:`add`): for a
        store no one else writes or reads yet, such as a build's staging store."""
        self._store.bulk_extend(quads)

    def construct_ntriples(self, query: str, *, union: bool = True) -> bytes:
        """The answer of a CONSTRUCT ``query`` as N-Triples, serialised by pyoxigraph (no Python object per
        triple): with :meth:`load`, what the build uses to copy or derive many triples at once.

        >>> s = OxigraphStore()
        >>> s.load(b"<http://e/a> <http://e/p> <http://e/b> .", format="ntriples", graph=None)
        >>> s.construct_ntriples("CONSTRUCT { ?o ?p ?s } WHERE { ?s ?p ?o }")
        b'<http://e/b> <http://e/p> <http://e/a> .\\n'
        """
        answer = self._store.query(query, use_default_graph_as_union=union)
        if not isinstance(answer, ox.QueryTriples):
            raise TypeError("construct_ntriples needs a CONSTRUCT or DESCRIBE query")
        return answer.serialize(format=ox.RdfFormat.N_TRIPLES) or b""

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store itself, for an engine that reads it in place (the build's SHACL engine)."""
        return self._store

    def drop(self, graph: str) -> None:
        self._store.remove_graph(ox.NamedNode(graph))

    def flush(self) -> None:
        self.write_to_disk()
        self._store.flush()

    def begin_compaction(self) -> None:
        """Start compacting the on-disk store (pyoxigraph's ``optimize``: RocksDB's full compaction) in a
        thread; :meth:`end_compaction` waits for it. Meanwhile this store may be read, here only: a read-only
        store opened elsewhere would lose the files the compaction replaces.

        For a build's store after its one bulk load, written in batches of a million quads whose files overlap
        (the likely reason a look-up was slower; the cause is not traced, the effect is measured). Compacted (1M triples, 2.42M quads: 5.7 s, in the build
        beside SHACL), its reads take 10-30% less CPU (the canned answers 12.6 -> 9.0 s, the network 18.9 ->
        17.1 s, SHACL 6.7 -> 5.8 s), the build's artefacts' and then every query the server answers.
        Seen once: ``optimize`` did nothing (0.0 s) on a 3M-quad store written by one bulk load alone, and
        compacted it (4.0 s) once one more quad had been added; the build calls this after writing its record
        (a transaction), and compacts (at 3M: 20.5 s).
        """
        if self.path is None or self._disk is not None or self._compaction is not None:
            return
        self._compaction = cancel.Beside("qkg-compaction", _optimize, self._store)

    @property
    def compacting(self) -> bool:
        """Whether a compaction was begun and not yet waited for (:meth:`end_compaction`)."""
        return self._compaction is not None

    def end_compaction(self, *, errors: bool = True) -> float | None:
        """Wait for the compaction begun by :meth:`begin_compaction`, if any, and return how long it took
        (seconds; that of the last one when it was waited for already; None if there was none); its error raised
        here unless ``errors`` is False (the store is being let go of: only its end matters)."""
        compaction = self._compaction
        if compaction is None:
            return self._compacted
        # Beside waits on an Event, not the thread's join: a join interrupted by Ctrl-C marks the thread as ended
        # (CPython 3.11), and the compaction would go on writing in a folder a failed build removes; the wait can
        # be taken again, as long as the handle is kept until it has returned.
        compaction.wait()
        self._compaction = None
        self._compacted = 0.0
        try:
            self._compacted = compaction.result()
        except OSError as exc:  # a full disk, most likely: the compaction needs room
            if errors:
                raise StoreError(
                    N_("the store at {path} could not be compacted: {problem}"),
                    hint=N_(
                        "free disk space there (a compaction rewrites the store before it removes the old files: "
                        "up to its size again), then build again"
                    ),
                    fields={"path": self.path, "problem": exc},
                ) from exc
        except BaseException:
            if errors:
                raise
        return self._compacted

    def close(self) -> None:
        """Let go of the store (flushed when writable); the object is unusable afterwards."""
        self.end_compaction(errors=False)
        store = getattr(self, "_store", None)
        if store is not None:
            self._store = None  # type: ignore[assignment]

    # -- the public endpoint ------------------------------------------------------------------------------

    def query_service(
        self,
        *,
        workers: int,
        timeout: float,
        max_rows: int,
        max_bytes: int = 50_000_000,
        path: str | os.PathLike[str] | None = None,
        **options,
    ) -> QueryService:
        """The killable worker pool over this store's directory (or ``path``: the ``current`` pointer)."""
        from qkg.graph.serving.pool import QueryPool

        where = path if path is not None else self.path
        if where is None:
            raise StoreError(
                "an in-memory store has no directory for the query workers to open",
                hint="build into a data directory (`qkg build`)",
            )
        return QueryPool(where, workers=workers, timeout=timeout, max_rows=max_rows, max_bytes=max_bytes, **options)


def _checked(items: Iterable) -> Iterator:
    """``items``, checking the request's token every :data:`~qkg.graph.serving.cancel.CHECK_EVERY` of them."""
    work = cancel.current()
    if work is None:
        yield from items
        return
    for i, item in enumerate(items, 1):
        if i % cancel.CHECK_EVERY == 0:
            work.check()
        yield item


def substitutions(bindings: Mapping | None) -> dict | None:
    if not bindings:
        return None
    try:
        return {
            name if isinstance(name, ox.Variable) else ox.Variable(name.lstrip("?$")): value
            for name, value in bindings.items()
        }
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            N_("bad variable name in bindings: {problem}"), hint=N_("use names like 'city'"), fields={"problem": exc}
        ) from None


def syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's syntax error as a :class:`QuerySyntaxError` with its line and column."""
    message = str(exc)
    where = re.match(r"error at (\d+):(\d+): ", message)
    line, column = (int(where[1]), int(where[2])) if where else (None, None)
    problem = message[where.end() :] if where else message
    if len(problem) > 300:
        problem = problem[:300] + "..."
    hint = N_("check the query near that position")
    if where:
        return QuerySyntaxError(
            N_("syntax error at line {line}, column {column}: {problem}"),
            line=line,
            column=column,
            hint=hint,
            fields={"line": line, "column": column, "problem": problem},
        )
    return QuerySyntaxError(problem, hint=hint)


def _optimize(store: ox.Store) -> float:
    """pyoxigraph's ``optimize`` (it lets go of the GIL), for :meth:`OxigraphStore.begin_compaction`'s thread;
    the seconds it took."""
    started = time.perf_counter()
    store.optimize()
    return time.perf_counter() - started
