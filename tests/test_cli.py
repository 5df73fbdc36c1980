"""The qkg command line, run as a user runs it: a real process, a real built store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

QUERIES = Path(__file__).parent / "data" / "queries"


def qkg(data_dir, *args, ok=True):
    proc = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(data_dir), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def bindings(out: str):
    data = json.loads(out)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def test_standard_terms_answer_the_headline_counts(graph_2024):
    rows = bindings(qkg(graph_2024, "query", QUERIES / "std-missions.rq", "--format", "json").stdout)
    assert rows == [{"missions": "8", "cities": "13", "countries": "7"}]
    rows = bindings(qkg(graph_2024, "query", QUERIES / "std-forums.rq", "--format", "json").stdout)
    assert rows == [{"forums": "5"}]
    rows = bindings(qkg(graph_2024, "query", QUERIES / "std-agreements.rq", "--format", "json").stdout)
    assert rows == [
        {"agreement": "https://w3id.org/qkg/id/agreement-partenariat-territorial-sante-durable", "parties": "3"}
    ]
    rows = bindings(qkg(graph_2024, "query", QUERIES / "skos-receptions.rq", "--format", "json").stdout)
    assert {r["notation"]: r["n"] for r in rows} == {"courtesy": "10", "collaboration": "7", "strategic": "4"}


def test_query_string_and_formats(graph_2024):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?m a qkg:Mission }"
    assert qkg(graph_2024, "query", text, "--format", "csv").stdout.splitlines() == ["n", "8"]
    assert qkg(graph_2024, "query", text, "--format", "tsv").stdout.splitlines()[1] == "8"
    table = qkg(graph_2024, "query", "receptions-by-category").stdout
    assert "qkgd:cat-courtesy" in table and "(3 rows)" in table
    ttl = qkg(
        graph_2024, "query", "CONSTRUCT { ?m a qkg:Mission } WHERE { ?m a qkg:Mission }", "--format", "turtle"
    ).stdout
    assert len(Graph().parse(data=ttl, format="turtle")) == 8
    assert qkg(graph_2024, "query", "ASK { qkgd:ville-de-quebec a qkg:LocalGovernment }").stdout.strip() == "true"


def test_canned_query_parameters(graph_2024):
    out = qkg(graph_2024, "query", "missions-to-country", "-p", "country=qkgd:portugal", "--format", "csv").stdout
    assert "Braga" in out and "Lisbonne" in out and "Lausanne" not in out
    bad = qkg(graph_2024, "query", "missions-to-country", "-p", "pays=qkgd:portugal", ok=False)
    assert bad.returncode == 1 and "no parameter pays" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "args,expected",
    [
        (["query", "mision-cities"], "did you mean mission-cities"),
        (["query", "SELECT ?x WHERE { ?x ?y }"], "line"),
        (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE"),
        (["query", "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"], "read-only"),
    ],
)
def test_errors_are_one_clear_message(graph_2024, args, expected):
    proc = qkg(graph_2024, *args, ok=False)
    assert proc.returncode == 1
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_store_says_how_to_build(tmp_path):
    proc = qkg(tmp_path / "nothing", "stats", ok=False)
    assert proc.returncode == 1 and "qkg build" in proc.stderr and "Traceback" not in proc.stderr


def test_audit_json_reports_the_discrepancies(graph_2024):
    findings = {f["indicator"]: f for f in json.loads(qkg(graph_2024, "audit", "--format", "json").stdout)}
    cities = findings["mission-cities"]
    assert (cities["stated"], cities["measured"], cities["verdict"]) == (11, 13, "disagrees")
    assert cities["details"]["stops"] == 14 and cities["details"]["cities_visited_twice"] == ["Lausanne"]
    part = findings["forum-participations"]
    assert part["stated"] == 9 and part["verdict"] == "not reproducible" and part["measured"] in (6, 7)
    agreements = findings["new-agreements"]
    assert (agreements["stated"], agreements["measured"], agreements["verdict"]) == (3, 4, "ambiguous")
    partners = findings["external-partners"]
    assert partners["verdict"] == "agrees" and partners["details"]["organisations"] == 28
    for key in (
        "receptions",
        "receptions-courtesy",
        "receptions-collaboration",
        "receptions-strategic",
        "missions",
        "mission-countries",
        "forums",
    ):
        assert findings[key]["verdict"] == "agrees", key


def test_stats(graph_2024):
    data = json.loads(qkg(graph_2024, "stats", "--format", "json").stdout)
    assert data["inferred"] > 1000 and data["asserted"] > 3000
    assert data["classes"]["qkg:Reception"] == 21 and data["classes"]["qkg:Mission"] == 8
    assert "qkgd:graph-2024-missions" in data["graphs"] and "qkgd:graph-background-places" in data["graphs"]


@pytest.mark.parametrize(
    "fmt,parser",
    [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("trig", "trig"), ("nquads", "nquads")],
)
def test_export_round_trips(graph_2024, tmp_path, fmt, parser):
    out = tmp_path / f"dump.{fmt}"
    qkg(graph_2024, "export", "--format", fmt, "--out", out)
    if fmt in ("trig", "nquads", "jsonld"):  # JSON-LD keeps the named graphs too
        ds = Dataset()
        ds.parse(out, format=parser)
        assert len(list(ds.graphs())) > 10
    else:
        g = Graph().parse(out, format=parser)
        assert len(g) > 4000


def test_check_passes(graph_2024):
    out = qkg(graph_2024, "check").stdout
    assert "HermiT: consistent" in out and "all checks passed" in out
    assert "FAIL" not in out


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "csv"])
def test_export_network_projection(graph_2024, tmp_path, fmt):
    import csv

    import networkx as nx

    out = tmp_path / f"actors.{fmt}"
    qkg(graph_2024, "export", "--format", fmt, "--projection", "actors", "--out", out)
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        pairs = {frozenset((r["source"], r["target"])) for r in rows}
        assert frozenset(("qkgd:ville-de-quebec", "qkgd:aivp")) in pairs
        return
    G = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    assert G.number_of_nodes() > 50
    city, aivp = "https://w3id.org/qkg/id/ville-de-quebec", "https://w3id.org/qkg/id/aivp"
    assert G.has_edge(city, aivp) or G.has_edge(aivp, city)
    assert G.nodes[city]["label"] == "Ville de Québec"


def test_every_help_example_of_a_canned_query_names_one_that_exists():
    """``qkg query --help`` showed ``qkg query missions-by-country``, a query that does not exist: each example
    naming a canned query names one of the catalogue, with parameters it takes, in both languages."""
    import re

    from qkg.api.cli import cli
    from qkg.api.i18n import translations
    from qkg.graph.pages.catalog import load_catalog

    queries = load_catalog()
    english = cli.commands["query"].help
    for text in (english, translations("fr").gettext(english)):
        # a name followed by a space or the end (not a file: my-question.rq), then its -p parameters
        named = re.findall(r"qkg query ([a-z][a-z0-9-]+)(?=\s|$)((?: -p [a-z_]+=\S+)*)", text)
        assert named, text
        for name, params in named:
            assert name in queries, (name, sorted(queries))
            taken = {p.name for p in queries[name].params}
            assert set(re.findall(r"-p ([a-z_]+)=", params)) <= taken, (name, params, taken)
