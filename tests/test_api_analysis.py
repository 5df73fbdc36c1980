"""``/api/analysis/...`` over HTTP on a real ``qkg serve``, the ``/analysis`` page's HTML, and ``qkg analyse``."""
from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.test_api_support import built_data, server  # noqa: F401  (pytest fixtures)

D = "https://w3id.org/qkg/id/"


@pytest.fixture(scope="module")
def http(server):
    with server.client() as client:
        yield client


@pytest.mark.parametrize("url", [
    "/api/analysis/summary", "/api/analysis/summary?projection=typed",
    "/api/analysis/centrality?top=5&sort=pagerank&fold_posts=true",
    "/api/analysis/communities?relations=agreement,membership", "/api/analysis/brokers?top=3",
    "/api/analysis/ego?node=qkgd:ovpm-board&fold_posts=true",
    "/api/analysis/complementarity?theme_level=top", "/api/analysis/complementarity?actors=partners",
    "/api/analysis/reach?target=qkgd:lausanne", "/api/analysis/reach?target=theme-sante-durable",
])
def test_routes_answer_json(http, url):
    r = http.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()


def test_centrality_ranks_the_city_first(http):
    body = http.get("/api/analysis/centrality", params={"top": 3, "fold_posts": "true"}).json()
    assert body["rows"][0]["node"] == D + "ville-de-quebec" and len(body["rows"]) == 3
    assert body["methods"]["betweenness"].startswith("exact")


def test_paths_route(http):
    body = http.get("/api/analysis/paths", params={"from": "ville-de-quebec", "to": "qkgd:innovaud", "k": 2}).json()
    assert [n["curie"] for n in body["paths"][0]["nodes"]][1] == "qkgd:agreement-qi-lecamp-innovaud"
    assert body["paths"][0]["steps"][0]["facts"][0]["sections"][0]["label"] == "Québec attire"


def test_cell_route_gives_facts_with_provenance(http):
    body = http.get("/api/analysis/complementarity/cell", params={
        "dimension": "themes", "actor": D + "universite-laval", "column": D + "theme-sante-durable"}).json()
    assert body["facts"] and all(f["sections"] for f in body["facts"])
    assert body["column"]["label"] == "Santé durable"


def test_ego_is_vis_ready(http):
    body = http.get("/api/analysis/ego", params={"node": "qkgd:ovpm-board", "fold_posts": "true"}).json()
    assert len(body["nodes"]) == 9 and {"from", "to", "facts"} <= set(body["edges"][0])


@pytest.mark.parametrize("fmt,reader", [("gexf", nx.read_gexf), ("graphml", nx.read_graphml)])
def test_export_route(http, fmt, reader):
    r = http.get("/api/analysis/export", params={"format": fmt, "projection": "actors"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert reader(io.BytesIO(r.content)).number_of_nodes() > 50


@pytest.mark.parametrize("url,status,words", [
    ("/api/analysis/centrality?relations=treaty", 400, "unknown relation"),
    ("/api/analysis/paths?from=ville-de-quebec&to=atlantis", 400, "not a node"),
    ("/api/analysis/ego?node=qkgd:ovpm-board&depth=9", 422, "invalid request"),
    ("/api/analysis/complementarity?actors=qkgd:atlantis", 200, ""),
])
def test_errors_have_the_one_shape(http, url, status, words):
    r = http.get(url)
    assert r.status_code == status
    if status != 200:
        body = r.json()
        assert body["ok"] is False and body["status"] == status and words in body["error"] and "hint" in body


def test_page_html(http):
    r = http.get("/analysis")
    assert r.status_code == 200
    html = r.text
    assert "table" in html and 'class="heatmap"' in html and 'id="path-form"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []          # no inline script (CSP)
    assert "/static/vendor/vis-network.min.js" in html and "https://" not in re.sub(r'https://w3id\.org[^"<\s]*', "", html)


def test_cli(built_data):
    run = CliRunner().invoke
    base = ["--data-dir", str(built_data), "analyse"]
    r = run(cli, base + ["centrality", "--top", "3", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["rows"][0]["label"] == "Ville de Québec"
    r = run(cli, base + ["paths", "--from", "qkgd:ville-de-quebec", "--to", "qkgd:innovaud", "-k", "1"])
    assert r.exit_code == 0 and "qkg:facilitator" in r.output and "Québec attire" in r.output
    r = run(cli, base + ["complementarity", "--format", "csv", "--dimension", "gaps"])
    assert r.exit_code == 0 and r.output.startswith("dimension,actor,column") and "themes: none" in r.output
    r = run(cli, base + ["complementarity", "--target", "qkgd:lausanne"])
    assert r.exit_code == 0 and "Ville de Québec" in r.output
    r = run(cli, base + ["communities", "--fold-posts"])
    assert r.exit_code == 0 and "modularity" in r.output
    r = run(cli, base + ["ego", "qkgd:ovpm-board", "--fold-posts", "--format", "csv"])
    assert r.exit_code == 0 and r.output.count("\n") == 10
    r = run(cli, base + ["centrality", "--relations", "treaty"])
    assert r.exit_code == 1 and "unknown relation 'treaty'" in r.output and "Fix:" in r.output


def test_cli_export(built_data, tmp_path):
    out = tmp_path / "actors.graphml"
    r = CliRunner().invoke(cli, ["--data-dir", str(built_data), "analyse", "export", "--format", "graphml",
                                 "--projection", "actors", "--fold-posts", "--out", str(out)])
    assert r.exit_code == 0, r.output
    G = nx.read_graphml(out)
    assert G.has_edge(D + "ville-de-quebec", D + "ovpm-board")
