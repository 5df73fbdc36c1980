"""qkg at the size its users grow into (a script, not a test): synthesise, build with SHACL, serve, visit.

::

    .venv/bin/python tests/bench_scale.py                      # 1M triples, 5 visits per route
    .venv/bin/python tests/bench_scale.py --triples 100k --runs 3
    .venv/bin/python tests/bench_scale.py --reuse /tmp/qkg-scale  # skip synth and build when already done

It runs, in order and as a new user would:

1. ``qkg synth --triples N --seed 1`` (deterministic);
2. ``qkg --data-dir D build --data S`` (SHACL on), then prints its wall time and peak memory; side by side, the
   floor: pyoxigraph's ``bulk_load`` of the same file alone;
3. ``qkg --data-dir D serve``: the time to the first ``/health`` 200;
4. every route (pages, API, views) and every canned query (``/api/queries/NAME``, defaults), ``--runs`` times
   each, printing p50/p99 and the answer's size, with raw pyoxigraph side by side where there is a query (the
   same SPARQL on the same store, in this process, no guard, no pool);
5. the peak memory of the server (its process and its query workers).

The table it prints is in the README (section "Scale"), with the command that made it. Targets come from
issue 10: every page and API answer <= 1 s and <= 2 MB, ``/health`` <= 3 s after start, VoID <= 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.api_server import descendants

REPO = Path(__file__).resolve().parent.parent
QKG = [sys.executable, "-m", "qkg.api.cli"]

#: (label, path, target seconds, target MB); ``{city}``, ``{country}``, ``{network}`` name synthetic entities.
ROUTES = [
    ("health", "/health", 0.1, 0.01),
    ("home page", "/", 1.0, 2.0),
    ("entity page (HTML), a city", "/id/{city}", 1.0, 2.0),
    ("entity page (HTML), a country", "/id/{country}", 1.0, 2.0),
    ("entity page, next incoming page", "/id/{country}?offset=100", 1.0, 2.0),
    # a city network lists its members (1,431 at 1M): its facts come 500 a page
    ("entity page, a network's next facts", "/id/{network}?facts_offset=500", 1.0, 2.0),
    ("entity (Turtle)", "/id/{city}.ttl", 1.0, 2.0),
    ("entity (JSON)", "/api/entities/{country}", 1.0, 2.0),
    ("neighbourhood (JSON)", "/api/entities/{country}/neighbours", 1.0, 2.0),
    ("search", "/api/search?q=Paris", 1.0, 2.0),
    ("stats", "/api/stats", 1.0, 2.0),
    ("VoID", "/.well-known/void", 0.1, 2.0),
    ("network page", "/network", 1.0, 2.0),
    ("network (overview)", "/api/viz/network", 1.0, 2.0),
    ("network (expand a city)", "/api/viz/network?focus=qkgd:{city}&depth=1", 1.0, 2.0),
    ("map", "/api/viz/map", 1.0, 2.0),
    ("map, one year", "/api/viz/map?year=2024", 1.0, 2.0),
    ("map page, one year", "/map?year=2024", 1.0, 2.0),
    ("timeline and charts", "/api/viz/stats", 1.0, 2.0),
    ("timeline and charts, one year", "/api/viz/stats?year=2024", 1.0, 2.0),
    ("home page, one year", "/?year=2024", 1.0, 2.0),
    ("analysis page, one year", "/analysis?year=2024", 1.0, 2.0),
    ("centrality", "/api/analysis/centrality", 1.0, 2.0),
    ("canned query list", "/queries", 1.0, 2.0),
    # its 2024 default is not in this graph: opens on the first activity that answers, its list cut at 200
    ("canned query page with a pick-list", "/queries/event-profile", 1.0, 2.0),
    ("SPARQL service description", "/sparql", 1.0, 2.0),
    # the analysis API's other answers: computed from a projection on their first visit, then kept (p99 shows it)
    ("projection summary", "/api/analysis/summary", 1.0, 2.0),
    ("communities", "/api/analysis/communities", 1.0, 2.0),
    ("brokers", "/api/analysis/brokers", 1.0, 2.0),
    # options the build did not prepare: projected from the build's facts cut to them (reach-facts), then kept
    ("projection summary, missions only", "/api/analysis/summary?relations=mission", 1.0, 2.0),
    ("communities, since 2020", "/api/analysis/communities?year_from=2020", 1.0, 2.0),
    # reach reads the build's facts (reach-facts) at its first visit, then each target from them
    ("who reaches a city", "/api/analysis/reach?target=qkgd:{city}", 1.0, 2.0),
    ("who reaches a country", "/api/analysis/reach?target=qkgd:{country}", 1.0, 2.0),
    ("who reaches a network", "/api/analysis/reach?target=qkgd:{network}", 1.0, 2.0),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mb(pid: int) -> float:
    """VmHWM of a live process, in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def synth_and_build(work: Path, size: str, seed: int, shacl: bool) -> dict:
    src, data = work / "src", work / "data"
    src.mkdir(parents=True, exist_ok=True)
    out: dict = {}
    nt = src / "synth.nq"  # N-Quads: a named graph per year, so the canned queries find the activities
    if not nt.exists():
        t = time.perf_counter()
        subprocess.run([*QKG, "synth", "--triples", size, "--seed", str(seed), "--out", str(nt)], check=True, cwd=REPO)
        out["synth_s"] = time.perf_counter() - t
    if not (data / "current").exists():  # the floor, then the build (--reuse of a built folder: neither)
        floor = subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import resource, sys, tempfile, time, pyoxigraph as ox\n"
                    "t = time.perf_counter(); s = ox.Store(tempfile.mkdtemp())\n"
                    "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.from_extension(sys.argv[1].rsplit('.', 1)[-1])); s.flush()\n"
                    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
                ),
                str(nt),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        out["floor_s"], out["floor_mb"] = map(float, floor.stdout.split())
        t = time.perf_counter()
        build = subprocess.Popen(
            [
                *QKG,
                "--data-dir",
                str(data),
                "build",
                "--data",
                str(src),
                "--no-diff",
                *([] if shacl else ["--no-shacl"]),
            ],
            cwd=REPO,
        )
        _, status, usage = os.wait4(build.pid, 0)
        build.returncode = os.waitstatus_to_exitcode(status)
        if build.returncode:
            raise SystemExit(f"qkg build failed ({build.returncode})")
        out["build_s"], out["build_mb"] = time.perf_counter() - t, usage.ru_maxrss / 1024
        out["build_cpu_s"] = usage.ru_utime + usage.ru_stime
        (work / "build.json").write_text(json.dumps(out))
    elif (work / "build.json").exists():  # --reuse: the figures of the build made in this folder
        out = {**json.loads((work / "build.json").read_text()), **out}
    return out


def serve(data: Path) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t = time.perf_counter()
    proc = subprocess.Popen(
        [*QKG, "--data-dir", str(data), "serve", "--port", str(port)],
        cwd=REPO,
        # one client visits everything here: the per-client engine budget (fair sharing, measured by
        # tests/bench_abuse.py) would answer 429 after a minute of heavy queries instead of running them
        env={**os.environ, "QKG_CLIENT_ENGINE_SECONDS": "1000000"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while time.perf_counter() - t < 300:
        try:
            if httpx.get(base + "/health", timeout=2, trust_env=False).status_code == 200:
                return proc, base, time.perf_counter() - t
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("qkg serve did not answer /health within 300 s")


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (from /proc; the processes alive now)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def server_cpu(pid: int) -> float:
    """CPU seconds of the server and its workers (a killed worker's CPU is lost: a lower bound then)."""
    return _cpu_s([pid, *descendants(pid)])


def visit(base: str, path: str, runs: int, timeout: float) -> tuple[list[float], int, int]:
    times, size, status = [], 0, 0
    with httpx.Client(timeout=timeout, trust_env=False) as client:
        for _ in range(runs):
            t = time.perf_counter()
            try:
                r = client.get(
                    base + path,
                    headers={"Accept": "*/*" if path.startswith(("/api", "/.well", "/sparql")) else "text/html"},
                )
                status, size = r.status_code, len(r.content)
            except httpx.TimeoutException:
                status, size = 0, 0
            times.append(time.perf_counter() - t)
            if status == 0:
                break
    return times, size, status


def raw_times(store_dir: Path, sparql: str, bindings: dict, runs: int) -> tuple[list[float], list[float]]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        list(store.query(sparql, substitutions=bindings, use_default_graph_as_union=True))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", default="1M")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a visit counts as no answer")
    ap.add_argument("--no-shacl", action="store_true", help="build without SHACL (not the issue's setting)")
    ap.add_argument("--reuse", type=Path, default=None, help="work folder to reuse (synth and build kept)")
    ap.add_argument("--queries", default=None, help="only these canned queries (comma-separated), no other route")
    args = ap.parse_args(argv)
    work = args.reuse or Path(tempfile.mkdtemp(prefix="qkg-scale-"))
    print(f"# qkg at scale: {args.triples} triples, seed {args.seed}, {args.runs} runs, in {work}", flush=True)
    built = synth_and_build(work, args.triples, args.seed, not args.no_shacl)
    if "build_s" in built:
        print(
            f"build: {built['build_s']:.0f} s, peak {built['build_mb']:.0f} MB "
            f"(floor, bulk_load alone: {built['floor_s']:.0f} s, {built['floor_mb']:.0f} MB; "
            f"{built['build_s'] / built['floor_s']:.1f}x)",
            flush=True,
        )
    proc, base, first_health = serve(work / "data")
    # (label, p50, p99, server CPU per visit, size, target, raw p50, raw CPU p50, status)
    rows = [("first /health after start", first_health, first_health, None, 0, 3.0, None, None, 200)]
    try:
        from qkg.api.routes.queries import CANNED_PAGE, paged
        from qkg.graph.pages.catalog import bind, load_catalog

        store_dir = (work / "data" / "current").resolve()
        httpx.get(base + "/api/search?q=warm", timeout=args.timeout, trust_env=False)  # the index read once
        only = set(args.queries.split(",")) if args.queries else None
        for label, path, target, _mb in ROUTES if only is None else ():
            path = path.format(city="synth-city-1", country="synth-country-0", network="synth-network-0")
            cpu = server_cpu(proc.pid)
            times, size, status = visit(base, path, args.runs, args.timeout)
            cpu = (server_cpu(proc.pid) - cpu) / len(times)
            rows.append((f"{label} `{path}`", _pct(times, 50), _pct(times, 99), cpu, size, target, None, None, status))
            print(f"  {rows[-1][0]}: {rows[-1][1]:.3f} s, server CPU {cpu:.3f} s", flush=True)
        for name, query in sorted(load_catalog().items()):
            if only is not None and name not in only:
                continue
            cpu = server_cpu(proc.pid)
            times, size, status = visit(base, f"/api/queries/{name}", args.runs, args.timeout)
            cpu = (server_cpu(proc.pid) - cpu) / len(times)
            raw, raw_cpu = raw_times(store_dir, paged(query.sparql, CANNED_PAGE, 0), bind(query, {}), args.runs)
            rows.append(
                (
                    f"query `{name}`",
                    _pct(times, 50),
                    _pct(times, 99),
                    cpu,
                    size,
                    1.0,
                    _pct(raw, 50),
                    _pct(raw_cpu, 50),
                    status,
                )
            )
            print(f"  {rows[-1][0]}: {rows[-1][1]:.3f} s, CPU {cpu:.3f} s (raw {rows[-1][6]:.3f} s)", flush=True)
        server_mb = max([_peak_mb(proc.pid)] + [_peak_mb(p) for p in descendants(proc.pid)])
    finally:
        t = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
            stopped = f"stopped {time.perf_counter() - t:.1f} s after SIGTERM"
        except subprocess.TimeoutExpired:
            proc.kill()
            stopped = "ignored SIGTERM for 20 s (killed)"
    print()
    print("| route | p50 s | p99 s | server CPU s per visit | size | target | raw pyoxigraph p50 s (CPU s) | met |")
    print("|---|---|---|---|---|---|---|---|")
    for label, p50, p99, cpu, size, target, raw, raw_cpu, status in rows:
        ok = status == 200 and p50 <= target and size <= 2_000_000
        raw_text = f"{raw:.3f} ({raw_cpu:.3f})" if raw is not None else ""
        cpu_text = f"{cpu:.3f}" if cpu is not None else ""
        print(
            f"| {label} | {p50:.3f} | {p99:.3f} | {cpu_text} | {size / 1e3:,.0f} kB | <= {target:g} s | {raw_text} | "
            f"{'yes' if ok else f'no ({status}, {p50 / target:.1f}x)'} |"
        )
    print()
    print(f"server peak memory (largest of the server and its workers): {server_mb:.0f} MB; the server {stopped}")
    if "build_s" in built:
        print(
            f"build: {built['build_s']:.0f} s wall, {built.get('build_cpu_s', float('nan')):.0f} s CPU, "
            f"peak memory {built['build_mb']:.0f} MB (floor: {built['floor_s']:.0f} s, {built['floor_mb']:.0f} MB)"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.reuse is None and os.environ.get("QKG_BENCH_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
