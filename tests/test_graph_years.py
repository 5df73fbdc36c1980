"""Every year kept: a second year made up at test time (never committed), built beside 2024, then asked.

The 2025 folder is a copy of ``data/2024/`` with two edits: the last courtesy reception of the annex is gone,
and a strategic reception that only 2025 states is added (its own IRI); the terms of office (blank-node
intervals) are left to 2024. Each year's answers are checked
against the 2024 report's figures (10 courtesy, 7 collaboration, 4 strategic receptions) and those edits.
"""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from qkg.graph.named_graphs import BUILD_GRAPH, YEAR_TAG
from qkg.graph.pages.catalog import bind, load_catalog
from qkg.graph.pages.entity import describe
from qkg.graph.pages.years import build_years, graphs_by_year
from qkg.graph.serving.results import term_text
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.sources import default_data_root
from qkg.ontology import QKGD, sparql_prefixes

from tests.api_server import start_server

REPORT_2024 = {"qkgd:cat-courtesy": 10, "qkgd:cat-collaboration": 7, "qkgd:cat-strategic": 4}
ADDED = "reception-2025-strategic-05"


def _block(text: str, iri: str) -> str:
    """The Turtle block of one subject (from ``qkgd:NAME a`` to the line ending its statement)."""
    match = re.search(rf"^qkgd:{re.escape(iri)} a .*?\.\n", text, re.S | re.M)
    assert match, f"no block for {iri}"
    return match.group(0)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> dict:
    """data/2024, a made-up data/2025 and the background, built together (the real build, SHACL on)."""
    from qkg.api.prepared import ARTEFACTS
    from qkg.graph.building.pipeline import build
    from qkg.loaders.sources import discover

    root = tmp_path_factory.mktemp("years")
    data = root / "data"
    shutil.copytree(default_data_root() / "2024", data / "2024")
    shutil.copytree(default_data_root() / "background", data / "background")
    shutil.copytree(default_data_root() / "2024", data / "2025")
    for path in (data / "2025").glob("*.ttl"):  # a term of office is a blank-node interval: two copies of one
        # would be two intervals of one membership (SHACL refuses it), so 2025 restates the memberships without
        path.write_text(re.sub(r"^\s*org:memberDuring \[.*\] ;\n", "", path.read_text(encoding="utf-8"), flags=re.M))
    receptions = data / "2025" / "receptions.ttl"
    text = receptions.read_text(encoding="utf-8")
    last_courtesy = max(int(n) for n in re.findall(r"^qkgd:reception-courtesy-(\d+) a", text, re.M))
    removed = f"reception-courtesy-{last_courtesy:02d}"
    text = text.replace(_block(text, removed), "")
    added = _block(text, "reception-courtesy-01").replace("qkgd:reception-courtesy-01 ", f"qkgd:{ADDED} ", 1)
    added = re.sub(r'"@(fr|en)', r' (2025)"@\1', added)
    added = added.replace("qkgd:cat-courtesy", "qkgd:cat-strategic").replace("qkg:annexItem 1 ", "qkg:annexItem 5 ")
    added = added.replace("annex-receptions-courtesy", "annex-receptions-strategic")
    receptions.write_text(text + "\n" + added, encoding="utf-8")
    out = root / "built"
    build(discover(data), data_dir=out, shacl=True, artefacts=ARTEFACTS)
    return {"data": data, "built": out, "removed": removed}


def _store(two_years):
    return open_read_only(StoreLayout(two_years["built"]).require_current())


def run(store, name, **params):
    query = load_catalog()[name]
    rows = store.select(
        sparql_prefixes() + "\n" + query.sparql, bindings=bind(query, params, years=build_years(store)) or None
    )
    return [{n: term_text(row[i]) for i, n in enumerate(rows.variables)} for row in rows]


def test_each_graph_is_tagged_with_its_year_in_the_build_record(two_years) -> None:
    store = _store(two_years)
    tags = graphs_by_year(store)
    assert tags[str(QKGD["graph-2024-receptions"])] == "2024"
    assert tags[str(QKGD["graph-2025-receptions"])] == "2025"
    assert not any("background" in g for g in tags)  # background facts belong to no year
    assert build_years(store) == ["2024", "2025"]
    # the same, as a researcher asks it in SPARQL (the year is an xsd:gYear)
    rows = store.select(
        f"SELECT ?g ?y WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} FILTER(datatype(?y) = xsd:gYear) }}"
    )
    assert {r["y"].value for r in rows} == {"2024", "2025"}
    assert len(rows) == 2 * len(list((two_years["data"] / "2024").glob("*.ttl")))


def test_each_years_answers_and_every_year(two_years) -> None:
    store = _store(two_years)

    def counts(rows):
        return {(r["year"], r["category"]): int(r["receptions"]) for r in rows}

    one = counts(run(store, "receptions-by-category", year="2024"))
    assert one == {("2024", k): v for k, v in REPORT_2024.items()}
    expected_2025 = dict(REPORT_2024, **{"qkgd:cat-courtesy": 9, "qkgd:cat-strategic": 5})
    assert counts(run(store, "receptions-by-category", year="2025")) == {
        ("2025", k): v for k, v in expected_2025.items()
    }
    every = counts(run(store, "receptions-by-category"))
    assert every == {**one, **{("2025", k): v for k, v in expected_2025.items()}}
    # a query with another parameter: the strategic receptions of each year, in annex order
    items = [(r["year"], r["item"]) for r in run(store, "receptions", category="qkgd:cat-strategic")]
    assert items == [("2024", str(i)) for i in range(1, 5)] + [("2025", str(i)) for i in range(1, 6)]
    # the annex order and leaders of the missions are the same in both years (the copy kept them)
    missions = run(store, "missions-leaders")
    assert [r["item"] for r in missions if r["year"] == "2025"] == [r["item"] for r in missions if r["year"] == "2024"]
    assert len(missions) == 16


def test_the_2024_answers_are_unchanged_by_a_second_year(two_years, graph_2024) -> None:
    alone = open_read_only(StoreLayout(graph_2024).require_current())
    store = _store(two_years)
    for name in ("receptions-by-category", "missions-by-leader", "partners", "mission-countries", "city-forums"):
        assert run(store, name, year="2024") == run(alone, name), name


def test_the_entity_page_groups_facts_by_year(two_years) -> None:
    store = _store(two_years)
    kept = describe(store, str(QKGD["reception-courtesy-01"]))
    assert kept["years"] == ["2024", "2025"]
    groups = {g["year"]: g for g in kept["facts_by_year"]}
    assert set(groups) == {"2024", "2025", None}  # None: inferred facts, tied to no year
    for year in ("2024", "2025"):
        props = {f["property"]["curie"]: f for f in groups[year]["facts"]}
        assert [v["value"]["curie"] for v in props["qkg:category"]["values"]] == ["qkgd:cat-courtesy"]
        assert all(v["provenance"]["year"] == year for f in groups[year]["facts"] for v in f["values"])
    gone = describe(store, str(QKGD[two_years["removed"]]))
    assert gone["years"] == ["2024"]
    only_2025 = describe(store, str(QKGD[two_years["removed"]]), year="2025")
    assert all(g["year"] is None for g in only_2025["facts_by_year"])  # its report facts are 2024's
    added = describe(store, str(QKGD[ADDED]))
    assert added["years"] == ["2025"]


def test_the_analysis_takes_a_year(two_years) -> None:
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.projection import actor_network

    store = _store(two_years)
    added, removed = str(QKGD[ADDED]), str(QKGD[two_years["removed"]])
    every = load_facts(store, relations="all").facts
    y2024 = load_facts(store, relations="all", year="2024").facts
    y2025 = load_facts(store, relations="all", year="2025").facts
    assert removed in y2024 and removed not in y2025 and added in y2025 and added not in y2024
    assert set(every) == set(y2024) | set(y2025)
    G = actor_network(store, relations="reception", year="2025")
    assert G.graph["parameters"]["year"] == "2025"
    assert any(added in d["facts"] for _, _, d in G.edges(data=True))
    assert not any(removed in d["facts"] for _, _, d in G.edges(data=True))


def _without_pagerank(ranking: dict) -> tuple[dict, list[float]]:
    """A ranking without its PageRank values (igraph's last digits vary from run to run), and those values."""
    return {**ranking, "rows": [{k: v for k, v in r.items() if k != "pagerank"} for r in ranking["rows"]]}, [
        r["pagerank"] for r in ranking["rows"]
    ]


def test_the_build_prepares_each_years_ranking(two_years) -> None:
    """The build's per-year rankings of the /analysis page (one fact index cut by year, centralities computed
    once for both languages) are those of each year's own network, made from that year's facts directly."""
    import json

    from qkg.api.prepared import PAGE_CENTRALITY_TOP
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.metrics import centrality
    from qkg.graph.analysis.projection import actor_network
    from qkg.graph.building.artefacts import Artefacts
    from qkg.graph.pages.years import stated_by_year

    store = _store(two_years)
    prepared = Artefacts(StoreLayout(two_years["built"]).require_current()).read("page-centrality-years")
    assert sorted(prepared) == ["2024", "2025"]
    every, stated = load_facts(store), stated_by_year(store)
    for year, by_lang in prepared.items():
        assert every.of_year(year, stated) == load_facts(store, year=year)
        for lang in ("fr", "en"):
            direct = centrality(actor_network(store, fold_posts=True, lang=lang, year=year), top=PAGE_CENTRALITY_TOP)
            got, got_pr = _without_pagerank(by_lang[lang])
            want, want_pr = _without_pagerank(json.loads(json.dumps(direct)))
            assert got == want and len(got["rows"]) == PAGE_CENTRALITY_TOP
            assert got_pr == pytest.approx(want_pr, rel=1e-9)
    assert {r["label"] for r in prepared["2025"]["en"]["rows"]} != {r["label"] for r in prepared["2025"]["fr"]["rows"]}


def test_diff_between_the_two_years(two_years) -> None:
    from qkg.api.cli import cli

    data = two_years["data"]
    result = CliRunner().invoke(
        cli, ["--data-dir", str(two_years["built"]), "diff", str(data / "2024"), str(data / "2025"), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert two_years["removed"] in result.output and ADDED in result.output
    # the years by name, read under --data
    by_year = CliRunner().invoke(
        cli, ["--data-dir", str(two_years["built"]), "diff", "2024", "2025", "--data", str(data)]
    )
    assert by_year.exit_code == 0, by_year.output
    assert "2025" in by_year.output and ADDED in by_year.output


def test_cli_query_takes_a_year_and_refuses_one_the_build_lacks(two_years) -> None:
    from qkg.api.cli import cli

    base = ["--data-dir", str(two_years["built"]), "query", "receptions-by-category", "--format", "csv"]
    ok = CliRunner().invoke(cli, [*base, "-p", "year=2025"])
    assert ok.exit_code == 0, ok.output
    assert "qkgd:cat-strategic" in ok.output or "cat-strategic" in ok.output
    assert "2024" not in ok.output.replace("2025", "")
    bad = CliRunner().invoke(cli, [*base, "-p", "year=1800"])
    assert bad.exit_code != 0 and "1800" in bad.output and "2024, 2025" in bad.output


@pytest.fixture(scope="module")
def years_server(two_years):
    server = start_server(two_years["built"], env={"QKG_CLIENT_ENGINE_SECONDS": "1000000"})
    yield server
    server.stop()


def test_api_and_pages_take_a_year(years_server) -> None:
    with years_server.client() as client:
        rows = client.get("/api/queries/receptions-by-category", params={"year": "2025"}).json()["results"]["bindings"]
        assert {b["year"]["value"] for b in rows} == {"2025"}
        every = client.get("/api/queries/receptions-by-category").json()["results"]["bindings"]
        assert {b["year"]["value"] for b in every} == {"2024", "2025"}
        page = client.get("/queries/receptions-by-category", params={"year": "2025"})
        assert page.status_code == 200 and 'value="2025" selected' in page.text
        entity = client.get("/api/entities/reception-courtesy-01", params={"year": "2025"}).json()
        assert entity["years"] == ["2025"]
        assert client.get("/api/analysis/summary", params={"year": "2025"}).status_code == 200
        assert client.get("/api/analysis/complementarity", params={"year": "1800"}).status_code == 400
        html = client.get("/id/reception-courtesy-01").text
        assert 'data-year="2024"' in html and 'data-year="2025"' in html and "Rapport de 2025" in html


@pytest.mark.parametrize("value", ["abcd", "1800"])
@pytest.mark.parametrize(
    ("lang", "words"), [("fr", ("année", "les années de ce graphe : 2024, 2025")), ("en", ("year", "2024, 2025"))]
)
def test_a_bad_year_is_a_clear_400_in_french_and_english(years_server, value, lang, words) -> None:
    with years_server.client() as client:
        for path in ("/api/queries/receptions-by-category", "/api/entities/reception-courtesy-01"):
            r = client.get(path, params={"year": value, "lang": lang})
            assert r.status_code == 400, (path, r.text)
            body = r.json()
            assert value in body["error"] and words[0] in body["error"] + body.get("hint", "")
            assert words[1] in body["hint"]
        page = client.get("/queries/receptions-by-category", params={"year": value, "lang": lang})
        assert page.status_code == 400 and value in page.text


def test_the_analysis_page_shows_the_years_prepared_ranking(two_years, years_server) -> None:
    from markupsafe import escape
    from qkg.graph.building.artefacts import Artefacts

    prepared = Artefacts(StoreLayout(two_years["built"]).require_current()).read("page-centrality-years")
    with years_server.client() as client:
        for year in ("2024", "2025"):
            for lang in ("fr", "en"):
                page = client.get("/analysis", params={"year": year, "lang": lang})
                assert page.status_code == 200
                assert all(str(escape(r["label"])) in page.text for r in prepared[year][lang]["rows"][:5])


@pytest.mark.parametrize(
    ("relations", "year_from", "year_to", "year"),
    [
        ("mission", None, None, None),
        ("reception,agreement", None, None, None),
        ("all", 2024, 2024, None),
        (None, None, 2023, None),
        ("all", None, None, "2025"),
        ("event,mission", 2020, None, "2024"),
    ],
)
def test_the_builds_facts_cut_to_options_are_the_facts_read_with_them(two_years, relations, year_from, year_to, year):
    """``reach`` with options cuts the build's facts (``reach-facts``: every kind, every year) instead of reading the
    graph again (7 s at 1M): the cut is the index ``load_facts`` reads with those options, and reach's rows are the
    same."""
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.reach import reach
    from qkg.graph.pages.years import stated_by_year

    store = _store(two_years)
    whole = load_facts(store, relations="all")
    cut = whole.restricted(relations or "all", year_from=year_from, year_to=year_to)
    if year is not None:
        cut = cut.of_year(year, stated_by_year(store))
    read = load_facts(store, relations=relations or "all", year_from=year_from, year_to=year_to, year=year)
    assert cut == read and list(cut.facts) == list(read.facts)
    options = {"relations": relations, "year_from": year_from, "year_to": year_to, "year": year}
    for target in ("qkgd:suisse", "qkgd:theme-culture", "qkgd:ovpm"):
        assert reach(store, target, index=whole, **options) == reach(store, target, **options), target


@pytest.mark.parametrize("options", [{"relations": "mission"}, {"year": "2025"}, {"year_to": 2000}])
def test_reach_of_a_theme_lists_no_fact_the_options_left_out_as_an_actor(two_years, options):
    """With relations or years, a fact they leave out that has the theme was listed as an actor "with its own
    theme" (a review found 7 agreements among the 8 rows of ``relations=mission`` on 2024)."""
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.reach import reach

    store = _store(two_years)
    facts = set(load_facts(store, relations="all").facts)
    rows = reach(store, "qkgd:theme-culture", **options)["rows"]
    assert not {r["actor"] for r in rows} & facts, [r["curie"] for r in rows if r["actor"] in facts]


@pytest.mark.parametrize("projection", ["actors", "actor-theme", "actor-place", "typed"])
@pytest.mark.parametrize(
    "options", [{}, {"relations": "mission,reception"}, {"year": "2025"}, {"year_from": 2024, "relations": "all"}]
)
def test_a_projection_from_the_builds_facts_is_the_projection_read_from_the_store(two_years, projection, options):
    """The analysis API projects from the build's facts cut to its options (``FactIndex.cut``) instead of reading
    them from the store: the same graph, node and edge attributes included."""
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.projection import project

    store = _store(two_years)
    whole = load_facts(store, relations="all")
    index = whole.cut(
        store,
        options.get("relations"),
        year_from=options.get("year_from"),
        year_to=options.get("year_to"),
        year=options.get("year"),
    )
    read, cut = project(store, projection, **options), project(store, projection, index=index, **options)

    def shape(G):
        edges = G.edges(keys=True, data=True) if G.is_multigraph() else G.edges(data=True)
        return (
            sorted((str(n), sorted(d.items(), key=str)) for n, d in G.nodes(data=True)),
            sorted((str(e[:-1]), sorted(e[-1].items(), key=str)) for e in edges),
            G.graph.get("parameters"),
        )

    assert shape(cut) == shape(read) and read.number_of_nodes() > 0
