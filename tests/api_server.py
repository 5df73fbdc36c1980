"""Helpers of the API tests: a real build and real ``qkg serve`` processes.

Every API test talks HTTP to ``qkg --data-dir X serve --port P`` started in a subprocess on 127.0.0.1,
over a store built once per test session with the real pipeline (:func:`qkg.graph.building.pipeline.build` on the
repository's ``data/``). The build and the default server are shared by all API test modules (cached in
this module), and stopped when the session ends. The fixtures ``built_data`` and ``server`` that wrap them are
in ``tests/conftest.py``.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Server", "build_data", "start_server", "shared_server", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent
_CACHE: dict[str, object] = {}


@dataclass
class Server:
    """A running ``qkg serve`` subprocess."""

    url: str
    process: subprocess.Popen
    data_dir: Path
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kwargs.pop("timeout", 30), **kwargs)


def build_data() -> Path:
    """Build the repository's data once per session (real build, SHACL and inference); return the data dir."""
    if "data" not in _CACHE:
        from qkg.api.prepared import ARTEFACTS
        from qkg.graph.building.pipeline import build
        from qkg.loaders.sources import default_data_root, discover

        data_dir = Path(tempfile.mkdtemp(prefix="qkg-api-test-"))
        build(discover(default_data_root()), data_dir=data_dir, artefacts=ARTEFACTS)  # as `qkg build` does
        _CACHE["data"] = data_dir
    return _CACHE["data"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    data_dir: Path, *, env: dict[str, str] | None = None, wait: float = 60.0, command: list[str] | None = None
) -> Server:
    """Start ``qkg serve`` on a free loopback port and wait until ``/health`` answers.

    ``command``: another server command line for the same app (e.g. uvicorn with other options); ``--host``
    and ``--port`` are appended, the data folder goes in ``QKG_DATA_DIR``.
    """
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="qkg-serve-", suffix=".log")[1])
    full_env = {**os.environ, "QKG_HOST": "127.0.0.1", "QKG_DATA_DIR": str(data_dir), **(env or {})}
    args = [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)]
    if command is not None:
        args = [*command, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env=full_env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, data_dir, log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"qkg serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(server.url + "/health", timeout=1).status_code == 200:
                atexit.register(server.stop)
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"qkg serve did not answer /health within {wait} s:\n{log.read_text()[-3000:]}")


def shared_server(data_dir: Path) -> Server:
    """The ``qkg serve`` shared by the session (default settings, query timeout 10 s), with no engine-time budget
    per client.

    Every test talks to it from the same address; the per-client budget would make the order of the tests
    matter. The tests of fair sharing start their own servers with the default budget.
    """
    if "server" not in _CACHE or _CACHE["server"].process.poll() is not None:
        _CACHE["server"] = start_server(data_dir, env={"QKG_CLIENT_ENGINE_SECONDS": "1000000"})
    return _CACHE["server"]


def descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` (its children, theirs, ...), read from ``/proc``: a server's query workers."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
        found += kids
        todo += kids
    return found


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and all its descendants (read from ``/proc``)."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total
