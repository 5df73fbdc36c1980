"""The views in headless Chromium, against the real server (``qkg serve``) on stores built from the real data,
from a hostile data set (test 17: XSS) and from a synthetic graph; and the standalone ``qkg viz`` file.

Every page test also proves the page is offline (no request leaves 127.0.0.1) and clean (no console error).
Screenshots of the three views go to ``docs/screenshots/`` (1280x800).
"""

from __future__ import annotations

import html.parser
import json
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page, screenshot
from tests.viz_support import MISSION_CITIES, built_store, live_server, qkg

pytestmark = pytest.mark.browser

_WAIT_NETWORK = "() => window.qkgViz && window.qkgViz.firstFrameAt !== undefined"
# After the interactions: nothing from the data became markup (no handler attributes, no injected script,
# image, frame or javascript: link).
_INJECTED = """(inline) => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
    if (el.tagName === 'A' && /^\\s*javascript:/i.test(el.getAttribute('href') || '')) bad.push('javascript: link');
  }
  const scripts = document.querySelectorAll('script:not([src]):not([type="application/json"])');
  if (scripts.length !== inline) bad.push(scripts.length + ' inline scripts, expected ' + inline);
  document.querySelectorAll('iframe, img[src="x"], svg[onload]').forEach(el => bad.push(el.outerHTML.slice(0, 80)));
  return bad;
}"""


def _api(base: str, path: str, **params) -> dict:
    query = urlencode(params, doseq=True)
    r = httpx.get(f"{base}{path}{'?' + query if query else ''}", timeout=120, trust_env=False)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def real(browser_env) -> str:
    return live_server(built_store("real"))


@pytest.fixture(scope="module")
def hostile(browser_env) -> str:
    return live_server(built_store("hostile"))


def _open_network(session, url: str) -> None:
    session.page.goto(url)
    session.page.wait_for_function(_WAIT_NETWORK, timeout=120_000)


def _click_node(page, node_id: str) -> None:
    """Zoom on a node and click it where it is drawn."""
    x, y = page.evaluate(
        """(id) => {
      window.network.focus(id, {scale: 2.5, animation: false});
      const d = window.network.canvasToDOM(window.network.getPosition(id));
      const r = document.querySelector('#viz-canvas canvas').getBoundingClientRect();
      return [r.left + d.x, r.top + d.y];
    }""",
        node_id,
    )
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def _visible(page) -> set[str]:
    return set(page.evaluate("() => Array.from(window.qkgViz.visible.nodes)"))


# ---------------------------------------------------------------------------------------------------------
# The 2024 graph
# ---------------------------------------------------------------------------------------------------------


def test_network_draws_as_many_nodes_as_the_api_says(real):
    api = _api(real, "/api/viz/network")
    assert api["meta"]["nodes"] > 100 and api["options"]["physics"]["enabled"] is False
    with chromium_page() as session:
        _open_network(session, real + "/network")
        drawn = session.page.evaluate(
            "() => [window.qkgViz.nodes.length, window.qkgViz.edges.length, window.network.body.nodeIndices.length]"
        )
        assert drawn == [api["meta"]["nodes"], api["meta"]["edges"], api["meta"]["nodes"]]
        assert len(_visible(session.page)) == api["meta"]["nodes"]
        legend = session.page.locator(".viz-legend .viz-kind-row").count()
        assert legend == len(api["legend"])
        # the count line in the page's language, each count with its noun and its numbers as that language writes them
        from babel.numbers import format_decimal

        lang = session.page.get_attribute("html", "lang")
        nodes, edges = (format_decimal(api["meta"][k], locale=lang) for k in ("nodes", "edges"))
        said = {
            "fr": f"{nodes} nœuds, {edges} liens affichés",
            "en": f"{api['meta']['nodes']} nodes, {api['meta']['edges']} links shown",
        }
        assert session.page.locator("#viz-count").inner_text() == said[lang]
        screenshot(session.page, "network")
        assert_local_only(session.requests)
        assert_no_console_errors(session)
        assert session.dialogs == []


def test_filters_hide_what_they_should_and_agree_with_the_api(real):
    api_cities = _api(real, "/api/viz/network", type="city")
    with chromium_page() as session:
        _open_network(session, real + "/network?type=city")
        assert _visible(session.page) == {n["id"] for n in api_cities["nodes"]}
        # Through the UI: show every kind, then untick "mission": no mission stays visible.
        session.page.click("#viz-reset")
        kinds = [k["kind"] for k in _api(real, "/api/viz/network")["legend"]]
        session.page.locator('.viz-kind-row[data-kind="mission"] input').uncheck()
        api = _api(real, "/api/viz/network", type=[k for k in kinds if k != "mission"])
        assert _visible(session.page) == {n["id"] for n in api["nodes"]}
        groups = session.page.evaluate(
            "() => Array.from(window.qkgViz.visible.nodes).map(id => window.qkgViz.byId[id].group)"
        )
        assert "mission" not in groups and "city" in groups
        assert "type=" in session.page.url  # the filter is in the address, so the view can be shared
        # The same rules in JavaScript and in Python, on each kind of filter.
        facets = _api(real, "/api/viz/network")["facets"]
        cases = [
            {"themes": [facets["themes"][0]["id"]]},
            {"relations": ["qkg:party"]},
            {"years": [2024]},
            {"categories": ["qkgd:cat-courtesy"]},
            {"types": ["reception", "city"], "relations": ["qkg:origin"]},
        ]
        for case in cases:
            js = session.page.evaluate(
                """(c) => Array.from(window.qkgViz.visibleIds({types: new Set(c.types || []),
                themes: new Set(c.themes || []), years: new Set(c.years || []), categories: new Set(c.categories || []),
                relations: new Set(c.relations || [])}).nodes)""",
                case,
            )
            params = {
                "type": case.get("types", []),
                "theme": case.get("themes", []),
                "year": case.get("years", []),
                "category": case.get("categories", []),
                "relation": case.get("relations", []),
            }
            py = {n["id"] for n in _api(real, "/api/viz/network", **params)["nodes"]}
            assert set(js) == py and py, case
        assert_no_console_errors(session)


def test_search_is_accent_insensitive_and_focuses_the_node(real):
    with chromium_page() as session:
        _open_network(session, real + "/network")
        session.page.fill("#viz-search", "GENEVE")
        first = session.page.locator("#viz-search-results button").first
        assert first.get_attribute("data-id") == "qkgd:geneve"
        first.click()
        state = session.page.evaluate("""() => ({sel: window.network.getSelectedNodes(),
            view: window.network.getViewPosition(), pos: window.network.getPosition('qkgd:geneve')})""")
        assert state["sel"] == ["qkgd:geneve"]
        assert abs(state["view"]["x"] - state["pos"]["x"]) < 1 and abs(state["view"]["y"] - state["pos"]["y"]) < 1
        session.page.wait_for_selector("#viz-panel h2")
        assert session.page.text_content("#viz-panel h2") == "Genève"
        assert_no_console_errors(session)


def test_click_opens_the_side_panel_with_provenance(real):
    api = _api(real, "/api/viz/network")
    mission = sorted(n["id"] for n in api["nodes"] if n["group"] == "mission")[0]
    with chromium_page() as session:
        _open_network(session, real + "/network")
        _click_node(session.page, mission)
        session.page.wait_for_selector("#viz-panel .viz-prov li")
        panel = session.page.text_content("#viz-panel")
        assert "Provenance" in panel and "Annexe : missions coordonnées par le BRI" in panel
        href = session.page.get_attribute("#viz-panel a.viz-entity-link", "href")
        assert href == "/id/" + mission.split(":", 1)[1]
        # neighbourhood highlight: the clicked node's neighbours stay opaque, the others fade
        faded = session.page.evaluate("() => window.qkgViz.nodes.get().filter(n => n.opacity < 1).length")
        assert 0 < faded < api["meta"]["nodes"]
        response = httpx.get(real + href, headers={"Accept": "text/html"}, timeout=30, trust_env=False)
        assert response.status_code == 200
        assert_no_console_errors(session)


def test_ego_network_from_the_query_string(real):
    api = _api(real, "/api/viz/network", focus="qkgd:ovpm", depth=2)
    assert 1 < api["meta"]["nodes"] < _api(real, "/api/viz/network")["meta"]["nodes"]
    with chromium_page() as session:
        _open_network(session, real + "/network?focus=qkgd:ovpm&depth=2")
        assert session.page.evaluate("() => window.qkgViz.nodes.length") == api["meta"]["nodes"]
        assert session.page.evaluate("() => window.network.getSelectedNodes()") == ["qkgd:ovpm"]
        assert_no_console_errors(session)


def test_png_export_downloads_the_view(real):
    with chromium_page() as session:
        _open_network(session, real + "/network")
        with session.page.expect_download() as download:
            session.page.click("#viz-png")
        data = Path(download.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        assert download.value.suggested_filename == "qkg-reseau.png"
        assert_no_console_errors(session)


def test_map_shows_the_13_mission_cities_offline(real):
    api = _api(real, "/api/viz/map")
    with chromium_page() as session:
        session.page.goto(real + "/map")
        session.page.wait_for_selector("#qkg-map[data-drawn]", timeout=60_000)
        cities = session.page.evaluate("""() => window.qkgMap.data.cities.filter(c => c.roles.includes('mission'))
            .map(c => c.id.split('/').pop())""")
        assert set(cities) == MISSION_CITIES
        assert session.page.locator("path.viz-city-mission").count() == 13
        assert session.page.locator("path.viz-route").count() == len(api["missions"]) == 8
        assert session.page.locator("#viz-mission-cities li").count() == 13
        assert session.page.locator("path.viz-origin-country").count() == len(api["origins"]["countries"])
        toggles = session.page.locator(".leaflet-control-layers-overlays input")
        assert toggles.count() == 4
        toggles.first.uncheck()  # the missions layer
        assert session.page.locator("path.viz-route").count() == 0
        toggles.first.check()
        assert session.page.locator("path.viz-route").count() == 8
        assert session.page.locator(".leaflet-tile, img.leaflet-tile").count() == 0  # no tile server
        screenshot(session.page, "map")
        session.page.evaluate("() => window.qkgMap.cityMarkers['https://w3id.org/qkg/id/geneve'].openPopup()")
        assert session.page.get_attribute(".leaflet-popup-content a", "href") == "/id/geneve"
        assert_local_only(session.requests)
        assert_no_console_errors(session)


def test_stats_page_draws_timeline_and_charts(real):
    api = _api(real, "/api/viz/stats")
    assert api["charts"]["receptions_by_category"]["values"] == [10, 7, 4]
    with chromium_page() as session:
        session.page.goto(real + "/stats")
        session.page.wait_for_selector("#qkg-stats[data-drawn]", timeout=60_000)
        assert session.page.locator(".viz-chart canvas").count() == 4
        assert session.page.evaluate("() => window.qkgStats.items.length") == len(api["timeline"]["items"])
        assert session.page.locator("#viz-timeline .vis-item").count() > 0
        screenshot(session.page, "stats")
        assert_local_only(session.requests)
        assert_no_console_errors(session)


def test_pages_carry_a_strict_csp(real):
    for page in ("/network", "/map", "/stats"):
        r = httpx.get(real + page, timeout=30, trust_env=False)
        csp = r.headers["content-security-policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "'unsafe-inline'" not in csp and r.headers["x-content-type-options"] == "nosniff"
        assert "http://" not in r.text.replace("http://www.w3.org", "") and "https://" not in r.text
        assert "<script>" not in r.text  # every script is a file


# ---------------------------------------------------------------------------------------------------------
# Test 17: a hostile graph, served and standalone
# ---------------------------------------------------------------------------------------------------------


def _attack_network(session) -> None:
    page = session.page
    ids = page.evaluate("() => window.qkgViz.data.nodes.map(n => n.id)")
    for node in ids:
        _click_node(page, node)
        page.wait_for_timeout(120)  # hover tooltip and side panel
        page.wait_for_selector("#viz-panel h2")
    page.fill("#viz-search", "img")
    for i in range(page.locator("#viz-search-results button").count()):
        page.fill("#viz-search", "img")
        page.locator("#viz-search-results button").nth(i).click()


def test_hostile_labels_and_ids_never_run_on_the_served_pages(hostile):
    with chromium_page() as session:
        _open_network(session, hostile + "/network")
        _attack_network(session)
        assert session.page.evaluate(_INJECTED, 0) == []
        panel = session.page.text_content("#viz-panel")
        assert "<" in panel  # payloads are shown, as text
        session.page.goto(hostile + "/map")
        session.page.wait_for_selector("#qkg-map[data-drawn]", timeout=60_000)
        session.page.evaluate("""() => { for (const m of Object.values(window.qkgMap.cityMarkers)) { m.openPopup(); m.openTooltip(); }
            for (const l of Object.values(window.qkgMap.missionLines)) l.openPopup(); }""")
        session.page.locator(".viz-link-button").first.click()
        assert session.page.evaluate(_INJECTED, 0) == []
        session.page.goto(hostile + "/stats")
        session.page.wait_for_selector("#qkg-stats[data-drawn]", timeout=60_000)
        assert session.page.evaluate(_INJECTED, 0) == []
        assert session.dialogs == []
        assert_local_only(session.requests)
        assert_no_console_errors(session)
    for path in ("/network", "/map", "/stats"):
        assert "alert(" not in httpx.get(hostile + path, timeout=30, trust_env=False).text
    r = httpx.get(hostile + "/api/viz/network", timeout=30, trust_env=False)
    assert r.headers["content-type"].startswith("application/json") and r.headers["x-content-type-options"] == "nosniff"


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.data_block = None
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_json = tag == "script" and dict(attrs).get("type") == "application/json"

    def handle_data(self, data):
        if self._in_json:
            self.data_block = (self.data_block or "") + data

    def handle_endtag(self, tag):
        self._in_json = False


def test_hostile_graph_in_the_standalone_file(browser_env, tmp_path):
    store = built_store("hostile")
    out = tmp_path / "hostile.html"
    qkg("--data-dir", str(store), "viz", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    assert {t for t, _ in parser.tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "link",
        "style",
        "body",
        "header",
        "h1",
        "p",
        "main",
        "div",
        "script",
    }
    scripts = [a for t, a in parser.tags if t == "script"]
    assert len(scripts) == 4 and scripts[0] == {"type": "application/json", "id": "qkg-data"}
    assert "<" not in parser.data_block and "\u2028" not in parser.data_block and "&" not in parser.data_block
    payload = json.loads(parser.data_block)
    assert any(n.get("full", n["label"]) == "<img src=x onerror=alert('mission')>" for n in payload["nodes"])
    assert text.count("</script>") == 4  # nothing inlined can close its element early
    # nothing is loaded from anywhere: no src attribute, no style sheet link (the icon is data:)
    assert not [a for _, a in parser.tags if "src" in a]
    assert [a.get("href") for t, a in parser.tags if t == "link"] == ["data:,"]
    with chromium_page() as session:
        _open_network(session, out.as_uri())
        _attack_network(session)
        _click_node(session.page, "qkgd:x'onmouseover='alert(1)")
        session.page.wait_for_selector("#viz-panel a.viz-entity-link")
        link = session.page.get_attribute("#viz-panel a.viz-entity-link", "href")
        assert link == "https://w3id.org/qkg/id/x%27onmouseover%3D%27alert%281%29"
        assert session.page.evaluate(_INJECTED, 3) == []  # vis-network, viz-common.js, network.js
        assert session.dialogs == []
        assert all(u == out.as_uri() or u.startswith("data:") for u in session.requests), session.requests
        assert_no_console_errors(session)


# ---------------------------------------------------------------------------------------------------------
# Size: a synthetic graph of about 5,000 nodes, served
# ---------------------------------------------------------------------------------------------------------


def test_synthetic_graph_of_5000_nodes_draws_with_precomputed_layout(browser_env):
    base = live_server(built_store("synth-50k"))
    api = _api(base, "/api/viz/network")  # first call lays the graph out and caches it
    assert api["meta"]["nodes"] >= 4000 and api["meta"]["large"] is True
    assert api["options"]["physics"]["enabled"] is False and api["options"]["edges"]["smooth"]["enabled"] is False
    with chromium_page(timeout_ms=60_000) as session:
        session.page.goto(base + "/network")
        session.page.wait_for_function(_WAIT_NETWORK, timeout=120_000)
        timing = session.page.evaluate("""() => ({n: window.qkgViz.nodes.length,
            frame: window.qkgViz.firstFrameAt, nav: performance.timing.navigationStart})""")
        assert timing["n"] == api["meta"]["nodes"]
        assert timing["frame"] < 15_000  # generous on a loaded CI machine; tests/bench_viz.py measures it
        # large-graph mode: edges drawn on the canvas, labels added for the nodes in view once zoomed in
        assert session.page.evaluate("() => [window.qkgViz.canvasEdges, window.qkgViz.edges.length]") == [True, 0]
        target = next(n for n in api["nodes"] if n["group"] == "city")
        session.page.fill("#viz-search", target.get("full", target["label"]))
        session.page.locator("#viz-search-results button").first.click()
        session.page.wait_for_function("(id) => window.qkgViz.nodes.get(id).label !== undefined", arg=target["id"])
        assert session.page.evaluate("() => window.network.getSelectedNodes()") == [target["id"]]
        session.page.locator('.viz-kind-row[data-kind="city"] input').uncheck()
        cities = sum(1 for n in api["nodes"] if n["group"] == "city")
        assert len(_visible(session.page)) == api["meta"]["nodes"] - cities
        assert_local_only(session.requests)
        assert_no_console_errors(session)
