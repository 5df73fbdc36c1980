"""The build's views take a report year: the map, the timeline and charts, the home page's counts, the analysis
page (its forms, its ranking, the typed projection of its path finder).

The second year is made up at test time by ``tests/test_graph_years.py`` (its ``two_years`` build: 2025 is 2024
without its last courtesy reception and with one strategic reception of its own); each year's counts are checked
against the 2024 report's figures and those two edits.
"""

from __future__ import annotations

import re

import pytest
from qkg.graph.building.artefacts import Artefacts
from qkg.graph.serving.store import StoreLayout
from qkg.ontology import QKGD
from qkg.viz.source import map_view, stats_view

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page
from tests.test_graph_years import ADDED, REPORT_2024, _store, two_years, years_server  # noqa: F401

YEAR_2025 = dict(REPORT_2024, **{"qkgd:cat-courtesy": REPORT_2024["qkgd:cat-courtesy"] - 1})
YEAR_2025["qkgd:cat-strategic"] += 1
EVERY_YEAR = dict(REPORT_2024, **{"qkgd:cat-strategic": REPORT_2024["qkgd:cat-strategic"] + 1})


def _artefact(two_years, name: str):  # noqa: F811
    return Artefacts(StoreLayout(two_years["built"]).require_current()).read(name)


def _by_category(stats: dict) -> dict:
    series = stats["charts"]["receptions_by_category"]
    return dict(zip(series["ids"], series["values"], strict=True))


def _receptions_on_map(data: dict) -> set[str]:
    origins = data["origins"]
    return {r["id"] for place in (*origins["cities"], *origins["countries"]) for r in place["receptions"]}


def test_the_charts_count_each_years_receptions(two_years) -> None:  # noqa: F811
    rows = _artefact(two_years, "stats-rows")
    for year, expected in (("2024", REPORT_2024), ("2025", YEAR_2025), (None, EVERY_YEAR)):
        stats = stats_view(rows, lang="fr", year=year)
        assert stats["year"] == year
        assert _by_category(stats) == expected, year
        assert stats["totals"]["receptions"] == sum(expected.values())
    # a dated activity is on the timeline of the year whose files state it: both years restate 2024's
    one, two = (stats_view(rows, year=y)["timeline"]["items"] for y in ("2024", "2025"))
    assert one and {i["id"] for i in one} == {i["id"] for i in two}


def test_the_map_draws_each_years_missions_and_receptions(two_years) -> None:  # noqa: F811
    rows = _artefact(two_years, "map-rows")
    one, two, every = (map_view(rows, lang="en", year=y) for y in ("2024", "2025", None))
    assert (one["year"], two["year"], every["year"]) == ("2024", "2025", None)
    # the missions keep their IRIs in the copy: the same routes each year
    assert (
        [m["id"] for m in one["missions"]] == [m["id"] for m in two["missions"]] == [m["id"] for m in every["missions"]]
    )
    added, removed = str(QKGD[ADDED]), str(QKGD[two_years["removed"]])
    on_one, on_two, on_every = map(_receptions_on_map, (one, two, every))
    assert added in on_two and added not in on_one
    assert on_every == on_one | on_two and on_one - on_two <= {removed} and on_two - on_one == {added}
    # the categories listed are those of the year's receptions
    assert set(one["categories"]) == set(REPORT_2024) == set(every["categories"])


def test_the_2024_views_are_those_of_the_2024_build(two_years, graph_2024) -> None:  # noqa: F811
    alone = Artefacts(StoreLayout(graph_2024).require_current())
    rows = _artefact(two_years, "stats-rows")
    for lang in ("fr", "en"):
        mine, theirs = stats_view(rows, lang=lang, year="2024"), stats_view(alone.read("stats-rows"), lang=lang)
        assert mine["charts"] == theirs["charts"] and mine["totals"] == theirs["totals"]
        assert mine["timeline"]["items"] == theirs["timeline"]["items"]
        mine, theirs = (
            map_view(_artefact(two_years, "map-rows"), lang=lang, year="2024"),
            map_view(alone.read("map-rows"), lang=lang),
        )
        assert {k: v for k, v in mine.items() if k != "year"} == {k: v for k, v in theirs.items() if k != "year"}


def test_the_typed_projection_takes_a_year(two_years) -> None:  # noqa: F811
    from qkg.graph.analysis.projection import typed_multigraph

    store = _store(two_years)
    added, removed = str(QKGD[ADDED]), str(QKGD[two_years["removed"]])
    one, two, every = (typed_multigraph(store, year=y) for y in ("2024", "2025", None))
    assert added in two and added not in one and removed in one and removed not in two
    assert {added, removed} <= set(every) and set(one) | set(two) == set(every)
    # each edge of a year's graph comes from that year's files or from files of no year
    assert not any("2025" in d["graph"] for *_, d in one.edges(data=True))


def test_the_routes_and_pages_take_a_year(years_server, two_years) -> None:  # noqa: F811
    rows = _artefact(two_years, "stats-rows")
    with years_server.client() as client:
        stats = client.get("/api/viz/stats", params={"year": "2025", "lang": "en"}).json()
        assert _by_category(stats) == YEAR_2025 == _by_category(stats_view(rows, lang="en", year="2025"))
        assert _by_category(client.get("/api/viz/stats").json()) == EVERY_YEAR
        data = client.get("/api/viz/map", params={"year": "2025"}).json()
        assert data["year"] == "2025" and str(QKGD[ADDED]) in _receptions_on_map(data)
        for path in ("/map", "/stats", "/", "/analysis"):
            page = client.get(path, params={"year": "2025"})
            assert page.status_code == 200, path
            assert re.search(r'<option value="2025" selected>2025</option>', page.text), path
            assert '<option value="">' in page.text  # every year, the default
        assert 'data-year="2025"' in client.get("/map", params={"year": "2025"}).text
        # the home page's counts are the year's: its files' triples, its strategic receptions
        counts = client.get("/api/stats").json()["years"]
        assert counts["2025"]["classes"]["qkg:StrategicReception"] == YEAR_2025["qkgd:cat-strategic"]
        assert counts["2024"]["classes"]["qkg:CourtesyReception"] == REPORT_2024["qkgd:cat-courtesy"]
        home = client.get("/", params={"year": "2025", "lang": "en"}).text
        number = f"{counts['2025']['triples']:,}"  # English: 2,804 (French: 2 804, the number filter)
        assert f"<strong>{number}</strong> triples stated by that year" in home
        # the analysis page's ranking and its path finder read the year's facts
        assert "Central actors in 2025" in client.get("/analysis", params={"year": "2025", "lang": "en"}).text
        paths = client.get("/api/analysis/paths", params={"from": "ville-de-quebec", "to": ADDED, "year": "2025"})
        assert paths.status_code == 200 and paths.json()["paths"]
        assert (
            client.get(
                "/api/analysis/paths", params={"from": "ville-de-quebec", "to": ADDED, "year": "2024"}
            ).status_code
            == 404
        )


@pytest.mark.parametrize("value", ["abcd", "1800"])
@pytest.mark.parametrize(("lang", "words"), [("fr", "les années de ce graphe : 2024, 2025"), ("en", "2024, 2025")])
def test_a_bad_year_of_a_view_is_a_clear_400(years_server, value, lang, words) -> None:  # noqa: F811
    with years_server.client() as client:
        for path, more in (
            ("/api/viz/map", {}),
            ("/api/viz/stats", {}),
            ("/api/analysis/paths", {"from": "quebec", "to": "geneve"}),
        ):
            r = client.get(path, params={"year": value, "lang": lang, **more})
            assert r.status_code == 400, (path, r.text)
            assert value in r.json()["error"] and words in r.json()["hint"]
        for path in ("/map", "/stats", "/", "/analysis"):
            page = client.get(path, params={"year": value, "lang": lang}, headers={"Accept": "text/html"})
            assert page.status_code == 400 and value in page.text and words in page.text, path


@pytest.mark.browser
@pytest.mark.parametrize(
    ("locale", "label", "every"),
    [("fr-CA", "Année du rapport", "Toutes les années"), ("en-US", "Report year", "Every year")],
)
def test_the_year_selectors_in_a_browser(browser_env, years_server, locale, label, every) -> None:  # noqa: F811
    with chromium_page(locale=locale) as session:
        page = session.page
        for path, ready in (("/stats", "#qkg-stats[data-drawn]"), ("/map", "#qkg-map[data-drawn]")):
            page.goto(years_server.url + path)
            page.wait_for_selector(ready)
            form = page.locator("#year-select")
            assert label in form.inner_text() and form.locator("option").first.inner_text() == every
            form.locator("select").select_option("2025")
            form.locator("button").click()
            page.wait_for_url(re.compile(r"year=2025"))
            page.wait_for_selector(ready)
            key = "qkgStats" if path == "/stats" else "qkgMap"
            assert page.evaluate(f"() => window.{key}.data.year") == "2025"
        stats_total = page.evaluate("() => fetch('/api/viz/stats?year=2025').then(r => r.json())")
        assert stats_total["totals"]["receptions"] == sum(YEAR_2025.values())
        page.goto(years_server.url + "/")
        page.locator("#year-select select").select_option("2024")
        page.locator("#year-select button").click()
        page.wait_for_url(re.compile(r"year=2024"))
        assert page.locator("#counts").get_attribute("data-year") == "2024"
        page.goto(years_server.url + "/analysis")
        page.locator("#comp-year").select_option("2025")
        page.locator("#complementarity form button[type=submit]").click()
        page.wait_for_url(re.compile(r"year=2025"))
        assert page.locator("#analysis").get_attribute("data-year") == "2025"
        assert page.locator("#path-year").input_value() == "2025"  # the path finder follows the page's year
        assert_local_only(session.requests)
        assert_no_console_errors(session)


def test_cli_paths_take_a_year(two_years) -> None:  # noqa: F811
    from click.testing import CliRunner
    from qkg.api.cli import cli

    base = ["--data-dir", str(two_years["built"]), "analyse", "paths", "--from", "ville-de-quebec", "--to", ADDED]
    ok = CliRunner().invoke(cli, [*base, "--year", "2025", "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert ADDED in ok.output
    missing = CliRunner().invoke(cli, [*base, "--year", "2024"])  # 2024's files never name that reception
    assert missing.exit_code != 0 and ADDED in missing.output
    bad = CliRunner().invoke(cli, [*base, "--year", "1800"])
    assert bad.exit_code != 0 and "1800" in bad.output and "2024, 2025" in bad.output
