"""The SPARQL editor in headless Chromium: permalinks, the back button, one plain error position, titles."""

from __future__ import annotations

import re

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page

pytestmark = pytest.mark.browser

_READY = "() => window.qkgEditor !== undefined && window.qkgEditor !== null"
FIRST = "SELECT ?c WHERE { ?c a qkg:City } ORDER BY ?c LIMIT 2"
SECOND = "SELECT ?k WHERE { ?k a qkg:Country } ORDER BY ?k LIMIT 4"


def _run(page, query: str, rows: int) -> None:
    page.evaluate("(q) => window.qkgEditor.setValue(q)", query)
    page.click("#run")
    page.wait_for_function(f"() => document.querySelectorAll('.results-table tbody tr').length === {rows}")


def test_the_address_carries_the_query_and_back_restores_it(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/sparql")
        page.wait_for_function(_READY)
        _run(page, FIRST, 2)
        assert "query=" in page.url and "qkg%3ACity" in page.url
        _run(page, SECOND, 4)
        assert "qkg%3ACountry" in page.url
        page.go_back()
        page.wait_for_function("() => document.querySelectorAll('.results-table tbody tr').length === 2")
        assert page.evaluate("() => window.qkgEditor.getValue()") == FIRST
        permalink = page.url
        assert_local_only(session.requests)
        assert_no_console_errors(session)
    with chromium_page() as session:  # a fresh browser opens the permalink: the query and its answer
        page = session.page
        page.goto(permalink)
        page.wait_for_function(_READY)
        page.wait_for_function("() => document.querySelectorAll('.results-table tbody tr').length === 2")
        assert page.evaluate("() => window.qkgEditor.getValue()") == FIRST
        assert_no_console_errors(session)


@pytest.mark.parametrize(("lang", "words"), [("fr", "ligne 2, colonne"), ("en", "line 2, column")])
def test_a_syntax_error_names_one_line_and_column_in_plain_words(browser_env, server, lang, words) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/sparql?lang={lang}")
        page.wait_for_function(_READY)
        page.evaluate("() => window.qkgEditor.setValue('SELECT ?c WHERE { ?c a qkg:City }\\nLIMIT x')")
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])")
        message = page.locator("#error .error-message").inner_text()
        assert words in message
        assert len(re.findall(r"\b(?:line|ligne)\s+\d", message, re.I)) == 1, message
        assert_no_console_errors(session, allow=(r"status of 400 \(Bad Request\)",))


def test_titles_are_unique_and_never_doubled(browser_env, server) -> None:
    titles = []
    with chromium_page() as session:
        for path in ("/", "/sparql", "/queries", "/network", "/map", "/stats", "/analysis", "/def", "/search?q=oms"):
            session.page.goto(server.url + path)
            titles.append(session.page.title())
    assert len(set(titles)) == len(titles), titles
    assert not any(t.count("qkg") > 1 and "·" in t and t.split("·")[0].strip() == "qkg" for t in titles), titles


@pytest.mark.parametrize(("lang", "tabs"), [("fr", ["Tableau", "Diagramme en barres"]), ("en", ["Table", "Bar chart"])])
def test_result_views_table_bar_map_graph_offline(browser_env, server, lang, tabs) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/sparql?lang={lang}")
        page.wait_for_function(_READY)
        page.evaluate("""() => window.qkgEditor.setValue('SELECT ?country (COUNT(?c) AS ?cities) WHERE { ?c a qkg:City ; '
            + 'qkg:country ?country } GROUP BY ?country ORDER BY DESC(?cities) LIMIT 10')""")
        page.click("#run")
        page.wait_for_selector("#view-bar")
        assert page.locator(".view-tabs button").all_inner_texts() == tabs
        page.click("#view-bar")
        page.wait_for_function("() => window.qkgEditorChart && window.qkgEditorChart.data.labels.length > 0")
        page.evaluate(
            "() => window.qkgEditor.setValue('SELECT ?place ?lat ?long WHERE { ?place geo:lat ?lat ; geo:long ?long } LIMIT 30')"
        )
        page.click("#run")
        page.wait_for_selector("#view-map")
        page.click("#view-map")
        page.wait_for_selector(".view-map[data-points]")
        assert int(page.get_attribute(".view-map", "data-points")) > 0
        page.evaluate(
            "() => window.qkgEditor.setValue('CONSTRUCT { ?c qkg:country ?k } WHERE { ?c a qkg:City ; qkg:country ?k } LIMIT 15')"
        )
        page.click("#run")
        page.wait_for_selector("#view-graph")
        page.click("#view-graph")
        page.wait_for_selector(".view-graph[data-nodes]")
        assert int(page.get_attribute(".view-graph", "data-nodes")) > 1
        assert_local_only(session.requests)
        assert_no_console_errors(session)
