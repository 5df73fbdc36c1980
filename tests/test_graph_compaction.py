"""The build's store compaction and its held artefact workers, when the build is interrupted or killed: Ctrl-C
while it waits for the compaction, a compaction before SHACL run apart, a build killed before its workers are
released (a review's findings, each first shown failing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from qkg.graph.building import pipeline
from qkg.graph.building.pipeline import build
from qkg.graph.serving.backends import oxigraph as oxmod
from qkg.graph.serving.backends.oxigraph import OxigraphStore
from qkg.loaders.sources import discover

MINI = Path(__file__).parent / "data" / "mini"


def _sigint_main_after(seconds: float) -> threading.Timer:
    """Ctrl-C, as the terminal sends it, delivered to the main thread after ``seconds``."""
    timer = threading.Timer(seconds, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
    timer.start()
    return timer


def test_after_an_interrupted_end_compaction_close_still_waits_for_the_compaction(tmp_path, monkeypatch):
    """A Ctrl-C while end_compaction waits: a later end_compaction (close, a failed build's discard) waits for
    the compaction still."""
    # (Thread.is_alive() cannot tell: CPython 3.11 marks a thread stopped when a join of it is interrupted,
    # bpo-45274's fix; the compaction's own flag says whether it ended)
    gate, ended = threading.Event(), threading.Event()

    real_optimize = oxmod._optimize

    def slow(store):
        gate.wait(10)
        ended.set()
        return real_optimize(store)

    monkeypatch.setattr(oxmod, "_optimize", slow)
    store = OxigraphStore(tmp_path / "s")
    store.begin_compaction()
    _sigint_main_after(0.3)
    with pytest.raises(KeyboardInterrupt):
        store.end_compaction()
    threading.Timer(2.0, gate.set).start()  # the compaction ends 2 s later
    store.close()  # what Staging.discard does, through end_compaction(errors=False)
    ended_before_close_returned = ended.is_set()
    ended.wait(10)
    assert ended_before_close_returned, "close() returned while the compaction was still running"


def test_ctrl_c_during_the_compaction_wait_removes_the_folder_only_after_the_compaction(tmp_path, monkeypatch):
    """Ctrl-C while the build waits for its compaction: the failed build's folder is removed only once the
    compaction has ended (RocksDB must not write in a folder being removed)."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core")
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)
    monkeypatch.setattr(pipeline, "COMPACT_FROM", 0)
    shacl_done = threading.Event()
    seen: dict[str, bool] = {}
    ended = threading.Event()
    real_optimize = oxmod._optimize

    def slow_run(store):
        shacl_done.wait(60)
        time.sleep(0.5)  # the build's main thread is now in end_compaction's join
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        time.sleep(1.5)  # a compaction that takes a while (20 s at 3M quads)
        seen["folder_at_end"] = any((tmp_path / "out" / "stores").glob("*.partial"))
        try:
            return real_optimize(store)
        finally:
            ended.set()

    monkeypatch.setattr(oxmod, "_optimize", slow_run)

    lines: list[str] = []

    def progress(line: str) -> None:
        lines.append(str(line))
        if str(line).startswith("SHACL: conforms"):
            shacl_done.set()

    with pytest.raises(KeyboardInterrupt):
        build(discover(MINI), data_dir=tmp_path / "out", shacl=True, progress=progress)
    ended_before_build_returned = ended.is_set()  # (not Thread.is_alive(): see the test above)
    ended.wait(30)
    assert ended_before_build_returned, "build() raised KeyboardInterrupt with the compaction still running"
    assert seen["folder_at_end"], "the staging folder was removed while the compaction was still running"
    # the wait is said (it takes minutes at 10M), once, after SHACL's line
    waiting = [i for i, line in enumerate(lines) if "waiting for the store's compaction" in line]
    assert len(waiting) == 1, lines
    assert waiting[0] > next(i for i, line in enumerate(lines) if line.startswith("SHACL: conforms")), lines
    assert not list((tmp_path / "out" / "stores").glob("*.partial")), "the failed build's folder was left"


def test_a_compaction_that_fails_for_want_of_room_is_an_error_with_its_fix(tmp_path, monkeypatch):
    """A compaction needs room (up to the store's size again): a full disk is a translated error naming the
    store and the fix, the failed build's folder is removed, and the published builds are untouched."""
    from qkg.graph.errors import StoreError

    def full(store):
        raise OSError(28, "No space left on device")

    store = OxigraphStore(tmp_path / "s")
    monkeypatch.setattr(oxmod, "_optimize", full)
    store.begin_compaction()
    with pytest.raises(StoreError) as caught:
        store.end_compaction()
    assert str(tmp_path / "s") in str(caught.value) and "No space left" in str(caught.value)
    assert "free disk space" in caught.value.hint
    assert store.end_compaction() == 0.0  # waited for once: its time, no second error
    store.close()

    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)
    monkeypatch.setattr(pipeline, "COMPACT_FROM", 0)
    with pytest.raises(StoreError, match="could not be compacted"):
        build(discover(MINI), data_dir=tmp_path / "out", shacl=True)
    assert not list((tmp_path / "out" / "stores").glob("*.partial"))
    assert not (tmp_path / "out" / "current").exists()


def test_a_compaction_before_shacl_apart_is_reported_with_its_time(tmp_path, monkeypatch):
    """Shapes that are not compiled run on pyshacl-turbo in a process of its own, which ends the compaction
    first: the build records the compaction's time, and does not say SHACL ran beside it."""
    from rdflib import URIRef

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core")
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)
    monkeypatch.setattr(pipeline, "COMPACT_FROM", 0)
    shapes = pipeline._shapes()
    for triple in list(shapes.triples((None, URIRef("http://www.w3.org/ns/shacl#message"), None))):
        shapes.remove(triple)  # not compiled: SHACL runs apart (as in test_graph_artefacts)
    monkeypatch.setattr(pipeline, "_shapes", lambda: shapes)
    lines: list[str] = []
    result = build(discover(MINI), data_dir=tmp_path / "out", shacl=True, progress=lines.append)
    said = next(str(line) for line in lines if str(line).startswith("store compacted"))
    assert result.steps["compaction"] > 0, said
    assert "while SHACL ran" not in said


HELD_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from qkg.api.prepared import BY_NAME
    from qkg.graph.building.artefacts import Production
    from qkg.graph.serving.backends.oxigraph import OxigraphStore

    if __name__ == "__main__":
        folder = Path(sys.argv[1])
        store = OxigraphStore(folder)
        store.load(b"<http://e/a> <http://e/p> <http://e/b> .", format="ntriples", graph=None)
        store.flush(); store.close()
        production = Production(folder, folder, [BY_NAME["void"]], workers=1, held=sys.argv[2] == "held").start()
        print(*[p.pid for p in production._workers], flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # the build killed (SIGTERM/SIGKILL, OOM) before release()
    """
)


@pytest.mark.parametrize("held", ["held", "free"])
def test_a_worker_ends_when_the_build_that_started_it_is_killed(tmp_path, held):
    """A build killed before it releases its held workers (SIGKILL, the OOM killer) leaves none behind: each
    looks at its parent while it waits (an un-held worker ends once its groups are done)."""
    script = tmp_path / "held.py"
    script.write_text(HELD_SCRIPT)
    out = tmp_path / "pids.txt"
    with open(out, "w") as fh:  # a file, not a pipe: an orphan holding the pipe would hang subprocess.run
        subprocess.run([sys.executable, str(script), str(tmp_path / "store"), held], stdout=fh, timeout=120)
    pids = [int(p) for p in out.read_text().split()]
    assert pids
    deadline = time.monotonic() + 20
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.5)
        alive = [p for p in pids if _alive(p)]
    for pid in alive:  # the orphans this test made
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"{held} worker(s) {alive} still running 20 s after the build was killed"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_after_an_interrupted_wait_for_the_checks_the_build_still_waits_for_them():
    """The build's checks run beside its inference (cancel.Beside): a Ctrl-C while the build waits for them
    does not let a second wait (leaving the block, before the failed build's folder goes) return early."""
    from qkg.graph.serving.cancel import Beside

    gate, ended = threading.Event(), threading.Event()

    def reads():  # a long read that no token check interrupts (one query in the engine)
        gate.wait(10)
        ended.set()

    with pytest.raises(KeyboardInterrupt), Beside("qkg-test", reads) as side:
        _sigint_main_after(0.3)
        threading.Timer(2.0, gate.set).start()  # the read ends 2 s later
        side.result()
    assert ended.is_set(), "the block was left while the thread still read"
