"""Soak and chaos: replay issue 14's probe against a real ``qkg serve`` on loopback, and print what held.

Not a test (run it by hand: ``.venv/bin/python tests/bench_abuse.py``). It builds the 2024 graph, starts the
server with its default settings, and measures a well-behaved client (a canned query, a cheap SPARQL query
and ``/health`` in turn, from its own loopback address) first alone (the clean run), then during each attack:

- ``runaways``: 8 clients (8 loopback addresses, 2 connections each) sending a 3-way cross-product COUNT;
- ``memory bombs``: 2 clients sending ``ORDER BY`` over a cross product (the server's memory is sampled);
- ``header floods``: 4 connections each streaming a 200 MB header;
- ``malformed``: 10,000 random malformed queries (mutated canned queries: braces, escapes, lone surrogates...);
- ``build swap``: a new build of ``--swap-triples`` synthetic triples published while the client runs.

Each row gives the client's latencies (p50 / max, ms) side by side with the clean run, and what the attackers
got. Options: ``--seconds`` per attack (default 15), ``--malformed`` (default 10,000), ``--swap-triples``
(default 100k; issue 14 measured 485k).
"""

from __future__ import annotations

import argparse
import contextlib
import random
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

from tests.api_server import ROOT, start_server
from tests.guard_corpus import malformed_queries
from tests.test_api_abuse import CANNED, CHEAP, MEMORY_BOMB, RUNAWAY, _tree_rss


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


def swap_build(data_dir: Path, triples: str, url: str) -> str:
    work = Path(tempfile.mkdtemp(prefix="qkg-bench-swap-"))
    qkg = [sys.executable, "-m", "qkg.api.cli"]
    subprocess.run(
        [*qkg, "synth", "--triples", triples, "--seed", "1", "--out", str(work / "s.nt")],
        check=True,
        capture_output=True,
    )
    before = httpx.get(url + "/health", timeout=30).text
    started = time.monotonic()
    subprocess.run(
        [*qkg, "--data-dir", str(data_dir), "build", "--data", str(work), "--no-shacl"], check=True, capture_output=True
    )
    built = time.monotonic() - started
    while httpx.get(url + "/health", timeout=30).text == before and time.monotonic() - started < 300:
        time.sleep(0.1)
    return f"built in {built:.1f} s, served {time.monotonic() - started - built:.1f} s later"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--malformed", type=int, default=10_000)
    parser.add_argument("--swap-triples", default="100k")
    args = parser.parse_args()

    from qkg.graph.building.pipeline import build
    from qkg.loaders.sources import default_data_root, discover

    data_dir = Path(tempfile.mkdtemp(prefix="qkg-bench-abuse-"))
    build(discover(default_data_root()), data_dir=data_dir, shacl=False)
    server = start_server(data_dir)
    rows = []
    try:
        with GoodClient(server.url) as clean:
            time.sleep(args.seconds)
        baseline = clean

        def row(name: str, attack) -> None:
            peak = [0]

            def sample() -> None:
                peak[0] = max(peak[0], _tree_rss(server.process.pid))

            with GoodClient(server.url) as good:
                outcome = attack(sample)
            rows.append((name, good, outcome, peak[0]))
            print(f"  {name}: done ({outcome})", file=sys.stderr)

        row("runaways (8 clients x 2)", lambda s: attack_clients(server.url, RUNAWAY, 8, args.seconds, s))
        row("memory bombs (2 clients x 2)", lambda s: attack_clients(server.url, MEMORY_BOMB, 2, args.seconds, s))
        row("header floods (4 x 200 MB)", lambda s: attack_headers(server.url, 4, 200 * 2**20))
        row(f"malformed queries ({args.malformed:,})", lambda s: attack_malformed(server.url, args.malformed))
        row(f"build swap ({args.swap_triples} triples)", lambda s: swap_build(data_dir, args.swap_triples, server.url))
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
