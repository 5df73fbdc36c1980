"""Benchmark ``qkg build`` against its floor, and the SHACL engines side by side (a script, not a test).

    .venv/bin/python tests/bench_build.py [--sizes 2024,1M] [--work DIR] [--engines sparql,turbo,rudof,pyshacl]
                                          [--timeout 900] [--skip-shacl] [--serve]
    .venv/bin/python tests/bench_build.py --artefacts STORE [--names network,centrality-actors,...]
                                          [--baseline REF] [--repeat N]
    .venv/bin/python tests/bench_build.py --compaction STORE [--repeat N] [--work DIR]

For each size (``2024`` is the repository's data; ``1M``, ``10M``... are ``qkg synth --seed 1`` graphs):

- **floor**: pyoxigraph's ``bulk_load`` of the same file into a fresh on-disk store, alone;
- **build**: ``qkg build`` with SHACL (its steps: load, checks, inference, SHACL, artefacts, publish), its
  wall time, CPU time and peak memory, each step's wall and CPU time (from the build's log), and its ratio to
  the floor (the target at 1M: <= 60 s, <= 2 GB, <= 5x);
- **SHACL engines** on the built graph (asserted + inferred triples): the shapes compiled to SPARQL on the
  store (the build's, ``graph/building/shacl_sparql.py``), pyshacl-turbo, pyrudof (on an N-Triples copy) and
  pySHACL (the reference, on an rdflib copy), each in its own process: time, peak memory, number of results,
  and whether the report equals pySHACL's (turbo, as the build runs it when a shape is not compiled, reads
  only the triples the shapes read: ``pipeline.shacl_view``);
- with ``--serve``: ``qkg serve`` on the build, the seconds to its first ``/health`` and the routes that read the
  build's artefacts (``/.well-known/void``, ``/api/analysis/centrality``, ``/api/stats``).

With ``--artefacts STORE`` (a built store, ``D/stores/<id>``, read only) it builds nothing: it times the
making of each named artefact (default: the network and centrality ones) on that store, each in its own
process with an empty query memo (so each pays its own queries; in a build they share them), wall and CPU
time, side by side with the same artefacts made by the code of ``--baseline REF`` (a git ref, e.g. the
commit before a change: its tree is exported with ``git archive`` and imported in place of this one). A last
row, ``together``, makes them all in one process with one memo, as the build does (they share their queries
and the values of :func:`qkg.graph.building.artefacts.shared`; an artefact the baseline does not have is left
out of its run). With ``--repeat N`` each cell is the median of N runs, this code's and the baseline's taken in
turn (on a loaded machine one run's CPU time varies by a third).

With ``--compaction STORE`` it builds nothing either: it writes ``STORE``'s quads into a fresh store in one bulk
load (as the build wrote its store before it compacted it), copies that store and compacts the copy (timed),
then asks the canned queries (first page, default parameters) of each, side by side, the best of N runs.

Each measured step runs in a child process, so its peak memory (``ru_maxrss``) and CPU time (user + system)
are its own; on a shared, loaded machine the CPU column is the steadier figure (wall time includes waiting
for a core). A step that
passes ``--timeout`` is stopped and printed as such. Figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QKG = [sys.executable, "-m", "qkg.api.cli"]

# A child that runs a command and reports its own wall time and peak memory as the last line, in JSON.
# It also samples, every 0.1 s, the resident memory of the command's whole process tree (a build runs its
# artefacts in more than one process): "peak_sum_mb" is the largest sum seen, the memory the build held at once.
_MEASURE = """
import json, os, resource, subprocess, sys, threading, time
def tree_rss(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(pid))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            total += next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
peak_sum = [0.0]
def sample():
    while proc.poll() is None:
        peak_sum[0] = max(peak_sum[0], tree_rss(proc.pid))
        time.sleep(0.1)
threading.Thread(target=sample, daemon=True).start()
out, err = proc.communicate()
sys.stdout.write(out); sys.stderr.write(err[-4000:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": proc.returncode, "seconds": time.perf_counter() - started,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "peak_sum_mb": peak_sum[0]}))
"""

_FLOOR = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
for path in sys.argv[1].split(","):
    store.bulk_load(path=path, format=ox.RdfFormat.from_extension(path.rsplit(".", 1)[-1]))
store.flush()
print(len(store))
"""

_SHACL = """
import io, json, sys, time
from collections import Counter
import pyoxigraph as ox
from rdflib import Graph, URIRef
from qkg.ontology import SHAPES_FILE, ontology_paths
engine, path = sys.argv[1], sys.argv[2]
SH = "http://www.w3.org/ns/shacl#"
shapes_path = ontology_paths()[0].parent / SHAPES_FILE
store = ox.Store.read_only(path)
started, cpu = time.perf_counter(), time.process_time()
def results(report):
    def v(r, p):
        x = report.value(r, URIRef(SH + p))
        return None if x is None else str(x)
    return Counter("|".join(str(v(r, p)) for p in ("focusNode", "resultPath", "sourceConstraintComponent", "value"))
                   for r in report.subjects(URIRef(SH + "resultSeverity"), None))
def union_nt():
    buf = io.BytesIO()
    store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True).serialize(buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()
if engine in ("sparql", "turbo", "pyshacl"):
    from qkg.graph.building.pipeline import shacl_report
    from qkg.graph.serving.store import open_read_only
    conforms, report = shacl_report(open_read_only(path), engine=engine)
    found = results(report)
elif engine == "rudof":
    import pyrudof
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(union_nt().decode(), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(str(shapes_path))
    report = rudof.validate_shacl()
    conforms = report.conforms
    found = Counter("|".join(str(x) for x in (e.focus_node, e.path, e.constraint_component, e.value)) for e in report)
print(json.dumps({"engine": engine, "conforms": bool(conforms), "results": sum(found.values()),
                  "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                  "found": sorted(found.elements())}))
"""


def measure(cmd: list[str], *, timeout: float) -> dict:
    """Run ``cmd`` in a child; return its output lines, wall time, peak memory and return code."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {
            "rc": None,
            "seconds": timeout,
            "cpu": None,
            "peak_mb": None,
            "out": "",
            "err": f"stopped after {timeout:.0f} s",
        }
    lines = proc.stdout.strip().splitlines()
    info = json.loads(lines[-1]) if lines else {"rc": proc.returncode, "seconds": None, "cpu": None, "peak_mb": None}
    info.update(out="\n".join(lines[:-1]), err=proc.stderr)
    return info


def prepare(work: Path, size: str) -> tuple[list[Path], Path]:
    """The input files of ``size`` and the folder to build them from."""
    if size == "2024":
        from qkg.loaders.sources import default_data_root, discover

        root = default_data_root()
        return [s.path for s in discover(root) if s.path.suffix in (".ttl", ".nt", ".nq")], root
    src = work / size / "src"
    src.mkdir(parents=True, exist_ok=True)
    nt = src / "synth.nq"  # N-Quads: a named graph per year, so the canned queries find the activities
    if not nt.exists():
        subprocess.run(QKG + ["synth", "--triples", size, "--seed", "1", "--out", str(nt)], check=True, cwd=ROOT)
    return [nt], src


def bench_build(work: Path, size: str, timeout: float) -> tuple[dict, dict, Path]:
    files, src = prepare(work, size)
    floor_dir = Path(tempfile.mkdtemp(prefix="floor-", dir=work))
    floor = measure([sys.executable, "-c", _FLOOR, ",".join(map(str, files)), str(floor_dir)], timeout=timeout)
    subprocess.run(["rm", "-rf", str(floor_dir)], check=False)
    data = work / size / "data"
    subprocess.run(["rm", "-rf", str(data)], check=False)
    build = measure(QKG + ["--data-dir", str(data), "build", "--data", str(src), "--no-diff"], timeout=timeout)
    steps = {}
    for line in (build["out"] + "\n" + build["err"]).splitlines():
        for name, pattern in (
            ("load", r"loaded .*\(([\d.]+) s(?:, CPU ([\d.]+) s)?\)"),
            # the checks run in a thread beside the inference (whose time covers them): their own wall and CPU
            ("checks (beside inference)", r"checks passed.*\(([\d.]+) s(?:, CPU ([\d.]+) s)?\)"),
            ("inference", r"OWL 2 RL inference.*\(([\d.]+) s(?:, CPU ([\d.]+) s)?\)"),
            # the store held in memory since the load, written to disk at the inference's end (its part of it)
            ("inference: disk write", r"store written to disk \(([\d.]+) s, CPU ([\d.]+) s\)"),
            ("shacl", r"SHACL: \w+ \(([\d.]+) s(?:, CPU ([\d.]+) s)?\)"),
            # a store of more than a million quads is compacted in a thread while SHACL runs: SHACL's CPU then
            # counts the compaction's too (both are the build process's)
            ("compaction (beside SHACL)", r"store compacted while SHACL ran \(([\d.]+) s(?:, CPU ([\d.]+) s)?\)"),
            ("artefact", r"artefact ([\w-]+): ([\d.]+) s(?: \(CPU ([\d.]+) s\))?"),
            ("peaks", r"peak memory: (.*)"),
        ):
            m = re.search(pattern, line)
            if m and name == "peaks":
                build["peaks"] = m.group(1)
            elif m and name == "artefact":
                wall, cpu = float(m.group(2)), float(m.group(3) or "nan")
                total = steps.get("artefacts", (0.0, 0.0))
                steps["artefacts"] = (total[0] + wall, total[1] + cpu)
                steps["artefact " + m.group(1)] = (wall, cpu)
            elif m:
                steps[name] = (float(m.group(1)), float(m.group(2) or "nan"))
    build["steps"] = steps
    return floor, build, data


def bench_shacl(data: Path, engines: list[str], timeout: float) -> list[dict]:
    store = (data / "current").resolve()
    rows = []
    for engine in engines:
        info = measure([sys.executable, "-c", _SHACL, engine, str(store)], timeout=timeout)
        try:
            info.update(json.loads(info["out"].strip().splitlines()[-1]))
        except (IndexError, ValueError):
            info.update(engine=engine, results=None, conforms=None, found=None)
        rows.append(info)
    reference = next((r for r in rows if r["engine"] == "pyshacl" and r.get("found") is not None), None)
    for r in rows:
        r["same"] = None if reference is None or r.get("found") is None else r["found"] == reference["found"]
    return rows


def bench_serve(data: Path, repeat: int = 5) -> list[tuple[str, float | None]]:
    """Start ``qkg serve`` on the build: seconds to the first ``/health`` 200, then the median of ``repeat`` GETs
    of the routes that read build artefacts (after the first, which may wait for the background read)."""
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen(
        QKG + ["--data-dir", str(data), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url, rows = f"http://127.0.0.1:{port}", []
    try:
        health = None
        while time.perf_counter() - started < 120 and proc.poll() is None:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    health = time.perf_counter() - started
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        rows.append(("first /health 200 after start", health))
        for route in ("/.well-known/void", "/api/analysis/centrality", "/api/stats"):
            times = []
            for _ in range(repeat + 1):
                t = time.perf_counter()
                ok = httpx.get(url + route, timeout=300).status_code == 200
                times.append(time.perf_counter() - t if ok else None)
            rest = sorted(x for x in times[1:] if x is not None)
            rows.append((f"GET {route} (first)", times[0]))
            rows.append((f"GET {route} (median)", rest[len(rest) // 2] if rest else None))
    finally:
        proc.terminate()
        proc.wait(30)
    return rows


_ARTEFACT = """
import json, sys, time
from qkg.api.prepared import BY_NAME
from qkg.graph.building.artefacts import _Memo
from qkg.graph.serving.store import open_read_only
store = _Memo(open_read_only(sys.argv[1]))
started, cpu = time.perf_counter(), time.process_time()
for name in sys.argv[2].split(","):
    if name in BY_NAME:  # an artefact the baseline does not make is left out of its "together" row
        BY_NAME[name].make(store)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}))
"""

#: The artefacts ``--artefacts`` times by default.
NETWORK_ARTEFACTS = "centrality-actors,page-centrality-fr,page-centrality-en,network"


def time_artefact(store: Path, name: str, *, source: Path | None, timeout: float) -> dict | None:
    """Make artefact ``name`` from the built ``store`` in a child process (with the code of ``source``, a
    directory holding the ``qkg`` package, when given); its wall and CPU seconds, None when it failed."""
    import os

    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _ARTEFACT, str(store), name],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode:
        print(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_artefacts(store: Path, names: list[str], baseline: str | None, timeout: float, repeat: int = 1) -> None:
    source = None
    if baseline:
        source = Path(tempfile.mkdtemp(prefix="qkg-baseline-"))
        (source / "qkg").mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", baseline], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(source / "qkg")], input=archive.stdout, check=True)
        # the package's __init__ sits in scripts/package (see it); beside the layers, as in a wheel
        (source / "qkg" / "__init__.py").write_bytes((source / "qkg" / "scripts/package/qkg/__init__.py").read_bytes())
    head = f"{'artefact':<22}{'wall s':>10}{'CPU s':>10}"
    if baseline:
        head += f"{'base wall':>11}{'base CPU':>10}{'CPU ratio':>10}"
    print(f"Artefacts made from {store}" + (f", side by side with {baseline}" if baseline else ""))
    if repeat > 1:
        print(f"(each cell the median of {repeat} runs, this code's and the baseline's taken in turn)")
    print(head)
    # the named artefacts, then all of them one after the other in one process sharing one query memo, as the
    # build makes a group ("together")
    for name, label in [*((n, n) for n in names), (",".join(names), "together")]:
        runs: dict[str, list] = {"now": [], "base": []}
        for _ in range(repeat):  # in turn, so a change of the machine's load falls on both
            runs["now"].append(time_artefact(store, name, source=None, timeout=timeout))
            if baseline:
                runs["base"].append(time_artefact(store, name, source=source, timeout=timeout))
        now, base = _median(runs["now"]), _median(runs["base"])
        line = f"{label:<22}{_fmt(now and now['seconds'], digits=2):>10}{_fmt(now and now['cpu'], digits=2):>10}"
        if baseline:
            ratio = base["cpu"] / now["cpu"] if base and now and now["cpu"] else None
            line += f"{_fmt(base and base['seconds'], digits=2):>11}{_fmt(base and base['cpu'], digits=2):>10}"
            line += f"{_fmt(ratio, 'x'):>10}"
        print(line, flush=True)


def bench_compaction(store: Path, work: Path, repeat: int) -> None:
    """The canned queries (first page, default parameters, as ``tests/bench_scale.py`` asks them raw) on the
    store as one bulk load writes it (the build before its compaction: ``STORE``'s quads dumped and loaded
    again) and on the same store compacted (``optimize``, as the build now does), side by side: the best of
    ``repeat`` runs, each store's in turn."""
    import pyoxigraph as ox
    from qkg.api.routes.queries import CANNED_PAGE, paged
    from qkg.graph.pages.catalog import bind, load_catalog

    work.mkdir(parents=True, exist_ok=True)
    loaded, compacted = Path(tempfile.mkdtemp(dir=work)), Path(tempfile.mkdtemp(dir=work))
    dump = loaded / "quads.nq"
    ox.Store.read_only(str(store)).dump(str(dump), format=ox.RdfFormat.N_QUADS)
    ox.Store(str(loaded / "store")).bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    dump.unlink()
    shutil.copytree(loaded / "store", compacted / "store")
    t = time.perf_counter()
    ox.Store(str(compacted / "store")).optimize()
    took = time.perf_counter() - t
    stores = {k: ox.Store.read_only(str(p / "store")) for k, p in (("loaded", loaded), ("compacted", compacted))}
    files = {k: len(list((p / "store").glob("*.sst"))) for k, p in (("loaded", loaded), ("compacted", compacted))}
    print(f"{len(stores['loaded']):,} quads; compaction {took:.1f} s; files {files['loaded']} -> {files['compacted']}")
    print(f"{'canned query (raw, first page)':<28}{'one bulk load s':>16}{'compacted s':>13}{'ratio':>7}")
    total = {k: 0.0 for k in stores}
    for name, query in sorted(load_catalog().items()):
        text, bindings = paged(query.sparql, CANNED_PAGE, 0), bind(query, {})
        best = {k: float("inf") for k in stores}
        for _ in range(repeat):
            for k, st in stores.items():
                t = time.perf_counter()
                list(st.query(text, substitutions=bindings, use_default_graph_as_union=True))
                best[k] = min(best[k], time.perf_counter() - t)
        for k in stores:
            total[k] += best[k]
        ratio = best["loaded"] / best["compacted"] if best["compacted"] > 0.001 else float("nan")
        print(f"{name:<28}{best['loaded']:>16.3f}{best['compacted']:>13.3f}{ratio:>7.2f}")
    print(
        f"{'total':<28}{total['loaded']:>16.3f}{total['compacted']:>13.3f}{total['loaded'] / total['compacted']:>7.2f}"
    )
    stores.clear()
    shutil.rmtree(loaded), shutil.rmtree(compacted)


def _median(runs: list) -> dict | None:
    """The median wall time and the median CPU time of ``runs`` (None when one failed or there are none)."""
    if not runs or any(r is None for r in runs):
        return None
    return {key: sorted(r[key] for r in runs)[len(runs) // 2] for key in ("seconds", "cpu")}


def _fmt(x, unit="", digits=1) -> str:
    return "-" if x is None else f"{x:.{digits}f}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2024,1M")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "qkg-bench-build")
    parser.add_argument("--engines", default="sparql,turbo,rudof,pyshacl")
    parser.add_argument("--timeout", type=float, default=900.0, help="Stop a step after this many seconds.")
    parser.add_argument("--skip-shacl", action="store_true", help="Only the build and its floor.")
    parser.add_argument("--serve", action="store_true", help="Also time the server's start and artefact routes.")
    parser.add_argument("--artefacts", type=Path, help="Time the artefacts on this built store; build nothing.")
    parser.add_argument("--names", default=NETWORK_ARTEFACTS, help="Artefacts --artefacts times (comma-separated).")
    parser.add_argument("--baseline", help="With --artefacts: a git ref whose code makes them side by side.")
    parser.add_argument(
        "--repeat", type=int, default=1, help="With --artefacts: runs per cell, taken in turn; the median is printed."
    )
    parser.add_argument(
        "--compaction", type=Path, help="The canned queries on this built store, as bulk-loaded and compacted."
    )
    args = parser.parse_args()
    if args.compaction:
        bench_compaction(args.compaction, args.work, max(args.repeat, 3))
        return
    os.environ["QKG_LANG"] = "en"  # the build's progress lines, which this script reads, in English
    if args.artefacts:
        bench_artefacts(args.artefacts, args.names.split(","), args.baseline, args.timeout, args.repeat)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    print("Figures depend on the machine and its load (run alone for comparable numbers).\n")
    for size in args.sizes.split(","):
        floor, build, data = bench_build(args.work, size, args.timeout)
        ok = build["rc"] == 0 and floor["seconds"] and floor["cpu"]
        print(f"## {size}")
        print(f"{'step':<34}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}")
        print(
            f"{'bulk_load alone (the floor)':<34}{_fmt(floor['seconds']):>10}{_fmt(floor['cpu']):>10}"
            f"{_fmt(floor['peak_mb'], digits=0):>10}"
        )
        status = (
            ""
            if build["rc"] == 0
            else f"  ({build['err'].strip().splitlines()[-1] if build['err'].strip() else 'failed'})"
        )
        print(
            f"{'qkg build (SHACL on)':<34}{_fmt(build['seconds']):>10}{_fmt(build['cpu']):>10}"
            f"{_fmt(build['peak_mb'], digits=0):>10}{status}"
        )
        for name, (seconds, cpu) in build["steps"].items():
            print(f"{'  ' + name:<34}{seconds:>10.1f}{cpu:>10.1f}")
        serial = [build["steps"][k][0] for k in ("load", "inference") if k in build["steps"]]
        if build["rc"] == 0 and len(serial) == 2:  # SHACL and the artefacts overlap: their wall is what is left
            print(f"{'  after inference (wall)':<34}{build['seconds'] - sum(serial):>10.1f}")
        if build.get("peaks"):  # each process's own peak (VmHWM), and the largest sum of the processes at once
            print(f"{'  peak of each process (MB)':<34}  {build['peaks']}")
            print(f"{'  peak of processes at once':<34}{'':>20}{_fmt(build.get('peak_sum_mb'), digits=0):>10}")
        print(
            f"{'build / floor':<34}{_fmt(build['seconds'] / floor['seconds'] if ok else None, 'x'):>10}"
            f"{_fmt(build['cpu'] / floor['cpu'] if ok else None, 'x'):>10}\n"
        )
        if args.serve and build["rc"] == 0:
            for name, seconds in bench_serve(data):
                print(f"{name:<44}{_fmt(seconds, digits=3):>10}")
            print()
        if args.skip_shacl or build["rc"] != 0:
            continue
        print(f"{'SHACL engine':<16}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}{'results':>9}  same report as pySHACL")
        for r in bench_shacl(data, args.engines.split(","), args.timeout):
            same = {True: "yes", False: "NO", None: "-"}[r["same"]]
            note = "" if r["rc"] == 0 else f"  ({r['err'].strip().splitlines()[-1] if r['err'].strip() else 'failed'})"
            print(
                f"{r['engine']:<16}{_fmt(r['seconds']):>10}{_fmt(r['cpu']):>10}{_fmt(r['peak_mb'], digits=0):>10}"
                f"{r['results'] if r['results'] is not None else '-':>9}  {same}{note}"
            )
        print()


if __name__ == "__main__":
    main()
