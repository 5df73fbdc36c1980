"""The test infrastructure itself: vendored front-end assets and headless Chromium via Playwright."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page, is_local_url

VENDOR = Path(__file__).resolve().parent.parent / "api" / "static" / "vendor"
NOT_FETCHED = "front-end assets not fetched: run python3 scripts/assets.py"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>infra</title><link rel="icon" href="data:,">
<script src="/vendor/vis-network.min.js"></script></head>
<body><div id="net" style="width:600px;height:400px"></div>
<script>
  const nodes = new vis.DataSet([{id: 1, label: "Québec"}, {id: 2, label: "Bordeaux"}, {id: 3, label: "Namur"}]);
  const edges = new vis.DataSet([{from: 1, to: 2}, {from: 1, to: 3}]);
  window.network = new vis.Network(document.getElementById("net"), {nodes, edges}, {physics: false});
</script></body></html>
"""


@pytest.fixture(scope="module")
def static_site(tmp_path_factory) -> Iterator[str]:
    """Serve a page and api/static/vendor/ (as /vendor/) on 127.0.0.1, an ephemeral port; yield the base URL."""
    assert (VENDOR / "manifest.json").is_file(), NOT_FETCHED
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "vendor").symlink_to(VENDOR, target_is_directory=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_manifest_files_exist_and_are_not_empty() -> None:
    manifest_path = VENDOR / "manifest.json"
    assert manifest_path.is_file(), NOT_FETCHED
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert {
        "vis-network",
        "vis-timeline",
        "leaflet",
        "world-atlas",
        "topojson-client",
        "chart.js",
        "codemirror",
    } <= set(manifest)
    for name, entry in manifest.items():
        assert entry["version"] and entry["files"], name
        for file in entry["files"]:
            path = VENDOR / file
            assert path.is_file() and path.stat().st_size > 0, f"{name}: {file} missing or empty"


def test_local_url_rules() -> None:
    assert is_local_url("http://localhost:8000/x") and is_local_url("blob:http://127.0.0.1/1")
    assert not is_local_url("https://cdn.jsdelivr.net/npm/vis-network") and not is_local_url("http://192.0.2.1/")
    with pytest.raises(AssertionError, match="left the machine"):
        assert_local_only(["http://127.0.0.1/", "https://unpkg.com/x.js"])
    with pytest.raises(AssertionError, match="1 console"):
        assert_no_console_errors(["boom", "favicon 404"], allow=[r"favicon"])


@pytest.mark.browser
def test_vis_network_draws_offline(browser_env, static_site) -> None:
    with chromium_page() as session:
        session.page.goto(static_site + "/index.html")
        session.page.wait_for_function("() => window.network !== undefined")
        drawn = session.page.evaluate(
            "() => ({nodes: network.body.data.nodes.length, edges: network.body.data.edges.length,"
            " canvas: document.querySelector('#net canvas') !== null, title: document.title})"
        )
        assert drawn == {"nodes": 3, "edges": 2, "canvas": True, "title": "infra"}
        assert any(url.endswith("/vendor/vis-network.min.js") for url in session.requests)
        assert_local_only(session.requests)
        assert_no_console_errors(session)
        assert session.dialogs == []


@pytest.mark.browser
def test_dialogs_and_errors_are_recorded(browser_env, static_site) -> None:
    with chromium_page() as session:
        session.page.goto(static_site + "/index.html")
        session.page.evaluate("() => { alert('injected'); console.error('oops'); }")
        session.page.evaluate("() => { setTimeout(() => { throw new Error('late'); }, 0); }")
        session.page.wait_for_timeout(200)
        assert session.dialogs == ["alert: injected"]
        assert any("oops" in m for m in session.console_errors)
        assert any("late" in m for m in session.page_errors)


@pytest.mark.browser
def test_external_request_is_caught(browser_env, static_site) -> None:
    """A CDN request is recorded and flagged; it is answered by a route, so nothing leaves the machine."""
    with chromium_page() as session:
        session.page.route("https://cdn.example.invalid/**", lambda route: route.fulfill(body="/* stub */"))
        session.page.goto(static_site + "/index.html")
        session.page.evaluate("() => fetch('https://cdn.example.invalid/lib.js').then(r => r.text())")
        assert "https://cdn.example.invalid/lib.js" in session.requests
        with pytest.raises(AssertionError, match=r"cdn\.example\.invalid"):
            assert_local_only(session.requests)
