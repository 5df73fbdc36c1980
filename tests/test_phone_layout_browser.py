"""Phone width (390 px) in headless Chromium: no page scrolls sideways; the network graph comes first, its
filters in a drawer that Escape closes. Screenshots at 390 and 1280 px with ``QKG_SCREENSHOTS=1``."""

from __future__ import annotations

import os

import pytest

from tests.api_server import ROOT
from tests.browser import assert_local_only, assert_no_console_errors, chromium_page

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/queries",
    "/queries/missions-to-country",
    "/sparql",
    "/network",
    "/map",
    "/stats",
    "/analysis",
    "/id/ville-de-quebec",
    "/def",
    "/search?q=oms",
    "/changes",
)
SHOTS = ROOT / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    if os.environ.get("QKG_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_page_scrolls_sideways_at_390(browser_env, server, lang) -> None:
    with chromium_page(viewport=(390, 844)) as session:
        page = session.page
        for path in PAGES:
            page.goto(server.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
        assert_local_only(session.requests)
        assert_no_console_errors(session)


@pytest.mark.parametrize(("lang", "label"), [("fr", "Filtres"), ("en", "Filters")])
def test_network_graph_first_and_filters_in_a_drawer(browser_env, server, lang, label) -> None:
    with chromium_page(viewport=(390, 844)) as session:
        page = session.page
        page.goto(server.url + f"/network?lang={lang}")
        page.wait_for_function("() => window.qkgViz && window.qkgViz.firstFrameAt !== undefined", timeout=120_000)
        top = page.evaluate("() => document.querySelector('#viz-canvas').getBoundingClientRect().top")
        assert top < 844 / 2  # the graph is on the first screen
        assert not page.locator("#viz-controls").is_visible()
        toggle = page.locator("#viz-drawer-toggle")
        assert toggle.inner_text() == label
        _shot(page, f"network-{lang}-390")
        toggle.click()
        page.wait_for_function("() => document.querySelector('#viz-controls').getBoundingClientRect().left >= 0")
        assert page.locator("#viz-controls").is_visible() and toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Escape")
        page.wait_for_selector("#viz-controls", state="hidden")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert_no_console_errors(session)


def test_wide_screen_keeps_filters_beside_the_graph(browser_env, server) -> None:
    with chromium_page(viewport=(1280, 800)) as session:
        page = session.page
        page.goto(server.url + "/network")
        page.wait_for_function("() => window.qkgViz && window.qkgViz.firstFrameAt !== undefined", timeout=120_000)
        assert page.locator("#viz-controls").is_visible() and not page.locator("#viz-drawer-toggle").is_visible()
        _shot(page, "network-fr-1280")
        assert_no_console_errors(session)


def test_heatmap_headers_stay_in_view_when_it_scrolls(browser_env, server) -> None:
    with chromium_page(viewport=(390, 844)) as session:
        page = session.page
        page.goto(server.url + "/analysis")
        wrap = page.locator("#panel-themes")
        wrap.evaluate("el => { el.scrollLeft = 400; el.scrollTop = 300; }")
        box = wrap.bounding_box()
        first_col = page.locator("#panel-themes tbody th").first.bounding_box()
        header = page.locator("#panel-themes thead th").nth(2).bounding_box()
        assert abs(first_col["x"] - box["x"]) < 3  # the row headers stick to the left edge
        assert abs(header["y"] - box["y"]) < 3  # the column headers stick to the top
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert_no_console_errors(session)
