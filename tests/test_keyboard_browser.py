"""Keyboard and titles (headless Chromium, French and English): every page has a title of its own, in the
page's language, and Escape closes what is open on every page (suggestion lists, a table's details, the
analysis cell's facts, the editor's error, the map's popup; the network's panel has its own test)."""

from __future__ import annotations

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/queries",
    "/queries/ovpm-board",
    "/sparql",
    "/network",
    "/map",
    "/stats",
    "/analysis",
    "/def",
    "/def/City",
    "/id/quebec",
    "/id/ovpm",
    "/search?q=geneve",
    "/search",
    "/changes",
    "/docs",
)


@pytest.mark.parametrize(
    ("lang", "ovpm"),
    [("fr", "Organisation des villes du patrimoine mondial"), ("en", "Organization of World Heritage Cities")],
)
def test_every_page_has_a_title_of_its_own(browser_env, server, lang, ovpm) -> None:
    titles = {}
    with chromium_page() as session:
        for path in PAGES:
            session.page.goto(server.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
            titles[path] = session.page.title()
        assert_no_console_errors(session)
    assert len(set(titles.values())) == len(PAGES), titles
    assert all(t.endswith(" · qkg") and len(t) > len(" · qkg") for t in titles.values()), titles
    assert titles["/id/ovpm"] == f"{ovpm} · qkg"


def _escape_closes(page, is_open: str) -> None:
    assert page.evaluate(is_open)
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !({is_open})()", timeout=2000)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_escape_closes_what_is_open_on_every_page(browser_env, server, lang) -> None:
    with chromium_page() as session:
        page = session.page
        # the header's search suggestions (every page)
        page.goto(server.url + f"/?lang={lang}")
        page.locator("#site-search").type("gene")
        page.wait_for_selector("#site-search-list li")
        _escape_closes(page, "() => !document.querySelector('#site-search-list').hidden")
        # a chart's table (stats): an open <details>
        page.goto(server.url + f"/stats?lang={lang}")
        page.wait_for_selector("#qkg-stats[data-drawn]")
        page.locator("details.viz-table-fallback summary").first.click()
        _escape_closes(page, "() => document.querySelector('details.viz-table-fallback').open")
        # the analysis page: the path finder's suggestions, then a cell's facts
        page.goto(server.url + f"/analysis?lang={lang}")
        box = page.locator("#path-to")
        box.fill("")
        box.type("Innov")
        page.wait_for_selector("#path-to-list li")
        _escape_closes(page, "() => !document.querySelector('#path-to-list').hidden")
        page.locator("#panel-themes td.cell[tabindex]").first.click()
        page.wait_for_selector("#cell-facts li.fact")
        _escape_closes(
            page,
            "() => !!document.querySelector('td.cell.selected') && !!document.querySelector('#cell-facts li.fact')",
        )
        assert page.locator("#cell-facts .hint").count() == 1
        # the SPARQL editor's error
        page.goto(server.url + f"/sparql?lang={lang}&query=" + "SELECT%20%3Fx%20WHERE%20%7B")
        page.wait_for_selector("#error:not([hidden])")
        page.locator("body").click(position={"x": 5, "y": 5})
        _escape_closes(page, "() => !document.querySelector('#error').hidden")
        # the map: a city's popup
        page.goto(server.url + f"/map?lang={lang}")
        page.wait_for_selector("#qkg-map[data-drawn]")
        page.evaluate("() => { const m = Object.values(window.qkgMap.cityMarkers)[0]; m.openPopup(); }")
        _escape_closes(page, "() => !!document.querySelector('.leaflet-popup')")
        assert_local_only(session.requests)
        assert_no_console_errors(session, allow=[r"status of 400 .*/sparql"])  # the bad query, on purpose
