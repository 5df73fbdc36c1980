"""The network page for people (headless Chromium): only one type, re-fit after a filter, Escape, a PNG worth
printing (twice the screen's pixels, title, legend, date), in French and English."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page
from tests.viz_support import built_store, live_server

pytestmark = pytest.mark.browser

_WAIT = "() => window.qkgViz && window.qkgViz.firstFrameAt !== undefined"


@pytest.fixture(scope="module")
def real(browser_env) -> str:
    return live_server(built_store("real"))


def _open(session, url: str) -> None:
    session.page.goto(url)
    session.page.wait_for_function(_WAIT, timeout=120_000)


@pytest.mark.parametrize(("lang", "only"), [("fr", "seulement"), ("en", "only")])
def test_only_this_type_in_one_click_and_the_view_refits(real, lang, only) -> None:
    with chromium_page() as session:
        page = session.page
        _open(session, real + f"/network?lang={lang}")
        kind = page.evaluate(
            "() => window.qkgViz.data.facets.kinds.find(k => k.kind === 'agreement') ? 'agreement' "
            ": window.qkgViz.data.facets.kinds[1].kind"
        )
        button = page.locator(f".viz-only[data-kind='{kind}']")
        assert button.inner_text() == only
        page.evaluate("() => window.network.moveTo({position: {x: 5000, y: 5000}, scale: 0.05, animation: false})")
        button.click()
        kinds = page.evaluate("() => Array.from(window.qkgViz.visible.nodes).map(id => window.qkgViz.byId[id].group)")
        assert kinds and set(kinds) == {kind}
        assert page.locator(".viz-legend input:checked").count() == 1
        # re-fitted: every visible node is inside the canvas
        inside = page.evaluate("""() => {
          const r = document.querySelector('#viz-canvas canvas').getBoundingClientRect();
          return Array.from(window.qkgViz.visible.nodes).every(id => {
            const p = window.network.canvasToDOM(window.network.getPosition(id));
            return p.x >= -1 && p.y >= -1 && p.x <= r.width + 1 && p.y <= r.height + 1; }); }""")
        assert inside
        assert_local_only(session.requests)
        assert_no_console_errors(session)


def test_escape_closes_the_side_panel(real) -> None:
    with chromium_page() as session:
        page = session.page
        _open(session, real + "/network")
        page.evaluate("() => window.qkgViz.select ? window.qkgViz.select('qkgd:ville-de-quebec', true) : null")
        if page.locator("#viz-panel").is_hidden():  # select through a click where the node is drawn
            x, y = page.evaluate("""() => { window.network.focus('qkgd:ville-de-quebec', {scale: 2, animation: false});
              const d = window.network.canvasToDOM(window.network.getPosition('qkgd:ville-de-quebec'));
              const r = document.querySelector('#viz-canvas canvas').getBoundingClientRect();
              return [r.left + d.x, r.top + d.y]; }""")
            page.mouse.click(x, y)
        page.wait_for_selector("#viz-panel:not([hidden])")
        page.keyboard.press("Escape")
        page.wait_for_selector("#viz-panel", state="hidden")
        assert_no_console_errors(session)


def test_png_is_twice_the_screen_with_title_legend_and_date(real) -> None:
    with chromium_page() as session:
        page = session.page
        _open(session, real + "/network")
        with page.expect_download() as download:
            page.click("#viz-png")
        data = Path(download.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        css_w, css_h = page.evaluate("""() => { const c = document.querySelector('#viz-canvas canvas');
            return [c.clientWidth, c.clientHeight]; }""")
        assert width >= 2 * css_w and height >= 2 * css_h
        # the page's own canvas is back to its size and the export was not taken in a faded state
        assert page.evaluate("() => document.querySelector('#viz-canvas canvas').width") < width
        assert_no_console_errors(session)


_LABELS = """() => { const v = window.qkgViz, bodies = window.network.body.nodes;
  const drawn = v.labelOrder.filter(n => bodies[n.id] && bodies[n.id].labelModule.visible()).map(n => n.id);
  return {drawn: drawn, shown: v.labelsShown, order: v.labelOrder.map(n => n.id), boxes: v.labelBoxes,
          labels: Object.fromEntries(v.labelOrder.map(n => [n.id, n.label]))}; }"""


def _overlaps(boxes) -> list:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], i + 1)
        if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    ]


@pytest.mark.parametrize(("lang", "city"), [("fr", "Ville de Québec"), ("en", "City of Québec")])
def test_labels_by_importance_the_largest_first_the_rest_as_you_zoom(real, lang, city) -> None:
    with chromium_page() as session:
        page = session.page
        _open(session, real + f"/network?lang={lang}&focus=qkgd:ville-de-quebec")
        page.wait_for_function("() => window.qkgViz.labelsShown && window.qkgViz.labelsShown.length")
        page.wait_for_timeout(300)
        first = page.evaluate(_LABELS)
        # vis-network draws exactly the labels placed: the largest node first, a few, none overlapping
        assert sorted(first["drawn"]) == sorted(first["shown"])
        assert first["shown"][0] == first["order"][0] == "qkgd:ville-de-quebec"
        assert first["labels"]["qkgd:ville-de-quebec"] == city
        assert 3 <= len(first["shown"]) < len(first["order"]) / 2
        assert _overlaps(first["boxes"]) == []
        # zoom in on the view's centre: labels of nodes that had none appear, still without overlaps
        page.evaluate("""() => { const n = window.network; n.moveTo({scale: n.getScale() * 3, animation: false});
          n.emit('zoom', {direction: '+', scale: n.getScale()}); }""")
        page.wait_for_timeout(400)
        zoomed = page.evaluate(_LABELS)
        assert set(zoomed["shown"]) - set(first["shown"])
        assert sorted(zoomed["drawn"]) == sorted(zoomed["shown"])
        assert _overlaps(zoomed["boxes"]) == []
        assert_no_console_errors(session)
