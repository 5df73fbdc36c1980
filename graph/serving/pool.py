"""Run SPARQL queries in killable worker processes.

pyoxigraph evaluates a query with the GIL released and cannot be interrupted:
neither a thread nor a signal stops it before it ends. So each query runs in a
worker process that opened the store read-only once; the caller waits on a
pipe with a deadline and, when the deadline passes, kills the worker (SIGKILL),
joins it and starts a replacement in the background.

A worker checks the query with :func:`qkg.graph.serving.guard.inspect_query` (so parsing
costs, too, count against the limit and never hold the caller's GIL),
evaluates it, stops after ``max_rows`` rows or ``max_bytes`` bytes, and
serialises the result itself: the parent only copies bytes.

Result formats, by name or media type:

========================  ===================================
SELECT, ASK               ``json`` ``xml`` ``csv`` ``tsv``
CONSTRUCT, DESCRIBE       ``turtle`` ``ntriples`` ``rdfxml`` ``jsonld``
========================  ===================================

``json`` and ``xml`` also work for CONSTRUCT and DESCRIBE (JSON-LD, RDF/XML),
so one format name serves every query form.

The project's prefixes (:data:`qkg.ontology.PREFIXES`, those the editor shows) are pre-declared for every
query by the store (:data:`qkg.graph.serving.backends.oxigraph.DEFAULT_PREFIXES`); a query's own PREFIX lines win.
"""

from __future__ import annotations

__all__ = ["QueryPool", "QueryResult"]

import asyncio
import functools
import multiprocessing
import os
import pickle
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qkg.graph.errors import (
    N_,
    NP_,
    ParameterError,
    QKGError,
    QueryOutOfMemory,
    QueryTimeout,
    QueryUnsupported,
    StoreError,
)
from qkg.graph.serving import cancel, terms
from qkg.graph.serving.backends.oxigraph import OxigraphStore
from qkg.graph.serving.backends.oxigraph import substitutions as _substitutions
from qkg.graph.serving.backends.oxigraph import syntax_error as _oxigraph_syntax_error
from qkg.graph.serving.formats import graph_format, result_format_name, solution_format
from qkg.graph.serving.guard import (
    MAX_QUERY_CHARS,
    inspect_query,
    inspect_query_cached,
    plainly_safe,
    query_form,
)
from qkg.graph.serving.terms import Term

_ASYNC_MAX_CHARS = 16_000  # longer texts are sent from a thread: a pipe write could block the event loop
_START_TIMEOUT = 60.0  # seconds for a new worker to open the store
_CANCEL_POLL = 0.25  # seconds between two looks at a request's token while its query runs (thread path)


@dataclass(frozen=True)
class QueryResult:
    """A serialised query answer.

    Attributes
    ----------
    body : bytes
        The results, in the requested format.
    media_type : str
        Media type of ``body``, e.g. ``application/sparql-results+json``.
    form : str
        ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``.
    rows : int
        Solutions (SELECT), triples (CONSTRUCT, DESCRIBE) or 1 (ASK) in ``body``.
    truncated : bool
        True if rows were dropped to honour ``max_rows`` or ``max_bytes``.
    elapsed : float
        Wall-clock seconds from the call to the answer, queueing included.
    waited : float
        Seconds of ``elapsed`` spent waiting for a worker when the call set ``wait`` (not counted in the
        limit; e.g. while a killed worker was replaced); 0 otherwise.

    Examples
    --------
    >>> QueryResult(b"true", "text/csv", "ASK", 1, False, 0.01).truncated
    False
    """

    body: bytes
    media_type: str
    form: str
    rows: int
    truncated: bool
    elapsed: float
    waited: float = 0.0


class QueryPool:
    """A fixed number of worker processes answering SPARQL over one store.

    Parameters
    ----------
    store_path : str or Path
        Directory of a pyoxigraph store, opened read-only by every worker. It
        may be a symlink swapped by a new build; call :meth:`reload` then.
    workers : int, optional
        Number of worker processes, i.e. of queries run at once (default 2).
    timeout : float, optional
        Wall-clock limit per query in seconds, waiting for a free worker
        included (default 10).
    max_rows : int, optional
        Most solutions or triples returned (default 10,000).
    max_bytes : int, optional
        Largest result body in bytes (default 50,000,000).
    guard : bool, optional
        Check every query with :func:`qkg.graph.serving.guard.inspect_query` in the worker
        before evaluating it (default True). Turn off only for trusted queries.
    memory_mb : int, optional
        Address space of each worker (``RLIMIT_AS``) in MB; a query that needs more ends its worker, which
        is replaced, and gets :class:`~qkg.graph.errors.QueryOutOfMemory`. 0 (default): no limit.
    spares : int, optional
        Workers kept started but idle (default 0): when a worker is killed (time limit, memory), a spare takes
        its place at once and a new spare starts in the background, so the next caller does not wait for a
        process to start and open the store (which takes a second or more on a loaded machine).

    Notes
    -----
    Workers are forked from a ``forkserver`` that has imported this module
    (``spawn`` where forkserver is unavailable), never by a plain fork of a
    process that may run threads. As with any such start method, a script
    that creates a pool must guard its entry point with
    ``if __name__ == "__main__":``. A worker exits as soon as its parent
    dies, even in the middle of a query.

    Examples
    --------
    >>> import tempfile
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> from qkg.graph.serving.terms import Literal, NamedNode, Quad
    >>> path = tempfile.mkdtemp() + "/store"
    >>> store = OxigraphStore(path)
    >>> store.add([Quad(NamedNode("http://e/a"), NamedNode("http://e/p"), Literal("1"))])
    >>> store.flush(); store.close()
    >>> with QueryPool(path, workers=1, timeout=5) as pool:
    ...     result = pool.run("SELECT ?s WHERE { ?s ?p ?o }", result_format="csv")
    >>> result.body, result.rows, result.truncated
    (b's\\r\\nhttp://e/a\\r\\n', 1, False)
    """

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        *,
        workers: int = 2,
        timeout: float = 10.0,
        max_rows: int = 10_000,
        max_bytes: int = 50_000_000,
        guard: bool = True,
        memory_mb: int = 0,
        spares: int = 0,
    ) -> None:
        if workers < 1 or timeout <= 0 or max_rows < 1 or max_bytes < 1:
            raise ValueError("workers, timeout, max_rows and max_bytes must be positive")
        self.store_path = Path(store_path)
        self.size = workers
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.guard = guard
        self.memory_mb = memory_mb
        self.spares = spares
        self._ctx = _context()
        self._idle: list[_Worker] = []  # ready workers; empty whenever callers wait
        self._spare: list[_Worker] = []  # ready workers held back to replace a killed one at once
        self._waiters: deque[_Waiter] = deque()  # callers waiting, served in order
        self._live: set[_Worker] = set()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._started = self._closed = False
        self._start_error: StoreError | None = None
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qkg-query")

    # -- life cycle ---------------------------------------------------------

    def start(self) -> QueryPool:
        """Start the workers and wait until each has opened the store.

        Called by ``run`` if needed; call it at application start-up so that
        a missing store fails there, and so that ``arun`` never waits for it.

        Raises
        ------
        StoreError
            The store is missing or a worker could not open it.
        """
        if self._started and not self._closed:
            return self
        with self._lock:
            if self._closed:
                raise _pool_closed()
            if self._started:
                return self
            if not self.store_path.exists():
                raise StoreError(
                    N_("no store at {path}"), hint=N_("run `qkg build` first"), fields={"path": self.store_path}
                )
            fresh = [self._spawn() for _ in range(self.size + self.spares)]
            try:
                for worker in fresh:
                    worker.wait_ready(_START_TIMEOUT)
            except StoreError:
                for worker in fresh:
                    self._kill(worker)
                raise
            self._idle.extend(fresh[: self.size])
            self._spare.extend(fresh[self.size :])
            self._started = True
        return self

    def close(self) -> None:
        """Stop every worker, killing those still running a query."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle + self._spare, []
            self._spare = []
            while self._waiters:
                self._waiters.popleft().event.set()  # with no worker: "closed"
        for worker in idle:
            self._stop(worker)
        for worker in list(self._live):
            worker.interrupt()  # busy or starting: the thread that owns it cleans up
        for thread in list(self._threads):
            thread.join(timeout=_START_TIMEOUT)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def reload(self) -> None:
        """Restart all workers so they re-open ``store_path``.

        Idle workers are replaced before this returns; a worker busy with a
        query is replaced as soon as that query ends.

        Raises
        ------
        StoreError
            A new worker could not open the store (it is retried in the
            background).
        """
        with self._lock:
            self._generation += 1
            if not self._started or self._closed:
                return
            old, self._idle = self._idle, []
            spares, self._spare = self._spare, []
        for worker in old + spares:
            self._stop(worker)
        fresh = [self._spawn() for _ in old]
        fresh_spares = [self._spawn() for _ in spares]
        error = None
        for worker in fresh + fresh_spares:
            try:
                worker.wait_ready(_START_TIMEOUT)
            except StoreError as exc:
                error = exc
                self._discard(worker)
            else:
                self._release(worker, spare=worker in fresh_spares)
        if error:
            raise error

    def pids(self) -> list[int]:
        """Process ids of the live workers, for health checks.

        Examples
        --------
        >>> QueryPool("no/such/store").pids()
        []
        """
        return [worker.pid for worker in list(self._live)]

    def __enter__(self) -> QueryPool:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- queries --------------------------------------------------------------

    def run(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_as_union: bool = True,
        bindings: Mapping[str | terms.Variable, Term] | None = None,
    ) -> QueryResult:
        """Run one query in a worker and return its serialised result.

        Blocks the calling thread; safe to call from many threads at once.

        Parameters
        ----------
        query : str
            A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE).
        result_format : str, optional
            A format name (see the module docstring) or its media type.
        default_graph_as_union : bool, optional
            Match patterns outside GRAPH against all named graphs (default
            True: facts live in one named graph per source section).
        bindings : mapping, optional
            Values for variables, by name or ``Variable``: pyoxigraph
            ``substitutions``, never pasted into the text. A bound variable
            must appear in the SELECT projection (``SELECT *`` will do).

        Returns
        -------
        QueryResult

        Raises
        ------
        QueryTimeout
            The limit passed, waiting for a worker or running the query.
        QueryRefused, UpdateRefused, QuerySyntaxError
            The guard or pyoxigraph rejected the query.
        ParameterError
            Unknown format, or one that does not fit the query form.
        StoreError
            The store could not be opened or a worker died.
        """
        return self._run(query, result_format, default_graph_as_union, bindings, time.monotonic())

    async def arun(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_as_union: bool = True,
        bindings: Mapping[str | terms.Variable, Term] | None = None,
        timeout: float | None = None,
        wait: float | None = None,
    ) -> QueryResult:
        """Like :meth:`run`, awaitable, never blocking the event loop; ``timeout`` (at most the pool's) overrides
        the limit of this call. With ``wait``, waiting for a worker (e.g. one being replaced) takes at most
        ``wait`` seconds and does not count toward the limit, which starts when a worker takes the query.

        When a worker is idle and nobody is queued, the exchange happens on
        the event loop itself (no thread hop); otherwise the call queues in
        arrival order on the pool's threads, and that wait counts toward the
        limit. Cancelling the awaiting task on the event-loop path kills and
        replaces the worker; on the thread path the limit still applies.
        """
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        worker = self._take_idle() if isinstance(query, str) and len(query) <= _ASYNC_MAX_CHARS else None
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        if worker is None:  # all busy (queue in arrival order), or a long text: the thread path
            work = cancel.current()  # the executor's thread does not inherit the request's context
            try:
                return await loop.run_in_executor(
                    self._executor,
                    functools.partial(
                        self._run, query, result_format, default_graph_as_union, bindings, started, limit, wait, work
                    ),
                )
            except asyncio.CancelledError:
                if work is not None:  # the thread's query stops too: its worker is killed at the next poll
                    work.cancel("the request was cancelled")
                raise
        # An idle worker: talk to it from the event loop itself, without a thread hop.
        try:
            substitutions = _substitutions(bindings)
            fmt = result_format_name(result_format)
        except BaseException:
            self._release(worker)
            raise
        request = (query, fmt, default_graph_as_union, substitutions, self.max_rows, self.max_bytes)
        try:
            answer = await self._aask(worker, request, started + limit, loop, limit)
        except BaseException:
            self._discard(worker)  # mid-query, dead or cancelled
            raise
        return self._result(worker, answer, started)

    def _take_idle(self) -> _Worker | None:
        """An idle worker if one is free now and nobody is queued before us; else None."""
        if not self._started or self._closed:
            return None
        with self._lock:
            if self._closed or self._waiters or not self._idle:
                return None
            return self._idle.pop()

    async def _aask(self, worker: _Worker, request: tuple, deadline: float, loop, limit: float | None = None) -> _Reply:
        """Like :meth:`_ask`, awaiting the answer on the event loop (the request is small: no blocking write)."""
        try:
            _send(worker.conn, request)
            ready = loop.create_future()
            fd = worker.conn.fileno()
            loop.add_reader(fd, _settle, ready, None)
            timer = loop.call_later(max(0.0, deadline - time.monotonic()), _settle, ready, TimeoutError())
            try:
                await ready
            finally:
                timer.cancel()
                loop.remove_reader(fd)
                # uvloop (libuv) leaves a watched descriptor non-blocking: recv() of an answer larger than the
                # pipe buffer would then fail half-way. Make it blocking again (the answer is already arriving).
                os.set_blocking(fd, True)
            return _recv(worker.conn)
        except TimeoutError:
            raise self._timeout(limit) from None
        except (EOFError, OSError):
            raise self._died(worker) from None

    def _run(
        self,
        query: str,
        result_format: str,
        union: bool,
        bindings,
        started: float,
        limit: float | None = None,
        wait: float | None = None,
        work: cancel.Work | None = None,
    ) -> QueryResult:
        if not isinstance(query, str):
            raise ParameterError(N_("the query must be a string"))
        substitutions = _substitutions(bindings)
        if self.guard and len(query) > MAX_QUERY_CHARS:
            inspect_query(query)  # raises QueryRefused without shipping the text
        fmt = result_format_name(result_format)
        limit = self.timeout if limit is None else limit
        deadline = started + (limit if wait is None else wait)
        self.start()
        worker = self._acquire(deadline)
        if time.monotonic() >= deadline:  # got a worker just as the time ran out
            self._release(worker)
            raise self._busy()
        waited = 0.0
        if wait is not None:  # the wait did not count: the limit starts now
            deadline = time.monotonic() + limit
            waited = time.monotonic() - started
        try:
            request = (query, fmt, union, substitutions, self.max_rows, self.max_bytes)
            answer = self._ask(worker, request, deadline, limit, work or cancel.current())
        except BaseException:
            self._discard(worker)  # mid-query or dead
            raise
        return self._result(worker, answer, started, waited)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker whose exchange did not complete (never reuse it) and start its replacement."""
        self._kill(worker)
        self._replace_later()

    def _result(self, worker: _Worker, answer: _Reply, started: float, waited: float = 0.0) -> QueryResult:
        """Give the worker back and turn its answer into a result, or raise the error it sent."""
        self._release(worker)
        _kind, payload = answer
        if isinstance(payload, BaseException):  # kind "error"
            raise payload
        return QueryResult(**payload, elapsed=time.monotonic() - started, waited=waited)

    def _ask(
        self,
        worker: _Worker,
        request: tuple,
        deadline: float,
        limit: float | None = None,
        work: cancel.Work | None = None,
    ) -> _Reply:
        """Send ``request`` and wait for the answer until ``deadline``; with a request's ``work`` token, wait in
        slices of :data:`_CANCEL_POLL` s and raise :class:`WorkCancelled` (the caller kills the worker) once it
        is cancelled."""
        try:
            _send(worker.conn, request)
            while True:
                left = deadline - time.monotonic()
                if worker.conn.poll(max(0.0, left if work is None else min(left, _CANCEL_POLL))):
                    return _recv(worker.conn)
                if work is not None:
                    work.check()
                if left <= 0:
                    break
        except (EOFError, OSError):
            raise self._died(worker) from None
        raise self._timeout(limit)

    def _died(self, worker: _Worker) -> QKGError:
        code = worker.exit_code(1.0)
        if self.memory_mb and code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL):
            # the engine aborts when an allocation fails under RLIMIT_AS (or a cgroup's OOM killer kills it)
            return QueryOutOfMemory(
                N_("the query needed more than {mb:,} MB of memory and was stopped; its worker has been replaced"),
                hint=N_("add a LIMIT without ORDER BY, join on fewer unbound variables, or run it locally on a dump"),
                fields={"mb": self.memory_mb},
            )
        return StoreError(
            N_("a query worker died (exit code {code}); it has been replaced"),
            hint=N_(
                "retry; if it happens again the query may exhaust memory or the store may be damaged (run `qkg build`)"
            ),
            fields={"code": worker.exit_code(1.0)},
        )

    def _timeout(self, limit: float | None = None) -> QueryTimeout:
        return QueryTimeout(
            N_("the query did not finish within the {seconds:g} s limit and was stopped"),
            hint=N_(
                "add a LIMIT, narrow the patterns (fewer unbound variables, more "
                "specific IRIs), or run it locally against a dump of the graph"
            ),
            fields={"seconds": limit or self.timeout},
        )

    # -- workers --------------------------------------------------------------

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.store_path, self.guard, self._generation)
        self._live.add(worker)
        if self.memory_mb:
            limit_memory(worker.pid, self.memory_mb)
        return worker

    def _acquire(self, deadline: float) -> _Worker:
        """Take an idle worker, or wait for one in first-come, first-served order."""
        with self._lock:
            if self._closed:
                raise _pool_closed()
            if self._idle:
                return self._idle.pop()
            waiter = _Waiter()
            self._waiters.append(waiter)
        waiter.event.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            if waiter.worker is None and waiter in self._waiters:
                self._waiters.remove(waiter)
        if waiter.worker is not None:
            return waiter.worker
        if self._closed:
            raise _pool_closed()
        if self._start_error is not None:
            raise self._start_error
        raise self._busy()

    def _release(self, worker: _Worker, *, spare: bool = False) -> None:
        """Hand a healthy worker to the longest-waiting caller, or make it idle (or a spare, if asked and one
        is missing)."""
        with self._lock:
            closed, stale = self._closed, worker.generation != self._generation
            if spare and not (closed or stale) and len(self._spare) < self.spares:
                self._spare.append(worker)
                return
            if not (closed or stale or spare):
                if self._waiters:
                    waiter = self._waiters.popleft()
                    waiter.worker = worker
                    waiter.event.set()
                else:
                    self._idle.append(worker)
                return
        self._stop(worker)
        if not (closed or spare):  # a spare nobody needs (a reload made new ones) is not replaced
            self._replace_later()

    def _busy(self) -> QueryTimeout:
        return QueryTimeout(
            NP_(
                "the query worker stayed busy for the whole {seconds:g} s limit",
                "all {n} query workers stayed busy for the whole {seconds:g} s limit",
            ),
            hint=N_("retry in a moment, or make the query cheaper"),
            fields={"n": self.size, "seconds": self.timeout},
        )

    def _replace_later(self) -> None:
        """Put a spare in the place of a killed worker at once if there is one, and start a new worker (the new
        spare, then) in the background."""
        with self._lock:
            if self._closed:
                return
            spare = self._spare.pop() if self._spare else None
            thread = threading.Thread(
                target=self._replace, args=(spare is not None,), name="qkg-query-respawn", daemon=True
            )
            self._threads.add(thread)
        if spare is not None:
            self._release(spare)
        thread.start()

    def _replace(self, spare: bool = False) -> None:
        delay = 0.5
        try:
            while True:
                with self._lock:
                    if self._closed:
                        return
                    worker = self._spawn()
                try:
                    worker.wait_ready(_START_TIMEOUT)
                except StoreError as exc:
                    self._kill(worker)
                    if self._closed:
                        return
                    self._start_error = exc
                    time.sleep(delay)
                    delay = min(2 * delay, 30.0)
                    continue
                self._start_error = None
                self._release(worker, spare=spare)
                return
        finally:
            self._threads.discard(threading.current_thread())

    def _stop(self, worker: _Worker) -> None:
        worker.stop()
        self._live.discard(worker)

    def _kill(self, worker: _Worker) -> None:
        worker.kill()
        self._live.discard(worker)


class _Waiter:
    """A caller waiting for a worker; ``_release`` hands one over directly."""

    __slots__ = ("event", "worker")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx, store_path: Path, guard: bool, generation: int) -> None:
        self.generation = generation
        self.conn, child = ctx.Pipe()
        # Nothing is ever sent on the lifeline: the worker sees EOF when the
        # parent dies. (The process tree cannot tell: a forkserver outlives it.)
        lifeline, self._lifeline = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, lifeline, str(store_path), guard),
            name="qkg-query-worker",
            daemon=True,
        )
        self.process.start()
        self.pid = self.process.pid
        child.close()
        lifeline.close()
        self._lock = threading.Lock()
        self._done = False

    def wait_ready(self, timeout: float) -> None:
        try:
            if not self.conn.poll(timeout):
                raise StoreError(f"a query worker did not open the store within {timeout:g} s")
            kind, payload = self.conn.recv()
        except (EOFError, OSError):
            raise StoreError(
                f"a query worker exited while opening the store (exit code {self.exit_code(1.0)})",
                hint="check the store with `qkg build`",
            ) from None
        if kind != "ready":
            raise payload

    def stop(self) -> None:
        """Ask the worker to exit; kill it if it does not within a second."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(1.0)
        self.kill()

    def exit_code(self, wait: float = 0.0) -> int | None:
        try:
            self.process.join(wait)
            return self.process.exitcode
        except ValueError:  # already closed by kill()
            return None

    def interrupt(self) -> None:
        """SIGKILL the process, leaving the pipe to the thread that owns the worker."""
        with self._lock:
            if not self._done:
                self.process.kill()

    def kill(self) -> None:
        """SIGKILL the process, reap it and close its pipes."""
        with self._lock:
            if self._done:
                return
            self._done = True
            self.process.kill()  # SIGKILL; a no-op if it already exited
            self.process.join()  # reap it: no zombie
            self.process.close()
            self.conn.close()
            self._lifeline.close()


def limit_memory(pid: int, megabytes: int) -> None:
    """Cap the address space of process ``pid`` (``RLIMIT_AS``) at ``megabytes`` MB (Linux ``prlimit``)."""
    import resource

    limit = megabytes * 2**20
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except (ProcessLookupError, PermissionError, ValueError, AttributeError):
        pass  # the worker already exited (its owner notices), or no prlimit on this system


#: A worker's answer: ``("ok", QueryResult's fields)``, or ``("error", the exception to raise)``.
_Reply = tuple[str, dict[str, Any] | BaseException]


def _send(conn, message) -> None:
    """Send ``message`` with plain pickle (the messages hold no descriptors: ForkingPickler's set-up is waste)."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _recv(conn):
    return pickle.loads(conn.recv_bytes())


def _settle(future: asyncio.Future, error: BaseException | None) -> None:
    """Resolve ``future`` (with ``error`` if given) unless it already is: the answer and the deadline race."""
    if not future.done():
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


def _pool_closed() -> StoreError:
    return StoreError("the query pool is closed", hint="create a new QueryPool")


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Fork workers from a server that has imported pyoxigraph and rdflib:
        # replacing a killed worker then takes milliseconds, not a Python start-up.
        ctx.set_forkserver_preload(["qkg.graph.serving.pool"])
        return ctx
    return multiprocessing.get_context("spawn")


# -- inside the worker process ----------------------------------------------


def _worker_main(conn, lifeline, store_path: str, guard: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent
    # rdflib's parser recurses once per triple pattern in a group: the default
    # limit refuses ~85 patterns; 10,000 allows ~800 (this process only).
    sys.setrecursionlimit(10_000)
    try:
        store = OxigraphStore.read_only(store_path)
    except Exception as exc:
        conn.send(("error", StoreError(f"cannot open the store at {store_path}: {exc}", hint="run `qkg build` first")))
        return
    threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True).start()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = _recv(conn)
        except EOFError:
            return
        if request is None:
            return
        reply: _Reply
        try:
            reply = ("ok", _answer(store, guard, *request))
        except QKGError as exc:
            reply = ("error", exc)
        except SyntaxError as exc:
            reply = ("error", _oxigraph_syntax_error(exc))
        except Exception as exc:
            reply = ("error", _evaluation_error(exc))
        _send(conn, reply)


_UNSUPPORTED_FUNCTION = re.compile(r"custom function (<[^>]*>) is not supported")


def _evaluation_error(exc: Exception) -> QKGError:
    """An engine failure as the error to send: a 400 when the query itself is the cause, else a 500."""
    if isinstance(exc, MemoryError):
        return QueryOutOfMemory(
            N_("the query needed more memory than a query worker may take and was stopped"),
            hint=N_("add a LIMIT without ORDER BY, or run it locally on a dump"),
        )
    message = str(exc)
    function = _UNSUPPORTED_FUNCTION.search(message)
    if function:
        return QueryUnsupported(
            N_("the function {function} is not supported by this endpoint"),
            hint=N_("use the SPARQL 1.1 built-in functions and XSD casts"),
            fields={"function": function[1][:200]},
        )
    return StoreError(f"query evaluation failed: {message[:300]}")


def _exit_with_parent(lifeline) -> None:
    """Exit when the parent dies, even while a query runs (it holds no GIL)."""
    lifeline.poll(None)  # returns at EOF
    os._exit(1)


def _answer(
    store, guard: bool, query: str, fmt: str, union: bool, substitutions, max_rows: int, max_bytes: int
) -> dict:
    info = None
    fast, form = (_read_text if len(query) <= _CACHED_CHARS else _read_text.__wrapped__)(query)
    fast = guard and fast
    if guard and not fast:
        info = inspect_query_cached(query)
    try:
        results = store.results(query, union=union, substitutions=substitutions)
    except SyntaxError:
        if fast:  # rdflib's message locates most errors better: use it when it also rejects the text
            inspect_query_cached(query)
        raise
    except RuntimeError as exc:  # pyoxigraph's answer to a binding it cannot apply
        if not substitutions:
            raise
        raise ParameterError(
            N_("cannot bind the parameters: {problem}"),
            hint=N_("bind only variables of the SELECT projection"),
            fields={"problem": exc},
        ) from None
    out: terms.QueryResultsFormat | terms.RdfFormat
    if isinstance(results, terms.QueryBoolean):
        form, rows, truncated = "ASK", 1, False
        out = solution_format(fmt, form)
        body = results.serialize(format=out) or b""
    elif isinstance(results, terms.QuerySolutions):
        form = "SELECT"
        out = solution_format(fmt, form)
        body, rows, truncated = _select(results, out, max_rows, max_bytes)
    else:
        form = info.form if info else form
        out = graph_format(fmt, form)
        prefixes = None
        if out is terms.RdfFormat.TURTLE:
            declared = info.prefixes if info else _PREFIX_DECL.findall(query)
            # only absolute IRIs: a relative one (resolved against BASE in the query) cannot prefix Turtle output
            prefixes = {name: iri for name, iri in declared if _ABSOLUTE.match(iri)}
        body, rows, truncated = _triples(results, out, prefixes, max_rows, max_bytes)
    return {"body": body, "media_type": out.media_type, "form": form, "rows": rows, "truncated": truncated}


_CACHED_CHARS = 4_000  # longer texts are read afresh: the cache stays under ~10 MB per worker


@functools.lru_cache(maxsize=1024)
def _read_text(query: str) -> tuple[bool, str]:
    """The cheap readings of a text, cached (tools repeat their queries): plainly safe? which form?"""
    return plainly_safe(query), query_form(query)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*|):\s*<([^>\s]*)>", re.IGNORECASE)


class _Full(Exception):
    """The answer reached a cap: stop pyoxigraph's writer (and with it the query's evaluation)."""


class _RowSink:
    """A binary writer for pyoxigraph's SPARQL TSV that stops past ``max_rows`` rows or ``max_bytes`` bytes.

    TSV writes one line per solution (line breaks inside literals are escaped), after one header line, so
    counting lines counts rows: the caps apply while pyoxigraph writes, and a cut answer is a prefix of lines.
    """

    def __init__(self, max_rows: int, max_bytes: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.lines = 0
        self.max_lines = max_rows + 1
        self.max_bytes = max_bytes

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.size += len(data)
        self.lines += data.count(b"\n")
        if self.lines > self.max_lines or self.size > self.max_bytes:
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass


def _select(results, out, max_rows: int, max_bytes: int) -> tuple[bytes, int, bool]:
    """A SELECT's answer, written by pyoxigraph under both caps, in one evaluation.

    pyoxigraph writes SPARQL TSV into a :class:`_RowSink`; the complete lines within the caps are the answer
    (TSV as written, or converted by pyoxigraph to JSON, XML or CSV), and if the conversion outgrows
    ``max_bytes`` rows are dropped until it fits. Nothing is evaluated twice.
    """
    tsv = terms.QueryResultsFormat.TSV
    sink = _RowSink(max_rows, max_bytes)
    try:
        results.serialize(sink, format=tsv)
        full = False
    except _Full:
        full = True
    written = b"".join(sink.parts)
    lines = written.split(b"\n")
    head, rows = lines[0], lines[1:-1]  # the last piece is empty, or a line cut by the byte cap
    truncated = full
    if len(rows) > max_rows:
        rows = rows[:max_rows]
    if full:  # keep the lines that fit under the byte cap
        size = len(head) + 1 + sum(len(r) + 1 for r in rows)
        while rows and size > max_bytes:
            size -= len(rows.pop()) + 1

    def render(count: int) -> bytes:
        data = b"\n".join([head, *rows[:count]]) + b"\n"
        if out is tsv:
            return data
        return terms.parse_query_results(data, format=tsv).serialize(format=out) or b""

    if not full and out is tsv:
        body, count = written, len(rows)
    else:
        body, count = _fit(render, len(rows), max_bytes)
    return body, count, truncated or count < len(rows)


def _triples(results, out, prefixes, max_rows: int, max_bytes: int) -> tuple[bytes, int, bool]:
    triples: list[terms.Triple] = []
    size, truncated = 0, False
    for triple in results:
        if len(triples) == max_rows:
            truncated = True
            break
        size += len(str(triple)) + 3
        if size > max_bytes:
            truncated = True
            break
        triples.append(triple)

    def render(count: int) -> bytes:
        return terms.serialize(triples[:count], format=out, prefixes=prefixes) or b""

    body, count = _fit(render, len(triples), max_bytes)
    return body, count, truncated or count < len(triples)


def _fit(render: Callable[[int], bytes], count: int, max_bytes: int) -> tuple[bytes, int]:
    """Render ``count`` items, dropping items until the body fits in ``max_bytes``."""
    body = render(count)
    while len(body) > max_bytes and count:
        count = min(count - 1, int(count * max_bytes / len(body) * 0.95))
        body = render(count)
    return body, count
