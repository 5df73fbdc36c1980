"""The map's and the charts' year at 1M triples (a script, not a test): the build step and the answers, side by side.

::

    .venv/bin/python tests/bench_view_years.py DATA_DIR                      # a build made by this code
    .venv/bin/python tests/bench_view_years.py DATA_DIR --baseline a29b0c9   # the commit before the year

The synthetic graph (``qkg synth --triples 1M --seed 1 --out S/s.nq``, then ``qkg --data-dir D build --data S``)
has twelve report years (2015-2026). Each figure is taken in a process of its own, on the same store:

- *build step, baseline*: the baseline's ``map_data``/``stats_data`` in French and in English (the four
  artefacts ``map-fr|en``, ``stats-fr|en`` it made: every year, no ``year``), their JSON size;
- *build step, now*: the ``map-rows``, ``stats-rows`` artefacts (every row with its years, both languages, and
  the answer for every year in both), their pickle size;
- *request, now*: reading the artefact, then ``map_view``/``stats_view`` for every year (prepared: a look-up)
  and for one year (what ``/api/viz/map|stats?year=`` computes once per build, language and year before its
  cache answers), the answer's JSON size.

Wall and CPU seconds (user + system of the process: the figure that survives a loaded machine).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_RUN = r"""
import importlib.util, json, pickle, resource, sys, time
from qkg.graph.serving.store import StoreLayout, open_read_only

data_dir, what, baseline_file = sys.argv[1], sys.argv[2], sys.argv[3]
store = open_read_only(StoreLayout(data_dir).require_current())


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


out = {}
if what == "baseline":
    spec = importlib.util.spec_from_file_location("baseline_source", baseline_file)
    old = importlib.util.module_from_spec(spec)
    sys.modules["baseline_source"] = old
    spec.loader.exec_module(old)
    for name, make in (("map", old.map_data), ("stats", old.stats_data)):
        for lang in ("fr", "en"):
            t, c = time.perf_counter(), cpu()
            value = make(store, lang=lang)
            out[f"{name}-{lang}"] = {"wall": time.perf_counter() - t, "cpu": cpu() - c,
                                     "bytes": len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())}
else:
    from qkg.api.prepared import BY_NAME
    from qkg.viz.source import map_view, stats_view
    from qkg.graph.pages.years import build_years

    years = build_years(store)
    for name, view in (("map", map_view), ("stats", stats_view)):
        t, c = time.perf_counter(), cpu()
        rows = BY_NAME[f"{name}-rows"].make(store)
        data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        out[f"{name}-rows"] = {"wall": time.perf_counter() - t, "cpu": cpu() - c, "bytes": len(data)}
        t, c = time.perf_counter(), cpu()
        rows = pickle.loads(data)
        out[f"{name}-rows read"] = {"wall": time.perf_counter() - t, "cpu": cpu() - c, "bytes": len(data)}
        for year in (None, years[len(years) // 2], years[-1]):
            t, c = time.perf_counter(), cpu()
            value = view(rows, lang="fr", year=year)
            out[f"{name} view, {year or 'every year'}"] = {
                "wall": time.perf_counter() - t, "cpu": cpu() - c,
                "bytes": len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()),
            }
print(json.dumps(out))
"""


def run(data: Path, what: str, baseline_file: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(data), what, str(baseline_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path, help="a built data dir (qkg --data-dir D build ...)")
    ap.add_argument("--baseline", default="a29b0c9", help="the commit whose map and charts are the baseline")
    args = ap.parse_args(argv)
    source = subprocess.run(
        ["git", "show", f"{args.baseline}:viz/source.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    baseline_file = Path(f"/tmp/qkg-bench-view-years-{args.baseline}.py")
    baseline_file.write_text(source, encoding="utf-8")
    print(f"# map and charts by year, on {args.data} (baseline {args.baseline})", flush=True)
    before = run(args.data, "baseline", baseline_file)
    after = run(args.data, "now", baseline_file)
    print("| step | wall s | CPU s | size |")
    print("|---|---|---|---|")
    total = {"wall": 0.0, "cpu": 0.0, "bytes": 0}
    for name, f in before.items():
        print(
            f"| build, baseline: `{name}` (every year) | {f['wall']:.2f} | {f['cpu']:.2f} | {f['bytes'] / 1e6:.2f} MB |"
        )
        total = {k: total[k] + f[k] for k in total}
    print(
        f"| **build, baseline: 4 artefacts** | {total['wall']:.2f} | {total['cpu']:.2f} | {total['bytes'] / 1e6:.2f} MB |"
    )
    total = {"wall": 0.0, "cpu": 0.0, "bytes": 0}
    for name, f in after.items():
        kind = "build, now" if name.endswith("-rows") else "request, now"
        print(f"| {kind}: `{name}` | {f['wall']:.2f} | {f['cpu']:.2f} | {f['bytes'] / 1e6:.2f} MB |")
        if kind == "build, now":
            total = {k: total[k] + f[k] for k in total}
    print(f"| **build, now: 2 artefacts** | {total['wall']:.2f} | {total['cpu']:.2f} | {total['bytes'] / 1e6:.2f} MB |")


if __name__ == "__main__":
    main()
