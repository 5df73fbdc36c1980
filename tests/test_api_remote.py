"""`qkg serve --store URL`: the app served from a build published to Virtuoso answers as the embedded one.

Two real ``qkg serve`` processes: the shared embedded server, and one started with ``QKG_STORE`` set to the test
Virtuoso (its data directory empty: the artefacts are computed from the store). Pages, the SPARQL endpoint
(SPARQLWrapper as the client), search, analysis and viz answer alike; the guard and the limits still apply;
/health stays fast while remote queries run away; a store that goes down gives a 503 naming it.
"""

from __future__ import annotations

import concurrent.futures
import socket
import time

import httpx
import pytest
from qkg.graph.pages.catalog import load_catalog
from qkg.graph.serving.backends.remote import publish_build
from qkg.graph.serving.store import StoreLayout

from tests.api_server import start_server
from tests.conftest import drop_space, remote_store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _env(virtuoso, store, **extra) -> dict[str, str]:
    return {
        "QKG_STORE": virtuoso["url"],
        "QKG_STORE_USER": virtuoso["user"],
        "QKG_STORE_PASSWORD_FILE": virtuoso["password_file"],
        "QKG_STORE_SPACE": store.space,
        **extra,
    }


@pytest.fixture(scope="module")
def published(built_data, virtuoso):
    store = remote_store(virtuoso, "api")
    publish_build(StoreLayout(built_data).require_current(), store)
    yield store
    drop_space(store)
    store.close()


@pytest.fixture(scope="module")
def remote_server(published, virtuoso, tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("remote-serve"), env=_env(virtuoso, published), wait=180)
    yield s
    s.stop()


def _json_paths() -> list[str]:
    paths = [
        "/api/audit",
        "/api/queries",
        "/api/search?q=lausanne",
        "/api/search?q=UQAM",
        "/api/entities/ville-de-lausanne",
        "/api/entities/ville-de-lausanne/neighbours",
        "/api/analysis/summary",
        "/api/analysis/centrality",
        "/api/analysis/communities",
        "/api/analysis/brokers",
        "/api/analysis/complementarity",
        "/api/viz/network",
        "/api/viz/map",
        "/api/viz/stats",
        "/api/paths?source=ville-de-quebec&target=innovaud",
    ]
    return paths + [f"/api/queries/{name}" for name in sorted(load_catalog())]


@pytest.mark.parametrize("path", _json_paths())
def test_json_answers_are_identical(server, remote_server, path):
    embedded = server.client().get(path)
    remote = remote_server.client(timeout=120).get(path)
    assert remote.status_code == embedded.status_code, (path, remote.text[:500])
    assert remote.headers["content-type"] == embedded.headers["content-type"]
    assert _normalise(remote.json()) == _normalise(embedded.json()), path


def _normalise(value):
    """Answers compared as sets where their order is the store's own (ties, GROUP_CONCAT parts), without
    timings, layout positions and edge numbers (computed from the order the nodes come in)."""
    if isinstance(value, dict):
        return {
            k: _normalise(v)
            for k, v in value.items()
            if k not in ("elapsed", "build", "seconds", "ms", "x", "y") and not (k == "id" and isinstance(v, int))
        }
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        return sorted(items, key=repr)
    if isinstance(value, str) and " ; " in value:
        return " ; ".join(sorted(value.split(" ; ")))
    return value


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/stats",
        "/network",
        "/map",
        "/analysis",
        "/queries",
        "/search?q=geneve",
        "/id/ville-de-lausanne",
        "/id/maire-de-quebec",
        "/queries/missions-leaders",
        "/def",
        "/.well-known/void",
    ],
)
def test_pages_answer(server, remote_server, path):
    embedded = server.client().get(path)
    remote = remote_server.client(timeout=120).get(path)
    assert remote.status_code == embedded.status_code == 200, (path, remote.text[:500])
    assert abs(len(remote.content) - len(embedded.content)) <= max(200, len(embedded.content) // 50), path


def test_sparql_endpoint_with_sparqlwrapper(server, remote_server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    text = (
        "PREFIX qkg: <https://w3id.org/qkg/def#> SELECT ?m ?l WHERE { ?m a qkg:Mission ; qkg:missionLeader ?l } "
        "ORDER BY ?m"
    )
    answers = []
    for s in (server, remote_server):
        client = SPARQLWrapper(s.url + "/sparql")
        client.setQuery(text)
        client.setReturnFormat(JSON)
        answers.append(client.query().convert()["results"]["bindings"])
    assert answers[0] == answers[1] and len(answers[0]) == 8
    # the guard runs before the store sees the query
    r = remote_server.client().get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "SERVICE" in r.json()["error"]
    r = remote_server.client().post("/sparql", data={"update": "DROP ALL"})
    assert r.status_code in (403, 405)
    many = {"query": "SELECT ?s ?x WHERE { ?s a ?c . ?x a ?c }"}  # more rows than the cap
    for s in (server, remote_server):
        r = s.client().get("/sparql", params=many, headers={"Accept": "text/csv"})
        assert r.status_code == 200 and r.headers.get("x-qkg-truncated") == "true"
        assert len(r.text.strip().splitlines()) == 10_000 + 1


def test_health_stays_fast_and_runaways_stop(published, virtuoso, tmp_path):
    s = start_server(tmp_path, env=_env(virtuoso, published, QKG_QUERY_TIMEOUT="2", QKG_CLIENT_QUERIES="3"), wait=180)
    try:
        client = s.client()
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            runaways = [
                pool.submit(lambda: httpx.post(s.url + "/sparql", data={"query": RUNAWAY}, timeout=60))
                for _ in range(3)
            ]
            health = []
            while not all(f.done() for f in runaways):
                t = time.monotonic()
                assert client.get("/health").status_code == 200
                health.append(time.monotonic() - t)
                time.sleep(0.05)
            answers = [f.result() for f in runaways]
        assert [a.status_code for a in answers] == [503] * 3, [a.text[:300] for a in answers]
        assert all(virtuoso["url"] in a.json()["error"] for a in answers)
        assert len(health) >= 5 and max(health) < 1.0, health
    finally:
        s.stop()


def test_a_store_that_is_down_gives_a_clear_503(published, virtuoso, tmp_path):
    """Serve through a relay to the store, then cut the relay: pages answer 503 naming the store, never hang."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    target = httpx.URL(virtuoso["url"])
    alive = threading.Event()
    alive.set()
    open_sockets = []

    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (a, b):
                try:
                    sock.close()
                except OSError:
                    pass

    def relay():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            if not alive.is_set():
                conn.close()
                continue
            upstream = socket.create_connection((target.host, target.port))
            open_sockets.extend((conn, upstream))
            threading.Thread(target=pipe, args=(conn, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()

    threading.Thread(target=relay, daemon=True).start()
    url = f"http://127.0.0.1:{port}/sparql"
    env = _env(virtuoso, published, QKG_STORE=url, QKG_STORE_UPDATE_URL=virtuoso["url"] + "-auth")
    s = start_server(tmp_path, env=env, wait=180)
    try:
        client = s.client(timeout=60)
        assert client.get("/api/entities/ville-de-lausanne").status_code == 200
        alive.clear()
        listener.close()  # the store is gone: connections are refused, open ones cut
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for path in ("/api/queries/receptions", "/api/queries/missions-leaders"):
            r = client.get(path)
            assert r.status_code == 503, (path, r.text[:300])
            assert url in r.json()["error"] and r.json()["hint"]
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
        assert r.status_code == 503 and url in r.json()["error"]
        assert client.get("/health").status_code == 200
    finally:
        s.stop()


def test_the_editors_prefixes_work_on_virtuoso_too(server, remote_server):
    """The editor's default query and examples, typed without their PREFIX lines, run through SPARQLWrapper on
    the Virtuoso-backed endpoint as on the embedded one (the remote backend declares the editor's prefixes)."""
    import html
    import json
    import re

    from SPARQLWrapper import JSON, SPARQLWrapper

    page = server.client().get("/sparql", headers={"Accept": "text/html"}).text
    default = html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    examples = json.loads(
        re.search(r'<script type="application/json" id="qkg-examples">(.*?)</script>', page, re.S).group(1)
    )
    queries = [("default", default)] + [
        (e["name"], re.sub(r"(?im)^\s*PREFIX\s+\w*:\s*<[^>]*>\s*$", "", e["sparql"])) for e in examples
    ]
    assert len(queries) >= 10 and "PREFIX" not in default.upper()

    def run(s, text):
        client = SPARQLWrapper(s.url + "/sparql")
        client.setQuery(text)
        client.setReturnFormat(JSON)
        client.setMethod("POST")
        return client.queryAndConvert()

    for name, text in queries:
        assert "PREFIX" not in text.upper(), name
        embedded, remote = run(server, text), run(remote_server, text)
        if "boolean" in embedded:
            assert remote["boolean"] == embedded["boolean"], name
        else:
            assert len(remote["results"]["bindings"]) == len(embedded["results"]["bindings"]), name
    # a query's own prefix line still wins on Virtuoso
    own = "PREFIX qkg: <http://example.org/other#>\nSELECT ?c WHERE { ?c a qkg:City } LIMIT 3"
    assert run(remote_server, own)["results"]["bindings"] == []
