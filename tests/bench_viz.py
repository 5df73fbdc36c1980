"""Benchmark of the network view (a script, not collected by pytest): layout time, first frame, redraw.

    .venv/bin/python tests/bench_viz.py                    # 100, 1,000, 5,000 and 20,000 nodes
    .venv/bin/python tests/bench_viz.py --sizes 100 1000 --cap 30 --json out.json

For each size, on the same Barabási-Albert graph (m=3, seed 42: about 3 edges per node, hub-heavy):

* **layout**: python-igraph Fruchterman-Reingold (:func:`qkg.viz.layout.layout_positions`) against
  ``networkx.spring_layout`` (needs numpy; each run in a subprocess killed at the cap);
* **ours**: the standalone page of ``qkg viz`` (:func:`qkg.viz.standalone.standalone_html`: vendored vis-network,
  ``network.js``, positions precomputed, physics off, straight edges) loaded from disk in headless Chromium;
* **pyvis default**: pyvis 0.3.2's own template with its defaults (physics on, barnesHut, dynamic smooth
  edges), ``cdn_resources="in_line"``, the Bootstrap CDN tags stripped and any non-local request blocked.

Times are from navigation start: *first frame* is vis-network's first ``afterDrawing``; *settled* is its
``stabilized`` event (pyvis only); *redraw* is the mean of 10 synchronous ``network.redraw()`` calls once drawn.
Each case stops at the cap (default 60 s) and then reads ">60 s" or "never settled".
Targets: first frame <= 1 s at 5,000 nodes and <= 3 s at 20,000 (ours).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import networkx as nx  # noqa: E402
from qkg.viz.layout import centralities, layout_positions  # noqa: E402
from qkg.viz.network import network_payload  # noqa: E402
from qkg.viz.standalone import standalone_html  # noqa: E402
from qkg.viz.style import KINDS  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

STATIC = REPO / "api" / "static"
TARGETS = {5000: 1.0, 20000: 3.0}
_KINDS = [k for k in KINDS if k != "other"]

# Injected into pyvis's page right after vis-network: record vis-network's events against navigation start.
_PROBE = """<script>
window.__bench = {};
(function () {
  var Original = vis.Network;
  vis.Network = function (container, data, options) {
    var net = new Original(container, data, options);
    window.__bench.created = performance.now();
    net.once("afterDrawing", function () { window.__bench.firstFrame = performance.now(); });
    net.on("stabilized", function () { if (!window.__bench.settled) window.__bench.settled = performance.now(); });
    net.on("stabilizationIterationsDone", function () { window.__bench.iterationsDone = performance.now(); });
    return net;
  };
  vis.Network.prototype = Original.prototype;
})();
</script>"""


def make_graph(n: int) -> nx.MultiDiGraph:
    base = nx.barabasi_albert_graph(n, 3, seed=42)
    rnd = random.Random(1)
    g = nx.MultiDiGraph(vocab={"rel": "lien"})
    g.add_nodes_from((f"n{i}", {"label": f"Nœud {i}", "kind": rnd.choice(_KINDS)}) for i in base.nodes)
    g.add_edges_from((f"n{u}", f"n{v}", {"rel": "rel"}) for u, v in base.edges)
    return g


def time_in_subprocess(code: str, cap: float) -> float | None:
    """Seconds a Python snippet takes in a fresh interpreter, or None past the cap (the process is killed)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=cap, env=env)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    return float(out.stdout.strip().splitlines()[-1])


def layout_times(n: int, cap: float) -> dict:
    setup = (
        f"import time, networkx as nx; g = nx.Graph(nx.barabasi_albert_graph({n}, 3, seed=42)); {{}}; "
        "t = time.perf_counter(); "
    )
    igraph = time_in_subprocess(
        setup.format("from qkg.viz.layout import layout_positions") + "layout_positions(g); "
        "print(time.perf_counter() - t)",
        cap,
    )
    try:
        spring = time_in_subprocess(
            setup.format("import numpy, scipy") + "nx.spring_layout(g, seed=1); print(time.perf_counter() - t)", cap
        )
        spring_note = None
    except RuntimeError as exc:
        spring, spring_note = None, f"n/a ({exc})"
    return {"igraph": igraph, "spring": spring, "spring_note": spring_note}


def our_page(g: nx.MultiDiGraph) -> str:
    pos = layout_positions(g)
    payload = network_payload(g, positions=pos, metrics=centralities(g), meta={"build": "bench"})
    scripts = [
        (STATIC / "vendor" / "vis-network.min.js").read_text(encoding="utf-8"),
        (STATIC / "js" / "viz-common.js").read_text(encoding="utf-8"),
        (STATIC / "js" / "network.js").read_text(encoding="utf-8"),
    ]
    return standalone_html(
        payload, scripts=scripts, styles=[(STATIC / "css" / "viz.css").read_text(encoding="utf-8")], title="bench"
    )


def pyvis_page(g: nx.MultiDiGraph) -> str:
    from pyvis.network import Network

    net = Network(height="750px", width="100%", cdn_resources="in_line")  # every other option: pyvis's default
    for node, d in g.nodes(data=True):  # filled directly: add_edge/from_nx are O(E^2) (6 s at 15k edges)
        net.nodes.append({"id": node, "label": d["label"], "shape": "dot", "color": "#97c2fc", "size": 10})
    for u, v in g.edges():
        net.edges.append({"from": u, "to": v})
    page = net.generate_html()
    page = re.sub(r"<link[^>]+cdn\.jsdelivr\.net[^>]*>", "", page)
    page = re.sub(r"<script[^>]+cdn\.jsdelivr\.net[^>]*>\s*</script>", "", page)
    anchor = page.index("</head>")
    return page[:anchor] + _PROBE + page[anchor:]


def measure(browser, path: Path, *, kind: str, cap: float) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    result: dict = {"outside_blocked": 0}
    try:
        page.goto(path.as_uri(), timeout=cap * 1000, wait_until="commit")
        probe = (
            "() => window.qkgViz && window.qkgViz.firstFrameAt"
            if kind == "ours"
            else "() => window.__bench && window.__bench.firstFrame"
        )
        try:
            page.wait_for_function(probe, timeout=cap * 1000, polling=50)
        except Exception:
            result["first_frame"] = None
        else:
            if kind == "ours":
                result["first_frame"] = page.evaluate("() => window.qkgViz.firstFrameAt") / 1000
            else:
                result["first_frame"] = page.evaluate("() => window.__bench.firstFrame") / 1000
        if kind == "pyvis":
            remaining = max(0.0, cap - (result.get("first_frame") or cap))
            try:
                page.wait_for_function("() => window.__bench.settled", timeout=max(1, remaining) * 1000, polling=200)
                result["settled"] = page.evaluate("() => window.__bench.settled") / 1000
            except Exception:
                result["settled"] = None
        if result.get("first_frame") is not None:
            result["redraw_ms"] = page.evaluate("""() => { const n = window.network; const t = performance.now();
                for (let i = 0; i < 10; i++) n.redraw(); return (performance.now() - t) / 10; }""")
            result["heap_mb"] = page.evaluate(
                "() => performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null"
            )
    finally:
        result["outside_blocked"] = len(outside)
        context.close()
    return result


def fmt(seconds: float | None, cap: float, never: str = "") -> str:
    if seconds is None:
        return f">{cap:g} s" + (f" / {never}" if never else "")
    return f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 20000])
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--skip-pyvis", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))
        for n in args.sizes:
            g = make_graph(n)
            row = {"nodes": n, "edges": g.number_of_edges(), "layout": layout_times(n, args.cap)}
            t = time.perf_counter()
            ours = Path(tmp) / f"ours-{n}.html"
            ours.write_text(our_page(g), encoding="utf-8")
            row["page_build_s"] = time.perf_counter() - t
            row["page_mb"] = ours.stat().st_size / 1e6
            row["ours"] = measure(browser, ours, kind="ours", cap=args.cap)
            if not args.skip_pyvis:
                theirs = Path(tmp) / f"pyvis-{n}.html"
                theirs.write_text(pyvis_page(g), encoding="utf-8")
                row["pyvis"] = measure(browser, theirs, kind="pyvis", cap=args.cap)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        browser.close()
    cap = args.cap
    print(f"\nBarabási-Albert m=3, headless Chromium ({CHROMIUM}), {os.cpu_count()} cores, cap {cap:g} s per case\n")
    print(
        "| nodes / edges | layout igraph | layout nx spring | ours: first frame | ours: redraw | "
        "pyvis default: first frame | pyvis: settled | pyvis: redraw | target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        lay, ours, pv = r["layout"], r["ours"], r.get("pyvis", {})
        target = TARGETS.get(r["nodes"])
        ok = (
            ""
            if target is None
            else (
                f"<= {target:g} s: "
                + ("met" if ours.get("first_frame") is not None and ours["first_frame"] <= target else "MISSED")
            )
        )
        spring = lay["spring_note"] or fmt(lay["spring"], cap)
        print(
            f"| {r['nodes']:,} / {r['edges']:,} | {fmt(lay['igraph'], cap)} | {spring} | "
            f"{fmt(ours.get('first_frame'), cap, 'never drawn')} | "
            f"{ours['redraw_ms']:.1f} ms |"
            if ours.get("redraw_ms") is not None
            else "n/a |",
            end="",
        )
        if pv:
            redraw = f"{pv['redraw_ms']:.1f} ms" if pv.get("redraw_ms") is not None else "n/a"
            print(
                f" {fmt(pv.get('first_frame'), cap, 'never drawn')} | {fmt(pv.get('settled'), cap, 'never settled')}"
                f" | {redraw} | {ok} |"
            )
        else:
            print(f" skipped | skipped | skipped | {ok} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
