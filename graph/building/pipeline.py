"""The build: sources -> checks -> SHACL -> OWL 2 RL inference -> atomic swap into the served store.

Every step either completes or raises :class:`~qkg.graph.errors.DataError` / :class:`~qkg.graph.errors.BuildError`
naming the file, the line, the entity and the fix. Nothing is published until every step passed, so the last
good graph keeps serving (see :mod:`qkg.graph.serving.store`).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> (d / "a.ttl").write_text('@prefix qkgd: <https://w3id.org/qkg/id/> . @prefix qkg: <https://w3id.org/qkg/def#> .\\n'
...     '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\\n'
...     'qkgd:ch a qkg:Country ; rdfs:label "Suisse"@fr .\\n', encoding="utf-8") > 0
True
>>> result = build([Source(d / "a.ttl", "https://w3id.org/qkg/id/graph-a")], data_dir=d / "out", shacl=False)
>>> result.inferred > 0, result.shacl, result.path == StoreLayout(d / "out").current()
(True, 'skipped', True)
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import difflib
import gc
import hashlib
import logging
import multiprocessing
import os
import re
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qkg.graph.building import artefacts as prepared
from qkg.graph.building import inference, shacl_sparql
from qkg.graph.errors import N_, NP_, DataError, Message
from qkg.graph.named_graphs import BUILD_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, RESERVED_GRAPHS, YEAR_PATTERN, YEAR_TAG
from qkg.graph.serving import terms
from qkg.graph.serving.backends.oxigraph import HOLD_MAX_QUADS, OxigraphStore
from qkg.graph.serving.cancel import Beside
from qkg.graph.serving.memory import release_memory
from qkg.graph.serving.store import Store, StoreLayout, open_read_only
from qkg.ontology import BASE, PREFIXES, PROV, QKG, QKGD, SHAPES_FILE, load_ontology, ontology_paths
from qkg.ontology.curies import short
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

__all__ = [
    "Source",
    "BuildResult",
    "Problem",
    "build",
    "check",
    "validate_shacl",
    "shacl_report",
    "SHACL_ENGINES",
    "quiet_literal_warnings",
]

_FORMATS = {".ttl": "turtle", ".nt": "ntriples", ".trig": "trig", ".nq": "nquads"}
_CHECKED_DATATYPES = (
    XSD.date,
    XSD.gYear,
    XSD.gYearMonth,
    XSD.dateTime,
    XSD.integer,
    XSD.decimal,
    XSD.positiveInteger,
    XSD.boolean,
)


@dataclass(frozen=True)
class Source:
    """One input file and the named graph its triples go to (``None`` for a TriG/N-Quads file's own graphs).

    A loader that converts another format (a CSV sheet, say) passes the RDF it made as ``data`` (N-Triples);
    ``path`` stays the user's file, so errors still name it.
    """

    path: Path
    graph: str | None
    data: bytes | None = None
    #: The report year of a file under ``data/<year>/`` (tagged on its graph in the build record), else None.
    year: str | None = None

    @property
    def format(self) -> str:
        if self.data is not None:
            return "ntriples"
        try:
            return _FORMATS[self.path.suffix]
        except KeyError:
            raise DataError(
                N_("{file}: unsupported file type {suffix!r}"),
                file=str(self.path),
                hint=N_("use .ttl, .nt, .trig or .nq (or .csv / .yaml through loaders)"),
                fields={"file": self.path, "suffix": self.path.suffix},
            ) from None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located: its ``message`` says what and the fix (a
    :class:`~qkg.graph.errors.Message`, which the command line gives in its reader's language; a SHACL shape's
    own message is the shape's text).

    >>> p = Problem("data/a.ttl", 12, "qkgd:x", Message(N_("write a valid value for that datatype")))
    >>> str(p), p.said().localized({"{file}:{line}: {entity}: {problem}": "{file}:{line} : {entity} : {problem}"}.get)
    ('data/a.ttl:12: qkgd:x: write a valid value for that datatype', 'data/a.ttl:12 : qkgd:x : write a valid value for that datatype')
    """

    file: str
    line: int | None
    entity: str
    message: str

    def __str__(self) -> str:
        return str(self.said())

    def said(self) -> Message:
        """The problem's line, its place first (``file:line: entity: message``), for any language."""
        if self.line:
            return Message(
                N_("{file}:{line}: {entity}: {problem}"),
                file=self.file,
                line=self.line,
                entity=self.entity,
                problem=self.message,
            )
        return Message(N_("{file}: {entity}: {problem}"), file=self.file, entity=self.entity, problem=self.message)


@dataclass
class BuildResult:
    """What a build produced."""

    path: Path
    asserted: int
    inferred: int
    graphs: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)
    shacl: str = "skipped"


def build(
    sources: Iterable[Source],
    *,
    data_dir: str | Path,
    shacl: bool | None = None,
    progress: Callable[[str], None] | None = None,
    artefacts: Iterable[prepared.Artefact] | None = None,
) -> BuildResult:
    """Build the graph from ``sources`` and publish it under ``data_dir``; all or nothing.

    Parameters
    ----------
    sources : iterable of Source
        Data files (the ontology is always added).
    data_dir : path
        The data directory (``.qkg/``); the previous build keeps serving until this one is published.
    shacl : bool or None
        Run SHACL validation (``None``, the default, runs it: at any size, on pyshacl-turbo).
    progress : callable, optional
        Receives one line per step.
    artefacts : iterable of Artefact, optional
        What to prepare for the server and store with the build (:mod:`qkg.graph.building.artefacts`);
        defaults to :data:`~qkg.graph.building.artefacts.CORE` (the CLI passes the full set).

    Raises
    ------
    DataError
        A file does not parse, or the data breaks a check or a shape; the message lists every problem.
    """
    say = progress or (lambda _msg: None)
    sources = list(sources)
    layout = StoreLayout(data_dir)
    with layout.build_lock():
        return _build(
            sources, layout, shacl=shacl, say=say, artefacts=tuple(prepared.CORE if artefacts is None else artefacts)
        )


def _build(
    sources: list[Source],
    layout: StoreLayout,
    *,
    shacl: bool | None,
    say: Callable[[str], None],
    artefacts: tuple[prepared.Artefact, ...] = (),
) -> BuildResult:
    started = time.perf_counter()
    steps: dict[str, float] = {}
    staging = layout.new_staging()
    try:
        store = staging.store
        t, cpu = time.perf_counter(), _process_times()
        for src in _ontology_sources():
            _load(store, src)
        ontology_size = _ontology_size(store)
        for src in sources:
            _load(store, src)
            if src.graph is None:
                _check_dataset_file(store, src, ontology_size)
            else:
                _refuse_empty(store, src)
        asserted = len(store)
        steps["load"] = time.perf_counter() - t
        say(
            Message(
                NP_(
                    "loaded {files} data file + ontology: {triples} triples ({seconds:.2f} s{cpu})",
                    "loaded {files} data files + ontology: {triples} triples ({seconds:.2f} s{cpu})",
                    "files",
                ),
                files=len(sources),
                triples=asserted,
                seconds=steps["load"],
                cpu=_cpu(cpu),
            )
        )

        ontology = load_ontology()
        t, cpu = time.perf_counter(), _process_times()
        # The fast checks read the data as loaded, in a thread beside the inference (the two read the store in
        # the engine, with the GIL let go of: on the other core); their problems, when they find any, stop the
        # build at the inference's next step, and end it before the store held in memory is written to disk.
        with Beside("qkg-checks", _timed_check, store, sources) as checks:
            gate = _ChecksGate(checks, say, steps)
            try:
                inferred = inference.materialise(
                    store,
                    inference.compile_rules(ontology),
                    progress=gate.progress,
                    before_write=gate.wait,
                )
            except Exception:
                gate.wait()  # the data's problems first, as when the checks ran before: they name what to fix
                raise
            gate.wait()
        steps["inference"] = time.perf_counter() - t
        say(
            Message(
                NP_(
                    "OWL 2 RL inference: +{triples} triple ({seconds:.2f} s{cpu})",
                    "OWL 2 RL inference: +{triples} triples ({seconds:.2f} s{cpu})",
                    "triples",
                ),
                triples=inferred,
                seconds=steps["inference"],
                cpu=_cpu(cpu),
            )
        )

        # The build's record goes in first (it says "conforms" when SHACL runs: a violation publishes nothing),
        # so that the store is complete, and closed, before SHACL and the artefacts read it.
        shacl_state = "skipped" if shacl is False else "conforms"
        _record_build(store, sources, asserted=asserted, inferred=inferred, shacl=shacl_state)
        graphs = len(store.graphs())
        size = len(store)  # counted once: each count reads every quad (0.35 s at 2.4M)
        large = size >= PARALLEL_FROM
        workers = _artefact_workers(size, artefacts)

        def validate() -> None:
            # SHACL validates the data under the ontology's entailment, i.e. asserted + inferred triples, so it
            # needs no reasoning of its own (pySHACL's RDFS pass made it 10x slower).
            if shacl is False:
                say(Message(N_("SHACL skipped (--no-shacl)")))
                return
            t_shacl, cpu = time.perf_counter(), _process_times()
            problems = validate_shacl(store, sources, apart=large)
            steps["shacl"] = time.perf_counter() - t_shacl
            if problems:
                raise _data_error(problems)
            say(Message(N_("SHACL: conforms ({seconds:.2f} s{cpu})"), seconds=steps["shacl"], cpu=_cpu(cpu)))

        # A store written in more than one batch is compacted while SHACL reads it here, before any other
        # process opens it (OxigraphStore.begin_compaction): the artefacts' reads, then the server's, are faster.
        # Its artefact processes start meanwhile (their imports), held until it is done (Production's ``held``).
        compact = large and size > COMPACT_FROM
        production = prepared.Production(
            staging.path, staging.path, artefacts, workers=workers, free_memory=large, progress=say, held=compact
        )
        if large and not compact:  # the workers open the store read-only: none may while it is open to write
            staging.close()
            store = open_read_only(staging.path)
            release_memory()  # what the inference held, before SHACL's view
        with production:
            if compact:
                store.begin_compaction()
                validate()
                beside = shacl is not False and store.compacting  # not when SHACL ran apart (it ended it first)
                steps["compaction"] = store.end_compaction() or 0.0
                said = N_("store compacted while SHACL ran ({seconds:.2f} s)") if beside else _COMPACTED
                say(Message(said, seconds=steps["compaction"]))
                staging.close()
                store = open_read_only(staging.path)
                release_memory()  # what the inference held, and SHACL's answers, before the artefacts
            if large:
                say(
                    Message(
                        _ARTEFACTS_AFTER_SHACL if compact else _ARTEFACTS_BESIDE_SHACL,
                        workers=workers,
                        size=PARALLEL_FROM,
                    )
                )
            t = time.perf_counter()
            if not compact:
                validate()
                if large and shacl is not False:
                    release_memory()  # SHACL's view of the graph, before the artefacts made here
            production.finish(store)
        steps["artefacts"] = time.perf_counter() - t - steps.get("shacl", 0.0) * (not workers and not compact)
        say(_peaks(production.peaks, production.made))
        t = time.perf_counter()
        path = staging.publish()
        steps["publish"] = time.perf_counter() - t
        say(
            Message(
                NP_(  # "inferred" agrees with its count in French (1 inféré, 2 inférés); English says "triples"
                    "published {build} ({asserted} asserted + {inferred} inferred triples)",
                    "published {build} ({asserted} asserted + {inferred} inferred triples)",
                    "inferred",
                ),
                build=path.name,
                asserted=asserted,
                inferred=inferred,
            )
        )
        return BuildResult(path, asserted, inferred, graphs, time.perf_counter() - started, steps, shacl_state)
    except BaseException as exc:
        # Drop every reference to the open store (the traceback's frames hold some) before removing its
        # directory, or RocksDB would write its files back when the last reference goes.
        store = None
        exc.__traceback__ = None
        gc.collect()
        if staging.compacting:  # RocksDB must end before its folder goes (minutes at 10M): said, not silent
            say(Message(N_("build stopped: waiting for the store's compaction to end before removing its folder")))
        staging.discard()
        raise exc


#: From this many triples (asserted and inferred) the artefacts are made in several processes while SHACL runs;
#: below it everything runs here, one step after the other (a process costs about a second to start).
PARALLEL_FROM = 100_000
#: The compaction's line when nothing ran beside it (SHACL skipped, or run in a process of its own, which may
#: open the store only once the compaction is done).
_COMPACTED = N_("store compacted ({seconds:.2f} s)")
#: Above this many quads (asserted and inferred) the built store is compacted: pyoxigraph's bulk load writes a
#: million quads a batch, each batch its own overlapping files (the likely reason its reads were slower: measured).
COMPACT_FROM = 1_000_000
_ARTEFACTS_BESIDE_SHACL = NP_(
    "artefacts: {workers} more process makes them while SHACL is validated (over {size:,} triples)",
    "artefacts: {workers} more processes make them while SHACL is validated (over {size:,} triples)",
    "workers",
)
_ARTEFACTS_AFTER_SHACL = NP_(
    "artefacts: {workers} more process makes them (over {size:,} triples)",
    "artefacts: {workers} more processes make them (over {size:,} triples)",
    "workers",
)
#: The build's processes at once, at most (this one and its artefact workers): one per core, and each holds its
#: own query answers, so more would cost memory (2 keep the 1M build near 2 GB).
MAX_PROCESSES = 2


def _artefact_workers(triples: int, artefacts: tuple[prepared.Artefact, ...]) -> int:
    """How many other processes make the artefacts: none for a small graph, one core's worth each above."""
    if triples < PARALLEL_FROM or not artefacts:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(cores, MAX_PROCESSES) - 1)


def _peaks(peaks: dict[str, float], made: dict[str, list[str]]) -> Message:
    """``"peak memory: worker-0 1,254 MB (network, search), build 812 MB (stats)"``: each process's peak (they
    overlap in time) and the artefacts it made."""
    processes = (
        Message(N_("{name} {mb:,.0f} MB ({artefacts})"), name=name, mb=mb, artefacts=", ".join(made.get(name, [])))
        for name, mb in peaks.items()
    )
    return Message(N_("peak memory: {processes}"), processes=Message.joined(processes))


def _cpu(since: float) -> Message:
    """``", CPU 1.23 s"``: this process's CPU time since ``since`` (the figure that survives a loaded machine),
    with that of the processes it started and waited for since (see :func:`_process_times`)."""
    return Message(N_(", CPU {cpu:.2f} s"), cpu=_process_times() - since)


def _process_times() -> float:
    """This process's CPU time, and that of its children that ended (SHACL's process: ``validate_shacl(apart=True)``);
    an artefact worker ends after the steps this measures, so it is not counted in them."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def quiet_literal_warnings():
    """Silence rdflib's warning (with a traceback) about an ill-typed literal: the checks report it by file and line."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _ontology_sources() -> list[Source]:
    return [Source(p, ONTOLOGY_GRAPH) for p in ontology_paths()]


def _load(store: OxigraphStore, src: Source) -> None:
    """Load ``src`` into ``store``. An empty on-disk store first holds its quads in memory until the inference
    has run (:meth:`~qkg.graph.serving.backends.oxigraph.OxigraphStore.hold_in_memory`), up to
    :data:`~qkg.graph.serving.backends.oxigraph.HOLD_MAX_QUADS`."""
    if not src.path.is_file():
        raise DataError(
            N_("{file}: no such file"), file=str(src.path), hint=N_("check the path"), fields={"file": src.path}
        )
    if store.path is not None and not store.held_in_memory and not store.ask("ASK { ?s ?p ?o }"):
        store.hold_in_memory()
    data = src.data if src.data is not None else _without_bom(src.path)
    try:
        store.load(data, format=src.format, graph=src.graph)
    except SyntaxError as exc:
        match = re.search(r"line (\d+)(?: column (\d+))?", str(exc))
        line = int(match.group(1)) if match else None
        if src.data is None:
            _refuse_not_utf8(src.path)
        raise DataError(
            N_("{file}:{where}: syntax error: {problem}"),
            file=str(src.path),
            line=line,
            hint=N_("fix the Turtle syntax at that line (a missing ' .' or ';' is the usual cause)"),
            fields={"file": src.path, "where": str(line or "?"), "problem": exc},
        ) from exc
    except MemoryError as exc:  # the parser's buffer holds at most 16 MB: one literal, IRI or name is larger
        line = _huge_token_line(src) if src.data is None else None
        raise DataError(
            N_("{file}:{where}: a literal, IRI or name longer than the parser's buffer ({problem})"),
            file=str(src.path),
            line=line,
            hint=N_("shorten that value; put long texts in a document and link to it"),
            fields={"file": src.path, "where": str(line or "?"), "problem": exc},
        ) from None
    if store.held_in_memory and len(store) > HOLD_MAX_QUADS:
        store.write_to_disk()  # too big to hold: the checks and inference read the disk store


def _without_bom(path: Path) -> Path | bytes:
    """The file to load: its bytes without the byte order mark an editor's "UTF-8 with BOM" starts it with (CSV
    and YAML files are read past it; the Turtle parser takes it for a stray character), else the path itself."""
    with path.open("rb") as fh:
        if fh.read(3) != b"\xef\xbb\xbf":
            return path
    return path.read_bytes()[3:]


def _refuse_not_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8 text (Latin-1, Windows-1252...) by the line of its first bad byte: the
    parser's own message reads as a syntax error, whose fix (a missing ' .') does not help."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            N_("{file}:{line}: not UTF-8 text (byte {byte})"),
            file=str(path),
            line=line,
            hint=N_("save the file as UTF-8"),
            fields={"file": path, "line": line, "byte": exc.start},
        ) from None


def _refuse_empty(store: Store, src: Source) -> None:
    """Refuse a Turtle or N-Triples file that states nothing (0 bytes, or only prefixes and comments), as an
    empty sheet is: an editor's crash or a stray ``>`` that emptied a file would otherwise publish the graph
    without its facts, unsaid."""
    if src.data is None and src.graph and not store.ask(f"ASK {{ GRAPH <{src.graph}> {{ ?s ?p ?o }} }}", union=False):
        raise DataError(
            N_("{file}: no triples (the file is empty, or holds only prefixes and comments)"),
            file=str(src.path),
            hint=N_("write the file's facts, or remove the file"),
            fields={"file": src.path},
        )


# One token of Turtle/N-Triples/TriG text, to find an over-long one: strings (long ones may span lines),
# IRIs, comments, and runs of anything else.
_TOKEN = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*+"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*+\'\'\''
    rb'|"(?:[^"\\\n]|\\.)*+"|\'(?:[^\'\\\n]|\\.)*+\'|<[^>\s]*+>|#[^\n]*+|[^\s"\'<#]++'
)
_HUGE_TOKEN = 1 << 20


def _huge_token_line(src: Source) -> int | None:
    """The line where the first token over 1 MB starts (the file is read only to find it), or None."""
    data = src.path.read_bytes()
    for match in _TOKEN.finditer(data):
        if match.end() - match.start() > _HUGE_TOKEN:
            return data.count(b"\n", 0, match.start()) + 1
    return None


_RESERVED = RESERVED_GRAPHS


def _check_dataset_file(store: Store, src: Source, ontology_size: int) -> None:
    """A TriG/N-Quads file must put every triple in a named graph of its own, never a reserved one."""
    if store.ask("ASK { ?s ?p ?o }", union=False):  # the default graph only
        raise DataError(
            N_("{file}: triples outside any GRAPH block"),
            file=str(src.path),
            hint=N_("wrap them in GRAPH <…> { } (or use a .ttl file, which gets a graph of its own)"),
            fields={"file": src.path},
        )
    for reserved in _RESERVED:
        if reserved != ONTOLOGY_GRAPH and store.ask(f"ASK {{ GRAPH <{reserved}> {{ ?s ?p ?o }} }}", union=False):
            raise DataError(
                N_("{file}: writes into the reserved graph <{graph}>"),
                file=str(src.path),
                hint=N_("use a graph IRI of your own"),
                fields={"file": src.path, "graph": reserved},
            )
    if _ontology_size(store) != ontology_size:
        raise DataError(
            N_("{file}: writes into the reserved graph <{graph}>"),
            file=str(src.path),
            hint=N_("use a graph IRI of your own; ontology terms belong in ontology/*.ttl"),
            fields={"file": src.path, "graph": ONTOLOGY_GRAPH},
        )


def _ontology_size(store: Store) -> int:
    rows = list(
        store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}", union=False)
    )
    return int(rows[0]["n"].value)


# ---------------------------------------------------------------------------------------------------------
# Fast checks: SPARQL that returns only small, distinct sets, then a targeted look-up for each problem found,
# to name its file and line. Oxigraph joins (VALUES, MINUS) on encoded terms; a FILTER decodes each term it
# reads, so the filters are few and cheap.
# ---------------------------------------------------------------------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: The standard vocabularies whose properties the data may use only as the ontology knows them (declared in
#: ontology/external.ttl or qkg.ttl, or used by the ontology itself): a typo (schema:strtDate) would otherwise
#: drop the fact from every query, unsaid. wdt: (Wikidata) and rdf:/owl: are not checked.
_CHECKED_VOCABULARIES = tuple(
    PREFIXES[p] for p in ("schema", "org", "prov", "rdfs", "skos", "foaf", "gist", "time", "dct", "geo")
)
#: Standard properties the data may use though the ontology neither declares nor uses them: RDFS's own (the
#: vocabulary is closed: these are all of its properties), and those of the build's record (graph-build).
_ALSO_KNOWN = frozenset(
    [PREFIXES["rdfs"] + t for t in ("seeAlso", "isDefinedBy", "member", "domain", "range", "subPropertyOf")]
    + [PREFIXES["prov"] + t for t in ("generatedAtTime", "used")]
    + [PREFIXES["dct"] + "temporal"]
)
#: IRIs under qkg's base that are not entities (``id/``) or ontology terms (``def#``) but are still qkg's: the
#: ontology documents' own IRIs and the shapes.
_OTHER_QKG_IRIS = (str(QKG)[:-1], str(QKG)[:-1] + "/", BASE + "shapes#")
#: At most this many problems of one kind are reported (the first ones tell what to fix).
_MAX_PROBLEMS = 50
#: At most this many uses of one undefined IRI are reported (a section's name cited by thousands of facts).
_MAX_USES = 10


def _asserted(var: str) -> str:
    """A filter that leaves out the graphs the inference writes (the checks run beside it and read the data as
    loaded): a comparison of the graph's name, made on its encoded term (nothing decoded)."""
    return f"FILTER({var} != <{INFERRED_GRAPH}> && {var} != <{inference.DELTA_GRAPH}>)"


#: The IRIs under qkg's base used as objects and defined nowhere (no rdf:type): an entity's (``id/``) is a
#: dangling reference, provenance included (a section's name mistyped); any other but the terms' (``def#``,
#: checked against the ontology) is outside qkg's namespaces (a ``@prefix`` line missing its '/').
_Q_UNDEFINED = f"""
SELECT ?o WHERE {{
  {{ SELECT DISTINCT ?o WHERE {{ %(pattern)s {_asserted("?g")} }} }}
  FILTER(STRSTARTS(STR(?o), "%(base)s") && !STRSTARTS(STR(?o), "%(id)sgraph-")
         && !STRSTARTS(STR(?o), "%(terms)s"))
  MINUS {{ GRAPH ?any {{ ?o a ?type }} {_asserted("?any")} }}
}} ORDER BY ?o LIMIT %(max)d
"""
#: :data:`_Q_UNDEFINED`'s objects: any property's but the provenance's, then the provenance's own (the few report
#: sections: 0.04 s at 1M, where the one pattern for both took 0.35 s more).
_OBJECTS = (
    f"GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?o) && ?p != <{PROV.wasDerivedFrom}>)",
    f"GRAPH ?g {{ ?s <{PROV.wasDerivedFrom}> ?o }} FILTER(isIRI(?o))",
)
#: The typed subjects of the data outside qkg's namespaces (with :data:`_Q_UNDEFINED`'s untyped objects, every
#: IRI a mistyped prefix makes: a typed one is a subject somewhere). Distinct first, then decoded: 0.2 s at 1M.
_Q_STRAY_SUBJECTS = f"""
SELECT ?s WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} FILTER(?g != <%(onto)s>) {_asserted("?g")} }} }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "%(base)s") && !STRSTARTS(STR(?s), "%(id)s")
         && !STRSTARTS(STR(?s), "%(terms)s"))
}} ORDER BY ?s LIMIT %(max)d
"""
#: Entities with two different ``rdfs:label`` in one language (the same id given to two things, in two files or
#: years, merges them). Grouped by entity and language: 0.7 s at 1M (253k labels), a self-join 0.85 s.
_Q_TWO_LABELS = f"""
SELECT ?s ?lang WHERE {{
  GRAPH ?g {{ ?s <{_LABEL}> ?l }} {_asserted("?g")} BIND(LANG(?l) AS ?lang)
}} GROUP BY ?s ?lang HAVING(COUNT(DISTINCT ?l) > 1) LIMIT %(max)d
"""
_Q_DEFINED = f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} {_asserted('?g')} }}"
_Q_TERMS = f"""
SELECT DISTINCT ?g ?term ?kind WHERE {{
  {{ GRAPH ?g {{ ?s ?term ?o }} BIND("property" AS ?kind) }} UNION {{ GRAPH ?g {{ ?s a ?term }} BIND("class" AS ?kind) }}
  {_asserted("?g")}
}}
"""
#: The graphs the inference writes (what :func:`_asserted` leaves out).
_WRITTEN_BY_INFERENCE = frozenset({terms.NamedNode(INFERRED_GRAPH), terms.NamedNode(inference.DELTA_GRAPH)})
_Q_DECLARED = "SELECT DISTINCT ?term WHERE { GRAPH <%(onto)s> { ?term a ?decl } }"
#: The datatype is joined with a VALUES table rather than tested with IN: 4x less CPU in Oxigraph at 1M.
_Q_TYPED_LITERALS = f"""
SELECT DISTINCT ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} {_asserted("?g")} FILTER(isLiteral(?o)) BIND(datatype(?o) AS ?dt) VALUES ?dt {{ %s }}
}}
"""
_Q_NO_LABEL = f"""
SELECT DISTINCT ?g ?s WHERE {{
  VALUES ?c {{ %(classes)s }}
  GRAPH ?g {{ ?s a ?c }} {_asserted("?g")}
  FILTER NOT EXISTS {{ GRAPH ?any {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} {_asserted("?any")} }}
  FILTER NOT EXISTS {{ GRAPH ?any2 {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l2 }} {_asserted("?any2")} }}
  FILTER(STRSTARTS(STR(?s), "%(id)s"))
}} LIMIT %(max)d
"""


def _timed_check(store: Store, sources: list[Source]) -> tuple[list[Problem], float, float]:
    """:func:`check`'s problems, with its wall and CPU seconds (its thread's own CPU: it runs beside the inference)."""
    t, cpu = time.perf_counter(), time.thread_time()
    problems = check(store, sources)
    return problems, time.perf_counter() - t, time.thread_time() - cpu


class _ChecksGate:
    """Where the build waits for its checks, run beside the inference (a :class:`~qkg.graph.serving.cancel.Beside`
    of :func:`_timed_check`): :meth:`progress` says each line of the inference and, once the checks have ended,
    their outcome (the data's problems raised, or "checks passed"); :meth:`wait` waits for them."""

    def __init__(self, checks: Beside, say: Callable[[str], None], steps: dict[str, float]) -> None:
        self.checks, self.say, self.steps = checks, say, steps
        self.told = False

    def progress(self, message) -> None:
        self.say(message)
        if self.checks.done():
            self.wait()

    def wait(self) -> None:
        if self.told:
            return
        problems, seconds, cpu = self.checks.result()
        self.told = True
        self.steps["checks"] = seconds
        if problems:
            raise _data_error(problems)
        self.say(
            Message(
                N_("checks passed: references, literals, labels ({seconds:.2f} s{cpu})"),
                seconds=seconds,
                cpu=Message(N_(", CPU {cpu:.2f} s"), cpu=cpu),
            )
        )


def check(store: Store, sources: list[Source]) -> list[Problem]:
    """Run the fast checks on a loaded store; return every problem found (empty when the data is sound).

    * every ``qkgd:`` IRI used as an object is defined somewhere (has an ``rdf:type``), provenance included;
    * no IRI of the data is under qkg's base but outside ``id/`` and ``def#`` (a ``@prefix`` missing its '/');
    * every ``qkg:`` term used is declared by the ontology, and every property of a standard vocabulary
      (:data:`_CHECKED_VOCABULARIES`) is one the ontology declares or uses;
    * every typed literal (dates, numbers, booleans) is valid for its datatype;
    * no entity has two different ``rdfs:label`` in one language;
    * every entity typed with a qkg class has a label.

    Each check asks for a small distinct set (the objects, the terms, the distinct typed literals), so its
    cost is one pass over the store's indexes; only the problems found are looked up again to locate them.
    At most :data:`_MAX_PROBLEMS` of each kind are reported.
    """
    locate = _Locator(sources)
    ids, qkg = str(QKGD), str(QKG)
    problems: list[Problem] = []
    fields = {"base": BASE, "id": ids, "terms": qkg, "onto": ONTOLOGY_GRAPH, "max": _MAX_PROBLEMS}
    undefined: list[str] = []
    strays: list[str] = []
    for pattern in _OBJECTS:
        for row in store.select(_Q_UNDEFINED % {**fields, "pattern": pattern}, union=False):
            (undefined if row["o"].value.startswith(ids) else strays).append(row["o"].value)
    undefined = sorted(set(undefined))[:_MAX_PROBLEMS]
    strays += [row["s"].value for row in store.select(_Q_STRAY_SUBJECTS % fields, union=False)]
    if undefined:  # the "did you mean" hint needs every defined entity
        known = [r["s"].value for r in store.select(_Q_DEFINED, union=False) if r["s"].value.startswith(ids)]
    for target in undefined:
        hint = _closest(target, known)
        # a section's name mistyped in the provenance of thousands of facts: the first few say what to fix
        for g, subject, p in _uses(store, object=terms.NamedNode(target), limit=_MAX_USES):
            said = (
                Message(
                    N_("refers to <{target}> ({predicate}), which no file defines; did you mean {closest}?"),
                    target=target,
                    predicate=short(p),
                    closest=short(hint),
                )
                if hint
                else Message(
                    N_(
                        "refers to <{target}> ({predicate}), which no file defines; define it (with a type and a "
                        "label) or fix the IRI"
                    ),
                    target=target,
                    predicate=short(p),
                )
            )
            problems.append(locate.problem(g, subject, said))

    declared = {r["term"].value for r in store.select(_Q_DECLARED % {"onto": ONTOLOGY_GRAPH}, union=False)}
    used = [(r["g"].value, r["term"].value, r["kind"].value) for r in store.select(_Q_TERMS, union=False)]
    # the standard terms the ontology knows: those it declares, and the properties it uses itself (rdfs:comment)
    standard = declared | _ALSO_KNOWN | {t for g, t, kind in used if g == ONTOLOGY_GRAPH and kind == "property"}
    strays += [t for g, t, _kind in used if g != ONTOLOGY_GRAPH and _stray(t)]
    problems += _stray_problems(store, locate, list(dict.fromkeys(strays))[:_MAX_PROBLEMS])
    unknown = sorted(
        (g, term, kind)
        for g, term, kind in used
        if g != ONTOLOGY_GRAPH
        and (
            (term.startswith(qkg) and term not in declared)
            or (kind == "property" and term.startswith(_CHECKED_VOCABULARIES) and term not in standard)
        )
    )
    for g, term, kind in unknown[:_MAX_PROBLEMS]:
        graph = terms.NamedNode(g)
        predicate, object_ = (
            (terms.NamedNode(_RDF_TYPE), terms.NamedNode(term)) if kind == "class" else (terms.NamedNode(term), None)
        )
        subjects = dict.fromkeys(
            q.subject.value for q in store.quads(None, predicate, object_, g) if not isinstance(q.subject, terms.Triple)
        )
        if not term.startswith(qkg):  # a standard vocabulary's property: the ontology's of that vocabulary
            vocabulary = next(v for v in _CHECKED_VOCABULARIES if term.startswith(v))
            local = {t[len(vocabulary) :]: t for t in standard if t.startswith(vocabulary)}
            closest = [
                local[m] for m in difflib.get_close_matches(term[len(vocabulary) :], sorted(local), n=1, cutoff=0.8)
            ]
            said = (
                Message(
                    N_("uses {term}, a property the ontology does not know; did you mean {closest}?"),
                    term=short(term),
                    closest=short(closest[0]),
                )
                if closest
                else Message(
                    N_(
                        "uses {term}, a property the ontology does not know; use one of the terms of {vocabulary} it "
                        "declares (ontology/external.ttl), or a qkg: property"
                    ),
                    term=short(term),
                    vocabulary=short(vocabulary),
                )
            )
        else:
            said = Message(
                N_("uses {term}, a class the ontology does not declare; see ontology/qkg.ttl for the terms")
                if kind == "class"
                else N_("uses {term}, a property the ontology does not declare; see ontology/qkg.ttl for the terms"),
                term=short(term),
            )
        for subject in list(subjects)[:_MAX_PROBLEMS]:
            problems.append(locate.problem(graph, subject, said))

    datatypes = " ".join(f"<{d}>" for d in _CHECKED_DATATYPES)
    for row in store.select(_Q_TYPED_LITERALS % datatypes, union=False):
        lit = row["o"]
        with quiet_literal_warnings():
            ill_typed = Literal(lit.value, datatype=URIRef(lit.datatype.value)).ill_typed
        if not ill_typed:
            continue
        for g, subject, p in _uses(store, object=lit):
            problems.append(
                locate.problem(
                    g,
                    subject,
                    Message(
                        N_('{predicate} has the malformed value "{value}" for {datatype}; {fix}'),
                        predicate=short(p),
                        value=lit.value,
                        datatype=short(lit.datatype.value),
                        fix=Message(_datatype_hint(lit.datatype.value)),
                    ),
                )
            )

    problems += _two_labels(store, locate)

    classes = " ".join(f"<{c}>" for c in sorted(declared) if c.startswith(qkg) and c != qkg + "MissionLeg")
    for row in (
        store.select(_Q_NO_LABEL % {"classes": classes, "id": ids, "max": _MAX_PROBLEMS}, union=False)
        if classes
        else ()
    ):
        problems.append(
            locate.problem(
                row["g"],
                row["s"].value,
                Message(N_('has no label: add rdfs:label "…"@fr (and @en where the English name differs)')),
            )
        )
    return problems


def _uses(store: Store, *, object, limit: int | None = None) -> list[tuple]:
    """``(graph, subject, predicate)`` of every quad whose object is ``object`` (the first ``limit``), distinct, in
    order."""
    uses = (
        (q.graph_name, q.subject.value, q.predicate.value)
        for q in store.quads(None, None, object, None)
        if not isinstance(q.subject, terms.Triple) and q.graph_name not in _WRITTEN_BY_INFERENCE
    )
    return list(dict.fromkeys(uses) if limit is None else _first_distinct(uses, limit))


def _first_distinct(items: Iterable, limit: int) -> dict:
    out: dict = {}
    for item in items:
        out[item] = None
        if len(out) >= limit:
            break
    return out


def _stray(iri: str) -> bool:
    """Whether ``iri`` is under qkg's base but neither an entity's (``id/``), a term's (``def#``) nor one of
    :data:`_OTHER_QKG_IRIS` (what a ``@prefix qkgd: <https://w3id.org/qkg/id>`` missing its '/' makes)."""
    return (
        iri.startswith(BASE)
        and not iri.startswith((str(QKGD), str(QKG)))
        and iri not in _OTHER_QKG_IRIS[:1]
        and not iri.startswith(_OTHER_QKG_IRIS[1:])
    )


def _stray_problems(store: Store, locate: _Locator, strays: list[str]) -> list[Problem]:
    """One problem per IRI outside qkg's namespaces, at the line that writes it; when a ``@prefix`` line of its
    file made it, one per such line (every IRI of that prefix is wrong the same way)."""
    problems, told = [], set()
    for iri in strays:
        node = terms.NamedNode(iri)
        found = [
            (q.graph_name, q.subject.value)
            for quads in (
                store.quads(node, None, None, None),
                store.quads(None, None, node, None),
                store.quads(None, node, None, None),
            )
            for q in quads
            if not isinstance(q.subject, terms.Triple)
            and q.graph_name not in _WRITTEN_BY_INFERENCE
            and q.graph_name != terms.NamedNode(ONTOLOGY_GRAPH)
        ][:1]
        if not found:
            continue
        graph, subject = found[0]
        path = locate.by_graph.get(graph.value) if isinstance(graph, terms.NamedNode) else None
        declared = locate.prefix_of(path, iri) if path else None
        if path and declared:
            prefix, namespace, line = declared
            if (path, line) in told:
                continue
            told.add((path, line))
            said = Message(
                N_(
                    "outside qkg's namespaces: line {line} declares the prefix {prefix}: as <{namespace}>; check "
                    "that @prefix line (entities are under <{entities}>, ontology terms under <{terms}>)"
                ),
                line=line,
                prefix=prefix,
                namespace=namespace,
                entities=str(QKGD),
                terms=str(QKG),
            )
            problems.append(Problem(str(path), locate.mention(path, iri, prefix, namespace) or line, short(iri), said))
            continue
        said = Message(
            N_(
                "outside qkg's namespaces; check the @prefix lines and any IRI written in full (entities are under "
                "<{entities}>, ontology terms under <{terms}>)"
            ),
            entities=str(QKGD),
            terms=str(QKG),
        )
        problem = locate.problem(graph, subject, said)
        at = locate.mention(path, iri) if path else None
        problems.append(Problem(problem.file, at or problem.line, short(iri), said))
    return problems


def _two_labels(store: Store, locate: _Locator) -> list[Problem]:
    """An entity with two different ``rdfs:label`` in one language, both places named: the same id given to two
    things (a block copied into next year's file, a sheet and a record) silently merges them."""
    problems = []
    label = terms.NamedNode(_LABEL)
    for row in store.select(_Q_TWO_LABELS % {"max": _MAX_PROBLEMS}, union=False):
        if not isinstance(row["s"], terms.NamedNode):
            continue
        entity, lang = row["s"].value, row["lang"].value
        stated: dict[str, Any] = {}  # each label of that language, with the first graph that states it
        for q in store.quads(row["s"], label, None, None):
            if (
                isinstance(q.object, terms.Literal)
                and q.graph_name not in _WRITTEN_BY_INFERENCE
                and (q.object.language or "") == lang
            ):
                stated.setdefault(q.object.value, q.graph_name)
        if len(stated) < 2:
            continue
        (first_at, first, _), (second_at, second, later) = sorted(
            (locate.place(g, entity), value, g) for value, g in list(stated.items())[:2]
        )
        fields = {"first": first, "first_at": first_at, "second": second, "second_at": second_at, "lang": lang}
        said = Message(
            N_(
                'has two labels in @{lang}: "{first}" ({first_at}) and "{second}" ({second_at}); if these are two '
                "entities, give one of them another id; if it is one, keep one label (other names go in "
                "skos:altLabel)"
            )
            if lang
            else N_(
                'has two labels with no language tag: "{first}" ({first_at}) and "{second}" ({second_at}); if '
                "these are two entities, give one of them another id; if it is one, keep one label (other names "
                "go in skos:altLabel)"
            ),
            **fields,
        )
        problems.append(locate.problem(later, entity, said))
    return problems


#: SHACL engines :func:`validate_shacl` can use: the build's (the shapes compiled to SPARQL), pyshacl-turbo (the
#: build's when a shape is not compiled) and the reference. A test checks that all three give the same report.
SHACL_ENGINES = ("sparql", "turbo", "pyshacl")


def shacl_report(store: OxigraphStore, *, engine: str = "sparql") -> tuple[bool, Graph]:
    """``(conforms, report graph)`` of the store (asserted and inferred triples) against the shapes.

    ``engine="sparql"`` (the build's) runs the shapes compiled to SPARQL on the store in place
    (:mod:`qkg.graph.building.shacl_sparql`: 6.7 s at 1M triples, a few MB); a shape it does not compile makes it
    use pyshacl-turbo instead. ``engine="turbo"`` is pyshacl-turbo: pySHACL's API and report, run in Rust, on the
    part of the graph the shapes read (:func:`shacl_view`; the whole store when the shapes read more: 20-24 s of
    CPU and 1.1 GB at 1M). ``engine="pyshacl"`` is pySHACL on an rdflib copy of the whole graph: the reference,
    slow at scale. Each gives pySHACL's report.
    """
    shapes = _shapes()
    options: dict[str, Any] = {"shacl_graph": shapes, "inference": "none", "advanced": True, "allow_warnings": True}
    if engine == "sparql":
        compiled = _compiled_report(store, shapes)
        if compiled is not None:
            return compiled
        engine = "turbo"
    if engine == "turbo":
        import pyshacl_turbo
        from pyshacl_turbo.rdf import Input  # the engine's own input record: text it parses in Rust

        view = shacl_view(store, shapes)
        # The view goes to the engine as the N-Triples text it parses natively: a pyoxigraph store would be
        # dumped to N-Quads twice by the engine (a snapshot, then its input), and an in-memory copy of the
        # view loaded first; at 1M triples the text alone saves ~7 s of CPU and the copy's memory.
        data = store.native if view is None else Input(view.decode("utf-8"), "nt", None, {}, preserve_ids=True)
        del view
        conforms, report, _text = pyshacl_turbo.validate(data, **options)
        del data
    elif engine == "pyshacl":
        import pyshacl
        from qkg.graph.building.export import to_rdflib

        conforms, report, _text = pyshacl.validate(to_rdflib(store), **options)
    else:
        raise ValueError(f"unknown SHACL engine {engine!r}: use one of {', '.join(SHACL_ENGINES)}")
    return bool(conforms), report


def _compiled_report(store: Store, shapes: Graph) -> tuple[bool, Graph] | None:
    """The report of the shapes compiled to SPARQL, or None when a shape is not compiled (raised before any
    query is run: the caller uses pyshacl-turbo)."""
    try:
        return shacl_sparql.validate(store, shapes)
    except shacl_sparql.Unsupported as exc:
        logging.getLogger(__name__).info("SHACL on pyshacl-turbo: %s is not compiled to SPARQL", exc)
        return None


def _shapes() -> Graph:
    """The SHACL shapes (ontology/shapes.ttl), parsed."""
    return Graph().parse(ontology_paths()[0].parent / SHAPES_FILE, format="turtle")


_SH = str(SH)
#: The SHACL terms whose constraints read only the values of their paths (and the types of those values):
#: shapes made of these alone let :func:`shacl_view` hand the engine a part of the graph.
_SH_LOCAL = frozenset(
    str(t)
    for t in shacl_sparql.SHAPE_TERMS
    | shacl_sparql.sh_terms(
        "NodeShape PropertyShape inversePath alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath uniqueLang "
        "pattern flags qualifiedValueShapesDisjoint equals disjoint lessThan lessThanOrEquals Violation Warning Info "
        "IRI BlankNode Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral"
    )
    if t != RDF.type
)
#: Objects of these are predicates the shapes read (a path's, possibly nested in a path expression).
_SH_PREDICATES = tuple(
    URIRef(_SH + t)
    for t in ["path", "targetSubjectsOf", "targetObjectsOf", "equals", "disjoint", "lessThan", "lessThanOrEquals"]
)
_SUBCLASS = str(RDFS.subClassOf)
_RDF_LIST = frozenset(str(RDF) + t for t in ("first", "rest", "nil"))


def shacl_view(store: OxigraphStore, shapes: Graph) -> bytes | None:
    """The triples the shapes can read, as N-Triples; None when they may read anything (use the store).

    A shape made of the usual constraints (:data:`_SH_LOCAL`) reads only: its targets, the values of its
    paths' predicates, and, for ``sh:targetClass`` / ``sh:class``, ``rdf:type`` and ``rdfs:subClassOf``. So
    the engine gets the triples of those predicates (over every named graph, inferred ones included), and of
    ``rdf:type`` only the types that are one of those classes or a subclass of one. The report is the
    same as on the whole graph (a test compares it with pySHACL's on the whole graph); at 1M triples this
    is about 45% of the entailed graph (0.98M triples, 132 MB of text), and the engine holds a copy of what
    it reads. Serialised by pyoxigraph, in Rust: no Python object per triple (7-8 s of CPU at 1M).
    """
    for p in set(shapes.predicates()) | set(shapes.objects(None, RDF.type)):
        if str(p).startswith(_SH) and str(p) not in _SH_LOCAL:
            return None  # sh:closed, SPARQL constraints and targets...: they read more than their paths
    predicates: set[str] = set()
    for term in _SH_PREDICATES:
        for start in shapes.objects(None, term):
            predicates.update(_path_iris(shapes, start))
    classes = {str(c) for t in ("targetClass", "class") for c in shapes.objects(None, URIRef(_SH + t))}
    classes |= _implicit_classes(shapes)
    patterns = ["{ VALUES ?p { %s } ?s ?p ?o }" % " ".join(f"<{p}>" for p in sorted(predicates | {_SUBCLASS}))]
    if classes and str(RDF.type) not in predicates:  # the types of those classes and of their subclasses
        rows = store.select(
            "SELECT DISTINCT ?sub WHERE { VALUES ?c { %s } ?sub <%s>* ?c FILTER(isIRI(?sub)) }"
            % (" ".join(f"<{c}>" for c in sorted(classes)), _SUBCLASS)
        )
        read = " ".join(sorted({f"<{r['sub'].value}>" for r in rows}))
        patterns.append(f"{{ VALUES ?o {{ {read} }} ?s a ?o BIND(<{RDF.type}> AS ?p) }}")
    return store.construct_ntriples("CONSTRUCT { ?s ?p ?o } WHERE { %s }" % " UNION ".join(patterns))


def _implicit_classes(shapes: Graph) -> set[str]:
    """Shapes that are also classes (SHACL's implicit class targets)."""
    return {str(s) for kind in (RDFS.Class, OWL.Class) for s in shapes.subjects(RDF.type, kind)}


def _path_iris(shapes: Graph, node) -> set[str]:
    """The predicate IRIs of a SHACL path expression (an IRI, or inverse/alternative/sequence/repeat paths)."""
    if isinstance(node, URIRef):
        return set() if str(node) in _RDF_LIST else {str(node)}
    out: set[str] = set()
    for _p, o in shapes.predicate_objects(node):
        out |= _path_iris(shapes, o)
    return out


def validate_shacl(
    store: OxigraphStore, sources: list[Source], *, engine: str = "sparql", apart: bool = False
) -> list[Problem]:
    """The SHACL violations of the store (see :func:`shacl_report`), each located in its file.

    ``apart`` (a large graph's build, on a store opened read-only): an engine that copies the graph
    (pyshacl-turbo, pySHACL) makes the report in a process of its own, which opens the store again and ends with
    it, so that what the engine held goes back to the system (made in the build's process, at 1M triples
    pyshacl-turbo's 1.1 GB peaked 0.2-0.4 GB higher there than alone, and ~0.5 GB of it stayed with the process
    for the artefacts made after it). The shapes compiled to SPARQL hold only their answers: they run here.
    """
    compiled = _compiled_report(store, _shapes()) if engine == "sparql" else None
    engine = "turbo" if engine == "sparql" else engine  # used only when the shapes are not compiled
    if compiled is not None:
        conforms, report = compiled
    elif apart:
        assert store.path is not None  # a store on disk, which the other process opens
        store.end_compaction()  # the other process must not open files a compaction is replacing
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no RocksDB thread is forked
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            conforms, text = pool.submit(_shacl_apart, str(store.path), engine).result()
        report = Graph()
        if not conforms:
            report.parse(data=text, format="nt")
    else:
        conforms, report = shacl_report(store, engine=engine)
    if conforms:
        return []
    locate = _Locator(sources)
    where = _graph_of_subjects(store)
    sh = "http://www.w3.org/ns/shacl#"
    problems = []
    for res in report.subjects(URIRef(sh + "resultSeverity"), URIRef(sh + "Violation")):
        focus = str(report.value(res, URIRef(sh + "focusNode")))
        path = report.value(res, URIRef(sh + "resultPath"))
        message = str(report.value(res, URIRef(sh + "resultMessage")) or N_("violates a shape"))
        # a shape's sh:message is a message of the catalogue (ontology/shape_messages.py): given in the reader's
        # language; the engine's own text, for a shape without one, as the engine writes it
        said = Message(message)
        if path is not None and not message.startswith("has"):
            said = Message(N_("{path}: {problem}"), path=short(str(path)), problem=said)
        problems.append(locate.problem(where.get(focus), focus, said))
    return sorted(set(problems), key=str)


def _shacl_apart(path: str, engine: str) -> tuple[bool, str]:
    """:func:`shacl_report` of the store at ``path`` (opened read-only), in the process that runs it: whether
    it conforms, and the report as N-Triples when it does not."""
    conforms, report = shacl_report(open_read_only(path), engine=engine)
    return conforms, "" if conforms else report.serialize(format="nt")


def _graph_of_subjects(store: Store) -> dict[str, terms.NamedNode]:
    out: dict[str, terms.NamedNode] = {}
    # the graph that states a type, never the inferred one (a subject's derived types came first there, and its
    # problems were located in "(unknown file)" instead of the file and line that define it)
    query = f"SELECT ?s ?g WHERE {{ GRAPH ?g {{ ?s a ?t }} FILTER(?g NOT IN (<{INFERRED_GRAPH}>, <{BUILD_GRAPH}>)) }}"
    for row in store.select(query, union=False):
        out.setdefault(str(row["s"].value), row["g"])
    return out


#: A Turtle/TriG prefix declaration: ``@prefix qkgd: <...> .`` or ``PREFIX qkgd: <...>``.
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+(?P<name>[\w.-]*):\s*<(?P<ns>[^>]*)>", re.IGNORECASE)


class _Locator:
    """Maps named graphs back to files, and entities to the line that defines them."""

    def __init__(self, sources: list[Source]) -> None:
        self.by_graph = {s.graph: s.path for s in sources if s.graph}
        self._lines: dict[Path, list[str]] = {}

    def problem(self, graph, entity: str, message: str) -> Problem:
        path = self.by_graph.get(graph.value) if isinstance(graph, terms.NamedNode) else None
        if path is None and isinstance(graph, terms.NamedNode) and graph.value == ONTOLOGY_GRAPH:
            return Problem("ontology/", None, short(entity), message)
        return Problem(
            str(path) if path else "(unknown file)", self._line(path, entity) if path else None, short(entity), message
        )

    def place(self, graph, entity: str) -> str:
        """Where ``entity`` is stated in ``graph``'s file: ``file:line``, or the file alone."""
        problem = self.problem(graph, entity, "")
        return problem.file + (":" + str(problem.line) if problem.line else "")

    def prefix_of(self, path: Path, iri: str) -> tuple[str, str, int] | None:
        """The ``@prefix`` (or ``PREFIX``) declaration of ``path`` that makes ``iri``, when its namespace is under
        qkg's base but is not one of qkg's own: ``(prefix, namespace, line)``."""
        if path.suffix not in (".ttl", ".trig"):
            return None
        best = None
        for number, text in enumerate(self._text(path), start=1):
            match = _PREFIX_LINE.match(text)
            if (
                match
                and iri.startswith(match["ns"])
                and _stray(match["ns"] + "x")
                and (best is None or len(match["ns"]) > len(best[1]))
            ):
                best = (match["name"], match["ns"], number)
        return best

    def mention(self, path: Path, iri: str, prefix: str | None = None, namespace: str | None = None) -> int | None:
        """The first line of ``path`` that writes ``iri``, in full or as ``prefix:local``."""
        if path.suffix in (".csv", ".yaml", ".yml"):
            return None
        forms = [re.escape(f"<{iri}>")]
        if prefix is not None and namespace is not None:
            forms.append(rf"(?<![\w:.-]){re.escape(prefix)}:{re.escape(iri[len(namespace) :])}(?![\w:-])")
        pattern = re.compile("|".join(forms))
        for number, text in enumerate(self._text(path), start=1):
            if pattern.search(text) and not _PREFIX_LINE.match(text):
                return number
        return None

    def _text(self, path: Path) -> list[str]:
        if path not in self._lines:
            self._lines[path] = path.read_text(encoding="utf-8-sig").splitlines() if path.stat().st_size < 5e6 else []
        return self._lines[path]

    def _line(self, path: Path, entity: str) -> int | None:
        self._text(path)
        local = entity.rsplit("/", 1)[-1]
        if path.suffix == ".csv":  # a sheet: the row whose first cell is the entity's id
            pattern = re.compile(rf"^\s*\"?(qkgd:)?{re.escape(local)}\"?\s*(,|$)")
        elif path.suffix in (".yaml", ".yml"):  # records: the line of the entity's id
            pattern = re.compile(rf"^\s*(-\s+)?id:\s*[\"']?(qkgd:)?{re.escape(local)}[\"']?\s*(#.*)?$")
        else:
            pattern = re.compile(rf"^\s*(qkgd:{re.escape(local)}|<{re.escape(entity)}>)(\s|$)")
        for number, text in enumerate(self._lines[path], start=1):
            if pattern.match(text):
                return number
        return None


#: The problems a build's error lists (the rest are counted).
_PROBLEMS_SHOWN = 30


def _data_error(problems: list[Problem]) -> DataError:
    """The build's error for the ``problems`` it found: how many, then each (up to :data:`_PROBLEMS_SHOWN`) with
    its file, line, entity and fix, in the reader's language on the command line and the API."""
    first = problems[0]
    more = len(problems) - _PROBLEMS_SHOWN
    return DataError(
        NP_(
            "{n} problem in the data; nothing was published (the last good graph, if any, still serves):\n"
            "  - {problems}{more}",
            "{n} problems in the data; nothing was published (the last good graph, if any, still serves):\n"
            "  - {problems}{more}",
        ),
        file=first.file,
        line=first.line,
        entity=first.entity,
        hint=N_("fix each file and entity listed, then run `qkg build` again"),
        fields={
            "n": len(problems),
            "problems": Message.joined([p.said() for p in problems[:_PROBLEMS_SHOWN]], "\n  - "),
            "more": Message(NP_("\n  ... and {n} more", "\n  ... and {n} more"), n=more) if more > 0 else "",
        },
    )


#: A named graph of a report year, as ``data/<year>/FILE`` gets (loaders/sources.py) and N-Quads may name it.
_YEAR_GRAPH = re.compile(re.escape(str(QKGD)) + "graph-(" + YEAR_PATTERN + ")-")


def _record_build(store: Store, sources: list[Source], *, asserted: int, inferred: int, shacl: str) -> None:
    g = terms.NamedNode(BUILD_GRAPH)
    build_node = terms.NamedNode(str(QKGD["build"]))
    prov, xsd = str(PROV), str(XSD)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    quads = [
        terms.Quad(
            build_node,
            terms.NamedNode(prov + "generatedAtTime"),
            terms.Literal(now, datatype=terms.NamedNode(xsd + "dateTime")),
            g,
        ),
        terms.Quad(
            build_node,
            terms.NamedNode(str(QKG["assertedTriples"])),
            terms.Literal(str(asserted), datatype=terms.NamedNode(xsd + "integer")),
            g,
        ),
        terms.Quad(
            build_node,
            terms.NamedNode(str(QKG["inferredTriples"])),
            terms.Literal(str(inferred), datatype=terms.NamedNode(xsd + "integer")),
            g,
        ),
        terms.Quad(build_node, terms.NamedNode(str(QKG["shaclStatus"])), terms.Literal(shacl), g),
    ]
    year_tag, gyear = terms.NamedNode(YEAR_TAG), terms.NamedNode(xsd + "gYear")
    years = {src.graph: src.year for src in sources if src.year and src.graph}
    if any(src.graph is None for src in sources):  # N-Quads and TriG name their graphs: graph-<year>-... is a year's
        years.update(
            {name: m.group(1) for name in store.graphs() if name not in years and (m := _YEAR_GRAPH.match(name))}
        )
    for name, year in sorted(years.items()):
        quads.append(terms.Quad(terms.NamedNode(name), year_tag, terms.Literal(year, datatype=gyear), g))
    for src in sources:
        digest = hashlib.sha256(src.path.read_bytes()).hexdigest()[:16]
        quads.append(
            terms.Quad(build_node, terms.NamedNode(prov + "used"), terms.Literal(f"{src.path.name} sha256:{digest}"), g)
        )
    store.add(quads)


def _closest(target: str, known: Iterable[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(target, [k for k in known if k.startswith(str(QKGD))], n=1, cutoff=0.85)
    return match[0] if match else None


def _datatype_hint(datatype: str) -> str:
    """The fix for a malformed value of ``datatype`` (a message of the catalogue)."""
    return {
        str(XSD.date): N_("write a real day as YYYY-MM-DD, or use xsd:gYearMonth / xsd:gYear when the day is unknown"),
        str(XSD.gYearMonth): N_('write YYYY-MM (e.g. "2024-09"^^xsd:gYearMonth)'),
        str(XSD.gYear): N_('write YYYY (e.g. "2024"^^xsd:gYear)'),
    }.get(datatype, N_("write a valid value for that datatype"))
