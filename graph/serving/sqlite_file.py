"""An SQLite database a build writes once and a server opens read-only, in place (the one home of that pattern).

A build makes the database in memory (:meth:`SqliteFile.__init__` with the connection), stores its bytes
(:meth:`SqliteFile.serialize`) as an artefact file; a server opens that file (:meth:`SqliteFile.attach`) and reads
it without loading it: one connection per thread, each through a memory map of the whole file (every thread
shares the OS's cached pages, and SQLite's C code runs without the GIL).

>>> import sqlite3, tempfile, pathlib
>>> db = sqlite3.connect(":memory:", check_same_thread=False)
>>> _ = db.execute("CREATE TABLE t(x)")
>>> f = pathlib.Path(tempfile.mkdtemp()) / "t.sqlite"
>>> _ = f.write_bytes(SqliteFile(db).serialize())
>>> opened = SqliteFile.__new__(SqliteFile)
>>> opened.attach(f)
>>> with opened._connection() as c:
...     c.execute("SELECT COUNT(*) FROM t").fetchone()
(0,)
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["SqliteFile"]

_MMAP_BYTES = 1 << 32  # the whole file (SQLite maps at most this much)


class SqliteFile:
    """A database in memory (behind a lock) or a file opened read-only (a connection per thread)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._path: Path | None = None
        self._shared: sqlite3.Connection | None = db
        self._lock = threading.Lock()
        self._local = threading.local()

    def attach(self, path: str | Path, *, what: str = "database") -> None:
        """Read the file at ``path`` from now on (nothing is loaded); ValueError ``"no {what} at {path}"`` when
        there is no such file (an operator's error: the server then makes the artefact again)."""
        self._path, self._shared, self._lock = Path(path).resolve(), None, threading.Lock()
        self._local = threading.local()
        if not self._path.is_file():
            raise ValueError(f"no {what} at {self._path}")

    def prefetch(self) -> None:
        """Ask the OS to read the file into its page cache in the background (``posix_fadvise(WILLNEED)``): the
        first queries then find their pages in memory, not on disk (at 10M triples, the first search for a
        name the graph lacks read 600 MB of the 2 GB search index). A no-op for an in-memory database or where
        the call does not exist; the cache stays the OS's to evict.

        >>> SqliteFile(sqlite3.connect(":memory:")).prefetch()
        """
        if self._path is None or not hasattr(os, "posix_fadvise"):
            return
        with contextlib.suppress(OSError):
            fd = os.open(self._path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)

    def serialize(self) -> bytes:
        """The database's bytes, for the build to store as a file that :meth:`attach` opens."""
        with self._connection() as db:
            return db.serialize()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread: the in-memory database behind a lock, or this thread's own on the file."""
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        db = getattr(self._local, "db", None)
        if db is None:
            assert self._path is not None
            db = sqlite3.connect(self._path.as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)
            # without the map, each thread's connection starts with an empty 2 MB page cache and copies what it reads
            db.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
            self._local.db = db
        yield db
