"""Regressions found by reviewing the running server as a careless or hostile client would."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize("path", ["/health", "/", "/sparql", "/id/quebec", "/api/stats"])
def test_head_is_answered_like_get(server, path):
    response = httpx.head(server.url + path, timeout=30)
    assert response.status_code == 200 and response.content == b""
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/api/analysis/complementarity?actors=qkgd:quebec,qkgd:oms",
        "/analysis?actors=qkgd:quebec,qkgd:oms",
    ],
)
def test_places_among_actors_do_not_crash(server, path):
    response = httpx.get(server.url + path, timeout=60)
    assert response.status_code in (200, 400), response.text[:300]


@pytest.mark.parametrize("value", ["qkgd:a%20b", "qkgd:%25zz", "https://w3id.org/qkg/id/a%3Eb"])
def test_invalid_iris_are_client_errors(server, value):
    response = httpx.get(f"{server.url}/api/viz/entity?id={value}", timeout=30)
    assert response.status_code in (400, 404)
    body = response.json()
    assert body["ok"] is False and body["status"] == response.status_code


def test_a_refused_body_is_readable_cross_origin(server):
    response = httpx.post(
        server.url + "/sparql",
        content=b"x" * 2_000_000,
        headers={"Content-Type": "application/sparql-query", "Origin": "https://example.org"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.headers.get("access-control-allow-origin") == "*"


def test_void_does_not_trust_arbitrary_hosts(server):
    """A Host outside the allowed names is refused (never reflected into VoID's URLs, never cached per host)."""
    for i in range(40):
        response = httpx.get(server.url + "/.well-known/void", headers={"Host": f"h{i}.example"}, timeout=30)
        assert response.status_code == 400 and f"h{i}.example" not in response.text
    void = httpx.get(server.url + "/.well-known/void", timeout=30)
    assert void.status_code == 200 and f"<{server.url}/sparql>" in void.text


def test_entities_outside_the_link_graph_do_not_ask_for_a_neighbourhood(server):
    page = httpx.get(server.url + "/id/theme-culture", headers={"Accept": "text/html"}, timeout=30).text
    assert "/neighbours?depth=1" not in page
    page = httpx.get(server.url + "/id/ville-de-quebec", headers={"Accept": "text/html"}, timeout=30).text
    assert "/api/entities/ville-de-quebec/neighbours?depth=1" in page
