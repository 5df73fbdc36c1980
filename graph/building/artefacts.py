"""Artefacts: what depends only on the build, computed by the build and stored with it.

Counts, the VoID figures, the search index, centralities, layouts, map aggregates: a page needs them at
start, they depend on nothing but the built graph, and at a million triples each takes seconds to compute.
So the build computes them once (:func:`produce`) and writes them next to its store; the server reads them
back (:class:`Artefacts`) instead of computing them at start or on the first request.

Layout, inside the build's store folder (so the artefacts are published, and pruned, with the store in one
atomic rename; Oxigraph ignores the extra folder)::

    .qkg/stores/20261204T071500-3f2a/
      qkg-artefacts/
        manifest.json          {"version": 1, "artefacts": {name: {"format", "bytes", "seconds"}}}
        stats.json             one file per artefact: NAME.json, NAME.pickle for Python objects,
        network.pickle         or NAME.sqlite for a database the server opens and queries in place
        search.sqlite

Each file is written to a temporary name and renamed, so a reader never sees half a file. Pickles are only
read from the data directory qkg itself wrote (never from a user's upload).

An SQLite artefact is not read at all: :meth:`Artefacts.read` hands its path to the artefact's ``load``
(which opens it read-only, in a millisecond at any size), so the server's memory and its event loop never pay
for it. The search index is one (:mod:`qkg.graph.pages.search`): as a pickle, the 485k-triple build's 63 MB
index held the GIL ~0.56 s while a server switching builds unpickled it, stopping ``/health`` up to ~280 ms.

Reading a pickle holds the cyclic garbage collector off (:func:`collector_paused`), then freezes what it read
(``gc.freeze``). Unpickling a large value creates millions of objects; each few hundred allocations the collector
runs, and its full passes walk every live object holding the GIL. A server reading the 485k-triple build's
61 MB search index (a pickle then) in a thread paused its event loop for up to 0.4 s that way (``py-spy record
--gil``: ``Artefacts.read``); with the collector paused, the read took 1.0-1.2 s instead of 2.5-3.9 s.

Who declares what: an :class:`Artefact` pairs a name with the function that makes it from the store
(``make(store) -> value``). The build takes the tuple of artefacts to make (the CLI passes the full set of
:data:`qkg.api.prepared.ARTEFACTS`, which draws on every layer; :data:`CORE` is what this subpackage can make
on its own). A build made before artefacts existed has none: :meth:`Artefacts.get` then computes the value
once, keeps it, and tries to store it for next time.

Examples
--------
>>> import tempfile
>>> d = Artefacts(tempfile.mkdtemp())
>>> d.write("counts", {"triples": 3})
>>> d.read("counts"), d.names()
({'triples': 3}, ['counts'])
>>> d.get("layout", lambda: [(0.5, 1.0)], fmt="pickle")
[(0.5, 1.0)]
>>> sorted(d.names())
['counts', 'layout']
>>> d.read("missing")
Traceback (most recent call last):
...
qkg.graph.building.artefacts.ArtefactMissing: no artefact 'missing' in this build
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import gc
import itertools
import json
import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from qkg.graph.errors import N_, BuildError, Message
from qkg.graph.serving.memory import peak_mb, release_memory

__all__ = [
    "forget",
    "ARTEFACT_DIR",
    "FORMAT_VERSION",
    "Artefact",
    "Artefacts",
    "ArtefactMissing",
    "CORE",
    "Production",
    "groups",
    "produce",
    "as_reader",
    "shared",
]

log = logging.getLogger("qkg.artefacts")

_paused = 0  # readers holding the collector off, in any thread
_paused_lock = threading.Lock()


@contextlib.contextmanager
def collector_paused():
    """Hold the cyclic garbage collector off while reading a large value, then freeze what was read.

    What the block leaves in reference cycles is frozen with the rest, for good: a computation must cut its
    own (networkx graphs cache views that refer back to them: :func:`qkg.graph.analysis.nxgraphs.without_views`).

    Reference counting still frees everything acyclic meanwhile. Safe from several threads at once: the
    collector comes back when the last reader ends (and only if it was on before the first). Frozen objects
    are never walked by a later full collection again (the artefacts live until the next build swap; being
    acyclic, they are freed by reference counting then).

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _paused
    with _paused_lock:
        if _paused == 0:
            collector_paused.was_enabled = gc.isenabled()  # type: ignore[attr-defined]
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and collector_paused.was_enabled:  # type: ignore[attr-defined]
                gc.freeze()
                gc.enable()


#: The folder, inside a build's store folder, that holds its artefacts.
ARTEFACT_DIR = "qkg-artefacts"
#: Bumped when the layout changes; artefacts of another version are ignored (and recomputed).
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_SUFFIX = {"json": ".json", "pickle": ".pickle", "sqlite": ".sqlite"}

Format = Literal["json", "pickle", "sqlite"]


class ArtefactMissing(LookupError):
    """The build holds no artefact by that name (an older build, or one built without it)."""


@dataclass(frozen=True)
class Artefact:
    """A named value the build computes from its store.

    Parameters
    ----------
    name : str
        The file name (without suffix); letters, digits, ``-`` and ``_``.
    make : callable
        ``make(store) -> value``; ``store`` is the build's store (read it, never write it).
    fmt : "json", "pickle" or "sqlite"
        JSON for plain data a page or an API answer shows; pickle for Python objects (a graph); sqlite for a
        value queried in place (``make`` returns an object with ``serialize() -> bytes``, the database).
    load : callable, optional
        ``load(path) -> value`` for a sqlite artefact: opens the stored file (without it, reading gives the path).
    group : str, optional
        Artefacts that ask the same queries share a group name (see :func:`produce`).
    """

    name: str
    make: Callable[[Any], Any]
    fmt: Format = "json"
    load: Callable[[Path], Any] | None = None
    #: Artefacts of one group read the same tables: :func:`produce` makes them one after the other in one
    #: process, with one query memo, freed when the group is done (None: a group of its own).
    group: str | None = None


class Artefacts:
    """The artefacts of one build, in ``<store folder>/qkg-artefacts/``.

    Parameters
    ----------
    store_dir : path
        The build's store folder (``.qkg/stores/NAME``, or its ``.partial`` folder while it is built).

    Reading is cheap and thread-safe; values read once are kept in memory (one instance per build).
    """

    def __init__(self, store_dir: str | os.PathLike[str]) -> None:
        self.store_dir = Path(store_dir)
        self.path = self.store_dir / ARTEFACT_DIR
        self._memo: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # -- reading ------------------------------------------------------------------------------------------

    def manifest(self) -> dict:
        """``{"version": int, "artefacts": {name: {"format", "bytes", "seconds"}}}`` (empty when none)."""
        try:
            data = json.loads((self.path / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"version": FORMAT_VERSION, "artefacts": {}}
        if data.get("version") != FORMAT_VERSION:
            return {"version": FORMAT_VERSION, "artefacts": {}}
        return data

    def names(self) -> list[str]:
        """The names of the stored artefacts."""
        return sorted(self.manifest()["artefacts"])

    def has(self, name: str) -> bool:
        return name in self._memo or name in self.manifest()["artefacts"]

    def read(self, name: str, *, fmt: Format | None = None, load: Callable[[Path], Any] | None = None) -> Any:
        """Return the artefact ``name``; raise :class:`ArtefactMissing` if this build has none by that name, or
        (``fmt`` given) has it in another format (a build made by an older version: compute it again), except a
        JSON file where a pickle is asked (plain data both ways).

        A sqlite artefact is not read: ``load(path)`` opens it (without ``load``, its path is returned).
        """
        if name in self._memo:
            return self._memo[name]
        entry = self.manifest()["artefacts"].get(name)
        if entry is None:
            raise ArtefactMissing(f"no artefact {name!r} in this build")
        # a JSON file holds plain data, as the pickle this version writes instead would: an older build's is read
        if fmt is not None and entry["format"] != fmt and (entry["format"], fmt) != ("json", "pickle"):
            raise ArtefactMissing(f"artefact {name!r} is stored as {entry['format']}, this version reads {fmt}")
        file = self.path / (name + _SUFFIX[entry["format"]])
        try:
            if entry["format"] == "sqlite":
                if not file.is_file():
                    raise FileNotFoundError(file)
                value = load(file) if load is not None else file
                self._memo[name] = value
                return value
            with collector_paused():
                if entry["format"] == "json":
                    value = json.loads(file.read_text(encoding="utf-8"))
                else:
                    with open(file, "rb") as fh:
                        value = pickle.load(fh)
        except Exception as exc:  # a file removed by hand, or a pickle of classes that changed since
            raise ArtefactMissing(f"artefact {name!r} cannot be read ({exc})") from exc
        self._memo[name] = value
        return value

    def get(
        self,
        name: str,
        compute: Callable[[], Any],
        *,
        fmt: Format = "json",
        load: Callable[[Path], Any] | None = None,
    ) -> Any:
        """The artefact ``name``, or ``compute()`` once when the build has none (then kept, and stored if it can).

        Concurrent callers of a missing artefact wait for one computation instead of each starting their own.
        """
        try:
            return self.read(name, fmt=fmt, load=load)
        except ArtefactMissing:
            pass
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name in self._memo:
                return self._memo[name]
            log.warning(
                "build at %s has no artefact %r: computing it once (rebuild with `qkg build` to prepare it)",
                self.store_dir,
                name,
            )
            started = time.perf_counter()
            value = compute()
            self._memo[name] = value
            try:
                self.write(name, value, fmt=fmt, seconds=time.perf_counter() - started)
            except OSError as exc:  # a read-only data directory: keep it in memory only
                log.warning("could not store artefact %r: %s", name, exc)
            return value

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, name: str, value: Any, *, fmt: Format = "json", seconds: float | None = None) -> None:
        """Store ``value`` as the artefact ``name`` (atomically: a temporary file, then a rename)."""
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ValueError(f"artefact names use letters, digits, '-' and '_': {name!r}")
        if fmt == "json":
            data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        elif fmt == "pickle":
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        elif fmt == "sqlite":
            data = value.serialize()
        else:
            raise ValueError(f"unknown artefact format {fmt!r}: use 'json', 'pickle' or 'sqlite'")
        # the one atomic writer (fsynced, renamed; its temporary file locked, so one a dead process left behind is
        # removed by the next write): imported here, its module imports rdflib, which a worker may not need
        from qkg.graph.building.export import atomic_write

        with self._lock, self._manifest_lock():
            atomic_write(self.path / (name + _SUFFIX[fmt]), data)
            manifest = self.manifest()
            before = manifest["artefacts"].get(name, {}).get("format")
            if before in _SUFFIX and before != fmt:  # an older build's file in another format
                (self.path / (name + _SUFFIX[before])).unlink(missing_ok=True)
            manifest["artefacts"][name] = {
                "format": fmt,
                "bytes": len(data),
                "seconds": None if seconds is None else round(seconds, 3),
            }
            atomic_write(self.path / _MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
            self._memo[name] = value

    @contextlib.contextmanager
    def _manifest_lock(self):
        """Hold the folder's lock while the manifest is read and rewritten: the build's artefact processes write
        into one folder at once (``flock`` on the folder itself, so no lock file is published)."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def produce(
    store: Any,
    store_dir: str | os.PathLike[str],
    artefacts: Iterable[Artefact],
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Make every artefact from the build's ``store`` and write it into ``store_dir``, in this process, group by
    group (:func:`groups`); return seconds by name.

    The build calls it after validation and before publishing, so the artefacts appear with the store (a large
    build makes them in two processes: :class:`Production`).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> times = produce({"n": 5}, d, [Artefact("n", lambda store: store["n"] * 2)])
    >>> list(times), Artefacts(d).read("n")
    (['n'], 10)
    """
    say = progress or (lambda _msg: None)
    out = Artefacts(store_dir)
    seconds: dict[str, float] = {}
    for group in groups(artefacts):
        for name, wall, cpu in _make_group(store, out, group, free=False):
            seconds[name] = wall
            say(_done(name, wall, cpu))
    return seconds


def groups(artefacts: Iterable[Artefact]) -> list[list[Artefact]]:
    """The artefacts by :attr:`Artefact.group`, each group in the order of its first member.

    >>> [[a.name for a in g] for g in groups([Artefact("a", len, group="x"), Artefact("b", len), Artefact("c", len, group="x")])]
    [['a', 'c'], ['b']]
    """
    by_group: dict[str, list[Artefact]] = {}
    for artefact in artefacts:
        by_group.setdefault(artefact.group or "\0" + artefact.name, []).append(artefact)
    return list(by_group.values())


def _make_group(
    store: Any, out: Artefacts, group: list[Artefact], *, free: bool = True
) -> Iterator[tuple[str, float, float]]:
    """Make and write a group's artefacts with one query memo; yield ``(name, seconds, CPU seconds)`` of each.

    The memo is dropped when the group is done; with ``free``, the memory it held goes back to the system
    (a full collection: 0.05-0.15 s, not worth it on a small graph), what its artefacts froze
    (:func:`collector_paused`) included: a value the group shares, frozen when made, may be left in a cycle by
    a later artefact of the group (a networkx view cached on the network by the network's overview).
    """
    reader = _Memo(store) if hasattr(store, "select") else store
    try:
        for artefact in group:
            started, cpu = time.perf_counter(), time.process_time()
            value = artefact.make(reader)
            seconds = time.perf_counter() - started
            out.write(artefact.name, value, fmt=artefact.fmt, seconds=seconds)
            del value
            out._memo.pop(artefact.name, None)  # the writer keeps nothing: the server reads the file
            yield artefact.name, seconds, time.process_time() - cpu
    finally:
        if isinstance(reader, _Memo):
            reader.clear()  # a cache keyed by the store (graph.analysis.facts) may keep the memo itself a while
        del reader
        if free:
            gc.unfreeze()
            release_memory()


def _done(name: str, seconds: float, cpu: float) -> Message:
    return Message(N_("artefact {name}: {seconds:.2f} s (CPU {cpu:.2f} s)"), name=name, seconds=seconds, cpu=cpu)


class Production:
    """The artefacts made by this process and ``workers`` other processes at once, from a built store.

    The build's store no longer changes once inference is done: it is closed, and each process opens it
    read-only (pyoxigraph 0.5 allows many read-only openings; none may open it while a compaction replaces its
    files). The groups (:func:`groups`) are handed out one at a time, in order, to whichever process is free:
    the workers start at once, while this process validates SHACL (and, ``held``, compacts the store: they wait
    to open it), then this process joins them (:meth:`finish`). A group whose artefacts cannot be pickled (a
    lambda) is made here. The first failure is raised again here, as it was raised (same type and message); the
    workers are stopped, and nothing is published.

    Parameters
    ----------
    store_path : path
        The closed store's folder (opened read-only by each process).
    store_dir : path
        Where the artefacts are written (the build's folder).
    artefacts : iterable of Artefact
    workers : int
        Other processes (0: everything here, in order, like :func:`produce`).
    free_memory : bool
        Hand each group's memory back to the system when it is done (a large graph's).
    progress : callable, optional
        Receives one line per artefact made, from any process.
    held : bool
        The workers start (their interpreter and imports) but open the store only once :meth:`release` is
        called (the build compacts the store meanwhile, which no other process may open); then each worker
        takes its first group before this process takes one: the workers take the groups in the order a
        build without compaction hands them out, whose memory at once was measured (at 1M, this process taking
        the search index's group first while a worker made the network's: 2.09 GB at once, against 1.94-1.99).
    """

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        store_dir: str | os.PathLike[str],
        artefacts: Iterable[Artefact],
        *,
        workers: int = 1,
        free_memory: bool = True,
        progress: Callable[[str], None] | None = None,
        held: bool = False,
    ) -> None:
        import multiprocessing

        self.free_memory = free_memory
        self.store_path, self.store_dir = Path(store_path), Path(store_dir)
        self.say = progress or (lambda _msg: None)
        self.seconds: dict[str, float] = {}
        #: Peak resident memory of each process that made artefacts, in MB (``"build"`` is this one).
        self.peaks: dict[str, float] = {}
        #: The artefacts each process made, in order.
        self.made: dict[str, list[str]] = {}
        all_groups = groups(artefacts)
        if workers:
            self._local = [g for g in all_groups if not _picklable(g)]
            self._shared = [g for g in all_groups if _picklable(g)]
        else:
            self._local, self._shared = all_groups, []
        self._failure: BaseException | None = None
        self._workers: list[Any] = []
        if not self._shared:
            return
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no RocksDB thread is forked
        self._next = context.Value("i", 0)
        self._results = context.Queue()
        self._go = context.Event()
        if not held:
            self._go.set()
        self._workers = [
            context.Process(
                target=_work,
                args=(
                    str(self.store_path),
                    str(self.store_dir),
                    self._shared,
                    self._next,
                    self._results,
                    f"worker-{i}",
                    self._go,
                ),
                daemon=True,
                name=f"qkg-artefacts-{i}",
            )
            for i in range(workers)
        ]
        # the caller's context goes with it: its progress lines are put in the caller's language (a context var)
        self._reader = threading.Thread(target=contextvars.copy_context().run, args=(self._read,), daemon=True)

    def start(self) -> Production:
        """Start the workers (each opens the store and takes groups until none is left)."""
        for proc in self._workers:
            proc.start()
        if self._workers:
            self._reader.start()
        return self

    def release(self) -> None:
        """Let held workers open the store (see ``held``), and wait until each has taken its first group (or
        ended, or failed)."""
        if not self._workers or self._go.is_set():
            return
        self._go.set()
        deadline = time.monotonic() + _FIRST_CLAIM_WAIT
        while self._next.value < len(self._workers) and time.monotonic() < deadline and self._failure is None:
            if not any(p.is_alive() for p in self._workers):
                break
            time.sleep(0.01)

    def finish(self, store: Any) -> dict[str, float]:
        """Make groups here from ``store`` (the store opened read-only) until none is left, wait for the workers,
        and raise the first failure; return seconds by name."""
        self.release()
        out = Artefacts(self.store_dir)
        for group in itertools.chain(self._local, iter(self._claim, None)):
            if self._failure is not None:
                break
            for name, wall, cpu in _make_group(store, out, group, free=self.free_memory):
                self._record(name, wall, cpu, "build")
        for proc in self._workers:
            proc.join()
        if self._workers:
            self._reader.join()
        self.peaks["build"] = peak_mb() or 0.0
        if self._failure is not None:
            raise self._failure
        return self.seconds

    def stop(self) -> None:
        """Stop the workers at once (the build failed elsewhere); idempotent."""
        for proc in self._workers:
            if proc.is_alive():
                proc.terminate()
        for proc in self._workers:
            if proc.pid is not None:
                proc.join()
        if self._workers and self._reader.is_alive():
            self._results.put(("stopped", None, None))
            self._reader.join()

    def __enter__(self) -> Production:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _claim(self) -> list[Artefact] | None:
        if not self._shared:
            return None
        index = _claim(self._next)
        return self._shared[index] if index < len(self._shared) else None

    def _record(self, name: str, wall: float, cpu: float, by: str) -> None:
        self.seconds[name] = wall
        self.made.setdefault(by, []).append(name)
        self.say(_done(name, wall, cpu))

    def _read(self) -> None:
        """Relay the workers' lines as they come; keep their first failure and their peaks."""
        running = len(self._workers)
        while running:
            try:
                kind, worker, value = self._results.get(timeout=1.0)
            except queue.Empty:
                if not any(p.is_alive() for p in self._workers) and self._results.empty():
                    kind, worker, value = "died", None, None
                else:
                    continue
            if kind == "done":
                name, wall, cpu = value
                self._record(name, wall, cpu, worker)
            elif kind == "exit":
                self.peaks[worker] = value
                running -= 1
            elif kind == "error":
                self._failure = self._failure or pickle.loads(value)
                with self._next.get_lock():  # no process starts another group
                    self._next.value = len(self._shared)
                running -= 1
            elif kind == "died":
                self._failure = self._failure or BuildError(
                    N_("an artefact process ended without a word (killed, or out of memory); nothing was published"),
                    hint=N_("run `qkg build` again; if it happens again, free memory or build a smaller graph"),
                )
                return
            else:  # stopped
                return


def _picklable(group: list[Artefact]) -> bool:
    try:
        pickle.dumps(group)
    except Exception:  # a lambda or a closure: made in the build's process
        return False
    return True


def _claim(counter: Any) -> int:
    """The next group's index, shared by every process."""
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    return index


#: Seconds the build's process waits, at most, for held workers to take their first group (see ``held``).
_FIRST_CLAIM_WAIT = 30.0


def _work(
    store_path: str, store_dir: str, shared: list[list[Artefact]], counter: Any, results: Any, me: str, go: Any
) -> None:
    """A worker process: once ``go`` is set, open the store read-only, make groups until none is left, report
    each artefact."""
    try:
        from qkg.graph.serving.store import open_read_only

        parent = multiprocessing.parent_process()
        while not go.wait(1.0):  # held; a build killed meanwhile (SIGKILL, the OOM killer) leaves no one waiting
            if parent is not None and not parent.is_alive():
                return
        store = open_read_only(store_path)
        out = Artefacts(store_dir)
        while (index := _claim(counter)) < len(shared):
            for line in _make_group(store, out, shared[index]):
                results.put(("done", me, line))
        del store
        results.put(("exit", me, peak_mb() or 0.0))
    except BaseException as exc:  # every failure goes back to the build, which raises it
        results.put(("error", me, _pickled(exc)))


def _pickled(exc: BaseException) -> bytes:
    """``exc`` as a pickle, with the worker's traceback as a note; a :class:`BuildError` when it cannot be pickled."""
    import traceback

    text = "".join(traceback.format_exception(exc))
    exc.__traceback__ = None
    try:
        exc.add_note("in the artefact process:\n" + text)
        data = pickle.dumps(exc)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(
            BuildError(
                N_("making an artefact failed: {kind}: {error}"),
                hint=N_("see the traceback:\n{traceback}"),
                fields={"kind": type(exc).__name__, "error": str(exc), "traceback": text},
            )
        )


class _Memo:
    """The build's store as the artefacts read it: a SELECT asked again gets the rows of its first answer.

    Several artefacts read the same tables (the facts of the actor networks, the labels, the receptions for
    the map and the statistics, in both languages); the store does not change while they are made, so each
    distinct query runs once. At 1M triples, 186 distinct queries of 372, and a quarter of the query time.
    The rows are kept until the artefacts of a group are made (:func:`groups`; a few hundred MB at 1M triples).

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> memo = _Memo(OxigraphStore())
    >>> memo.select("SELECT ?x WHERE { VALUES ?x { 1 } }") is memo.select("SELECT ?x WHERE { VALUES ?x { 1 } }")
    True
    >>> once = memo.select_once("SELECT ?x WHERE { VALUES ?x { 2 } }")
    >>> once[0]["x"].value, len(memo._rows)  # answered, not kept
    ('2', 1)
    """

    def __init__(self, store: Any) -> None:
        self._store = store
        self._rows: dict[tuple, Any] = {}
        self._values: dict[Hashable, Any] = {}

    def shared(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()`` once per ``key`` while the artefacts are made (see :func:`shared`)."""
        if key not in self._values:
            self._values[key] = make()
        return self._values[key]

    def select(self, text: str, **options: Any) -> Any:
        try:
            key = (text, tuple(sorted(options.items())))
            hash(key)
        except TypeError:  # bindings given as a dict: not memoised
            return self._store.select(text, **options)
        if key not in self._rows:
            self._rows[key] = self._store.select(text, **options)
        return self._rows[key]

    def select_once(self, text: str, **options: Any) -> Any:
        """A SELECT whose answer is not kept: for a query of many rows that one artefact asks once (the
        network's typed links, read graph by graph: 190 MB of the network's peak at 1M triples when kept).
        A reader without this method is asked :meth:`select` (``getattr(store, "select_once", store.select)``)."""
        return self._store.select(text, **options)

    def clear(self) -> None:
        """Forget every answer and shared value (the group that asked them is done)."""
        self._rows.clear()
        self._values.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def as_reader(store: Any) -> Any:
    """``store`` as the build's reader (a memo of SELECT answers and :func:`shared` values), unless it is one:
    for an artefact made outside a build (a server computing it for an older build) whose parts share values.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> memo = as_reader(OxigraphStore())
    >>> as_reader(memo) is memo
    True
    """
    return store if isinstance(store, _Memo) else _Memo(store)


def forget(store: Any, key: Hashable) -> None:
    """Let the build's reader drop the :func:`shared` value ``key`` (its last user is done: a projection of the
    whole graph need not live through the rest of its group); nothing otherwise.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> memo = _Memo(OxigraphStore())
    >>> shared(memo, "k", lambda: 1); forget(memo, "k"); "k" in memo._values
    1
    False
    """
    if isinstance(store, _Memo):
        store._values.pop(key, None)


def shared(store: Any, key: Hashable, make: Callable[[], Any]) -> Any:
    """A value several artefacts derive from the same store (the facts of the actor networks, a projection):
    made once per build when ``store`` is the build's reader (:class:`_Memo`), made each time otherwise (a
    server computing one missing artefact). The value is shared: read it, never change it. Each artefact's
    ``make(store)`` stays self-contained: made alone, in a process of its own, it makes what it needs.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> memo, made = _Memo(OxigraphStore()), []
    >>> [shared(memo, "k", lambda: made.append(1) or len(made)) for _ in range(2)], made
    ([1, 1], [1])
    >>> shared(OxigraphStore(), "k", lambda: 2)
    2
    """
    if isinstance(store, _Memo):
        return store.shared(key, make)
    return make()


def _stats(store: Any) -> dict:
    from qkg.graph.building.stats import graph_stats

    return graph_stats(store)


#: The artefacts this subpackage can make on its own (the build's default when the caller names none).
CORE: tuple[Artefact, ...] = (Artefact("stats", _stats),)
