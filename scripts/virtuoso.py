#!/usr/bin/env python3
"""Start and stop a private Virtuoso Open Source server for qkg's tests, benchmarks and developers.

::

    python3 scripts/virtuoso.py start [--dir .qkg/virtuoso] [--port 0] [--max-rows N] [--max-seconds S]
    eval "$(python3 scripts/virtuoso.py env --dir .qkg/virtuoso)"     # QKG_VIRTUOSO_* and QKG_STORE_* exports
    python3 scripts/virtuoso.py stop  [--dir .qkg/virtuoso]

``start`` writes its own ``virtuoso.ini`` and database under ``--dir`` (never the system's
/var/lib/virtuoso-opensource-7), picks free loopback ports (SQL and HTTP), starts ``virtuoso-t``, waits until the
SPARQL endpoint answers, replaces the ``dba`` password with a generated one (kept in ``DIR/password``, mode 600,
never printed), and prints the shell exports. ``stop`` checkpoints and stops the server of that folder (by the
pid it recorded) and is quiet when none runs. Needs the Debian package ``virtuoso-opensource`` (7.2).
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".qkg" / "virtuoso"
SERVER = "virtuoso-t"
ISQL = "isql-vt"
VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
START_TIMEOUT = 60.0

# Virtuoso's own limits (its [SPARQL] section). qkg enforces its row cap and time limit itself and passes the
# time limit per query; these are the server's outer bounds. The packaged ResultSetMaxRows (10,000) silently
# truncates answers, so it is raised well past qkg's largest cap (the analysis projection reads every edge).
MAX_ROWS = 10_000_000
MAX_SECONDS = 300

INI = """\
; written by qkg's scripts/virtuoso.py: a private server, its files under this folder only
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 20
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {d}, {vad}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
VADInstallDir            = {vad}/
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 1G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 10
MaxSortedTopRows         = {max_rows}
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty}

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {d}/vsp
MaxClientConnections        = 20
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 20
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {max_seconds}
DeferInferenceRulesInit    = 0
"""


class VirtuosoError(Exception):
    """A step failed; the message is one line naming the cause and the fix."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid(d: Path) -> int | None:
    try:
        pid = int((d / "server.pid").read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def _read(d: Path, name: str) -> str:
    return (d / name).read_text().strip()


def exports(d: Path) -> dict[str, str]:
    """The environment a client needs: the endpoint, the user and the password file (not the password)."""
    http = _read(d, "http.port")
    url = f"http://127.0.0.1:{http}/sparql"
    pw = str(d / "password")
    return {
        "QKG_VIRTUOSO_URL": url,
        "QKG_VIRTUOSO_USER": "dba",
        "QKG_VIRTUOSO_PASSWORD_FILE": pw,
        "QKG_VIRTUOSO_DIR": str(d),
    }


def _isql(d: Path, password: str, sql: str) -> str:
    port = _read(d, "sql.port")
    proc = subprocess.run(
        [
            ISQL,
            f"127.0.0.1:{port}",
            "dba",
            password,
            "VERBOSE=OFF",
            "BANNER=OFF",
            "PROMPT=OFF",
            "ECHO=OFF",
            "ERRORS=STDOUT",
        ],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or "*** Error" in out:
        raise VirtuosoError(f"isql failed on port {port}: {out.strip()[:300]}")
    return out


def _ready(url: str) -> bool:
    probe = url + "?query=" + urllib.request.quote("ASK {}")
    try:
        with urllib.request.urlopen(
            urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"}), timeout=2
        ) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(
    d: Path, *, port: int = 0, max_rows: int = MAX_ROWS, max_seconds: int = MAX_SECONDS, buffers: int = 170_000
) -> dict[str, str]:
    """Start a private server under ``d`` (reusing its database if there is one) and return its exports."""
    for tool in (SERVER, ISQL):
        if shutil.which(tool) is None:
            raise VirtuosoError(f"{tool} not found: install Virtuoso with `apt-get install virtuoso-opensource`")
    d = d.resolve()
    d.mkdir(parents=True, exist_ok=True)
    if _pid(d) is not None:
        if _ready(exports(d)["QKG_VIRTUOSO_URL"]):
            return exports(d)
        stop(d)
    (d / "vsp").mkdir(exist_ok=True)
    http_port = port or free_port()
    sql_port = free_port()
    (d / "http.port").write_text(str(http_port))
    (d / "sql.port").write_text(str(sql_port))
    (d / "virtuoso.ini").write_text(
        INI.format(
            d=d,
            vad=VAD_DIR,
            sql_port=sql_port,
            http_port=http_port,
            max_rows=max_rows,
            max_seconds=max_seconds,
            buffers=buffers,
            dirty=buffers * 3 // 4,
        )
    )
    with open(d / "server.out", "ab") as log:  # the server keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [SERVER, "+foreground", "+configfile", str(d / "virtuoso.ini")],
            cwd=d,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (d / "server.pid").write_text(str(proc.pid))
    url = exports(d)["QKG_VIRTUOSO_URL"]
    deadline = time.monotonic() + START_TIMEOUT
    while not _ready(url):
        if proc.poll() is not None:
            tail = (d / "virtuoso.log").read_text(errors="replace")[-600:] if (d / "virtuoso.log").exists() else ""
            raise VirtuosoError(f"virtuoso-t exited with {proc.returncode} while starting; log tail: {tail}")
        if time.monotonic() > deadline:
            stop(d)
            raise VirtuosoError(f"Virtuoso did not answer on {url} within {START_TIMEOUT:.0f} s: see {d}/virtuoso.log")
        time.sleep(0.3)
    pw_file = d / "password"
    if not pw_file.exists():
        password = secrets.token_urlsafe(18)
        _isql(d, "dba", f"USER_SET_PASSWORD('dba', '{password}');\n")
        pw_file.touch(mode=0o600)
        pw_file.write_text(password)
    return exports(d)


def stop(d: Path, *, timeout: float = 30.0) -> bool:
    """Stop the server of ``d``; return whether one was running."""
    d = d.resolve()
    pid = _pid(d)
    if pid is None:
        return False
    try:
        _isql(d, _read(d, "password") if (d / "password").exists() else "dba", "shutdown;\n")
    except (VirtuosoError, OSError, subprocess.TimeoutExpired):
        with_signal = True
    else:
        with_signal = False
    deadline = time.monotonic() + timeout
    if with_signal:
        os.kill(pid, signal.SIGTERM)
    while _pid(d) is not None and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.2)
    if _pid(d) is not None:
        os.kill(pid, signal.SIGKILL)
        _reap(pid)
    (d / "server.pid").unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _print_exports(env: dict[str, str]) -> None:
    for key, value in env.items():
        print(f"export {key}={shlex.quote(value)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "env"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="its data folder (default .qkg/virtuoso)")
    parser.add_argument("--port", type=int, default=0, help="HTTP port (default: a free one)")
    parser.add_argument("--max-rows", type=int, default=MAX_ROWS, help="Virtuoso's ResultSetMaxRows")
    parser.add_argument(
        "--max-seconds",
        type=int,
        default=MAX_SECONDS,
        help="Virtuoso's MaxQueryExecutionTime and MaxQueryCostEstimationTime",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            started = time.monotonic()
            env = start(args.dir, port=args.port, max_rows=args.max_rows, max_seconds=args.max_seconds)
            print(
                f"# Virtuoso ready at {env['QKG_VIRTUOSO_URL']} in {time.monotonic() - started:.1f} s", file=sys.stderr
            )
            _print_exports(env)
        elif args.command == "env":
            if _pid(args.dir.resolve()) is None:
                raise VirtuosoError(f"no Virtuoso runs for {args.dir}: `python3 scripts/virtuoso.py start` first")
            _print_exports(exports(args.dir.resolve()))
        else:
            print("# Virtuoso stopped" if stop(args.dir) else "# no Virtuoso was running", file=sys.stderr)
    except VirtuosoError as exc:
        print(f"virtuoso: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
