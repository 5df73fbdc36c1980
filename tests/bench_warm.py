"""What a page waits for right after ``qkg serve`` starts (a script, not a test).

    .venv/bin/python tests/bench_warm.py DATA_DIR PATH [PATH...] [--port 8810]

Starts ``qkg --data-dir DATA_DIR serve`` (this checkout's), waits for its first ``/health`` 200, then visits the
paths in order, once each, while a thread polls ``/health`` every 0.2 s. For each visit it prints the time since
start, the status, the wall time, the CPU time of the server and its workers meanwhile (which includes the
warm-up's reads in the background: on a loaded machine, the figure that survives the load), and the slowest
``/health`` so far. ``sleep=S`` among the paths waits S seconds. Reuse a build (read only: the server only reads
it, and writes only an artefact an older build lacks).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QKG = Path(sys.executable).with_name("qkg")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[tuple[int, float]]] = {}
    own = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = (Path("/proc") / entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        if int(entry) == pid:
            own = seconds
        children.setdefault(int(fields[1]), []).append((int(entry), seconds))
    total, todo = own, [pid]
    while todo:
        for child, seconds in children.get(todo.pop(), []):
            total += seconds
            todo.append(child)
    return total


def get(base: str, path: str, timeout: float) -> tuple[int | str, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as answer:
            answer.read()
            status: int | str = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception as exc:  # a timeout or a refused connection: named in the table
        status = type(exc).__name__
    return status, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--port", type=int, default=8810)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a visit counts as no answer")
    args = ap.parse_args(argv)
    base = f"http://127.0.0.1:{args.port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(QKG), "--data-dir", str(args.data_dir), "serve", "--port", str(args.port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while get(base, "/health", 1.0)[0] != 200:
            if server.poll() is not None:
                raise SystemExit(f"qkg serve ended ({server.returncode})")
            time.sleep(0.1)
        print(f"first /health 200 after {time.perf_counter() - started:.2f} s", flush=True)
        worst, stop = [0.0], threading.Event()

        def poll() -> None:
            while not stop.is_set():
                worst[0] = max(worst[0], get(base, "/health", 30.0)[1])
                stop.wait(0.2)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        print("| since start s | path | status | wall s | server CPU s | worst /health so far s |")
        print("|---|---|---|---|---|---|")
        for path in args.paths:
            if path.startswith("sleep="):
                time.sleep(float(path[6:]))
                continue
            cpu = cpu_seconds(server.pid)
            status, wall = get(base, path, args.timeout)
            print(
                f"| {time.perf_counter() - started:.2f} | `{path}` | {status} | {wall:.2f} | "
                f"{cpu_seconds(server.pid) - cpu:.2f} | {worst[0]:.2f} |",
                flush=True,
            )
        stop.set()
        poller.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    main()
