"""The SPARQL editor's promises, kept by the endpoint: what the editor shows runs from any SPARQL client.

The editor shows the project's prefixes as pre-declared; the endpoint declares them itself (and lists them in
its service description, ``sh:declare``), so the editor's default query and every example run unchanged
through SPARQLWrapper.
"""

from __future__ import annotations

import html
import json
import re

import pyoxigraph as ox
import pytest
from qkg.ontology import PREFIXES
from SPARQLWrapper import JSON, SPARQLWrapper


def _editor(server) -> tuple[str, list[dict]]:
    with server.client() as client:
        page = client.get("/sparql", headers={"Accept": "text/html"}).text
    default = html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    examples = json.loads(
        re.search(r'<script type="application/json" id="qkg-examples">(.*?)</script>', page, re.S).group(1)
    )
    return default, examples


def _run(server, query: str) -> dict:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    sparql.setMethod("POST")
    return sparql.queryAndConvert()


def test_the_default_query_uses_undeclared_prefixes_and_runs(server) -> None:
    default, _ = _editor(server)
    assert "PREFIX" not in default.upper() and "qkg:" in default
    assert len(_run(server, default)["results"]["bindings"]) > 0


def test_every_example_of_the_editor_runs_through_sparqlwrapper(server) -> None:
    _, examples = _editor(server)
    assert len(examples) >= 10
    for example in examples:
        body = re.sub(r"(?im)^\s*PREFIX\s+\w*:\s*<[^>]*>\s*$", "", example["sparql"])  # as if typed without them
        answer = _run(server, body)
        assert isinstance(answer, dict) and ("results" in answer or "boolean" in answer), example["name"]


def test_own_prefix_lines_still_win(server) -> None:
    query = "PREFIX qkg: <http://example.org/other#>\nSELECT ?c WHERE { ?c a qkg:City } LIMIT 3"
    assert _run(server, query)["results"]["bindings"] == []


def test_the_service_description_declares_the_prefixes(server) -> None:
    with server.client() as client:
        ttl = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    store = ox.Store()
    store.load(ttl.encode(), format=ox.RdfFormat.TURTLE)
    rows = store.query("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?p ?ns WHERE { ?service sh:declare [ sh:prefix ?p ; sh:namespace ?ns ] }""")
    declared = {r["p"].value: r["ns"].value for r in rows}
    assert declared == PREFIXES


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE {\n  ?s ?p \n}",
        "SELECT ?x WHERE { ?x a qkg:City }\nLIMIT x",
        "SELECT ?x WHERE {\n  ?x a qkg:City .\n  FILTER(?x = )\n}",
    ],
)
def test_a_syntax_error_names_one_line_of_the_text_as_sent(server, query) -> None:
    with server.client() as client:
        body = client.post("/sparql", data={"query": query}, headers={"Accept": "application/json"}).json()
    assert body["status"] == 400 and 1 <= body["line"] <= query.count("\n") + 1 and body["column"] >= 1
    # the message names the same line as the field, and no other (no prefix lines were added before the text)
    assert set(re.findall(r"line (\d+)", body["error"])) <= {str(body["line"])}


def test_the_default_query_asks_for_the_pages_language(server) -> None:
    """The English editor's first query kept French labels (``FILTER(lang(?label) = "fr")``, ``…@fr``): it asks
    for the page's language, and answers in it through any client."""
    for lang in ("fr", "en"):
        with server.client() as client:
            page = client.get(f"/sparql?lang={lang}", headers={"Accept": "text/html"}).text
        default = html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.S).group(1))
        assert f'lang(?label) = "{lang}"' in default, default
        labels = _run(server, default)["results"]["bindings"]
        assert labels and {b["label"]["xml:lang"] for b in labels} == {lang}
