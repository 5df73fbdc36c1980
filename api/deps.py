"""The application's state and the typed dependencies routes ask for.

One :class:`AppState` lives on ``app.state.qkg``, made by the lifespan of :func:`qkg.api.app.create_app`:
the settings, the query pool (worker processes, for every user query), a read-only store opened in this
process (for the small, bounded look-ups of entity pages), and the build's artefacts (counts, search index,
centralities: prepared by ``qkg build``, read here with :meth:`AppState.prepared`, never computed at start).
When a new build swaps ``.qkg/current``, :meth:`AppState.refresh` reopens all of them.

The cheap dependencies are ``async`` (no thread hop per request); :func:`get_search` may read the search
index, so it runs in the thread pool. Routes declare what they need with the aliases, FastAPI-template style::

    @router.get("/api/stats")
    def stats(store: StoreDep) -> dict: ...

Examples
--------
>>> from qkg.api.config import Settings
>>> state = AppState(Settings(data_dir="/nonexistent"))
>>> state.generation
0
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from qkg.api.config import Settings
from qkg.api.prepared import BY_NAME, DERIVED
from qkg.graph.building.artefacts import Artefacts
from qkg.graph.errors import N_, StoreError, TooManyQueries
from qkg.graph.pages.search import SearchIndex
from qkg.graph.serving.admission import Admission
from qkg.graph.serving.store import QueryService, Store, StoreLayout, open_read_only

__all__ = [
    "AppState",
    "get_state",
    "get_store",
    "get_pool",
    "get_search",
    "get_templates",
    "warm_order",
    "StateDep",
    "StoreDep",
    "PoolDep",
    "SearchDep",
    "TemplatesDep",
]

log = logging.getLogger("qkg.api")
T = TypeVar("T")
#: How many values :meth:`AppState.cache` keeps (most are a few kB or MB; the large ones are held to
#: :data:`HEAVY_ENTRIES` of them by :meth:`AppState.heavy`).
CACHE_ENTRIES = 32
#: How many values of computations over the whole graph :meth:`AppState.heavy` keeps (a projection of a 1M-triple
#: graph holds 65-300 MB; 32 of them, what a client varying a parameter could make the cache keep, would not fit).
HEAVY_ENTRIES = 6
#: How long a request waits for the computation over the whole graph under way to end before it is told to come
#: back (503 with Retry-After): a request thread is not held longer, whatever the crowd.
HEAVY_WAIT = 5.0


class AppState:
    """Everything the routes share; one per application.

    Parameters
    ----------
    settings : Settings
        The application's settings.
    templates : Jinja2Templates, optional
        The HTML templates (set by the app factory).
    """

    def __init__(self, settings: Settings, templates: Jinja2Templates | None = None) -> None:
        self.settings = settings
        self.templates = templates
        self.layout = StoreLayout(settings.data_dir)
        self.pool: QueryService | None = None
        self.fast: QueryService | None = None  # the fast lane's reserved worker
        self.canned: QueryService | None = None  # the canned queries' reserved worker
        self.admission: Admission | None = None
        self.store: Store | None = None
        self.artefacts: Artefacts | None = None
        self.path: Path | None = None
        self.generation = 0
        self._manifest: str | None = None  # the served build's manifest on a remote store
        self._lock = threading.Lock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._reading: dict[tuple[int, str], threading.Lock] = {}
        self._heavy = threading.RLock()  # one computation over the whole graph at a time (re-entered by nesting)
        self._heavy_keys: OrderedDict[Hashable, None] = OrderedDict()

    def open(self) -> None:
        """Open the current build: open the store and its artefacts (read when first asked), and start the pool's
        workers in the background (``/health`` answers before they are ready; a query waits for them)."""
        if self.settings.store:
            self._open_remote()
            return
        self.path = self.layout.require_current()
        self.store = open_read_only(self.path)
        self.artefacts = Artefacts(self.path)
        # the embedded store's workers open ``current`` (not this build): a reload follows the pointer
        self.pool = self._query_service(self.settings.workers)
        self._open_admission(start=False)
        self._next_generation()
        threading.Thread(target=self._start_workers, name="qkg-workers", daemon=True).start()

    def _start_workers(self) -> None:
        """Start the worker processes (each opens the store: seconds at 1M triples, more on a loaded machine)."""
        for pool in (self.pool, self.canned, self.fast):
            if pool is None:
                continue
            try:
                pool.start()
            except Exception:  # the queries that need it report it; the pages and /health keep serving
                log.exception("could not start the query workers")

    def _query_service(self, workers: int, spares: int = 0) -> QueryService:
        """The store's query path with ``workers`` workers (not started); the embedded pool gets the memory cap
        and ``spares`` started spare workers."""
        settings = self.settings
        service = self.require_store().query_service(
            path=self.layout.pointer,
            workers=workers,
            timeout=settings.query_timeout,
            max_rows=settings.max_rows,
        )
        if hasattr(service, "memory_mb"):  # the embedded store's worker processes: RLIMIT_AS each
            service.memory_mb = settings.worker_memory_mb
        if hasattr(service, "spares"):
            service.spares = spares
        return service

    def _open_admission(self, *, start: bool = True) -> None:
        """The canned queries' and the fast lane's workers, and the per-client limits in front of the query path
        (their workers started here, or later by :meth:`_start_workers` when ``start`` is False)."""
        settings = self.settings
        if settings.fast_lane_timeout > 0:
            # a spare: a light client's query killed at the fast lane's limit does not leave the lane waiting
            # for a new process
            self.fast = self._query_service(1, spares=1)
        if settings.canned_lane:
            self.canned = self._query_service(1)
        if start:
            for lane in (self.fast, self.canned):
                if lane is not None:
                    lane.start()
        self.admission = Admission(
            self.pool,
            self.fast,
            self.canned,
            slots=settings.workers,
            fast_timeout=settings.fast_lane_timeout,
            per_client=settings.client_queries,
            engine_seconds=settings.client_engine_seconds,
            queue=settings.queue,
            queue_wait=settings.queue_wait,
        )

    # -- a remote store (``qkg serve --store URL``) -------------------------------------------------------------

    def _open_remote(self) -> None:
        """Serve the build published to a remote store; its artefacts come from the local build of the same id
        when this machine built it, else they are computed once from the store into ``data_dir/remote/``."""
        from qkg.graph.serving.backends.remote import open_published

        store, manifest = open_published(self.settings.store)
        self.store, self.path, self._manifest = store, self._remote_folder(manifest), manifest
        self.artefacts = Artefacts(self.path)
        self.pool = self._query_service(self.settings.workers).start()
        self._open_admission()
        self._next_generation()

    def _remote_folder(self, manifest: str) -> Path:
        build = manifest.rstrip("/").rsplit("/", 1)[-1]
        local = self.layout.stores / build.rsplit("-", 1)[0]  # publish adds "-<6 hex>" to the local build id
        if local.is_dir():
            return local
        folder = self.layout.root / "remote" / build
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _refresh_remote(self) -> bool:
        from qkg.graph.serving.backends.remote import RemoteStore

        store = self.store
        if not isinstance(store, RemoteStore):
            return False
        try:
            manifest = store.view().manifest  # re-read at most every few seconds
        except StoreError as exc:  # down or slow: keep serving what we know; requests get their own 503
            log.warning("%s", exc.message)
            return False
        if manifest is None or manifest == self._manifest:
            return False
        with self._lock:
            try:
                path = self._remote_folder(manifest)
                artefacts = Artefacts(path)
                _prepare(artefacts, "search", store)
                for pool in (self.pool, self.fast, self.canned):
                    if pool is not None:
                        pool.reload()
            except Exception:
                log.exception("could not switch to the build %s; still serving %s", manifest, self._manifest)
                return False
            self.artefacts, self.path, self._manifest = artefacts, path, manifest
            self._next_generation()  # the per-build cache (links, projections...) belonged to the previous build
            log.warning("now serving the build %s from %s", manifest, store.name)
            return True

    def refresh(self) -> bool:
        """Reopen everything if ``current`` now points at another build; True if it did.

        Safe to call often (one ``readlink``); a failed reload keeps the previous build serving. On a remote
        store, the pointer graph is re-read (at most every few seconds).
        """
        if self.settings.store:
            return self._refresh_remote() if self.store is not None else False
        target = self.layout.current()
        if target is None or target == self.path:
            return False
        with self._lock:
            if target == self.path:
                return False
            try:
                store = open_read_only(target)
                artefacts = Artefacts(target)
                _prepare(artefacts, "search", store)  # ready before the switch (opened, not loaded: a millisecond)
                for pool in (self.pool, self.fast, self.canned):
                    if pool is not None:
                        pool.reload()
            except Exception:
                log.exception("could not switch to the new build at %s; still serving %s", target, self.path)
                return False
            self.store, self.artefacts, self.path = store, artefacts, target
            self._next_generation()
            log.warning("now serving the build at %s", target)
            threading.Thread(target=self.warm, name="qkg-warm", daemon=True).start()
            return True

    @property
    def search(self) -> SearchIndex | None:
        """The label index of the current build (read from its artefacts on first use)."""
        return self.prepared("search") if self.store is not None else None

    def prepared(self, name: str):
        """The artefact ``name`` of the current build (see :mod:`qkg.api.prepared`).

        A build made before that artefact existed gets it computed once, here, then kept.
        """
        store, artefacts = self.require_store(), self.artefacts
        assert artefacts is not None
        # one reader per artefact: a request that needs one being read (the 47 MB network pickle at 1M triples)
        # waits for that read instead of starting a second one that competes for the same CPU
        with self._cache_lock:
            lock = self._reading.setdefault((id(artefacts), name), threading.Lock())
        with lock:
            return _prepare(artefacts, name, store, self.prepared)

    def _next_generation(self) -> None:
        with self._cache_lock:
            self._cache.clear()
            self._reading.clear()
            self._heavy_keys.clear()
            self.generation += 1

    def cache(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, memoised for the current build: the one per-build cache of the routes.

        Entries are dropped when another build is swapped in, and the least recently used goes beyond
        :data:`CACHE_ENTRIES`. A value computed while the build changed is returned but not kept.

        >>> from qkg.api.config import Settings
        >>> state = AppState(Settings(data_dir="/nonexistent"))
        >>> state.cache("k", lambda: [1]) is state.cache("k", lambda: [2])
        True
        >>> state._next_generation(); state.cache("k", lambda: [2])
        [2]
        """
        with self._cache_lock:
            generation = self.generation
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        with self._cache_lock:
            if self.generation == generation:
                self._cache[key] = value
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return value

    def heavy(self, key: Hashable, compute: Callable[[], T]) -> T:
        """:meth:`cache` for a computation over the whole graph (an analysis with options the build did not
        prepare: at 1M triples a projection takes 7-16 s of CPU and 65-300 MB): one at a time in this server
        (the others wait up to :data:`HEAVY_WAIT` s, then get a 503 with Retry-After; a kept answer never
        waits), and at most :data:`HEAVY_ENTRIES` kept (the least recently used dropped first). So a client
        that varies a parameter takes one core and a bounded memory, never the server.

        >>> from qkg.api.config import Settings
        >>> state = AppState(Settings(data_dir="/nonexistent"))
        >>> [state.heavy(("k", i), lambda i=i: [i]) for i in range(HEAVY_ENTRIES + 1)][-1]
        [6]
        >>> ("k", 0) in state._cache, ("k", 1) in state._cache
        (False, True)
        """
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                if key in self._heavy_keys:
                    self._heavy_keys.move_to_end(key)
                return self._cache[key]
        with self.exclusive():
            value = self.cache(key, compute)  # looked up again: it may have been made while this one waited
            with self._cache_lock:
                if key in self._cache:
                    self._heavy_keys[key] = None
                    self._heavy_keys.move_to_end(key)
                while len(self._heavy_keys) > HEAVY_ENTRIES:
                    old, _ = self._heavy_keys.popitem(last=False)
                    self._cache.pop(old, None)
            return value

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the server's one slot for work over the whole graph (:meth:`heavy`'s computations, an export):
        the others wait up to :data:`HEAVY_WAIT` s, then get a 503 with Retry-After (re-entered by the same
        thread: a computation may need another)."""
        if not self._heavy.acquire(timeout=HEAVY_WAIT):
            raise TooManyQueries(
                N_("the server is busy with another analysis of the whole graph"),
                retry_after=int(HEAVY_WAIT) * 2,
                status=503,
                hint=N_(
                    "try again in a few seconds; the analyses with their default options are prepared by the build"
                ),
            )
        try:
            yield
        finally:
            self._heavy.release()

    def warm(self) -> None:
        """Read every prepared artefact of the current build (computing the missing ones of an old build),
        so that the first requests find them in memory, in :func:`warm_order` (the small first: a page waits only
        for what it reads), and have the OS read the SQLite files into its cache meanwhile. Run in a background
        thread after :meth:`open`."""
        order = warm_order(self.artefacts)
        databases = [
            value for name in order if BY_NAME[name].fmt == "sqlite" and (value := self._warm(name)) is not None
        ]
        # the OS reads the databases' files into its cache meanwhile (a call that may wait for the disk)
        threading.Thread(target=_prefetch, args=(databases,), name="qkg-prefetch", daemon=True).start()
        for name in order:
            if BY_NAME[name].fmt != "sqlite":
                self._warm(name)

    def _warm(self, name: str) -> Any:
        try:
            return self.prepared(name)
        except Exception:  # a page will report it when it asks; the server keeps serving
            log.exception("could not prepare artefact %r", name)
            return None

    def require_store(self) -> Store:
        if self.store is None:
            raise StoreError(N_("the graph is not loaded yet"), hint=N_("run `qkg build`, then restart `qkg serve`"))
        return self.store

    def close(self) -> None:
        """Stop the pool's workers (and a remote store's connections)."""
        for pool in (self.pool, self.fast, self.canned):
            if pool is not None:
                pool.close()
        self.pool = self.fast = self.canned = self.admission = None
        if self.settings.store and self.store is not None:
            self.store.close()


def _prepare(artefacts: Artefacts, name: str, store: Store, prepared: Callable[[str], Any] | None = None) -> Any:
    """The prepared artefact ``name`` (see :mod:`qkg.api.prepared`) of a build: read, opened, or computed once
    (an artefact of :data:`~qkg.api.prepared.DERIVED` from the artefact it derives from, read by ``prepared``)."""
    artefact = BY_NAME[name]
    source = DERIVED.get(name)
    if source is not None:
        read = prepared or (lambda other: _prepare(artefacts, other, store))
        compute = functools.partial(_derive, read, *source)
    else:
        compute = functools.partial(artefact.make, store)
    return artefacts.get(name, compute, fmt=artefact.fmt, load=artefact.load)


def _prefetch(databases: list) -> None:
    for database in databases:
        if hasattr(database, "prefetch"):
            database.prefetch()


def _derive(read: Callable[[str], Any], source: str, make: Callable[[Any], Any]) -> Any:
    return make(read(source))


def warm_order(artefacts: Artefacts | None) -> list[str]:
    """The order in which :meth:`AppState.warm` reads a build's artefacts: the SQLite ones first (opened, not
    read: a millisecond; the search box waits for its index), then the stored ones from the smallest file to the
    largest (the home page's few kB before the network's pickle: 377 MB, 13 s to read at 10M triples), then
    those the build does not hold (computed: an older build's).

    >>> warm_order(None)[:1]
    ['search']
    """
    stored = artefacts.manifest()["artefacts"] if artefacts is not None else {}

    def key(name: str) -> tuple:
        entry = stored.get(name)
        if entry is None:
            return (2, name != "search", 0, name)
        return (entry.get("format") != "sqlite", 0, entry.get("bytes") or 0, name)

    return sorted(BY_NAME, key=key)


async def get_state(request: Request) -> AppState:
    """The application's :class:`AppState`."""
    return request.app.state.qkg


async def get_store(request: Request) -> Store:
    """The read-only store of the current build, in this process (for small, bounded look-ups)."""
    return request.app.state.qkg.require_store()


async def get_pool(request: Request) -> QueryService:
    """The query pool: every user-supplied query runs there, killable, time-limited and row-capped."""
    pool = request.app.state.qkg.pool
    if pool is None:
        raise StoreError(N_("the query pool is not running"), hint=N_("restart `qkg serve`"))
    return pool


def get_search(request: Request) -> SearchIndex:
    """The label index of the current build (a thread: the first call reads the artefact)."""
    state = request.app.state.qkg
    if state.search is None:
        raise StoreError(N_("the search index is not built yet"), hint=N_("restart `qkg serve`"))
    return state.search


async def get_templates(request: Request) -> Jinja2Templates:
    """The Jinja2 templates (autoescaped)."""
    return request.app.state.qkg.templates


StateDep = Annotated[AppState, Depends(get_state)]
StoreDep = Annotated[Store, Depends(get_store)]
PoolDep = Annotated[QueryService, Depends(get_pool)]
SearchDep = Annotated[SearchIndex, Depends(get_search)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
