"""The /analysis page in headless Chromium, on a real ``qkg serve`` of the 2024 graph.

Heatmap renders, clicking a cell shows its facts with provenance, sorting works, the path finder draws the
Québec -> Innovaud path with vis-network; nothing leaves 127.0.0.1, no console error, no dialog.
Screenshot: docs/screenshots/analysis.png.
"""

from __future__ import annotations

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page, find_path, screenshot

pytestmark = pytest.mark.browser


def test_analysis_page(browser_env, server) -> None:
    with chromium_page(viewport=(1280, 800)) as session:
        page = session.page
        page.goto(server.url + "/analysis")
        heat = page.locator("#panel-themes table.heatmap")
        assert heat.locator("thead th.actor").count() == 4
        assert heat.locator("tbody tr").count() >= 30
        assert heat.locator("td.cell.heat-5").count() >= 1

        # click a cell: its facts, each with its report section
        cell = heat.locator("tr[data-column$='theme-sante-durable'] td.cell[data-actor$='universite-laval']")
        cell.click()
        page.wait_for_selector("#cell-facts li.fact")
        facts = page.locator("#cell-facts li.fact")
        assert facts.count() >= 1
        assert "Source :" in facts.first.inner_text() and "Création du comité" in facts.first.inner_text()

        # sort the rows by the City's column: the largest count comes first
        heat.locator("thead th.actor[data-actor$='ville-de-quebec'] button").click()
        counts = [
            int(x)
            for x in heat.locator("tbody tr td.cell[data-actor$='ville-de-quebec']").evaluate_all(
                "els => els.map(e => e.dataset.count)"
            )
        ]
        assert counts == sorted(counts, reverse=True)

        # the other dimensions
        page.click("#tab-countries")
        assert page.locator("#panel-countries").is_visible() and not page.locator("#panel-themes").is_visible()
        page.click("#tab-themes")

        # the ranking table
        assert page.locator("#ranking-table tbody tr").first.inner_text().find("Ville de Québec") >= 0

        # the path finder: search boxes fed by /api/search, then the drawn paths
        find_path(page, "Ville de Qué", choice="Ville de Québec")
        assert page.locator("#path-graph canvas").count() == 1
        assert page.evaluate(
            "window.qkgAnalysisNetwork.body.data.nodes.get('https://w3id.org/qkg/id/agreement-qi-lecamp-innovaud') !== null"
        )
        first = page.locator("#path-list > li").first.inner_text()
        assert "facilitateur" in first and "qkg:" not in first and "Québec attire" in first

        page.locator("#path-graph").scroll_into_view_if_needed()
        screenshot(page, "analysis", full_page=True)

        assert_local_only(session.requests)
        assert_no_console_errors(session)
        assert session.dialogs == []


def test_a_cells_facts_come_a_page_at_a_time(browser_env, server) -> None:
    """The map's answer lists at most a few facts per cell: the panel reads /cell 50 facts at a time, says how
    many there are in all, and "show N more" brings the rest."""
    with chromium_page(viewport=(1280, 800)) as session:
        page = session.page
        page.goto(server.url + "/analysis")
        page.click("#tab-continents")
        cells = page.locator("#panel-continents td.cell[tabindex]")
        counts = cells.evaluate_all("els => els.map(e => parseInt(e.dataset.count, 10))")
        biggest = max(counts)
        assert biggest > 50, counts
        cells.nth(counts.index(biggest)).click()
        page.wait_for_selector("#cell-facts li.fact")
        facts = page.locator("#cell-facts li.fact")
        assert facts.count() == 50
        assert f"{biggest} faits" in page.locator("#cell-facts p.hint").inner_text()
        more = page.locator("#cell-facts button.show-more-facts")
        assert more.is_visible() and more.inner_text() == f"Afficher {biggest - 50} faits de plus"
        more.click()
        facts.nth(biggest - 1).wait_for()  # (no wait_for_function: the CSP forbids evaluating a string)
        assert facts.count() == biggest and not more.is_visible()
        assert_no_console_errors(session)
