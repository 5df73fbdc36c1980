"""Analyses over the whole graph with options the build did not prepare (AppState.heavy): one at a time in a
server, the others told to come back (503 with Retry-After) rather than piling up on the two cores, a kept answer
never waiting, and only a few such answers kept (a projection of a 1M-triple graph holds 65-300 MB)."""

from __future__ import annotations

import threading

import pytest
from qkg.api import deps
from qkg.api.config import Settings
from qkg.api.deps import AppState
from qkg.graph.errors import TooManyQueries


@pytest.fixture
def state(monkeypatch) -> AppState:
    monkeypatch.setattr(deps, "HEAVY_WAIT", 0.3)
    return AppState(Settings(data_dir="/nonexistent"))


def _running(state: AppState, key: str):
    """A heavy computation of ``key`` in a thread, held until released; returns (started, release, results)."""
    started, release, results = threading.Event(), threading.Event(), []

    def slow() -> str:
        started.set()
        release.wait(10)
        return key

    thread = threading.Thread(target=lambda: results.append(state.heavy(key, slow)))
    thread.start()
    assert started.wait(5)
    return thread, release, results


def test_a_second_analysis_waits_then_is_told_to_come_back_while_a_kept_one_answers(state) -> None:
    state.heavy("kept", lambda: "kept")
    thread, release, results = _running(state, "a")
    with pytest.raises(TooManyQueries) as refused:
        state.heavy("b", lambda: "b")
    assert refused.value.status == 503 and refused.value.retry_after >= 1
    assert "busy" in refused.value.message and refused.value.hint
    assert state.heavy("kept", lambda: "made again") == "kept"  # in the cache: no wait, no computation
    release.set()
    thread.join(10)
    assert results == ["a"]
    assert state.heavy("b", lambda: "b") == "b"  # its turn now


def test_the_same_analysis_asked_twice_at_once_is_computed_once(state) -> None:
    calls = []
    thread, release, _ = _running(state, "a")
    waiter_result = []
    waiter = threading.Thread(target=lambda: waiter_result.append(state.heavy("a", lambda: calls.append(1) or "x")))
    waiter.start()
    release.set()
    thread.join(10)
    waiter.join(10)
    assert waiter_result == ["a"] and calls == []  # it found the first one's answer once its turn came


def test_an_analysis_may_use_another_one_inside_it(state) -> None:
    """A ranking computed on a projection: the projection is a heavy computation too (the lock is re-entrant)."""
    assert state.heavy("ranking", lambda: state.heavy("projection", lambda: 3) * 2) == 6


def test_only_a_few_heavy_answers_are_kept(state) -> None:
    for i in range(deps.HEAVY_ENTRIES + 3):
        state.heavy(("projection", i), lambda i=i: i)
    state.cache("small", lambda: 1)  # the other cached values are not counted against them
    kept = [i for i in range(deps.HEAVY_ENTRIES + 3) if ("projection", i) in state._cache]
    assert kept == list(range(3, deps.HEAVY_ENTRIES + 3))
    assert "small" in state._cache


def test_exact_betweenness_is_refused_above_the_servers_limit(built_data) -> None:
    """``betweenness=exact`` on a large network held the server (igraph keeps the interpreter: at 1M, 85 s during
    which ``/health`` waited): above ``QKG_EXACT_BETWEENNESS_MAX`` nodes it is a 400 naming the size and the way
    out, in the reader's language; below, it is computed; ``auto`` is computed whatever the limit."""
    import httpx

    from tests.api_server import start_server

    server = start_server(built_data, env={"QKG_EXACT_BETWEENNESS_MAX": "20"})
    try:
        url = server.url + "/api/analysis/centrality"
        en = httpx.get(url, params={"betweenness": "exact", "fold_posts": "true", "lang": "en"}, timeout=60)
        fr = httpx.get(
            url, params={"betweenness": "exact", "fold_posts": "true"}, headers={"Accept-Language": "fr"}, timeout=60
        )
        auto = httpx.get(url, params={"betweenness": "auto", "fold_posts": "true"}, timeout=60)
    finally:
        server.stop()
    assert auto.status_code == 200 and auto.json()["nodes"] > 20, auto.text[:300]
    nodes = auto.json()["nodes"]
    assert en.status_code == fr.status_code == 400, en.text
    assert (
        en.json()["error"]
        == f"betweenness=exact: this network has {nodes} nodes, more than the 20 the server computes exactly"
    )
    assert "betweenness=auto" in en.json()["hint"] and "qkg analyse centrality" in en.json()["hint"]
    assert "nœuds" in fr.json()["error"] and "betweenness=auto" in fr.json()["hint"]
    small = start_server(built_data, env={"QKG_EXACT_BETWEENNESS_MAX": "100000"})
    try:
        exact = httpx.get(
            small.url + "/api/analysis/centrality", params={"betweenness": "exact", "fold_posts": "true"}, timeout=60
        )
    finally:
        small.stop()
    assert exact.status_code == 200 and exact.json()["methods"]["betweenness"].startswith("exact"), exact.text[:300]


def test_a_large_export_is_refused_as_gexf_or_graphml_and_written_as_csv(built_data) -> None:
    """``/api/analysis/export`` wrote any projection whole (at 1M the typed one's GEXF: 180 MB, 38 s, the server
    0.7 -> 2.3 GB): above ``QKG_EXPORT_MAX_EDGES`` links, GEXF and GraphML are a 400 naming the size and the way
    out; CSV is still written, whole; below the limit the GEXF is the projection's."""
    import httpx
    import networkx as nx

    from tests.api_server import start_server

    server = start_server(built_data, env={"QKG_EXPORT_MAX_EDGES": "50"})
    try:
        url = server.url + "/api/analysis/export"
        size = httpx.get(server.url + "/api/analysis/summary", params={"projection": "typed"}, timeout=60).json()
        gexf = httpx.get(url, params={"projection": "typed", "format": "gexf", "lang": "en"}, timeout=60)
        graphml = httpx.get(
            url, params={"projection": "typed", "format": "graphml"}, timeout=60, headers={"Accept-Language": "fr"}
        )
        csv_body = httpx.get(url, params={"projection": "typed", "format": "csv"}, timeout=60)
        small = httpx.get(
            url,
            params={"projection": "actors", "format": "gexf", "year_from": "2024", "relations": "agreement"},
            timeout=60,
        )
        small_size = httpx.get(
            server.url + "/api/analysis/summary", params={"year_from": "2024", "relations": "agreement"}, timeout=60
        ).json()
    finally:
        server.stop()
    assert size["edges"] > 50
    assert gexf.status_code == graphml.status_code == 400, gexf.text
    assert (
        gexf.json()["error"]
        == f"format=gexf: this projection has {size['edges']} links, more than the 50 the server writes as gexf"
    )
    assert "format=csv" in gexf.json()["hint"] and "qkg analyse export" in gexf.json()["hint"]
    assert "liens" in graphml.json()["error"], graphml.json()
    assert csv_body.status_code == 200 and csv_body.text.count("\n") > 50
    assert small_size["edges"] <= 50, small_size
    assert small.status_code == 200, small.text[:300]
    import io

    drawn = nx.read_gexf(io.BytesIO(small.content))
    assert drawn.number_of_nodes() == small_size["nodes"]
