"""The readable pages at 1280 and 390 px (headless Chromium): each opens clean (no request leaves the machine,
no console error), no page scrolls sideways at phone width, and with ``QKG_SCREENSHOTS=1`` each is saved as
``docs/screenshots/{name}-{lang}-{width}.png`` for the README."""

from __future__ import annotations

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page, screenshot
from tests.viz_support import built_store, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real(browser_env) -> str:
    return live_server(built_store("real"))


def _map(page) -> None:
    page.wait_for_selector("#qkg-map[data-drawn]")
    page.evaluate(
        "() => window.qkgMap.selectMission(window.qkgMap.data.missions.find(m => m.id.endsWith('/mission-2024-07')).id)"
    )
    page.wait_for_timeout(500)


def _stats(page) -> None:
    page.wait_for_selector("#qkg-stats[data-drawn]")


def _network(page) -> None:
    page.wait_for_selector("#viz-partners li")
    page.wait_for_timeout(300)


def _paths(page) -> None:
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-graph[data-drawn]")
    page.locator("#paths").scroll_into_view_if_needed()


def _analysis(page) -> None:
    page.wait_for_selector("#panel-themes table.heatmap")


#: name, path, how to bring the page to the state shown, full page or not
VIEWS = [
    ("map", "/map", _map, False),
    ("stats", "/stats", _stats, True),
    ("network-ego", "/network?focus=qkgd:ville-de-quebec", _network, False),
    ("analysis-both", "/analysis?actors=both", _analysis, False),
    ("paths", "/analysis", _paths, False),
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("name", "path", "ready", "full"), VIEWS, ids=[v[0] for v in VIEWS])
def test_readable_pages_at_both_widths(real, name, path, ready, full, lang, width) -> None:
    with chromium_page(viewport=(width, 800 if width > 400 else 844)) as session:
        page = session.page
        page.goto(real + path + ("&" if "?" in path else "?") + f"lang={lang}")
        ready(page)
        assert page.get_attribute("html", "lang") == lang
        sideways = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
        assert sideways <= 1, f"{path} scrolls sideways by {sideways} px at {width} px"
        if lang == "fr" or name in ("paths", "network-ego"):
            screenshot(page, f"{name}-{lang}-{width}", full_page=full)
        assert_local_only(session.requests)
        assert_no_console_errors(session)
