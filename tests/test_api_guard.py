"""The public endpoint's defences, over HTTP: no outbound call, read-only, time limit, liveness, body cap.

Threat model tests 1, 2, 5, 6, 7 and 8 (shared/research/threats-and-tests.md, section 5).
"""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest

from tests.api_server import start_server
from tests.guard_corpus import REFUSED_TEMPLATES

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


#: Every way to make the endpoint call out (the guard's corpus, and LOAD); each takes the canary's url and port.
OUTBOUND = {
    **REFUSED_TEMPLATES,
    "load": "LOAD <{url}>",
    "load-into": "LOAD SILENT <{url}> INTO GRAPH <http://example.org/g>",
}


def _count(client: httpx.Client) -> int:
    return int(client.post("/sparql", data={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"])


def test_outbound_corpus_is_refused(server, canary) -> None:
    assert len(OUTBOUND) > 40
    client = server.client()
    for name, template in OUTBOUND.items():
        query = template.format(url=canary.url, port=canary.port)
        r = client.post("/sparql", data={"query": query})
        expected = 403 if name.startswith("load") else 400
        assert r.status_code == expected, (name, r.status_code, r.text)
        body = r.json()
        assert body["ok"] is False and body["error"] and body["status"] == expected, name
    time.sleep(0.5)
    assert canary.hits == []


UPDATE = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
DROP = "DROP ALL"


@pytest.mark.parametrize(
    "how",
    [
        "form-update",
        "form-update-drop",
        "sparql-update-body",
        "get-update",
        "query-param-update",
        "put-graph-store",
        "delete-graph-store",
        "post-graph-store",
        "patch",
    ],
)
def test_updates_are_refused_and_store_unchanged(server, how) -> None:
    client = server.client()
    before = _count(client)
    turtle = {
        "content": b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
        "headers": {"Content-Type": "text/turtle"},
    }
    r = {
        "form-update": lambda: client.post("/sparql", data={"update": UPDATE}),
        "form-update-drop": lambda: client.post("/sparql", data={"update": DROP}),
        "sparql-update-body": lambda: client.post(
            "/sparql", content=DROP.encode(), headers={"Content-Type": "application/sparql-update"}
        ),
        "get-update": lambda: client.get("/sparql", params={"update": DROP}),
        "query-param-update": lambda: client.post("/sparql", data={"query": DROP}),
        "put-graph-store": lambda: client.put("/sparql?default", **turtle),
        "delete-graph-store": lambda: client.delete("/sparql?graph=http://example.org/g"),
        "post-graph-store": lambda: client.post("/sparql?default", **turtle),
        "patch": lambda: client.patch("/sparql", **turtle),
    }[how]()
    assert r.status_code in (403, 405), (how, r.status_code, r.text)
    assert r.json()["ok"] is False and "read-only" in r.json()["error"]
    assert _count(client) == before


@pytest.fixture(scope="module")
def strict_server(built_data):
    """A server whose queries are stopped after 2 s."""
    s = start_server(built_data, env={"QKG_QUERY_TIMEOUT": "2", "QKG_WORKERS": "2"})
    yield s
    s.stop()


def test_runaway_query_is_stopped(strict_server) -> None:
    r = strict_server.client().post("/sparql", data={"query": RUNAWAY})
    assert r.status_code == 503, r.text
    assert r.json()["ok"] is False and "2 s" in r.json()["error"] and r.json()["hint"]
    assert strict_server.client().get("/health").status_code == 200  # and the server goes on serving


def test_health_and_rest_stay_fast_during_runaways(strict_server) -> None:
    client = strict_server.client()
    client.get("/api/entities/geneve")  # warm up
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        started = time.monotonic()
        runaways = [
            pool.submit(lambda: httpx.post(strict_server.url + "/sparql", data={"query": RUNAWAY}, timeout=30))
            for _ in range(5)
        ]
        health, rest = [], []
        while not all(f.done() for f in runaways):
            t = time.monotonic()
            assert client.get("/health").status_code == 200
            health.append(time.monotonic() - t)
            t = time.monotonic()
            assert client.get("/api/entities/geneve").status_code == 200
            rest.append(time.monotonic() - t)
            time.sleep(0.05)
        answers = [f.result() for f in runaways]
        total = time.monotonic() - started
    # one client: two queries run to the limit (503), the others are refused at once (429, its share is 2)
    assert sorted(r.status_code for r in answers) == [429, 429, 429, 503, 503]
    assert all(int(r.headers["Retry-After"]) >= 1 for r in answers if r.status_code == 429)
    assert total < 2 + 2 + 2, total  # queued ones wait at most the limit too
    assert len(health) >= 5 and max(health) < 1.0, health
    rest.sort()
    assert rest[int(len(rest) * 0.95) - 1] < 0.5, rest
    # the pool is whole again: a normal query answers
    assert client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_200_mb_body_is_refused_at_once(server) -> None:
    size, chunk = 200 * 1024 * 1024, b"x" * (1024 * 1024)
    sent = []

    def body():
        for _ in range(size // len(chunk)):
            sent.append(len(chunk))
            yield chunk

    r = httpx.post(
        server.url + "/sparql",
        content=body(),
        timeout=30,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(size)},
    )
    assert r.status_code == 413, r.text
    assert r.json()["ok"] is False and r.json()["status"] == 413
    assert sum(sent) < size  # the client was stopped long before sending it all


def test_chunked_body_over_the_cap_is_refused(server) -> None:
    def body():
        for _ in range(5):
            yield b"query=" + b"x" * 400_000

    r = httpx.post(
        server.url + "/sparql",
        content=body(),
        timeout=30,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413 and r.json()["status"] == 413
