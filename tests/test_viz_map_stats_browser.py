"""The map and the statistics page for people (headless Chromium), in French and English: a chosen mission's
route fitted and highlighted with no popup over it, labels that never overlap, a legend; chart labels whole,
one-day events as points, every timeline row visible, and a note on the undated activities."""

from __future__ import annotations

import json
import urllib.request
from datetime import date

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page
from tests.viz_support import built_store, live_server

pytestmark = pytest.mark.browser

#: The mission of the 2024 annex with the most stops: Cordoue, Zurich, Genève, Lausanne, Paris.
LONGEST = "mission-2024-07"
SWISS = {"fr": {"Lausanne", "Porrentruy", "Zurich", "Genève"}, "en": {"Lausanne", "Porrentruy", "Zurich", "Geneva"}}


@pytest.fixture(scope="module")
def real(browser_env) -> str:
    return live_server(built_store("real"))


def _clean(session) -> None:
    assert_local_only(session.requests)
    assert_no_console_errors(session)
    assert session.dialogs == []


_LABEL_RECTS = """() => Array.from(document.querySelectorAll('.viz-city-label'))
  .filter(e => getComputedStyle(e).visibility !== 'hidden' && e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _overlapping(rects) -> list:
    return [
        (a[0], b[0])
        for i, a in enumerate(rects)
        for b in rects[i + 1 :]
        if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5
    ]


@pytest.mark.parametrize(
    ("lang", "back", "legend"), [("fr", "Afficher toutes", "Itinéraire"), ("en", "Show every", "route")]
)
def test_choosing_a_mission_fits_and_highlights_its_route(real, lang, back, legend) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(real + f"/map?lang={lang}")
        page.wait_for_selector("#qkg-map[data-drawn]")
        assert legend in page.locator("#viz-map-legend").inner_text()
        mission = page.evaluate(f"() => window.qkgMap.data.missions.find(m => m.id.endsWith('/{LONGEST}'))")
        page.click(f"[data-mission='{mission['id']}']")
        page.wait_for_timeout(400)
        # the whole route is inside the map, no popup covers it, the others are faded
        inside = page.evaluate(
            """(id) => { const m = window.qkgMap.map, s = m.getSize();
          return window.qkgMap.missionLines[id].getLatLngs().every(ll => { const p = m.latLngToContainerPoint(ll);
            return p.x >= 0 && p.y >= 0 && p.x <= s.x && p.y <= s.y; }); }""",
            mission["id"],
        )
        assert inside
        assert page.locator(".leaflet-popup").count() == 0
        styles = page.evaluate("""() => Object.entries(window.qkgMap.missionLines)
          .map(([id, l]) => [id, l.options.weight, l.options.opacity])""")
        chosen = next(s for s in styles if s[0] == mission["id"])
        assert chosen[1] > max(s[1] for s in styles if s[0] != mission["id"])
        assert all(s[2] < 0.5 for s in styles if s[0] != mission["id"]) and chosen[2] == 1
        assert page.locator(".viz-route-selected").count() == 1
        # the side panel describes it: its stops in order, and a way back
        box = page.locator("#viz-mission-selected")
        assert box.locator("li").all_inner_texts() == [s["label"] for s in mission["stops"]]
        assert back in box.inner_text()
        # the route is the one the report gives (Córdoba, Zurich, Geneva, Lausanne, Paris)
        assert [s["id"].rsplit("/", 1)[-1] for s in mission["stops"]] == [
            "cordoue",
            "zurich",
            "geneve",
            "lausanne",
            "paris",
        ]
        # its stops' labels come first (at the zoom that shows the whole route, Zurich's may have no free side),
        # none overlapping another label
        rects = page.evaluate(_LABEL_RECTS)
        assert len({s["label"] for s in mission["stops"]} & {r[0] for r in rects}) >= 4
        assert _overlapping(rects) == []
        page.keyboard.press("Escape")
        assert box.is_hidden() and page.locator(".viz-route-selected").count() == 0
        _clean(session)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_city_labels_never_overlap_and_the_swiss_cities_show_when_zoomed(real, lang) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(real + f"/map?lang={lang}")
        page.wait_for_selector("#qkg-map[data-drawn]")
        assert _overlapping(page.evaluate(_LABEL_RECTS)) == []
        page.evaluate("() => window.qkgMap.map.setView([46.8, 7.4], 7, {animate: false})")
        page.wait_for_timeout(300)
        rects = page.evaluate(_LABEL_RECTS)
        assert _overlapping(rects) == []
        assert {r[0] for r in rects} >= SWISS[lang]
        _clean(session)


def _stats(url: str, lang: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/api/viz/stats?lang={lang}") as resp:
        return json.load(resp)


@pytest.mark.parametrize(
    ("lang", "heading", "why"), [("fr", "Absents", "annexe"), ("en", "Not on the timeline", "annex")]
)
def test_stats_labels_whole_points_every_row_and_the_undated_note(real, lang, heading, why) -> None:
    data = _stats(real, lang)
    with chromium_page() as session:
        page = session.page
        page.goto(real + f"/stats?lang={lang}")
        page.wait_for_selector("#qkg-stats[data-drawn]")
        # every bar has its label, and no label is wider than the room its axis has (none cut off)
        for key, chart in page.evaluate("""() => Object.entries(window.qkgStats.charts).map(([k, c]) => [k, {
            type: c.config.type, n: c.data.labels.length, axis: c.options.indexAxis,
            ticks: c.options.indexAxis === 'y' ? c.scales.y.ticks.length : (c.scales.x ? c.scales.x.ticks.length : 0),
            widest: c.options.indexAxis === 'y' ? c.scales.y._labelSizes.widest.width : 0,
            room: c.options.indexAxis === 'y' ? c.scales.y.width : 0, left: c.scales.y ? c.scales.y.left : 0 }])"""):
            if chart["type"] == "bar":
                assert chart["ticks"] == chart["n"], key
                assert chart["widest"] <= chart["room"] and chart["left"] >= 0, key
        # one-day events are points; all rows show (no inner scroll); no label runs past the window or over another
        one_day = [
            i
            for i in data["timeline"]["items"]
            if (date.fromisoformat(i["end"]) - date.fromisoformat(i["start"])).days == 1
        ]
        points = page.evaluate("() => window.qkgStats.items.get().filter(i => i.type === 'point').map(i => i.id)")
        assert one_day and sorted(points) == sorted(i["id"] for i in one_day)
        shown = page.evaluate("""() => { const w = window.qkgStats.timeline.getWindow();
          return window.qkgStats.items.get().filter(i => i.type === 'point' && new Date(i.start) >= w.start
            && new Date(i.start) <= w.end).length; }""")
        assert shown and page.locator("#viz-timeline .vis-item.vis-point").count() == shown
        rows = page.evaluate("""() => { const box = document.querySelector('#viz-timeline').getBoundingClientRect();
          return Array.from(document.querySelectorAll('#viz-timeline .vis-label')).map(l => {
            const r = l.getBoundingClientRect(); return [l.textContent, r.top >= box.top - 1 && r.bottom <= box.bottom + 1]; }); }""")
        assert len(rows) == len(data["timeline"]["groups"]) and all(ok for _, ok in rows), rows
        labels = page.evaluate("""() => { const e = document.querySelector('#viz-timeline .vis-panel.vis-center').getBoundingClientRect();
          return Array.from(document.querySelectorAll('#viz-timeline .viz-item')).map(i => { const r = i.getBoundingClientRect();
            return [i.textContent, r.left, r.top, r.right, r.bottom, r.left >= e.left && r.left < e.right && r.right > e.right + 1]; }); }""")
        assert [lab[0] for lab in labels if lab[5]] == []
        assert _overlapping([lab[:5] for lab in labels if lab[3] > lab[1]]) == []
        # the note: which activities are undated and why, consistent with the totals and the timeline
        note = page.locator("#viz-undated")
        assert heading in note.inner_text() and why in note.inner_text()
        undated = {r["kind"]: r for r in data["undated"]}
        dated_receptions = sum(1 for i in data["timeline"]["items"] if i["group"] == "reception")
        assert undated["reception"]["count"] == data["totals"]["receptions"] - dated_receptions
        assert undated["mission"]["count"] == data["totals"]["missions"] == undated["mission"]["ranked"]
        assert note.locator("li[data-kind='mission']").inner_text().split("—")[0].strip().endswith(": 8")
        _clean(session)
