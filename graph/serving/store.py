"""Where the built graph lives: versioned Oxigraph store directories behind an atomically swapped pointer.

Layout under the data directory (``.qkg/`` by default)::

    .qkg/
      stores/20261125T201500-3f2a/      one complete, validated, inferred store per build
      stores/20261125T203000-9c1b.partial  a build in progress (never served; removed by the next build)
      current -> stores/20261125T203000-9c1b   symlink swapped with os.replace (atomic on POSIX)

A build writes a fresh directory and only then swaps ``current``: a failed or killed build leaves the previous
graph serving, untouched. This module is the only one that knows the backend is Oxigraph.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     layout = StoreLayout(d)
...     layout.current() is None
True
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from qkg.graph.errors import BuildError, StoreError

__all__ = ["StoreLayout", "open_read_only", "Staging"]

_HINT = "run `qkg build` first (or `python3 scripts/dev.py run`, which builds and serves)"


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
            raise StoreError(f"no built graph under {self.root}", hint=_HINT)
        return path

    def open_current(self) -> ox.Store:
        """The store of the build ``current`` points at, read-only (:class:`StoreError` when there is none)."""
        return open_read_only(self.require_current())

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Hold the data directory's build lock: one build at a time, or :class:`BuildError` at once."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".build.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildError(f"another build is running in {self.root}",
                                 hint="wait for it to finish, or build into another --data-dir") from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def new_staging(self) -> "Staging":
        """Start a build: a fresh ``.partial`` directory with a writable Oxigraph store.

        Call it under :meth:`build_lock`: it removes the ``.partial`` directories that killed builds left.
        """
        self.stores.mkdir(parents=True, exist_ok=True)
        for stale in self.stores.glob("*.partial"):
            shutil.rmtree(stale, ignore_errors=True)
        name = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        return Staging(self, self.stores / (name + ".partial"))

    def publish(self, staging_dir: Path, *, keep: int = 2) -> Path:
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
        self._store: ox.Store | None = ox.Store(str(path))

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the staging store is closed")
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.flush()
            self._store = None

    def discard(self) -> None:
        self._store = None
        shutil.rmtree(self.path, ignore_errors=True)

    def publish(self) -> Path:
        self.close()
        return self.layout.publish(self.path)


def open_read_only(path: str | os.PathLike[str]) -> ox.Store:
    """Open a built store for reading (many readers may share it)."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:  # pragma: no cover - depends on the filesystem
        raise StoreError(f"cannot open the store at {path}: {exc}", hint=_HINT) from exc
