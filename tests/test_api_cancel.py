"""A request's work ends when its client leaves, when its time limit passes, or when the server stops (SIGTERM).

Real ``qkg serve`` processes on the 2024 build, and a query that runs for ever: a cross product of the graph
with itself, three times (about 10^11 solutions), which only a killed worker stops. The servers here get a
query limit of 120 s, so a worker stopped sooner was stopped by the request's end, not by the limit.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from qkg.graph.errors import WorkCancelled
from qkg.graph.pages.entity import describe
from qkg.graph.serving import cancel
from qkg.graph.serving.store import StoreLayout, open_read_only

from tests.api_server import descendants, start_server

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SLOW_SERVER = {
    "QKG_QUERY_TIMEOUT": "120",
    "QKG_SHUTDOWN_GRACE": "1",
    "QKG_FAST_LANE_TIMEOUT": "0",
    "QKG_CLIENT_ENGINE_SECONDS": "1000000",
}


def _busy(pids: set[int]) -> set[int]:
    """The processes among ``pids`` that are running (state R) now."""
    out = set()
    for p in pids:
        try:
            if Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R":
                out.add(p)
        except OSError:
            pass
    return out


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _ready_workers(server) -> set[int]:
    """The server's processes once its workers answer (they start in the background after ``/health``)."""
    ok = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60, trust_env=False)
    assert ok.status_code == 200, ok.text
    seen: list[set[int]] = []

    def settled() -> bool:  # every lane's worker up: the same processes, none busy, over a second
        seen.append(set(descendants(server.process.pid)))
        recent = seen[-10:]
        return len(recent) == 10 and bool(recent[0]) and all(p == recent[0] for p in recent) and not _busy(recent[0])

    assert _wait_for(settled, 60), "the workers did not settle"
    return seen[-1]


def _worker_running_the_query(server, before: set[int]) -> int:
    """The worker process that took the endless query (the one that keeps running)."""
    found: set[int] = set()

    def running() -> bool:
        found.update(_busy(set(descendants(server.process.pid)) & before))
        return bool(found)

    assert _wait_for(running, 30), "no worker started the query"
    return found.pop()


def test_a_client_that_leaves_stops_its_query(built_data):
    server = start_server(built_data, env=SLOW_SERVER)
    try:
        before = _ready_workers(server)
        outcome: list[str] = []

        def give_up() -> None:
            try:
                httpx.get(server.url + "/sparql", params={"query": ENDLESS}, timeout=3, trust_env=False)
                outcome.append("answered")
            except httpx.TimeoutException:
                outcome.append("gave up")

        client = threading.Thread(target=give_up)
        client.start()
        worker = _worker_running_the_query(server, before)
        client.join()
        assert outcome == ["gave up"]  # the client left after 3 s
        assert _wait_for(lambda: not Path(f"/proc/{worker}").exists(), 10), "the worker kept running the query"
        assert httpx.get(server.url + "/health", timeout=5, trust_env=False).status_code == 200
        ok = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30, trust_env=False)
        assert ok.status_code == 200, ok.text  # its replacement answers
    finally:
        server.stop()
    assert "unsendable" not in server.log.read_text()


def test_sigterm_stops_the_server_while_a_slow_request_runs(built_data):
    server = start_server(built_data, env=SLOW_SERVER)
    answers: list[httpx.Response | Exception] = []

    def ask() -> None:
        try:
            answers.append(httpx.get(server.url + "/sparql", params={"query": ENDLESS}, timeout=60, trust_env=False))
        except httpx.HTTPError as exc:
            answers.append(exc)

    before = _ready_workers(server)
    client = threading.Thread(target=ask)
    client.start()
    _worker_running_the_query(server, before)
    family = set(descendants(server.process.pid))
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(timeout=20)
    except Exception:
        server.process.kill()
        raise
    stopped_in = time.monotonic() - started
    client.join(10)
    log = server.log.read_text()
    assert code in (0, -signal.SIGTERM), log[-2000:]  # uvicorn re-raises the signal once it has stopped
    print(f"stopped {stopped_in:.2f} s after SIGTERM")
    # the grace (1 s here), the app's close, then at most EXIT_SLACK for a thread pyoxigraph cannot stop (it was
    # the grace again: 6.6 s for a 3 s grace); a loaded machine's slack on top
    assert stopped_in < 1 + 4, f"took {stopped_in:.1f} s to stop"

    def alive() -> list[str]:
        out = []
        for p in family:
            try:
                stat = Path(f"/proc/{p}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[0] != "Z":  # a zombie has ended; only its exit status is left
                out.append(stat[:80])
        return out

    assert _wait_for(lambda: not alive(), 5), f"outlived the server: {alive()}"
    assert len(answers) == 1
    answer = answers[0]
    assert isinstance(answer, httpx.Response) and answer.status_code == 503, answer
    assert "server is stopping" in answer.json()["error"]
    assert "Traceback" not in log and "unsendable" not in log, log[-3000:]


def test_page_work_stops_between_lookups_once_cancelled(graph_2024):
    """The in-process look-ups of a page (here an entity's description) stop when its token is cancelled."""
    store = open_read_only(StoreLayout(graph_2024).require_current())
    iri = "https://w3id.org/qkg/id/ville-de-quebec"
    work = cancel.Work(limit=None)
    with cancel.active(work):
        assert describe(store, iri) is not None  # runs while the token is live
        work.cancel(cancel.CLIENT_LEFT)
        with pytest.raises(WorkCancelled, match="client left"):
            describe(store, iri)
    assert describe(store, iri) is not None  # outside a request: no token, nothing to stop


def test_page_work_stops_at_its_time_limit(graph_2024):
    store = open_read_only(StoreLayout(graph_2024).require_current())
    work = cancel.Work(limit=0.0)
    with cancel.active(work), pytest.raises(WorkCancelled, match="time limit"):
        store.select("SELECT * WHERE { ?s ?p ?o }")
