"""Soak and chaos: replay issue 14's probe against a real ``qkg serve`` on loopback, and print what held.

Not a test (run it by hand: ``.venv/bin/python tests/bench_abuse.py``). It builds the 2024 graph, starts the
server with its default settings, and measures a well-behaved client (a canned query, a cheap SPARQL query
and ``/health`` in turn, from its own loopback address) first alone (the clean run), then during each attack:

- ``runaways``: 8 clients (8 loopback addresses, 2 connections each) sending a 3-way cross-product COUNT;
- ``memory bombs``: 2 clients sending ``ORDER BY`` over a cross product (the server's memory is sampled);
- ``header floods``: 4 connections each streaming a 200 MB header;
- ``malformed``: 10,000 random malformed queries (mutated canned queries: braces, escapes, lone surrogates...);
- ``build swap``: a new build published while the client runs: ``--swap-triples`` synthetic triples built
  into a side folder first (the build's own CPU is not the swap's), or each ``--swap-store`` (a built store
  folder, e.g. ``D/current`` after ``qkg --data-dir D build``), copied next to the served build; then
  ``current`` is switched as ``qkg build`` does. Besides the client, ``/health`` is polled every 20 ms from
  the switch until 5 s after the new build is served (the server then reads its artefacts), and the web
  process's CPU seconds over that window are printed.

Each row gives the client's latencies (p50 / max, ms) side by side with the clean run, and what the attackers
got. Options: ``--seconds`` per attack (default 15), ``--malformed`` (default 10,000), ``--swap-triples``
(default 100k; issue 14 measured 485k), ``--swap-store`` (repeatable), ``--only`` (scenario names, comma-
separated: runaways, bombs, floods, malformed, swap).

``--parsers`` measures instead what h11 would cost: the same build served by ``qkg serve`` (httptools, with
the head limits of ``api/hardening.py`` in front) and by uvicorn with h11 and ``h11_max_incomplete_event_size``
(the same app), one after the other; for each, requests per second and the web process's CPU milliseconds per
request on ``/health``, a canned query and a cheap SPARQL query (1 and 4 connections, ``--seconds`` each), then
how much of a 200 MB header each reads before closing and ``/health`` meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.api_server import ROOT, start_server, tree_rss
from tests.guard_corpus import malformed_queries
from tests.test_api_abuse import CANNED, CHEAP, MEMORY_BOMB, RUNAWAY


class GoodClient:
    """A well-behaved client: canned query, cheap query, /health, in turn, until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latency: dict[str, list[float]] = {"canned": [], "cheap": [], "health": []}
        self.errors: Counter[int] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> GoodClient:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        transport = httpx.HTTPTransport(local_address="127.0.0.200")
        with httpx.Client(base_url=self.url, timeout=60, transport=transport) as client:
            i = 0
            while not self._stop.is_set():
                for kind, call in (
                    ("canned", lambda i=i: client.get(f"/queries/{CANNED[i % len(CANNED)]}.json")),
                    ("cheap", lambda: client.post("/sparql", data={"query": CHEAP})),
                    ("health", lambda: client.get("/health")),
                ):
                    t = time.monotonic()
                    try:
                        r = call()
                        status = r.status_code
                    except httpx.HTTPError:
                        status = 0
                    self.latency[kind].append(time.monotonic() - t)
                    if status != 200:
                        self.errors[status] += 1
                i += 1
                time.sleep(0.1)

    def summary(self, kind: str) -> str:
        values = self.latency[kind]
        if not values:
            return "—"
        return f"{statistics.median(values) * 1000:,.0f} / {max(values) * 1000:,.0f}"


def _hammer(url: str, address: str, query: str, stop: threading.Event, statuses: Counter) -> None:
    with httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address)) as client:
        while not stop.is_set():
            try:
                r = client.post("/sparql", data={"query": query})
                statuses[r.status_code] += 1
                if r.status_code in (429, 503):
                    time.sleep(min(1.0, int(r.headers.get("Retry-After", "1"))))
            except httpx.HTTPError:
                statuses[0] += 1


def attack_clients(url: str, query: str, clients: int, seconds: float, sample=None) -> str:
    stop, statuses = threading.Event(), Counter()
    threads = [
        threading.Thread(target=_hammer, args=(url, f"127.0.0.{10 + c}", query, stop, statuses), daemon=True)
        for c in range(clients)
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sample:
            sample()
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(60)
    return ", ".join(f"{n}x {s}" for s, n in sorted(statuses.items()))


def attack_headers(url: str, connections: int, size: int) -> str:
    port = int(url.rsplit(":", 1)[1])
    sent = []

    def flood() -> None:
        count = 0
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: ")
                chunk = b"a" * 65536
                while count < size:
                    sock.sendall(chunk)
                    count += len(chunk)
        except OSError:
            pass
        sent.append(count)

    threads = [threading.Thread(target=flood, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return f"cut off after {max(sent) / 2**10:,.0f} KB at most (of {size / 2**20:,.0f} MB each)"


def attack_malformed(url: str, count: int) -> str:
    seeds = [p.read_text() for p in sorted((ROOT / "graph" / "queries").glob("*.rq"))]
    queries = malformed_queries(random.Random(14), seeds, count, extra=("SERVICE", "FROM <x>"))
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    # from 50 loopback addresses in turn, as a fuzzer spreading its load would (one address meets its budget)
    clients = [
        httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=f"127.0.1.{i}"))
        for i in range(1, 51)
    ]
    with contextlib.ExitStack() as stack:
        for c in clients:
            stack.enter_context(c)
        for n, body in enumerate(queries):
            client = clients[n % len(clients)]
            r = client.post("/sparql", data={"query": body})
            statuses[r.status_code] += 1
    rate = count / (time.monotonic() - started)
    return ", ".join(f"{n}x {s}" for s, n in sorted(statuses.items())) + f" ({rate:,.0f}/s)"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (its own, not its children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def side_build(triples: str) -> Path:
    """A build of ``triples`` synthetic triples in a folder of its own; returns its store folder."""
    work = Path(tempfile.mkdtemp(prefix="qkg-bench-swap-"))
    qkg = [sys.executable, "-m", "qkg.api.cli"]
    subprocess.run(
        [*qkg, "synth", "--triples", triples, "--seed", "1", "--out", str(work / "src" / "s.nt")],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*qkg, "--data-dir", str(work / "d"), "build", "--data", str(work / "src"), "--no-shacl", "--no-diff"],
        check=True,
        capture_output=True,
    )
    return (work / "d" / "current").resolve()


def swap_build(data_dir: Path, store: Path, server) -> str:
    """Copy ``store`` next to the served build, switch ``current`` to it, and watch ``/health`` closely."""
    url, pid = server.url, server.process.pid
    target = data_dir / "stores" / f"{store.name}-{time.time_ns()}"
    shutil.copytree(store, target, symlinks=True)
    before = httpx.get(url + "/health", timeout=30).text
    health: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set():
                t = time.monotonic()
                client.get("/health")
                health.append(time.monotonic() - t)
                time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    cpu = cpu_seconds(pid)
    started = time.monotonic()
    poller.start()
    link = data_dir / f".current-bench-{os.getpid()}"
    os.symlink(os.path.relpath(target, data_dir), link)
    os.replace(link, data_dir / "current")  # as StoreLayout.publish does
    while httpx.get(url + "/health", timeout=30).text == before and time.monotonic() - started < 300:
        time.sleep(0.05)
    served = time.monotonic() - started
    time.sleep(5.0)  # the server reads the new build's artefacts in the background
    stop.set()
    poller.join(30)
    cpu = cpu_seconds(pid) - cpu
    over = sum(1 for h in health if h > 0.1)
    return (
        f"served {served:.1f} s after the switch; /health every 20 ms until 5 s later: p50 "
        f"{statistics.median(health) * 1000:,.0f} ms, max {max(health) * 1000:,.0f} ms, {over} of {len(health)} "
        f"over 100 ms; web process CPU {cpu:.1f} s"
    )


def _throughput(url: str, path: str, data: dict | None, connections: int, seconds: float, pid: int) -> str:
    """Requests per second and the web process's CPU ms per request, ``connections`` clients for ``seconds``."""
    count = [0] * connections

    def one(i: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.3.{i + 1}")  # own address: own per-client share
        with httpx.Client(base_url=url, timeout=30, transport=transport) as client:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                r = client.post(path, data=data) if data else client.get(path)
                if r.status_code == 200:
                    count[i] += 1

    cpu = cpu_seconds(pid)
    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu, total = time.monotonic() - started, cpu_seconds(pid) - cpu, sum(count)
    return f"{total / wall:,.0f} req/s, {cpu * 1000 / max(total, 1):.2f} ms CPU/req"


def compare_parsers(data_dir: Path, seconds: float) -> None:
    """httptools with qkg's head limits against h11 with its own, on the same app and build."""
    env = {"QKG_CLIENT_ENGINE_SECONDS": "1000000", "QKG_CLIENT_QUERIES": "8"}
    h11 = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "qkg.api.app:create_app",
        "--http",
        "h11",
        "--h11-max-incomplete-event-size",
        "32768",  # QKG_MAX_HEADER_BYTES
        "--log-level",
        "warning",
    ]
    cells = [
        ("/health", "/health", None),
        ("canned query", f"/queries/{CANNED[0]}.json", None),
        ("cheap SPARQL", "/sparql", {"query": CHEAP}),
    ]
    rows: dict[str, dict[str, str]] = {}
    for label, command in (("httptools + qkg limits", None), ("h11", h11)):
        server = start_server(data_dir, env={**env, "QKG_DATA_DIR": str(data_dir)}, command=command)
        try:
            for name, path, data in cells:
                for connections in (1, 4):
                    rows.setdefault(f"{name} | {connections}", {})[label] = _throughput(
                        server.url, path, data, connections, seconds, server.process.pid
                    )
            with GoodClient(server.url) as good:
                flood = attack_headers(server.url, 4, 200 * 2**20)
            rows.setdefault("200 MB header x 4", {})[label] = f"{flood}; /health max {good.summary('health')} ms"
        finally:
            server.stop()
    print("\n| request | connections | httptools + qkg limits | h11 |")
    print("|---|---|---|---|")
    for key, by in rows.items():
        name, _, connections = key.partition(" | ")
        print(f"| {name} | {connections or '—'} | {by.get('httptools + qkg limits', '')} | {by.get('h11', '')} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--malformed", type=int, default=10_000)
    parser.add_argument("--swap-triples", default="100k")
    parser.add_argument("--swap-store", action="append", default=[], type=Path)
    parser.add_argument("--only", default="runaways,bombs,floods,malformed,swap")
    parser.add_argument("--parsers", action="store_true")
    args = parser.parse_args()
    only = set(args.only.split(","))

    from qkg.graph.building.pipeline import build
    from qkg.loaders.sources import default_data_root, discover

    data_dir = Path(tempfile.mkdtemp(prefix="qkg-bench-abuse-"))
    build(discover(default_data_root()), data_dir=data_dir, shacl=False)
    if args.parsers:
        compare_parsers(data_dir, args.seconds)
        return
    swaps = [(p.parent.name if p.name == "current" else p.name, p.resolve()) for p in args.swap_store]
    if "swap" in only and not swaps:
        swaps = [(f"{args.swap_triples} triples", side_build(args.swap_triples))]
    server = start_server(data_dir)
    rows = []
    try:
        with GoodClient(server.url) as clean:
            time.sleep(args.seconds)
        baseline = clean

        def row(name: str, attack) -> None:
            peak = [0]

            def sample() -> None:
                peak[0] = max(peak[0], tree_rss(server.process.pid))

            with GoodClient(server.url) as good:
                outcome = attack(sample)
            rows.append((name, good, outcome, peak[0]))
            print(f"  {name}: done ({outcome})", file=sys.stderr)

        if "runaways" in only:
            row("runaways (8 clients x 2)", lambda s: attack_clients(server.url, RUNAWAY, 8, args.seconds, s))
        if "bombs" in only:
            row("memory bombs (2 clients x 2)", lambda s: attack_clients(server.url, MEMORY_BOMB, 2, args.seconds, s))
        if "floods" in only:
            row("header floods (4 x 200 MB)", lambda s: attack_headers(server.url, 4, 200 * 2**20))
        if "malformed" in only:
            row(f"malformed queries ({args.malformed:,})", lambda s: attack_malformed(server.url, args.malformed))
        for label, store in swaps if "swap" in only else []:
            row(f"build swap ({label})", lambda s, store=store: swap_build(data_dir, store, server))
    finally:
        server.stop()

    print("\nclient latency p50 / max (ms): canned query, cheap SPARQL query, /health; clean run first\n")
    print("| scenario | canned | cheap | /health | client errors | attackers got | server memory peak |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| clean run | {baseline.summary('canned')} | {baseline.summary('cheap')} | {baseline.summary('health')} "
        f"| {dict(baseline.errors) or 'none'} | — | — |"
    )
    for name, good, outcome, peak in rows:
        memory = f"{peak / 2**20:,.0f} MB" if peak else "—"
        print(
            f"| {name} | {good.summary('canned')} | {good.summary('cheap')} | {good.summary('health')} "
            f"| {dict(good.errors) or 'none'} | {outcome} | {memory} |"
        )


if __name__ == "__main__":
    main()
