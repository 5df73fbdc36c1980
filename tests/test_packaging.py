"""A wheel of qkg adds one name, ``qkg``, to site-packages, carries its data, and runs from there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (path,) = out.glob("qkg-*.whl")
    return path


def test_wheel_installs_only_the_qkg_name(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"qkg"}
    for needed in (
        "qkg/__init__.py",
        "qkg/graph/serving/pool.py",
        "qkg/ontology/qkg.ttl",
        "qkg/graph/queries/agreements.rq",
        "qkg/data/2024/receptions.ttl",
        "qkg/api/templates/base.html",
    ):
        assert needed in names, needed


def test_the_app_builds_and_answers_from_the_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # Run from an unrelated folder with only the installed copy first on the path: no repository folder can help.
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import qkg, qkg.graph.serving.store as s; from pathlib import Path; "
        "print(Path(qkg.__file__).resolve().parent, Path(s.__file__).resolve().parent.parent.parent)"
    )
    where = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert where.stdout.split() == [str((target / "qkg").resolve())] * 2
    build = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(tmp_path / "d"), "build", "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    query = subprocess.run(
        [
            sys.executable,
            "-m",
            "qkg.api.cli",
            "--data-dir",
            str(tmp_path / "d"),
            "query",
            "agreements",
            "--format",
            "csv",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert query.returncode == 0, query.stderr[-2000:]
    assert "Bordeaux" in query.stdout
