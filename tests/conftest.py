"""Shared fixtures.

``built_data`` and ``server``: a real build of ``data/`` and the ``qkg serve`` over it, shared by the API tests
(see :mod:`tests.api_server`).

``qkg``: run the real ``qkg`` command line as a user does (a process from the repository root); it asserts a zero
exit unless ``ok=False`` and returns the completed process.

``browser_env``: use it (with ``@pytest.mark.browser``) in every test that drives Chromium through
:mod:`tests.browser`. It skips the test with the reason when ``/usr/bin/chromium`` or the Playwright package
is missing, unless the environment variable ``QKG_REQUIRE_BROWSER`` is set (``.ci/run`` sets it): then the
test fails, so CI cannot pass by skipping every browser test.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api_server import Server, build_data, shared_server
from tests.browser import CHROMIUM
from tests.canary import Canary

# The command line speaks the user's locale (api/i18n.py: cli_lang); the tests read its English messages
# whatever this machine's locale is, and tests/test_errors_i18n.py sets QKG_LANG=fr where it reads French.
os.environ.setdefault("QKG_LANG", "en")

_ROOT = Path(__file__).resolve().parent.parent


def _run_qkg(*args, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", *map(str, args)], capture_output=True, text=True, cwd=_ROOT
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="session")
def qkg():
    """The ``qkg`` command line: ``qkg("--data-dir", d, "build", ok=False)`` -> the completed process."""
    return _run_qkg


@pytest.fixture(scope="session")
def browser_env() -> Path:
    """The Chromium executable, after checking that the browser tests can run here."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} not found (install it: apt-get install --no-install-recommends chromium)")
    if importlib.util.find_spec("playwright") is None:
        problems.append("the playwright package is not installed (pip install -e '.[test]')")
    if problems:
        reason = "browser tests need Chromium: " + "; ".join(problems)
        if os.environ.get("QKG_REQUIRE_BROWSER"):
            pytest.fail(reason + " [QKG_REQUIRE_BROWSER is set]", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def canary():
    """A loopback listener counting every request: a test asserts it received none."""
    with Canary() as listener:
        yield listener


@pytest.fixture(scope="session")
def built_data() -> Path:
    """The data directory of a real build of ``data/`` (shared by every API test module)."""
    return build_data()


@pytest.fixture(scope="session")
def server(built_data: Path) -> Server:
    """The shared ``qkg serve`` (default settings, query timeout 10 s)."""
    return shared_server(built_data)


@pytest.fixture(scope="session")
def graph_2024(tmp_path_factory) -> Path:
    """The 2024 report graph, built once per session by the real build (SHACL on), into a temporary folder.

    Returns the data directory (pass it as ``--data-dir``); the store itself is ``<dir>/current``.
    """
    from qkg.api.prepared import ARTEFACTS
    from qkg.graph.building.pipeline import build
    from qkg.loaders.sources import default_data_root, discover

    out = tmp_path_factory.mktemp("graph-2024")
    build(discover(default_data_root()), data_dir=out, shacl=True, artefacts=ARTEFACTS)  # as `qkg build` does
    return out


@pytest.fixture(scope="session")
def virtuoso() -> dict[str, str]:
    """A running Virtuoso (its endpoint, user and password file), from the environment.

    ``scripts/virtuoso.py start`` prints the variables (``.ci/run`` starts one). Without them the test is
    skipped with the command to run, unless ``CI=true`` or ``QKG_REQUIRE_VIRTUOSO`` is set: then it fails.
    """
    import httpx

    url = os.environ.get("QKG_VIRTUOSO_URL")
    reason = None
    if not url:
        reason = (
            "Virtuoso-backed tests need a server: apt-get install virtuoso-opensource, then "
            'eval "$(python3 scripts/virtuoso.py start)" (sets QKG_VIRTUOSO_URL)'
        )
    else:
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=5).raise_for_status()
        except httpx.HTTPError as exc:
            reason = f"Virtuoso at {url} does not answer ({type(exc).__name__}): start it with scripts/virtuoso.py"
    if reason:
        if os.environ.get("QKG_REQUIRE_VIRTUOSO") or os.environ.get("CI") == "true":
            pytest.fail(reason + " [CI or QKG_REQUIRE_VIRTUOSO is set]", pytrace=False)
        pytest.skip(reason)
    return {
        "url": url,
        "user": os.environ.get("QKG_VIRTUOSO_USER", "dba"),
        "password_file": os.environ.get("QKG_VIRTUOSO_PASSWORD_FILE", ""),
    }


def remote_store(virtuoso: dict[str, str], space: str, **options):
    """A RemoteStore on the test Virtuoso, its builds under ``space`` (tests never share a pointer)."""
    from qkg.graph.serving.backends.remote import BUILD_NS, RemoteStore

    return RemoteStore(
        virtuoso["url"],
        user=virtuoso["user"],
        password_file=virtuoso["password_file"],
        space=f"{BUILD_NS}test-{space}-{os.getpid()}/",
        **options,
    )


def drop_space(store) -> None:
    """Drop every graph a test wrote under its store's space (the test Virtuoso may be a developer's)."""
    rows = store._raw_select(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{store.space}")) }}',
        timeout=120,
    )
    for (graph,) in rows:
        store.drop(graph.value)


@pytest.fixture(scope="session")
def virtuoso_2024(graph_2024, virtuoso):
    """The 2024 graph published to the test Virtuoso (``qkg build --publish``'s path): a RemoteStore on it."""
    from qkg.graph.serving.backends.remote import publish_build
    from qkg.graph.serving.store import StoreLayout

    store = remote_store(virtuoso, "2024")
    publish_build(StoreLayout(graph_2024).require_current(), store)
    yield store
    drop_space(store)
    store.close()
