"""The HTML pages in headless Chromium: canned query form, editor, entity provenance, search box.

Every page must load nothing from outside 127.0.0.1, log no console error and open no dialog. Screenshots
(1280x800) go to docs/screenshots/ for the README when QKG_SCREENSHOTS=1.
"""

from __future__ import annotations

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page, screenshot

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    screenshot(page, name)


def _clean(session, allow: tuple[str, ...] = ()) -> None:
    assert_local_only(session.requests)
    assert_no_console_errors(session, allow=allow)
    assert session.dialogs == []


def test_home_and_query_list(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/")
        assert page.locator("h1").first.inner_text().startswith("Les relations internationales")
        assert page.locator(".counts li").count() >= 3
        _shot(page, "home")
        page.goto(server.url + "/queries")
        assert page.locator(".query-list > li").count() >= 5
        _shot(page, "queries")
        _clean(session)


def test_canned_query_form_runs_and_shows_rows(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/queries/missions-to-country")
        select = page.locator("select#param-country")
        options = select.locator("option")
        assert options.count() >= 5
        assert "Suisse" in select.locator("option:checked").inner_text()
        select.select_option(label="France")
        year = page.locator("select#param-year")  # every year by default, then the build's years
        assert year.locator("option:checked").inner_text() == "Toutes les années"
        assert year.locator("option").all_inner_texts()[1:] == ["2024"]
        page.click("#run-query")
        page.wait_for_url("**/queries/missions-to-country?country=qkgd%3Afrance&year=")
        rows = page.locator(".results-table tbody tr")
        assert rows.count() >= 1 and "Aucun" not in rows.first.inner_text()
        assert page.locator(".results-table a[href^='/id/']").count() >= 1
        editor = page.locator("a", has_text="Modifier dans l'éditeur").get_attribute("href")
        assert editor.startswith("/sparql?query=")
        _shot(page, "query")
        _clean(session)


def test_editor_runs_a_query_and_shows_errors(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/sparql")
        page.wait_for_function("() => window.qkgEditor !== undefined && window.qkgEditor !== null")
        page.evaluate("""() => window.qkgEditor.setValue(
            'SELECT ?country ?label WHERE {\\n  ?country a qkg:Country ; rdfs:label ?label .\\n'
            + '  FILTER(lang(?label) = "fr")\\n}\\nORDER BY ?label')""")
        page.click("#run")
        page.wait_for_selector(".results-table tbody tr")
        assert page.locator(".results-table tbody tr").count() >= 10
        assert page.locator(".results-table a[href='/id/suisse']").inner_text() == "qkgd:suisse"
        assert "ligne" in page.locator("#status").inner_text()
        assert page.locator("#dl-csv").get_attribute("href").startswith("/sparql?query=")
        _shot(page, "editor")
        # the example drop-down fills the editor; a broken query shows its line
        page.select_option("#examples", index=1)
        assert "SELECT" in page.evaluate("() => window.qkgEditor.getValue()").upper()
        page.evaluate("() => window.qkgEditor.setValue('SELECT * WHERE {\\n  ?s ?p \\n}')")
        page.locator(".CodeMirror textarea").focus()
        page.keyboard.press("Control+Enter")
        page.wait_for_selector("#error:not([hidden])")
        assert "ligne 2, colonne 3" in page.locator("#error").inner_text()
        # Chromium logs the deliberate 400 answer as a failed resource load; nothing else may be logged
        _clean(session, allow=(r"status of 400 \(Bad Request\) \(http://127\.0\.0\.1:\d+/sparql:0\)$",))


def test_entity_page_shows_provenance(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/id/reception-strategic-01")
        provenance = page.locator("td.provenance").all_inner_texts()
        assert any("Annexe" in text for text in provenance), provenance
        assert any("n° 1" in text for text in provenance)
        page.wait_for_function("() => window.qkgNetwork !== undefined", timeout=10_000)
        assert page.locator("#neighbour-list li").count() >= 1
        _shot(page, "entity")
        _clean(session)


def test_search_box_finds_geneve(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/queries")
        page.fill("#site-search", "geneve")
        page.wait_for_selector("#site-search-list li")
        assert "Genève" in page.locator("#site-search-list").inner_text()
        page.press("#site-search", "Enter")
        page.wait_for_url("**/search?q=geneve")
        assert page.locator(".hits li a").first.inner_text() == "Genève"
        _shot(page, "search")
        page.click(".hits li a >> nth=0")
        page.wait_for_url("**/id/geneve")
        assert "Genève" in page.locator("h1").inner_text()
        _clean(session)


def test_api_docs_work_offline(browser_env, server) -> None:
    """Swagger UI comes from the app (npm's swagger-ui-dist), not FastAPI's CDN default."""
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/docs")
        page.wait_for_selector(".opblock-tag", timeout=15_000)
        assert page.locator(".opblock-tag", has_text="sparql").count() >= 1
        _shot(page, "docs")
        _clean(session)
