#!/usr/bin/env python3
"""One command to a running explorer, one to the tests, from a fresh clone, with plain system ``python3``.

::

    python3 scripts/dev.py run  [--host 127.0.0.1] [--port 8000]   # venv, assets, `qkg build`, `qkg serve`
    python3 scripts/dev.py test [PYTEST ARGS...]                   # venv with [test], chromium, assets, pytest
    python3 scripts/dev.py lint                                    # ruff check and format --check, then mypy

Each step prints one line. A second run is fast: the venv is reused, and ``pip install -e .`` runs again
only when ``pyproject.toml`` changed (its hash is kept in ``.venv/.qkg-install.json``) or an extra not yet
installed is asked for; the front-end assets are fetched only when ``package-lock.json`` changed (see
``scripts/assets.py``). Errors are one line naming the fix. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".qkg-install.json"
PIP_LOG = VENV / ".qkg-pip.log"
CHROMIUM = Path("/usr/bin/chromium")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import assets  # noqa: E402  (scripts/assets.py, a sibling, stdlib only)


class DevError(Exception):
    """A step failed; the message is one line naming the cause and the fix."""


def step(message: str) -> None:
    """Print one progress line."""
    print(f"[dev] {message}", flush=True)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> None:
    """Create ``.venv`` with the running python3 unless a working one is there."""
    if venv_python().exists():
        probe = subprocess.run(
            [venv_python(), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
        )
        if probe.returncode != 0:
            raise DevError(f"{VENV} is broken ({venv_python()} does not run): remove it (rm -rf .venv) and rerun")
        step(f"venv: {VENV.name} (Python {probe.stdout.strip()})")
        return
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "venv", VENV], capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(VENV, ignore_errors=True)
        raise DevError("python3 -m venv failed: on Debian install it with `apt-get install python3-venv`")
    step(f"venv: created {VENV.name} in {time.monotonic() - start:.1f} s")


def install_project(extras: tuple[str, ...]) -> None:
    """``pip install -e .[extras]`` unless the stamp says this pyproject and these extras are installed."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        stamp = {}
    if stamp.get("pyproject") == digest and set(extras) <= set(stamp.get("extras", [])):
        step("install: up to date (pyproject.toml unchanged)")
        return
    if stamp.get("pyproject") == digest:  # same project, more extras: keep the ones already there
        extras = tuple(sorted(set(extras) | set(stamp.get("extras", []))))
    target = "." + (f"[{','.join(extras)}]" if extras else "")
    start = time.monotonic()
    with PIP_LOG.open("w", encoding="utf-8") as log:
        proc = subprocess.run(
            [venv_python(), "-m", "pip", "install", "-e", target], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    if proc.returncode != 0:
        lines = PIP_LOG.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        last = next((line for line in reversed(lines) if line.startswith("ERROR")), lines[-1] if lines else "")
        raise DevError(f"pip install -e {target} failed ({last.strip()}): see {PIP_LOG.relative_to(ROOT)}")
    STAMP.write_text(json.dumps({"pyproject": digest, "extras": sorted(extras)}) + "\n", encoding="utf-8")
    step(f"install: pip install -e {target} in {time.monotonic() - start:.0f} s")


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser tests when it is missing and we are root."""
    if CHROMIUM.exists():
        step(f"chromium: {CHROMIUM}")
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        step("chromium: missing, browser tests will be skipped; install it: sudo apt-get install chromium")
        return
    start = time.monotonic()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
            raise DevError(f"`{' '.join(cmd)}` failed ({last[0]}): install chromium by hand and rerun")
    step(f"chromium: installed {CHROMIUM} with apt-get in {time.monotonic() - start:.0f} s")


def ensure_assets() -> None:
    try:
        assets.ensure_assets(ROOT)
    except assets.AssetsError as exc:
        raise DevError(str(exc)) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Set up, build the graph, then replace this process with ``qkg serve``."""
    ensure_venv()
    install_project(())
    ensure_assets()
    qkg = VENV / "bin" / "qkg"
    start = time.monotonic()
    if subprocess.run([qkg, "build"], cwd=ROOT).returncode != 0:
        raise DevError("`qkg build` failed: see the message above, fix the data or code, and rerun")
    step(f"build: qkg build in {time.monotonic() - start:.1f} s")
    step(f"serve: http://{args.host}:{args.port}/ (Ctrl-C to stop)")
    os.chdir(ROOT)
    os.execv(qkg, [str(qkg), "serve", "--host", args.host, "--port", str(args.port)])


def cmd_test(args: argparse.Namespace) -> int:
    """Set up with the test extra, then run pytest with the given arguments; return its exit code."""
    ensure_venv()
    install_project(("test",))
    ensure_chromium()
    ensure_assets()
    step("test: python -m pytest " + " ".join(args.pytest_args))
    return subprocess.run([venv_python(), "-m", "pytest", *args.pytest_args], cwd=ROOT).returncode


#: The layers mypy checks (with check_untyped_defs): all of them.
MYPY_PACKAGES = ("qkg.ontology", "qkg.graph", "qkg.loaders", "qkg.viz", "qkg.api")
LAYERS = ("ontology", "graph", "loaders", "viz", "api")


def mypy_tree() -> Path:
    """A folder where ``qkg`` is the repository's layers, laid out as installed, for mypy to read.

    The editable install extends ``qkg.__path__`` at run time, which mypy does not execute; links give it the
    same package statically.
    """
    root = VENV / "mypy-src"
    package = root / "qkg"
    package.mkdir(parents=True, exist_ok=True)
    for name in (*LAYERS, "__init__.py"):
        link, target = package / name, (ROOT / name if name in LAYERS else ROOT / "scripts" / "package" / "qkg" / name)
        if not link.is_symlink():
            link.symlink_to(target)
    return root


def cmd_lint(args: argparse.Namespace) -> int:
    """ruff check over the tree, then mypy on :data:`MYPY_PACKAGES`; return the first failure's exit code."""
    ensure_venv()
    install_project(("test",))
    step("lint: ruff check . && ruff format --check .")
    status = subprocess.run([VENV / "bin" / "ruff", "check", "."], cwd=ROOT).returncode
    status = status or subprocess.run([VENV / "bin" / "ruff", "format", "--check", "."], cwd=ROOT).returncode
    step("lint: mypy " + " ".join(MYPY_PACKAGES))
    typed = subprocess.run(
        [
            VENV / "bin" / "mypy",
            "--config-file",
            ROOT / "pyproject.toml",
            "--cache-dir",
            VENV / ".mypy_cache",
            *(a for p in MYPY_PACKAGES for a in ("-p", p)),
        ],
        cwd=mypy_tree(),
    ).returncode
    return status or typed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.py", description="Set up and run qkg from a fresh clone.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="install, fetch assets, build the graph and serve it")
    run.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    run.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    run.set_defaults(func=cmd_run)
    test = sub.add_parser(
        "test", help="install with [test], fetch assets, run pytest with ARGS", prefix_chars="\0"
    )  # every argument, dashes included, goes to pytest
    test.add_argument("pytest_args", nargs="*")
    test.set_defaults(func=cmd_test)
    lint = sub.add_parser("lint", help="install with [test], run ruff check and mypy")
    lint.set_defaults(func=cmd_lint)
    args = parser.parse_args(argv)
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3, to say which one it needs
        print(
            f"dev.py: error: Python 3.11+ needed, this is {sys.version.split()[0]}: run it with python3.11",
            file=sys.stderr,
        )
        return 1
    try:
        return args.func(args)
    except DevError as exc:
        print(f"dev.py: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
