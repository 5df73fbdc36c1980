"""The year filter of the canned queries at 1M triples (a script, not a test): what it costs, side by side.

::

    .venv/bin/python tests/bench_years.py                          # synth 1M (seed 1) into a year folder, build, measure
    .venv/bin/python tests/bench_years.py --reuse /tmp/qkg-years   # a folder already synthesised and built
    .venv/bin/python tests/bench_years.py --baseline 9b0ee05       # the commit whose canned queries are the baseline

Every canned query runs three ways on the same store (one page of 500 rows, its default parameters, each in a
process of its own killed after ``--timeout`` seconds):

- *baseline*: the query as it was before the year filter (``git show BASELINE:graph/queries/NAME.rq``);
- *every year*: today's query, ``year`` left out (its facts read through ``GRAPH ?g {...} ?g dct:temporal ?year``);
- *one year*: today's query with ``year=2024``.

It prints wall and CPU seconds (user + system of the query's process, the figure that survives a loaded
machine) for each, and the ratio of the filtered queries' CPU to the baseline's. The synthetic data goes under
``SRC/2024/synth.nt``, so the build tags its graph with the year 2024 (``qkg synth`` writes one file).

The other way to keep years apart, per-year inference, is measured by the build itself: its log line
``OWL 2 RL inference: +N triples (S s)`` is what each further year would add (one inferred graph per year).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QKG = [sys.executable, "-m", "qkg.api.cli"]

#: Runs in a process of its own: open the build read-only, run one query, print its figures as JSON.
_RUN = r"""
import json, resource, sys, time
from qkg.api.routes.queries import paged
from qkg.graph.pages.catalog import _parse
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.ontology import sparql_prefixes
from pathlib import Path

data_dir, path, values = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
query = _parse(path)
store = open_read_only(StoreLayout(data_dir).require_current())
from qkg.graph.pages.catalog import bind
bindings = bind(query, {k: v for k, v in values.items() if k in {p.name for p in query.params}})
before = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
rows = store.select(sparql_prefixes() + "\n" + paged(query.sparql, 500, 0), bindings=bindings or None, max_rows=None)
n = len(list(rows))
wall = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(json.dumps({"rows": n, "wall": wall, "cpu": cpu}))
"""


def _measure(data_dir: Path, path: Path, values: dict, timeout: float) -> dict:
    try:
        out = subprocess.run(
            [sys.executable, "-c", _RUN, str(data_dir), str(path), json.dumps(values)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s"}
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1][:60]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepare(work: Path, triples: str) -> Path:
    src, data_dir = work / "src" / "2024", work / "built"
    if not (src / "synth.nt").exists():
        src.mkdir(parents=True, exist_ok=True)
        subprocess.run([*QKG, "synth", "--triples", triples, "--seed", "1", "--out", str(src / "synth.nt")], check=True)
    if not (data_dir / "stores").exists():
        t = time.perf_counter()
        subprocess.run(
            [*QKG, "--data-dir", str(data_dir), "build", "--data", str(work / "src"), "--no-shacl", "--no-diff"],
            check=True,
        )
        print(f"built in {time.perf_counter() - t:.0f} s", flush=True)
    return data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", default="1M")
    parser.add_argument("--reuse", type=Path, help="a folder with src/2024/synth.nt and built/ (made if missing)")
    parser.add_argument("--baseline", default="9b0ee05", help="the commit whose canned queries have no year filter")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--only", help="comma-separated query names")
    args = parser.parse_args()
    work = args.reuse or Path("/tmp/qkg-years")
    data_dir = _prepare(work, args.triples)
    base_dir = work / "baseline-queries"
    base_dir.mkdir(exist_ok=True)
    names = sorted(p.stem for p in (REPO / "graph" / "queries").glob("*.rq"))
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    print(
        "| query | baseline wall / CPU s | every year wall / CPU s | year=2024 wall / CPU s | CPU ratio (every / one) |"
    )
    print("|---|---|---|---|---|")
    for name in names:
        base = base_dir / f"{name}.rq"
        text = subprocess.run(
            ["git", "show", f"{args.baseline}:graph/queries/{name}.rq"], capture_output=True, text=True, cwd=REPO
        ).stdout
        base.write_text(text)
        current = REPO / "graph" / "queries" / f"{name}.rq"
        cells, cpus = [], []
        for path, values in ((base, {}), (current, {}), (current, {"year": "2024"})):
            got = _measure(data_dir, path, values, args.timeout) if path.read_text() else {"error": "absent"}
            if "error" in got:
                cells.append(got["error"])
                cpus.append(None)
            else:
                cells.append(f"{got['wall']:.2f} / {got['cpu']:.2f} ({got['rows']} rows)")
                cpus.append(got["cpu"])
        ratio = (
            " / ".join(f"{c / max(cpus[0], 0.01):.1f}x" if c is not None else "-" for c in cpus[1:])
            if cpus[0] is not None
            else "-"
        )
        print(f"| `{name}` | {cells[0]} | {cells[1]} | {cells[2]} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
