"""Entities, ontology terms, search, paths, canned queries and the dataset description, over HTTP."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import Graph, URIRef

ID = "https://w3id.org/qkg/id/"


def test_entity_json_has_facts_with_provenance(server) -> None:
    e = server.client().get("/api/entities/reception-strategic-01").json()
    assert e["iri"] == ID + "reception-strategic-01" and e["labels"]["fr"] and e["labels"]["en"]
    assert any(t["curie"] == "qkg:Reception" for t in e["types"])
    provenance = [v["provenance"] for f in e["facts"] for v in f["values"]]
    report = [p for p in provenance if p["kind"] == "report"]
    assert report and all(p["sections"] for p in report)
    assert any(p["annex_item"] == "1" for p in report)
    assert any(p["kind"] == "inferred" for p in provenance)
    assert e["sources"][0]["section"]["curie"].startswith("qkgd:bri-2024-")


@pytest.mark.parametrize(
    ("suffix", "accept", "fmt"),
    [
        (".ttl", None, "turtle"),
        (".jsonld", None, "json-ld"),
        (".nt", None, "nt"),
        ("", "text/turtle", "turtle"),
        ("", "application/ld+json", "json-ld"),
    ],
)
def test_entity_rdf_by_suffix_and_accept(server, suffix, accept, fmt) -> None:
    headers = {"Accept": accept} if accept else {}
    r = server.client().get(f"/id/geneve{suffix}", headers=headers)
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format=fmt)
    assert (URIRef(ID + "geneve"), None, None) in g


def test_entity_page_is_html_by_default(server) -> None:
    r = server.client().get("/id/geneve", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Genève" in r.text and "Accept" in r.headers["vary"]


def test_ontology_terms(server) -> None:
    client = server.client()
    page = client.get("/def", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="City"' in page.text
    term = client.get("/def/City", headers={"Accept": "text/html"})
    assert term.status_code == 200 and "/id/geneve" in term.text  # instances listed
    ttl = client.get("/def", headers={"Accept": "text/turtle"})
    assert (URIRef("https://w3id.org/qkg/def#City"), None, None) in Graph().parse(data=ttl.text, format="turtle")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("lausane", "lausanne"),
        ("geneve", "geneve"),
        ("Genève", "geneve"),
        ("OMS", "oms"),
        ("WHO", "oms"),
        ("OVPM", "ovpm"),
        ("OWHC", "ovpm"),
        ("sodes", "sodes"),
    ],
)
def test_search_finds(server, q, expected) -> None:
    hits = server.client().get("/api/search", params={"q": q, "limit": 5}).json()["hits"]
    assert hits and hits[0]["id"] == expected, hits[:3]
    assert {"id", "iri", "label", "types", "score", "matched"} <= set(hits[0])


def test_neighbours_depth_is_capped(server) -> None:
    client = server.client()
    one = client.get("/api/entities/geneve/neighbours", params={"depth": 1}).json()
    assert one["nodes"][0]["id"] == "geneve" and len(one["nodes"]) > 1 and one["edges"]
    assert (
        max(n["depth"] for n in client.get("/api/entities/geneve/neighbours", params={"depth": 9}).json()["nodes"]) <= 3
    )


def test_paths(server) -> None:
    body = server.client().get("/api/paths", params={"from": "lausanne", "to": "qkgd:ville-de-quebec", "max": 2}).json()
    assert body["paths"] and len(body["paths"]) <= 2
    path = body["paths"][0]
    assert path["nodes"][0]["id"] == "lausanne" and path["nodes"][-1]["id"] == "ville-de-quebec"
    assert len(path["edges"]) == path["length"] and all(e["property"] for e in path["edges"])


def test_canned_query_with_parameter(server) -> None:
    client = server.client()
    meta = {q["name"]: q for q in client.get("/api/queries").json()}
    assert meta["missions-to-country"]["params"][0]["class"] == "qkg:Country"
    suisse = client.get("/api/queries/missions-to-country", params={"country": "qkgd:suisse"}).json()
    france = client.get("/queries/missions-to-country.json", params={"country": "qkgd:france"}).json()
    assert suisse["results"]["bindings"] and suisse != france
    rows = list(
        csv.reader(io.StringIO(client.get("/queries/missions-to-country.csv", params={"country": "qkgd:suisse"}).text))
    )
    assert len(rows) == len(suisse["results"]["bindings"]) + 1


def test_injection_through_a_parameter_is_just_a_value(server) -> None:
    """A parameter is bound as a term, never pasted: SPARQL in it cannot change the query."""
    r = server.client().get("/api/queries/missions-to-country", params={"country": "qkgd:suisse> } UNION { ?s ?p ?o"})
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["results"]["bindings"] == []


def test_void_and_dump(server) -> None:
    client = server.client()
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    sparql = URIRef(server.url + "/sparql")
    assert (None, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), sparql) in void
    dump = client.get("/dump.trig")
    assert dump.status_code == 200 and b"graph-2024-" in dump.content


def test_the_dumps_hold_every_quad_are_written_once_and_sent_from_a_file(server) -> None:
    """/dump.nq and /dump.trig: the whole store, named graphs kept, the same dataset in both; concurrent requests
    all get it whole; it is a file beside the build's artefacts (sent from disk with its length, not made in
    memory at each request: 425 MB of N-Quads at 1M triples)."""
    import concurrent.futures

    import pyoxigraph as ox
    from qkg.graph.building.artefacts import ARTEFACT_DIR
    from qkg.graph.serving.store import StoreLayout

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: server.client().get("/dump.nq"), range(4)))
    assert {a.status_code for a in answers} == {200} and len({a.content for a in answers}) == 1
    nq = answers[0]
    assert int(nq.headers["content-length"]) == len(nq.content)
    assert "qkg.nq" in nq.headers["content-disposition"]
    trig = server.client().get("/dump.trig")
    assert trig.headers["content-type"].startswith("application/trig")
    from_nq = ox.Store()
    from_nq.load(nq.content, format=ox.RdfFormat.N_QUADS)
    from_trig = ox.Store()
    from_trig.load(trig.content, format=ox.RdfFormat.TRIG)
    served = server.client().get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    quads = int(served.json()["results"]["bindings"][0]["n"]["value"])
    assert len(from_nq) == len(from_trig) == quads > 1000
    assert set(from_nq.named_graphs()) == set(from_trig.named_graphs())
    folder = StoreLayout(server.data_dir).require_current() / ARTEFACT_DIR
    assert (folder / "dump.nq").read_bytes() == nq.content


def test_home_page(server) -> None:
    r = server.client().get("/", headers={"Accept": "text/html"})
    assert r.status_code == 200
    for link in ("/queries", "/sparql", "/network", "/map", "/stats"):
        assert f'href="{link}"' in r.text
    assert "verdict" in r.text


def test_fact_provenance_names_the_section_of_the_facts_own_source(server):
    """A reception stated in the strategic-receptions annex and again in a highlight of the report: each fact
    cites the section its own source file derives the reception from, and the annex item only where it applies."""
    e = server.client().get("/api/entities/reception-strategic-01").json()
    cited = {}
    for fact in e["facts"]:
        for value in fact["values"]:
            p = value["provenance"]
            if p["kind"] == "report":
                cited.setdefault(
                    (fact["property"]["curie"], p["graph"]), (tuple(s["curie"] for s in p["sections"]), p["annex_item"])
                )
    assert cited[("qkg:category", "qkgd:graph-2024-receptions")] == (("qkgd:bri-2024-annex-receptions-strategic",), "1")
    assert cited[("qkg:fundedUnder", "qkgd:graph-2024-events")] == (("qkgd:bri-2024-radiate-highlight",), None)
    assert {s["section"]["curie"] for s in e["sources"]} == {
        "qkgd:bri-2024-annex-receptions-strategic",
        "qkgd:bri-2024-radiate-highlight",
    }


def test_search_labels_follow_the_page_language(server) -> None:
    """A hit's display label is the entity's label in the page's language (``?lang=``, the cookie...), whatever
    the language of the label that matched; both are the graph's (asked through the endpoint)."""
    client = server.client()
    query = (
        "SELECT ?l WHERE { <https://w3id.org/qkg/id/oms> <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(lang(?l) = "%s") }'
    )
    for lang in ("fr", "en"):
        answer = client.post(
            "/sparql", data={"query": query % lang}, headers={"Accept": "application/sparql-results+json"}
        )
        labels = {b["l"]["value"] for b in answer.json()["results"]["bindings"]}
        assert labels, f"the WHO has a label in {lang}"
        for q in ("OMS", "WHO"):
            hits = client.get("/api/search", params={"q": q, "limit": 3, "lang": lang}).json()["hits"]
            assert hits[0]["id"] == "oms" and hits[0]["label"] in labels, (lang, q, hits[0], labels)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_entitys_linked_names_are_in_the_page_language(server, lang) -> None:
    """On an entity in English, the entities it links to, its sources and its neighbours are named by their
    English labels where the graph has them (they were all French: ``has member | Ville de Québec``); in French,
    by their French labels. Each expected label is the linked entity's own, as its page gives it."""
    other = "en" if lang == "fr" else "fr"
    client = server.client()
    e = client.get("/api/entities/aimf", params={"lang": lang}).json()
    linked = [v["value"] for f in e["facts"] for v in f["values"] if v["value"].get("id")]
    linked += [s["section"] for s in e["sources"]]
    linked += [link["subject"] for link in e["incoming"] if link["subject"].get("id")]
    checked = 0
    for term in linked[:25]:
        labels = client.get(f"/api/entities/{term['id']}").json()["labels"]
        if lang in labels and labels.get(other) != labels[lang]:
            assert term["label"] == labels[lang], (term, labels)
            checked += 1
    assert checked >= 5, linked
    assert e["label"] == e["labels"][lang]
    near = client.get("/api/entities/aimf/neighbours", params={"lang": lang}).json()["nodes"]
    named = 0
    for node in near[:10]:
        labels = client.get(f"/api/entities/{node['id']}").json()["labels"]
        if lang in labels:
            assert node["label"] == labels[lang], (node, labels)
            named += 1
    assert named >= 3, near
    page = client.get("/id/aimf", params={"lang": lang}, headers={"Accept": "text/html"}).text
    city = client.get("/api/entities/ville-de-quebec").json()["labels"]
    assert city[lang] in page and (lang == "fr" or f">{city['fr']}<" not in page)


def test_an_unknown_names_search_hint_is_a_link_that_keeps_the_whole_name(server) -> None:
    """``/api/entities/a%20b%26c%23d``'s hint said ``/search?q=a b&c#d`` (following it searched "a b")."""
    with server.client() as client:
        body = client.get("/api/entities/a%20b%26c%23d").json()
        page = client.get("/id/a%20b%26c%23d", headers={"Accept": "text/html"}).text
    assert body["status"] == 404 and body["hint"] == "search for it: /search?q=a%20b%26c%23d", body
    assert 'href="/id/a%20b%26c%23d?lang=en"' in page  # the other language's link, quoted too


@pytest.mark.parametrize("path", ["/def/%00", "/id/%00", "/search?q=%00", "/search?q=a%01b"])
def test_a_control_character_in_the_address_never_reaches_the_page(server, path) -> None:
    """``/def/%00``, ``/id/%00``, ``/search?q=%00`` put a raw NUL byte into the page's link and title."""
    with server.client() as client:
        page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code in (200, 404)
    assert not any(c in page.text for c in "\x00\x01"), path
    assert 'hreflang="en" href="' in page.text


def test_a_long_unknown_name_is_said_back_cut(server) -> None:
    """A 3,000-character name was echoed whole in the 404 (3,142 bytes)."""
    name = "x" * 3000
    with server.client() as client:
        body = client.get(f"/api/entities/{name}").json()
    assert body["status"] == 404 and len(body["error"]) < 120 and "…" in body["error"], body
    assert len(body["hint"]) < 120
