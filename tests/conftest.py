"""Shared fixtures.

``browser_env``: use it (with ``@pytest.mark.browser``) in every test that drives Chromium through
:mod:`tests.browser`. It skips the test with the reason when ``/usr/bin/chromium`` or the Playwright package
is missing, unless the environment variable ``QKG_REQUIRE_BROWSER`` is set (``.ci/run`` sets it): then the
test fails, so CI cannot pass by skipping every browser test.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tests.browser import CHROMIUM


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
