"""Artefacts: written with the build, atomically, read back as written; an old build gets them computed once."""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from qkg.api.prepared import ARTEFACTS, BY_NAME
from qkg.graph.building import pipeline
from qkg.graph.building.artefacts import ARTEFACT_DIR, Artefact, ArtefactMissing, Artefacts
from qkg.graph.building.pipeline import build
from qkg.graph.building.stats import graph_stats
from qkg.graph.errors import BuildError, DataError
from qkg.graph.pages.search import SearchIndex
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.sources import discover

from tests.api_server import start_server

MINI = Path(__file__).parent / "data" / "mini"


def test_json_and_pickle_round_trip(tmp_path):
    store = Artefacts(tmp_path)
    store.write("figures", {"a": [1, 2], "é": "ü"})
    store.write("pairs", {(1, 2): {3}}, fmt="pickle")
    again = Artefacts(tmp_path)  # a fresh reader: nothing memoised
    assert again.read("figures") == {"a": [1, 2], "é": "ü"}
    assert again.read("pairs") == {(1, 2): {3}}
    assert again.names() == ["figures", "pairs"]
    assert sorted(p.name for p in (tmp_path / ARTEFACT_DIR).iterdir()) == [
        "figures.json",
        "manifest.json",
        "pairs.pickle",
    ]


def test_a_temporary_file_left_by_a_process_that_ended_is_removed_by_the_next_write(tmp_path):
    """A writer killed mid-write (SIGKILL, the out-of-memory killer) left its artefact's temporary file in the
    build for good; the next write of that artefact removes it, and leaves one a live writer holds."""
    import subprocess
    import sys

    store = Artefacts(tmp_path)
    store.write("figures", {"a": 1})
    folder = tmp_path / ARTEFACT_DIR
    left = folder / ".figures.json.4242.deadbeef.tmp"
    left.write_bytes(b'{"half')
    held = folder / ".figures.json.4343.cafecafe.tmp"
    held.write_bytes(b"being written")
    # a live writer in another process holds its file's lock until it is told to stop
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'rb'); fcntl.flock(f, fcntl.LOCK_EX);"
            " print('held', flush=True); sys.stdin.read()",
            str(held),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "held"
        store.write("figures", {"a": 2})
        assert not left.exists() and held.exists()
        assert Artefacts(tmp_path).read("figures") == {"a": 2}
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
    assert sorted(p.name for p in folder.iterdir()) == [held.name, "figures.json", "manifest.json"]


def test_reading_a_large_artefact_never_runs_the_collector(tmp_path):
    """The collector's passes over millions of fresh objects held the GIL during a build swap (issue 14): a read
    holds it off, and freezes what it read, so no collection walks the artefact later either."""
    import gc

    value = [(f"label {i}", i, {"n": i}) for i in range(300_000)]
    Artefacts(tmp_path).write("big", value, fmt="pickle")
    collections: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.unfreeze()
    frozen = gc.get_freeze_count()
    gc.callbacks.append(record)
    try:
        read = Artefacts(tmp_path).read("big")
    finally:
        gc.callbacks.remove(record)
    assert read == value
    assert collections == []  # 300k tuples and dicts: without the pause, hundreds of collections
    assert gc.isenabled() and gc.get_freeze_count() >= frozen + 600_000  # its tuples and dicts, frozen
    gc.unfreeze()


_NO_CYCLE = """
import gc, sys
import networkx as nx
from qkg.api.prepared import BY_NAME
from qkg.graph.building.artefacts import _Memo
from qkg.graph.serving.store import open_read_only

store = _Memo(open_read_only(sys.argv[1]))
gc.collect()
gc.disable()
gc.set_debug(gc.DEBUG_SAVEALL)
for name in sys.argv[2:]:
    make = BY_NAME[name].make
    assert make.func is BY_NAME["void"].make.func and not make.keywords  # held off, then frozen
    value = make.args[0](store)  # what the artefact makes, without the wrapper's freeze
    del value
gc.collect()
print(sorted({type(o).__name__ for o in gc.garbage if type(o).__module__.startswith("networkx.classes")}))  # graphs, views
"""


def test_the_network_and_centrality_artefacts_leave_no_reference_cycle(graph_2024):
    """The network and centrality artefacts are made with the collector held off, then frozen, never
    collected (a full pass walked every live row and graph: 1.3 s of the 1M network): what they drop, their
    networkx graphs included, must be freed by reference counting, or the freeze would keep it for good.
    Made in a process of its own: none of this session's other garbage is counted."""
    import subprocess
    import sys

    names = ["network", "centrality-actors", "page-centrality-fr", "page-centrality-en", "page-centrality-years"]
    store = str(StoreLayout(graph_2024).require_current())
    done = subprocess.run([sys.executable, "-c", _NO_CYCLE, store, *names], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_bad_names_and_unreadable_files_are_refused(tmp_path):
    store = Artefacts(tmp_path)
    with pytest.raises(ValueError, match="letters, digits"):
        store.write("../escape", 1)
    store.write("x", 1, fmt="pickle")
    (tmp_path / ARTEFACT_DIR / "x.pickle").write_bytes(b"not a pickle")
    with pytest.raises(ArtefactMissing, match="cannot be read"):
        Artefacts(tmp_path).read("x")


def test_get_computes_a_missing_artefact_once_and_stores_it(tmp_path):
    calls = []
    store = Artefacts(tmp_path)
    for _ in range(3):
        assert store.get("late", lambda: calls.append(1) or {"n": 7}) == {"n": 7}
    assert calls == [1]
    assert Artefacts(tmp_path).read("late") == {"n": 7}


def test_the_build_publishes_its_artefacts_with_its_store(tmp_path):
    extra = Artefact(
        "entities", lambda store: len(list(store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } }")))
    )
    result = build(discover(MINI), data_dir=tmp_path, shacl=False, artefacts=[*ARTEFACTS, extra])
    stored = Artefacts(StoreLayout(tmp_path).current())
    assert set(stored.names()) == {a.name for a in ARTEFACTS} | {"entities"}
    store = open_read_only(result.path)
    assert stored.read("stats") == graph_stats(store)
    assert stored.read("entities") > 0
    index = stored.read("search", load=BY_NAME["search"].load)
    assert isinstance(index, SearchIndex)
    assert (stored.path / "search.sqlite").is_file()
    hits = [h.id for h in index.search("pays a")]
    assert "t-country-a" in hits
    assert hits == [h.id for h in SearchIndex.from_store(store).search("pays a")]
    assert "artefacts" in result.steps


def test_a_failed_build_publishes_no_artefacts(tmp_path):
    bad = tmp_path / "data"
    shutil.copytree(MINI, bad)
    (bad / "broken.ttl").write_text("@prefix qkgd: <https://w3id.org/qkg/id/> .\nqkgd:x qkgd:y qkgd:nowhere .\n")
    with pytest.raises(DataError):
        build(discover(bad), data_dir=tmp_path / "out", shacl=False, artefacts=ARTEFACTS)
    assert StoreLayout(tmp_path / "out").current() is None
    assert list((tmp_path / "out" / "stores").iterdir()) == []


def test_the_server_reads_the_artefacts_and_computes_them_for_an_old_build(tmp_path):
    build(discover(MINI), data_dir=tmp_path, shacl=False, artefacts=ARTEFACTS)
    folder = StoreLayout(tmp_path).current() / ARTEFACT_DIR
    stats = json.loads((folder / "stats.json").read_text())
    real = stats["triples"]
    stats["triples"] = 987654321  # a value no computation gives: the server must have read the file
    (folder / "stats.json").write_text(json.dumps(stats))
    server = start_server(tmp_path)
    try:
        with server.client() as client:
            assert client.get("/api/stats").json()["triples"] == 987654321
            assert "987654321" in client.get("/.well-known/void").text
    finally:
        server.stop()

    shutil.rmtree(folder)  # a build made before artefacts existed
    server = start_server(tmp_path)
    try:
        with server.client() as client:
            assert client.get("/api/stats").json()["triples"] == real
            rows = client.get("/api/analysis/centrality", params={"top": 3}).json()["rows"]
            assert len(rows) == 3
            hits = client.get("/api/search", params={"q": "pays a"}).json()["hits"]
            assert "t-country-a" in [h["id"] for h in hits]
    finally:
        server.stop()
    assert {"stats", "centrality-actors", "search"} <= set(Artefacts(folder.parent).names())  # stored for next time


# -- a large build's artefacts, made in other processes while SHACL runs -----------------------------------


def _broken(store, flag: Path | None = None):
    """An artefact that fails (module-level, so it pickles: a worker process can make it); ``flag`` is created
    first, to tell the test's process that the worker got it."""
    if flag is not None:
        flag.touch()
    raise DataError("the artefact found nothing to count", file="broken.ttl", hint="add something to count")


def _waiting_for(ready) -> Artefact:
    """An artefact the build's own process makes first (a lambda does not pickle), which waits until ``ready()``:
    meanwhile the worker process takes the other groups, so the test knows it made some."""

    def wait(store):
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        return ready()

    return Artefact("waited", lambda store: wait(store))


def _parallel(monkeypatch) -> None:
    """Make the build take its large-graph path on the tiny graph: the artefacts in a second process."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the build makes its artefacts in its own process")
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)


def _values(folder: Path) -> dict:
    """Every artefact of a build as the server reads it (the search index as its answers)."""
    stored = Artefacts(folder)
    out = {}
    for name in set(stored.names()) - {"waited"}:
        value = stored.read(name, load=BY_NAME[name].load)
        if name == "search":
            value = [(h.id, h.score) for q in ("pays a", "ville", "réseau") for h in value.search(q)]
        elif BY_NAME[name].fmt == "sqlite":  # another database: its tables' rows
            with sqlite3.connect(stored.path / f"{name}.sqlite") as db:
                tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
                value = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in tables}
        elif name == "stats":
            value = {**value, "build": {k: v for k, v in value["build"].items() if k != "prov:generatedAtTime"}}
        elif name == "network":
            value = (
                sorted(value.graph.nodes(data=True), key=str),
                sorted(value.graph.edges(data=True), key=str),
                value.metrics,
                value.positions,
            )
        out[name] = value
    return out


def test_a_large_build_makes_its_artefacts_in_a_second_process_with_the_same_values(tmp_path, monkeypatch):
    alone = build(discover(MINI), data_dir=tmp_path / "alone", shacl=True, artefacts=ARTEFACTS)
    _parallel(monkeypatch)
    worker_made = _waiting_for(lambda: any(Artefacts(p).names() for p in (tmp_path / "two" / "stores").glob("*")))
    lines: list[str] = []
    result = build(
        discover(MINI),
        data_dir=tmp_path / "two",
        shacl=True,
        artefacts=[worker_made, *ARTEFACTS],
        progress=lines.append,
    )
    assert Artefacts(result.path).read("waited") is True  # the worker made an artefact while this process waited
    assert any(line.startswith("peak memory: ") and "worker-0" in line for line in lines), lines
    made = [line.split(":")[0].removeprefix("artefact ") for line in lines if line.startswith("artefact ")]
    assert sorted(made) == sorted(["waited", *(a.name for a in ARTEFACTS)])  # each once, by either process
    assert result.shacl == "conforms"
    assert _values(result.path) == _values(alone.path)


@pytest.mark.parametrize("parallel", [False, True])
def test_a_failed_artefact_fails_the_build_with_its_own_error_and_publishes_nothing(tmp_path, monkeypatch, parallel):
    artefacts = [*ARTEFACTS, Artefact("broken", _broken)]
    if parallel:  # the worker takes the broken artefact while this process waits for it to
        _parallel(monkeypatch)
        flag = tmp_path / "worker-took-it"
        artefacts = [_waiting_for(flag.exists), Artefact("broken", functools.partial(_broken, flag=flag))]
    with pytest.raises(DataError) as info:
        build(discover(MINI), data_dir=tmp_path / "out", shacl=True, artefacts=artefacts)
    assert str(info.value) == "the artefact found nothing to count"
    assert (info.value.file, info.value.hint) == ("broken.ttl", "add something to count")
    if parallel:
        assert flag.exists()
        assert any("in the artefact process" in note for note in info.value.__notes__)  # the worker's traceback
    assert StoreLayout(tmp_path / "out").current() is None
    assert list((tmp_path / "out" / "stores").iterdir()) == []
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("qkg-artefacts")]


def _compacting(monkeypatch) -> None:
    """The large-graph path of a store written in more than one batch: compacted while SHACL runs, then the
    artefacts in a second process (OxigraphStore.begin_compaction)."""
    _parallel(monkeypatch)
    monkeypatch.setattr(pipeline, "COMPACT_FROM", 0)


def _graph_sizes(path: Path) -> dict[str, int]:
    store = open_read_only(path)
    return {g: len(list(store.quads(graph=g))) for g in store.graphs()}


def test_a_large_build_compacts_its_store_while_shacl_runs_and_keeps_every_quad_and_value(tmp_path, monkeypatch):
    alone = build(discover(MINI), data_dir=tmp_path / "alone", shacl=True, artefacts=ARTEFACTS)
    _compacting(monkeypatch)
    lines: list[str] = []
    result = build(discover(MINI), data_dir=tmp_path / "two", shacl=True, artefacts=ARTEFACTS, progress=lines.append)
    steps = [line.split(" (")[0] for line in lines]
    compacted = steps.index("store compacted while SHACL ran")
    assert steps.index("SHACL: conforms") < compacted < steps.index("artefacts: 1 more process makes them")
    assert result.steps["compaction"] > 0
    # the worker, held during the compaction, took the first group (the search index's) before this process
    peaks = next(line for line in lines if line.startswith("peak memory: "))
    assert re.search(r"worker-0 [\d,]+ MB \(search, ", peaks), peaks
    assert _graph_sizes(result.path) == _graph_sizes(alone.path)
    assert _values(result.path) == _values(alone.path)


@pytest.mark.parametrize("bad", [False, True])
def test_a_compacting_build_whose_shapes_are_not_compiled_validates_on_turbo_apart(tmp_path, monkeypatch, bad):
    """SHACL then runs in a process of its own (``validate_shacl(apart=True)``), which opens the store read-only
    while the build holds it open to write, once the compaction is over."""
    from rdflib import URIRef

    _compacting(monkeypatch)
    shapes = pipeline._shapes()
    for triple in list(shapes.triples((None, URIRef("http://www.w3.org/ns/shacl#message"), None))):
        shapes.remove(triple)  # no sh:message: not compiled (shacl_sparql.Unsupported)
    monkeypatch.setattr(pipeline, "_shapes", lambda: shapes)
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    facts = data / "facts.ttl"
    if bad:
        facts.write_text(
            facts.read_text().replace("qkg:party qkgd:t-gov-a , qkgd:t-gov-b", "qkg:party qkgd:t-gov-a", 1)
        )
        with pytest.raises(DataError) as info:
            build(discover(data), data_dir=tmp_path / "out", shacl=True, artefacts=ARTEFACTS)
        assert info.value.file == str(facts)
        assert list((tmp_path / "out" / "stores").iterdir()) == []
        return
    lines: list[str] = []
    result = build(discover(data), data_dir=tmp_path / "out", shacl=True, artefacts=ARTEFACTS, progress=lines.append)
    assert result.shacl == "conforms" and any(line.startswith("store compacted") for line in lines)
    assert _graph_sizes(result.path) == _graph_sizes(build(discover(MINI), data_dir=tmp_path / "alone").path)


@pytest.mark.parametrize("compact", [False, True])
def test_a_shacl_violation_stops_the_artefact_process_and_publishes_nothing(tmp_path, monkeypatch, compact):
    _compacting(monkeypatch) if compact else _parallel(monkeypatch)
    bad = tmp_path / "data"
    shutil.copytree(MINI, bad)
    facts = bad / "facts.ttl"
    facts.write_text(facts.read_text().replace("qkg:party qkgd:t-gov-a , qkgd:t-gov-b", "qkg:party qkgd:t-gov-a", 1))
    with pytest.raises(DataError, match="at least two qkg:party") as info:
        build(discover(bad), data_dir=tmp_path / "out", shacl=True, artefacts=ARTEFACTS)
    assert info.value.file == str(facts)
    assert StoreLayout(tmp_path / "out").current() is None
    assert list((tmp_path / "out" / "stores").iterdir()) == []
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("qkg-artefacts")]


def _dies(store, flag: Path):
    """An artefact whose process ends at once, as the kernel's out-of-memory killer would end it."""
    flag.touch()
    os._exit(9)


def test_a_worker_that_dies_fails_the_build_clearly_and_publishes_nothing(tmp_path, monkeypatch):
    _parallel(monkeypatch)
    flag = tmp_path / "worker-took-it"
    artefacts = [_waiting_for(flag.exists), Artefact("dies", functools.partial(_dies, flag=flag))]
    with pytest.raises(BuildError, match="ended without a word") as info:
        build(discover(MINI), data_dir=tmp_path / "out", shacl=False, artefacts=artefacts)
    assert "qkg build" in info.value.hint
    assert StoreLayout(tmp_path / "out").current() is None
    assert list((tmp_path / "out" / "stores").iterdir()) == []


def test_an_older_builds_json_is_read_where_a_pickle_is_now_written(tmp_path):
    """``centrality-actors`` is a pickle now (read in a thread, a 40 MB pickle lets the event loop run; a 62 MB
    ``json.loads`` held the GIL for seconds): an older build's JSON file of the same plain data is still read,
    a file of another format is not."""
    from qkg.api.prepared import BY_NAME

    assert BY_NAME["centrality-actors"].fmt == "pickle"
    Artefacts(tmp_path).write("ranking", {"rows": [{"node": "qkgd:a", "degree": 1.0}]}, fmt="json")
    assert Artefacts(tmp_path).read("ranking", fmt="pickle") == {"rows": [{"node": "qkgd:a", "degree": 1.0}]}
    with pytest.raises(ArtefactMissing, match="stored as json"):
        Artefacts(tmp_path).read("ranking", fmt="sqlite")
