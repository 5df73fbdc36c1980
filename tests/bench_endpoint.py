"""Benchmark the SPARQL endpoint: qkg against rdflib-endpoint and a bare pyoxigraph route (a script, not a test).

    .venv/bin/python tests/bench_endpoint.py [--triples 100k] [--seconds 4] [--keep] [--variant LABEL:VAR=VALUE]...

Serves the same synthetic graph (``qkg synth``) three ways, each a single uvicorn process on 127.0.0.1:

- **qkg**: ``qkg serve`` (guard, killable worker pool, time limit, row cap, security middleware);
- **rdflib-endpoint**: installed by this script in its own venv (``/tmp/rdflib-endpoint-venv``), serving the
  N-Triples file with rdflib's engine;
- **bare**: a FastAPI route calling pyoxigraph directly on the same store (no guard, no pool).

Then it measures requests per second and p50/p99 latency for eight queries (a lookup by IRI, a COUNT by class,
a two-hop join with LIMIT 100, a FILTER regex on labels, two analyst questions: agreement partners counted
by pair, receptions counted by theme with an OPTIONAL label; then 5,000 labels, and a scan of 20,000 rows that
qkg's row cap cuts at 10,000) at 1 and 4 concurrent connections (httpx clients
in threads), and prints one table. Each cell runs for ``--seconds`` or 1,000 requests, whichever ends first,
after one warm-up request. Beside req/s it prints each server's CPU time per request (user + system, of the
server process and its children: qkg's query workers included, read from ``/proc``), the figure that a machine
loaded by other jobs changes least. Everything is on loopback; the servers are stopped at the end. Each ``--variant``
starts one more qkg server with an environment variable set (another source tree on ``PYTHONPATH``, say) and
prints its figures beside qkg's, measured in the same run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV = Path("/tmp/rdflib-endpoint-venv")
QKG = "https://w3id.org/qkg/def#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

BARE_APP = """
import sys
import pyoxigraph as ox
from fastapi import FastAPI, Query
from fastapi.responses import Response

store = ox.Store.read_only(sys.argv[1])
app = FastAPI()


@app.get("/sparql")
def sparql(query: str = Query(...)) -> Response:
    results = store.query(query, use_default_graph_as_union=True)
    body = results.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, media_type="application/sparql-results+json")


if __name__ == "__main__":
    import uvicorn
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            r = httpx.get(
                url,
                params={"query": "ASK { ?s ?p ?o }"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=5,
            )
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not start within {seconds:g} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and of its live descendants (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime and stime (fields 14 and 15 of stat)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # it exited meanwhile
    return total


def _run(cmd: list[str], **kwargs) -> None:
    print("$", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kwargs)


def prepare(work: Path, triples: str) -> tuple[Path, Path]:
    """Generate the graph, build the qkg store, and install rdflib-endpoint; return (N-Triples file, data dir)."""
    src = work / "src"
    src.mkdir(parents=True, exist_ok=True)
    nt = src / "synth.nt"
    data = work / "data"
    qkg = [sys.executable, "-m", "qkg.api.cli"]
    if not nt.exists():
        _run(qkg + ["synth", "--triples", triples, "--seed", "1", "--out", str(nt)], cwd=ROOT)
    if not (data / "current").exists():
        _run(qkg + ["--data-dir", str(data), "build", "--data", str(src), "--no-shacl", "-q"], cwd=ROOT)
    if not (VENV / "bin" / "rdflib-endpoint").exists():
        _run(["python3", "-m", "venv", str(VENV)])
        _run([str(VENV / "bin" / "pip"), "install", "-q", "rdflib-endpoint", "uvicorn"])
    return nt, data


def start(
    work: Path, nt: Path, data: Path, variants: dict[str, dict[str, str]] | None = None
) -> dict[str, tuple[str, subprocess.Popen]]:
    """Start the three servers (and a qkg server per variant); return {name: (sparql url, process)}."""
    servers = {}
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    # the bench is one client opening 4 connections: admit them all (the per-client budget is 2 by default, 429 past it)
    env = {**os.environ, "QKG_WORKERS": "4", "QKG_QUERY_TIMEOUT": "30", "QKG_CLIENT_QUERIES": "8"}
    for name, extra in {"qkg": {}, **(variants or {})}.items():
        port = _port()
        servers[name] = (
            f"http://127.0.0.1:{port}/sparql",
            subprocess.Popen(
                [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(data), "serve", "--port", str(port)],
                cwd=ROOT,
                env={**env, **extra},
                stdout=(logs / f"{name}.log").open("wb"),
                stderr=subprocess.STDOUT,
            ),
        )
    port = _port()
    servers["rdflib-endpoint"] = (
        f"http://127.0.0.1:{port}/",
        subprocess.Popen(  # its endpoint is at /
            [str(VENV / "bin" / "rdflib-endpoint"), "serve", str(nt), "--host", "127.0.0.1", "--port", str(port)],
            stdout=(logs / "rdflib-endpoint.log").open("wb"),
            stderr=subprocess.STDOUT,
        ),
    )
    port = _port()
    bare = work / "bare_app.py"
    bare.write_text(textwrap.dedent(BARE_APP), encoding="utf-8")
    servers["bare"] = (
        f"http://127.0.0.1:{port}/sparql",
        subprocess.Popen(
            [sys.executable, str(bare), str((data / "current").resolve()), str(port)],
            stdout=(logs / "bare.log").open("wb"),
            stderr=subprocess.STDOUT,
        ),
    )
    for url, process in servers.values():
        _wait(url, process)
    return servers


def queries(url: str) -> dict[str, str]:
    """The benchmark queries, with a real city IRI of the graph."""
    pick = httpx.get(
        url,
        params={"query": f"SELECT ?c WHERE {{ ?c a <{QKG}City> }} ORDER BY ?c LIMIT 1"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()
    city = pick["results"]["bindings"][0]["c"]["value"]
    return {
        "lookup": f"SELECT ?p ?o WHERE {{ <{city}> ?p ?o }}",
        "count": f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r a <{QKG}Reception> }}",
        "join": f"SELECT ?r ?city ?country WHERE {{ ?r <{QKG}location> ?city . ?city <{QKG}country> ?country }} LIMIT 100",
        "regex": f'SELECT ?s ?l WHERE {{ ?s <{RDFS}label> ?l FILTER(regex(?l, "^ville de p", "i")) }}',
        # two analyst questions: who signs agreements with whom, and which themes the receptions cover
        "pairs": f"SELECT ?x ?y (COUNT(?a) AS ?n) WHERE {{ ?a <{QKG}party> ?x, ?y FILTER(STR(?x) < STR(?y)) }} "
        "GROUP BY ?x ?y ORDER BY DESC(?n) ?x ?y LIMIT 20",
        "themes": f"SELECT ?t ?l (COUNT(?r) AS ?n) WHERE {{ ?r a <{QKG}Reception> ; <{QKG}theme> ?t "
        f"OPTIONAL {{ ?t <{RDFS}label> ?l }} }} GROUP BY ?t ?l ORDER BY DESC(?n) ?t LIMIT 10",
        # the answer's size: 5,000 labels (under qkg's 10,000-row cap), then a scan that the row cap cuts
        "labels": f"SELECT ?s ?l WHERE {{ ?s <{RDFS}label> ?l }} LIMIT 5000",
        "scan": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20000",
    }


def measure(url: str, query: str, concurrency: int, seconds: float, cap: int = 1000, pid: int | None = None) -> dict:
    """Run ``query`` from ``concurrency`` threads for ``seconds`` (or ``cap`` requests); latency stats, and the
    server's CPU milliseconds per request when its ``pid`` is given."""
    headers = {"Accept": "application/sparql-results+json"}
    with httpx.Client(timeout=120) as warm:
        r = warm.get(url, params={"query": query}, headers=headers)
        r.raise_for_status()
        rows = len(r.json().get("results", {}).get("bindings", []))
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=120) as client:
            while (time.monotonic() < stop or not latencies) and len(latencies) < cap:  # one answer at least
                t = time.perf_counter()
                resp = client.get(url, params={"query": query}, headers=headers)
                latencies.append(time.perf_counter() - t)
                errors += resp.status_code != 200

    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(worker) for _ in range(concurrency)]:
            f.result()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(pid) - cpu_before if pid is not None else float("nan")
    latencies.sort()
    return {
        "cpu_ms": cpu * 1000 / max(1, len(latencies)),
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "rows": rows,
        "errors": errors,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="100k")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--work", type=Path, default=None, help="Working folder (default: a temporary one).")
    parser.add_argument("--keep", action="store_true", help="Keep the working folder.")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL:VAR=VALUE",
        help="Also serve qkg with an environment variable set, measured in the same run "
        "(e.g. --variant reader-full:QKG_ROW_READER=full).",
    )
    args = parser.parse_args()
    variants = {}
    for spec in args.variant:
        label, _, assignment = spec.partition(":")
        var, _, value = assignment.partition("=")
        variants[label] = {var: value}
    work = args.work or Path(tempfile.mkdtemp(prefix="qkg-bench-"))
    nt, data = prepare(work, args.triples)
    servers = start(work, nt, data, variants)
    try:
        qs = queries(servers["bare"][0])
        results = {}
        for name, text in qs.items():
            for conc in (1, 4):
                for system, (url, process) in servers.items():
                    results[(name, conc, system)] = m = measure(url, text, conc, args.seconds, pid=process.pid)
                    print(
                        f"{name:7} c={conc} {system:16} {m['rps']:9.1f} req/s  cpu {m['cpu_ms']:7.2f} ms/req  "
                        f"p50 {m['p50']:8.1f} ms  "
                        f"p99 {m['p99']:8.1f} ms  n={m['n']} rows={m['rows']} errors={m['errors']}",
                        file=sys.stderr,
                        flush=True,
                    )

        def table(title: str, head: str, row) -> None:
            """One line per query and concurrency: ``row(name, conc, qkg, rdflib-endpoint, bare)``."""
            print(title)
            print(head)
            print("-" * len(head))
            for name in qs:
                for conc in (1, 4):
                    print(row(name, conc, *(results[(name, conc, s)] for s in ("qkg", "rdflib-endpoint", "bare"))))

        table(
            f"\n{args.triples} synthetic triples; req/s and latency (ms) per query and concurrency\n",
            f"{'query':8}{'conc':>5} | {'qkg rps':>9}{'p50':>8}{'p99':>8} | {'rdflib-ep rps':>13}{'p50':>9}{'p99':>9} | "
            f"{'bare rps':>9}{'p50':>7}{'p99':>7} | {'qkg/rdflib':>10}{'qkg/bare':>9}{'bare/rdflib':>12}",
            lambda name, conc, q, r, b: (
                f"{name:8}{conc:>5} | {q['rps']:9.1f}{q['p50']:8.1f}{q['p99']:8.1f} | {r['rps']:13.2f}{r['p50']:9.1f}"
                f"{r['p99']:9.1f} | {b['rps']:9.1f}{b['p50']:7.1f}{b['p99']:7.1f} | {q['rps'] / r['rps']:9.1f}x"
                f"{q['rps'] / b['rps']:8.2f}x{b['rps'] / r['rps']:11.1f}x"
            ),
        )
        table(
            "\nserver CPU ms per request (user + system, with child processes); qkg/bare = bare CPU / qkg CPU\n",
            f"{'query':8}{'conc':>5} | {'qkg':>8} | {'rdflib-ep':>9} | {'bare':>8} | {'qkg/bare':>8}",
            lambda name, conc, q, r, b: (
                f"{name:8}{conc:>5} | {q['cpu_ms']:8.2f} | {r['cpu_ms']:9.2f} | {b['cpu_ms']:8.2f} | "
                f"{b['cpu_ms'] / q['cpu_ms'] if q['cpu_ms'] else float('nan'):7.2f}x"
            ),
        )
        if variants:
            names = ["qkg", *variants]
            print("\nqkg variants side by side: req/s (p50 ms), and req/s against the bare route\n")
            head = (
                f"{'query':8}{'conc':>5} | "
                + " | ".join(f"{n:>22}" for n in names)
                + " | "
                + " ".join(f"{n + '/bare':>14}" for n in names)
            )
            print(head)
            print("-" * len(head))
            for name in qs:
                for conc in (1, 4):
                    b = results[(name, conc, "bare")]
                    cells = [results[(name, conc, n)] for n in names]
                    print(
                        f"{name:8}{conc:>5} | "
                        + " | ".join(f"{c['rps']:12.1f} ({c['p50']:6.1f})" for c in cells)
                        + " | "
                        + " ".join(f"{c['rps'] / b['rps']:13.2f}x" for c in cells)
                    )
    finally:
        for _, process in servers.values():
            process.terminate()
        for _, process in servers.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
