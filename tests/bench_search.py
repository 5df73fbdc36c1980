"""The search index at size: its build step, and a server's start and searches (a script, not a test).

    .venv/bin/python tests/bench_search.py make STORE        # STORE: a build's store folder, e.g. D/current
    .venv/bin/python tests/bench_search.py serve DATA_DIR [--port 8720]

- ``make`` makes the ``search`` artefact of a built store as ``qkg build`` does (``artefacts.produce``, which
  writes it into the store's ``qkg-artefacts/``: run it on a copy of a build you share) and prints its wall
  time, CPU time (user + system, the figure that survives a loaded machine) and the process's peak memory.
- ``serve`` starts ``qkg --data-dir DATA_DIR serve`` and prints the seconds to its first ``/health`` 200, to its
  first ``/api/search`` answer (the index must be ready), six searches then and again once the server has read
  every artefact (its CPU idle for 5 s), and the web process's memory (VmRSS) and its process tree's.

To compare with another version of the code, run the same command with that checkout's package first on the
path (``PYTHONPATH=CHECKOUT/scripts/package``), on a copy of the same build.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import httpx

QUERIES = ["Paris", "a", "la ville", "lausane", "organisation mondiale de la sante", "mission economique"]


def make(store_dir: str) -> None:
    from qkg.api.prepared import BY_NAME
    from qkg.graph.building.artefacts import produce
    from qkg.graph.serving.store import open_read_only

    store = open_read_only(store_dir)
    wall, cpu = time.perf_counter(), time.process_time()
    produce(store, store_dir, [BY_NAME["search"]], progress=print)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"search artefact: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU, "
        f"peak {peak:,.0f} MB"
    )


def _rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _tree_rss(pid: int) -> float:
    children = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return _rss(pid) + sum(int(x) for x in children.split()) / 1024


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _searches(url: str) -> str:
    out = []
    for q in QUERIES:
        started = time.monotonic()
        httpx.get(url + "/api/search", params={"q": q}, timeout=300).raise_for_status()
        out.append(f"{q[:12]} {1000 * (time.monotonic() - started):,.0f}")
    return ", ".join(out)


def serve(data_dir: str, port: int) -> None:
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    command = [sys.executable, "-m", "qkg.api.cli", "--data-dir", data_dir, "serve", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"qkg serve ended with {proc.returncode}")
            try:
                if httpx.get(url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        print(f"first /health 200: {time.monotonic() - started:.1f} s")
        first = time.monotonic()
        httpx.get(url + "/api/search", params={"q": QUERIES[0]}, timeout=300).raise_for_status()
        print(
            f"first /api/search: {time.monotonic() - first:.2f} s (at {time.monotonic() - started:.1f} s); "
            f"web process {_rss(proc.pid):,.0f} MB"
        )
        print(f"searches during the warm-up (ms): {_searches(url)}")
        last, idle = _cpu(proc.pid), 0
        while idle < 5 and time.monotonic() - started < 300:
            time.sleep(1)
            now = _cpu(proc.pid)
            idle, last = (idle + 1 if now - last < 0.05 else 0), now
        print(f"searches once warm (ms): {_searches(url)}")
        print(
            f"warm after {time.monotonic() - started:.0f} s: web process {_rss(proc.pid):,.0f} MB, with its "
            f"workers {_tree_rss(proc.pid):,.0f} MB, web CPU {_cpu(proc.pid):.1f} s"
        )
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("make").add_argument("store")
    serving = sub.add_parser("serve")
    serving.add_argument("data_dir")
    serving.add_argument("--port", type=int, default=8720)
    args = parser.parse_args()
    if args.command == "make":
        make(args.store)
    else:
        serve(args.data_dir, args.port)


if __name__ == "__main__":
    main()
