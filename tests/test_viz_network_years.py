"""The network by report year: each link of the ``network`` artefact carries the years whose files state it,
and ``/api/viz/network``, ``/network`` and :func:`~qkg.viz.source.filtered_network` take a ``report_year``
(``year`` already filters the nodes by their dates).

The second year is made up at test time by ``tests/test_graph_years.py`` (its ``two_years`` build: 2025 is 2024
without its last courtesy reception and with one strategic reception of its own).
"""

from __future__ import annotations

import re

import pytest
from qkg.graph.building.artefacts import Artefacts
from qkg.graph.errors import ParameterError
from qkg.graph.serving.store import StoreLayout
from qkg.viz.source import filtered_network

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page
from tests.test_graph_years import ADDED, two_years, years_server  # noqa: F401


def _network(two_years):  # noqa: F811
    return Artefacts(StoreLayout(two_years["built"]).require_current()).read("network")


def _edges(G, node: str) -> list[dict]:
    return [d for *_, d in G.in_edges(node, data=True)] + [d for *_, d in G.out_edges(node, data=True)]


def test_each_link_carries_the_years_that_state_it(two_years) -> None:  # noqa: F811
    G = _network(two_years).graph
    assert G.graph["report_years"] == ["2024", "2025"]
    added, removed = f"qkgd:{ADDED}", f"qkgd:{two_years['removed']}"
    assert _edges(G, added) and all(d["years"] == ["2025"] for d in _edges(G, added))
    assert _edges(G, removed) and all(d["years"] == ["2024"] for d in _edges(G, removed))
    # the rest of 2024 is restated in 2025: its receptions' links are in both years
    kept = [d for d in _edges(G, "qkgd:reception-courtesy-01")]
    assert kept and all(d["years"] == ["2024", "2025"] for d in kept)
    # every year a link carries is a year of the build; links of background files carry none
    assert {y for *_, d in G.edges(data=True) for y in d["years"]} == {"2024", "2025"}
    assert any(not d["years"] for *_, d in G.edges(data=True))


def test_the_network_view_keeps_one_years_links(two_years) -> None:  # noqa: F811
    prepared = _network(two_years)
    added, removed = f"qkgd:{ADDED}", f"qkgd:{two_years['removed']}"
    ids = {y: {n["id"] for n in filtered_network(prepared, report_year=y)["nodes"]} for y in ("2024", "2025", None)}
    assert added in ids["2025"] and added not in ids["2024"] and removed in ids["2024"] and removed not in ids["2025"]
    assert {added, removed} <= ids[None] and ids["2024"] | ids["2025"] <= ids[None]
    one = filtered_network(prepared, report_year="2025")
    assert one["meta"]["year"] == "2025" and "year" not in filtered_network(prepared)["meta"]
    # the link counts: every link drawn for 2025 is stated in 2025's files or in files of no year
    G = prepared.graph
    for e in one["edges"]:
        years = [d["years"] for d in G.get_edge_data(e["from"], e["to"]).values()]
        assert any(not y or "2025" in y for y in years)
    # an ego network of one year: its ring is made of that year's links
    ego = filtered_network(prepared, focus="qkgd:ville-de-quebec", report_year="2024")
    assert ego["meta"]["focus"] == "qkgd:ville-de-quebec" and added not in {n["id"] for n in ego["nodes"]}
    with pytest.raises(ParameterError, match="1800"):
        filtered_network(prepared, report_year="1800")


@pytest.mark.parametrize("value", ["abcd", "1800"])
@pytest.mark.parametrize(("lang", "words"), [("fr", "les années de ce graphe : 2024, 2025"), ("en", "2024, 2025")])
def test_a_bad_report_year_is_a_400_naming_the_years(years_server, value, lang, words) -> None:  # noqa: F811
    with years_server.client() as client:
        answer = client.get("/api/viz/network", params={"report_year": value, "lang": lang})
        assert answer.status_code == 400 and value in answer.text and words in answer.text
        # the hint names the parameter to leave out as the route calls it (it said "year")
        assert ("omettez report_year" if lang == "fr" else "leave report_year out") in answer.json()["hint"]
        page = client.get("/network", params={"report_year": value, "lang": lang}, headers={"Accept": "text/html"})
        assert page.status_code == 400 and value in page.text and words in page.text


def test_the_route_and_the_page_take_a_report_year(years_server, two_years) -> None:  # noqa: F811
    with years_server.client() as client:
        one = client.get("/api/viz/network", params={"report_year": "2025"}).json()
        assert one["meta"]["year"] == "2025" and f"qkgd:{ADDED}" in {n["id"] for n in one["nodes"]}
        assert f"qkgd:{two_years['removed']}" not in {n["id"] for n in one["nodes"]}
        page = client.get("/network", params={"report_year": "2025"})
        assert page.status_code == 200 and 'value="2025" selected' in page.text and 'name="report_year"' in page.text


@pytest.mark.browser
@pytest.mark.parametrize(
    ("locale", "label", "every"),
    [("fr-CA", "Année du rapport", "Toutes les années"), ("en-US", "Report year", "Every year")],
)
def test_the_network_year_selector_in_a_browser(browser_env, years_server, two_years, locale, label, every) -> None:  # noqa: F811
    with chromium_page(locale=locale) as session:
        page = session.page
        page.goto(years_server.url + "/network")
        page.wait_for_selector("#qkg-network[data-drawn]")
        form = page.locator("#year-select")
        assert label in form.inner_text() and form.locator("option").first.inner_text() == every
        form.locator("select").select_option("2025")
        form.locator("button").click()
        page.wait_for_url(re.compile(r"report_year=2025"))
        page.wait_for_selector("#qkg-network[data-drawn]")
        data = page.evaluate(
            "() => ({year: window.qkgViz.data.meta.year, ids: window.qkgViz.data.nodes.map(n => n.id)})"
        )
        assert data["year"] == "2025" and f"qkgd:{ADDED}" in data["ids"]
        assert f"qkgd:{two_years['removed']}" not in data["ids"]
        assert form.locator("select").input_value() == "2025"
        assert_local_only(session.requests)
        assert_no_console_errors(session)
