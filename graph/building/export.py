"""Dump a built graph as RDF, and write files atomically (temp file, fsync, rename).

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> s = OxigraphStore()
>>> s.add([terms.Quad(terms.NamedNode("http://e/a"), terms.NamedNode("http://e/p"), terms.Literal("x"), terms.NamedNode("http://e/g"))])
>>> export_rdf(s, "ntriples")
b'<http://e/a> <http://e/p> "x" .\\n'
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from qkg.graph.errors import N_, ParameterError
from qkg.graph.named_graphs import INFERRED_GRAPH
from qkg.graph.serving import terms
from qkg.graph.serving.formats import RDF_FORMATS
from qkg.graph.serving.store import Store
from qkg.ontology import PREFIXES
from rdflib import Dataset, Graph

__all__ = ["export_rdf", "dump_file", "DUMP_SUFFIXES", "atomic_write", "atomic_writer", "to_rdflib", "FORMATS"]

#: The dump formats, by their names in :data:`qkg.graph.serving.formats.RDF_FORMATS`.
FORMATS = ("turtle", "trig", "jsonld", "ntriples", "nquads")


def _quads(store: Store, inferred: bool):
    for q in store.quads(None, None, None, None):
        if not inferred and isinstance(q.graph_name, terms.NamedNode) and q.graph_name.value == INFERRED_GRAPH:
            continue
        yield q


def export_rdf(store: Store, fmt: str, *, inferred: bool = True) -> bytes:
    """Serialise the store; graph formats (TriG, N-Quads) keep the named graphs, the others merge them."""
    if fmt not in FORMATS:
        raise ParameterError(
            N_("unknown export format {fmt!r}"),
            hint=N_("use one of {choices}"),
            fields={"fmt": fmt, "choices": ", ".join(FORMATS)},
        )
    rdf_format = RDF_FORMATS[fmt]
    if rdf_format.supports_datasets:
        dataset = terms.serialize(
            _quads(store, inferred), format=rdf_format, prefixes=PREFIXES if fmt == "trig" else None
        )
        return dataset or b""
    seen, triples = set(), []
    for q in _quads(store, inferred):
        t = q.triple
        if t not in seen:
            seen.add(t)
            triples.append(t)
    prefixes = PREFIXES if fmt in ("turtle", "jsonld") else None
    return terms.serialize(triples, format=rdf_format, prefixes=prefixes) or b""


#: The whole-graph dumps :func:`dump_file` writes (dataset formats: the named graphs kept), and their suffixes.
DUMP_SUFFIXES = {"trig": ".trig", "nquads": ".nq"}


def dump_file(store: Store, fmt: str, folder: str | os.PathLike[str]) -> Path:
    """The whole graph (asserted and inferred, named graphs kept) in ``fmt`` (``trig`` or ``nquads``) as the
    file ``folder/dump.<suffix>``: written once, streamed to disk (never held whole in memory: 425 MB of
    N-Quads at 1M triples), atomically; a file already there is returned as it is (a build never changes).

    The embedded store writes it itself (pyoxigraph's ``dump``, streamed in Rust: 2.42M quads read from RocksDB
    in 19.5-20.5 s at 1M, about what a Python object per quad took, but in no memory); another store's quads are
    streamed through :func:`terms.serialize`.

    >>> import tempfile
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> s = OxigraphStore()
    >>> s.add([terms.Quad(terms.NamedNode("http://e/a"), terms.NamedNode("http://e/p"), terms.Literal("x"),
    ...                   terms.NamedNode("http://e/g"))])
    >>> dump_file(s, "nquads", tempfile.mkdtemp()).read_bytes()
    b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n'
    """
    if fmt not in DUMP_SUFFIXES:
        raise ParameterError(
            N_("unknown dump format {fmt!r}"),
            hint=N_("use one of {choices}"),
            fields={"fmt": fmt, "choices": ", ".join(DUMP_SUFFIXES)},
        )
    path = Path(folder) / f"dump{DUMP_SUFFIXES[fmt]}"
    if path.is_file():
        return path
    rdf_format, prefixes = RDF_FORMATS[fmt], PREFIXES if fmt == "trig" else None
    native = getattr(store, "native", None)
    with atomic_writer(path) as fh:
        if native is not None:
            native.dump(fh, format=rdf_format, prefixes=prefixes)
        else:
            terms.serialize(_quads(store, True), fh, format=rdf_format, prefixes=prefixes)
    return path


def to_rdflib(store: Store, *, inferred: bool = True) -> Graph:
    """The store's triples (all graphs merged) as an rdflib Graph, for SHACL, HermiT or networkx work."""
    ds = Dataset()
    ds.parse(data=export_rdf(store, "nquads", inferred=inferred), format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Open a temporary file beside ``path`` for writing; on success it is fsynced and renamed onto ``path``.

    Readers see the old file or the new one, never half of one; an error leaves no temporary file behind. The
    file is readable by all (0644, whatever the umask): a server may run as another user than the build. The
    writer holds a lock on its temporary file until it is renamed: a temporary file nobody holds was left by a
    process that ended without cleaning up (a server ended by its watchdog while it wrote a dump), and the next
    writer removes it.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_writer(target) as fh:
    ...     _ = fh.write(b"done")
    >>> target.read_bytes()
    b'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "xb") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held until renamed (closing the file lets it go)
            os.fchmod(fh.fileno(), 0o644)  # readable by a server run as another user, whatever the umask
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_stale(path: Path) -> None:
    """Remove the temporary files beside ``path`` that no writer holds (see :func:`atomic_writer`): left by a
    process that ended while it wrote (100s of MB for a dump at 1M, kept for good). A live writer's file is
    locked, whatever its process (another container, a reused process id); a file that cannot be looked at is
    left, and nothing here stops the write.

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / ".out.nq.999.abcd1234.tmp").write_bytes(b"half")
    4
    >>> with atomic_writer(d / "out.nq") as fh:
    ...     sorted(p.name for p in d.iterdir()) == [pathlib.Path(fh.name).name]
    True
    """
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            with open(tmp, "rb") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                tmp.unlink(missing_ok=True)  # nobody held it: its writer is gone
        except OSError:  # held by a live writer (BlockingIOError), a folder, not ours to remove: left
            continue


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of it."""
    with atomic_writer(path) as fh:
        fh.write(data)
