"""The SPARQL 1.1 Protocol endpoint, driven by real clients (SPARQLWrapper, rdflib, httpx) over HTTP."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, TURTLE, XML, SPARQLWrapper

SELECT = """PREFIX qkg: <https://w3id.org/qkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?label WHERE { ?c a qkg:Country ; rdfs:label ?label FILTER(lang(?label) = "fr") } ORDER BY ?label"""
ASK = "ASK { <https://w3id.org/qkg/id/geneve> ?p ?o }"
CONSTRUCT = """PREFIX qkg: <https://w3id.org/qkg/def#>
CONSTRUCT { ?c qkg:country ?k } WHERE { ?c a qkg:City ; qkg:country ?k } LIMIT 20"""
SUISSE = "https://w3id.org/qkg/id/suisse"


def _wrapper(server, query: str, fmt) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_and_xml(server, method) -> None:
    sparql = _wrapper(server, SELECT, JSON)
    sparql.setMethod(method)
    rows = sparql.queryAndConvert()["results"]["bindings"]
    assert SUISSE in {r["c"]["value"] for r in rows}
    sparql.setReturnFormat(XML)
    doc = sparql.queryAndConvert()
    values = [n.firstChild.nodeValue for n in doc.getElementsByTagName("uri")]
    assert SUISSE in values


def test_sparqlwrapper_ask(server) -> None:
    assert _wrapper(server, ASK, JSON).queryAndConvert()["boolean"] is True
    doc = _wrapper(server, ASK, XML).queryAndConvert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"


@pytest.mark.parametrize("fmt", [TURTLE, XML, JSONLD])
def test_sparqlwrapper_construct(server, fmt) -> None:
    result = _wrapper(server, CONSTRUCT, fmt).queryAndConvert()
    graph = (
        result
        if isinstance(result, Graph)
        else Graph().parse(data=result, format={TURTLE: "turtle", JSONLD: "json-ld"}[fmt])
    )
    assert 0 < len(graph) <= 20
    assert all(str(p) == "https://w3id.org/qkg/def#country" for p in graph.predicates())


def test_rdflib_sparqlstore(server) -> None:
    store = SPARQLStore(server.url + "/sparql", returnFormat="json")
    rows = list(store.query(SELECT))
    assert SUISSE in {str(r[0]) for r in rows}
    assert bool(store.query(ASK).askAnswer) is True


ACCEPT_SELECT = {
    "application/sparql-results+json": "application/sparql-results+json",
    "application/json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "text/csv": "text/csv",
    "text/tab-separated-values": "text/tab-separated-values",
    "*/*": "application/sparql-results+json",
}
ACCEPT_CONSTRUCT = {
    "text/turtle": "text/turtle",
    "application/ld+json": "application/ld+json",
    "application/n-triples": "application/n-triples",
    "application/rdf+xml": "application/rdf+xml",
    "*/*": "text/turtle",
}


@pytest.mark.parametrize(("accept", "media"), ACCEPT_SELECT.items())
def test_accept_select(server, accept, media) -> None:
    r = server.client().get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert SUISSE in r.text
    assert r.headers["X-QKG-Truncated"] == "false" and int(r.headers["X-QKG-Rows"]) > 5


@pytest.mark.parametrize(("accept", "media"), ACCEPT_CONSTRUCT.items())
def test_accept_construct(server, accept, media) -> None:
    r = server.client().post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
    assert len(list(ox.parse(r.content, format=fmt))) == int(r.headers["X-QKG-Rows"]) > 0


FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}


@pytest.mark.parametrize(("fmt", "media"), FORMATS.items())
def test_format_parameter_overrides_accept(server, fmt, media) -> None:
    r = server.client().get("/sparql", params={"query": SELECT, "format": fmt}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(("fmt", "media"), GRAPH_FORMATS.items())
def test_format_parameter_construct(server, fmt, media) -> None:
    r = server.client().get("/sparql", params={"query": CONSTRUCT, "format": fmt})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media


def test_csv_results_parse(server) -> None:
    r = server.client().get("/sparql", params={"query": SELECT, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {"c", "label"} == set(rows[0]) and SUISSE in {row["c"] for row in rows}


def test_sparql_query_body(server) -> None:
    r = server.client().post(
        "/sparql",
        content=ASK.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_unknown_format_is_400(server) -> None:
    r = server.client().get("/sparql", params={"query": SELECT, "format": "yaml"})
    assert r.status_code == 400 and r.json()["ok"] is False and "yaml" in r.json()["error"]


def test_wrong_format_for_form_is_400(server) -> None:
    r = server.client().get("/sparql", params={"query": SELECT, "format": "turtle"})
    assert r.status_code == 400 and "turtle" in r.json()["error"]


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", None])
def test_service_description(server, accept) -> None:
    headers = {"Accept": accept} if accept else {}
    r = server.client().get("/sparql", headers=headers)
    assert r.status_code == 200
    media = r.headers["content-type"].split(";")[0]
    assert media == (accept or "text/turtle")
    graph = Graph().parse(data=r.text, format="json-ld" if "json" in media else "turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(str(o) == sd + "SPARQL11Query" for o in graph.objects(None, None))
    assert any(str(o) == sd + "UnionDefaultGraph" for o in graph.objects(None, None))


def test_browser_gets_the_editor(server) -> None:
    r = server.client().get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "/static/vendor/codemirror.js" in r.text and "<script>" not in r.text


def test_editor_link_prefills(server) -> None:
    r = server.client().get("/sparql", params={"query": "ASK { <x:a> <x:b> <x:c> }"}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "ASK { &lt;x:a&gt;" in r.text


@pytest.mark.parametrize(
    ("query", "line", "column"),
    [
        ("SELECT * WHERE {\n  ?s ?p \n}", 2, 3),
        ("SELECT ?x WHERE { ?x ?y }", 1, 19),
        ("SELEKT * { ?s ?p ?o }", 1, 1),
        ("SELECT * WHERE { ?s ?p ?o \n FILTER(?o = ) }", 2, 2),
    ],
)
def test_malformed_query_has_position(server, query, line, column) -> None:
    r = server.client().post("/sparql", data={"query": query})
    body = r.json()
    assert r.status_code == 400 and body["ok"] is False and body["status"] == 400
    assert body["line"] == line and body["column"] == column, body
    assert "line" in body["error"] and body["hint"]


def test_cors_simple_and_preflight(server) -> None:
    client = server.client()
    r = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://evil.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "*"
    assert pre.headers.get("access-control-allow-credentials") != "true"
    assert "POST" in pre.headers["access-control-allow-methods"]


def test_dataset_parameters_refused(server) -> None:
    for name in ("default-graph-uri", "named-graph-uri"):
        r = server.client().get("/sparql", params={"query": ASK, name: "http://example.org/g"})
        assert r.status_code == 400 and name in r.json()["error"]


def test_truncation_headers(built_data) -> None:
    from tests.api_server import start_server

    small = start_server(built_data, env={"QKG_MAX_ROWS": "5"})
    try:
        r = small.client().get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.headers["X-QKG-Truncated"] == "true" and r.headers["X-QKG-Rows"] == "5"
        assert len(r.json()["results"]["bindings"]) == 5
    finally:
        small.stop()


def test_security_headers(server) -> None:
    r = server.client().get("/sparql", headers={"Accept": "text/html"})
    csp = r.headers["content-security-policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    # answers that are not pages get the short policy: nothing in them may load, run or be framed
    data = server.client().get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert data.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert data.headers["x-content-type-options"] == "nosniff" and data.headers["x-frame-options"] == "DENY"
    assert len(data.headers["content-security-policy"]) < len(csp) // 10
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"]
    assert json.loads(server.client().get("/health").text)["ok"] is True


# -- conditional requests: the store only changes with a build, so an answer can be revalidated -----------------

CITIES = "SELECT ?c WHERE { ?c a <https://w3id.org/qkg/def#City> } ORDER BY ?c"


def test_a_repeated_get_is_answered_304_from_its_etag(server) -> None:
    with server.client() as c:
        first = c.get("/sparql", params={"query": CITIES}, headers={"Accept": "text/csv"})
        etag = first.headers["etag"]
        assert etag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
        again = c.get("/sparql", params={"query": CITIES}, headers={"Accept": "text/csv", "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert "x-qkg-rows" not in again.headers  # answered without running the query
        other = c.get(
            "/sparql",
            params={"query": CITIES},
            headers={"Accept": "application/sparql-results+json", "If-None-Match": etag},
        )
        assert other.status_code == 200 and other.headers["etag"] != etag  # another format, another tag
        assert (
            c.get("/sparql", params={"query": CITIES + " LIMIT 3"}, headers={"If-None-Match": etag}).status_code == 200
        )
        # canned query downloads revalidate the same way; the HTML page always renders
        csv_url = "/queries/missions-to-country.csv?country=qkgd:suisse"
        tag = c.get(csv_url).headers["etag"]
        assert c.get(csv_url, headers={"If-None-Match": f'"x", {tag}'}).status_code == 304
        assert (
            c.get("/queries/missions-to-country.csv?country=qkgd:france", headers={"If-None-Match": tag}).status_code
            == 200
        )


@pytest.mark.parametrize(
    "query",
    ["SELECT (RAND() AS ?r) {}", "SELECT (now() AS ?t) {}", "SELECT (STRUUID() AS ?u) {}", "SELECT (BNODE() AS ?b) {}"],
)
def test_answers_that_change_each_run_carry_no_etag(server, query) -> None:
    r = server.client().get("/sparql", params={"query": query}, headers={"If-None-Match": "*"})
    assert r.status_code == 200 and "etag" not in r.headers


def test_post_answers_carry_no_etag(server) -> None:
    r = server.client().post("/sparql", data={"query": CITIES})
    assert r.status_code == 200 and "etag" not in r.headers


def test_a_new_build_changes_every_etag(tmp_path) -> None:
    import time

    from qkg.graph.building.pipeline import build
    from qkg.loaders.sources import default_data_root, discover

    from tests.api_server import start_server

    build(discover(default_data_root()), data_dir=tmp_path, shacl=False)
    server = start_server(tmp_path)
    try:
        with server.client() as c:
            tag = c.get("/sparql", params={"query": CITIES}).headers["etag"]
            build(discover(default_data_root()), data_dir=tmp_path, shacl=False)  # same data, a new build
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:  # the server follows `current` within about a second
                r = c.get("/sparql", params={"query": CITIES}, headers={"If-None-Match": tag})
                if r.status_code == 200:
                    break
                time.sleep(0.2)
            assert r.status_code == 200 and r.headers["etag"] != tag
    finally:
        server.stop()


def test_the_service_description_counts_each_named_graph_as_the_store_does(server) -> None:
    """The counts come from the build's stats (not a count over the store at the first request): each named graph
    with its full IRI and the number of triples a COUNT over the endpoint gives."""
    r = server.client().get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=r.text, format="turtle")
    sd, void = "http://www.w3.org/ns/sparql-service-description#", "http://rdfs.org/ns/void#"
    described = {
        str(graph.value(node, URIRef(sd + "name"))): int(
            graph.value(graph.value(node, URIRef(sd + "graph")), URIRef(void + "triples"))
        )
        for node in graph.subjects(RDF.type, URIRef(sd + "NamedGraph"))
    }
    counted = server.client().get(
        "/sparql",
        params={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
    )
    live = {b["g"]["value"]: int(b["n"]["value"]) for b in counted.json()["results"]["bindings"]}
    assert len(described) > 3 and described == live
    assert all(name.startswith("https://") for name in described)
