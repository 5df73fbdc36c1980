"""Shared by the view tests (no test here): stores built once per run, live servers, the XSS corpus.

A built store and a running ``qkg serve`` are expensive (the real data takes about 12 s to build), so they
are memoised per test process: :func:`built_store` builds each kind once, :func:`live_server` starts one
server per store and stops it at exit. Both use the real CLI (``python -m qkg.api.cli``) in subprocesses, on
127.0.0.1 and a free port.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

__all__ = ["REPO", "PAYLOADS", "HOSTILE_TTL", "qkg", "built_store", "live_server", "free_port", "MISSION_CITIES"]

REPO = Path(__file__).resolve().parent.parent
#: The 13 distinct cities of the eight missions of the 2024 annex.
MISSION_CITIES = {
    "boston",
    "colonia-del-sacramento",
    "buenos-aires",
    "lausanne",
    "porrentruy",
    "braga",
    "saint-malo",
    "new-york",
    "cordoue",
    "zurich",
    "geneve",
    "paris",
    "lisbonne",
}

#: Test 17's corpus: each string must reach the page as text and never run.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">href</a>',
    "line\u2028sep\u2029<img src=x onerror=alert(2)>",
    "</option><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
]

# Well-formed qkg entities (the real build checks labels, types, SHACL) whose labels, descriptions and IRIs
# carry the corpus: every view draws some of them (network nodes, map cities and routes, timeline, charts).
HOSTILE_TTL = r"""
@prefix qkg:    <https://w3id.org/qkg/def#> .
@prefix qkgd:   <https://w3id.org/qkg/id/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix geo:    <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix org:    <http://www.w3.org/ns/org#> .

qkgd:sec a qkg:ReportSection ; rdfs:label "<img src=x onerror=alert('section')>"@fr .
qkgd:pays a qkg:Country ; rdfs:label "\"><svg onload=alert('country')>"@fr , "France"@en ; prov:wasDerivedFrom qkgd:sec .
qkgd:quebec a qkg:City ; rdfs:label "Québec"@fr ; qkg:country qkgd:pays ;
    geo:lat "46.81"^^xsd:decimal ; geo:long "-71.21"^^xsd:decimal ; prov:wasDerivedFrom qkgd:sec .
<https://w3id.org/qkg/id/javascript:alert('id')> a qkg:City ;
    rdfs:label "</script><script>alert('city')</script>"@fr ; qkg:country qkgd:pays ;
    geo:lat "48.86"^^xsd:decimal ; geo:long "2.35"^^xsd:decimal ; prov:wasDerivedFrom qkgd:sec .
<https://w3id.org/qkg/id/x'onmouseover='alert(1)> a qkg:City ;
    rdfs:label "line\u2028sep\u2029<img src=x onerror=alert('u2028')>"@fr ; qkg:country qkgd:pays ;
    geo:lat "40.0"^^xsd:decimal ; geo:long "-3.0"^^xsd:decimal ; prov:wasDerivedFrom qkgd:sec .
qkgd:ville-hostile a qkg:LocalGovernment ;
    rdfs:label "<a href=\"javascript:alert('href')\">href</a>"@fr ;
    schema:description "<img src=x onerror=alert('desc')> a title containing href=javascript:alert(1)"@fr ;
    qkg:jurisdiction <https://w3id.org/qkg/id/javascript:alert('id')> ; prov:wasDerivedFrom qkgd:sec .
qkgd:forum-hostile a qkg:CityNetwork ; rdfs:label "<svg/onload=alert('forum')>"@fr ; prov:wasDerivedFrom qkgd:sec .
qkgd:ville-de-quebec a qkg:LocalGovernment ; rdfs:label "Ville de Québec"@fr ; qkg:jurisdiction qkgd:quebec ;
    prov:wasDerivedFrom qkgd:sec .
qkgd:poste-hostile a qkg:Post ; rdfs:label "</option><script>alert('post')</script>"@fr ;
    org:postIn qkgd:ville-de-quebec ; prov:wasDerivedFrom qkgd:sec .
qkgd:membership-1 a org:Membership ; org:member qkgd:ville-hostile ; org:organization qkgd:forum-hostile ;
    org:role qkgd:role-member ; prov:wasDerivedFrom qkgd:sec .
qkgd:theme-hostile a skos:Concept ; skos:prefLabel "<img src=x onerror=alert('theme')>"@fr .
qkgd:mission-hostile a qkg:Mission ; rdfs:label "<img src=x onerror=alert('mission')>"@fr ;
    qkg:missionLeader qkgd:poste-hostile ; qkg:leg qkgd:leg-1 , qkgd:leg-2 ; qkg:theme qkgd:theme-hostile ;
    prov:wasDerivedFrom qkgd:sec ; qkg:annexItem 1 .
qkgd:leg-1 a qkg:MissionLeg ; qkg:legOrder 1 ; qkg:legCity <https://w3id.org/qkg/id/javascript:alert('id')> ;
    prov:wasDerivedFrom qkgd:sec .
qkgd:leg-2 a qkg:MissionLeg ; qkg:legOrder 2 ; qkg:legCity <https://w3id.org/qkg/id/x'onmouseover='alert(1)> ;
    prov:wasDerivedFrom qkgd:sec .
qkgd:reception-hostile a qkg:Reception ; rdfs:label "\"><img src=x onerror=alert('reception')>"@fr ;
    qkg:category qkgd:cat-courtesy ; qkg:host qkgd:ville-de-quebec ; qkg:visitor qkgd:ville-hostile ;
    qkg:origin <https://w3id.org/qkg/id/javascript:alert('id')> ; qkg:annexItem 1 ; prov:wasDerivedFrom qkgd:sec .
qkgd:reception-country a qkg:Reception ; rdfs:label "javascript:alert('r2')"@fr ;
    qkg:category qkgd:cat-strategic ; qkg:host qkgd:ville-de-quebec ; qkg:origin qkgd:pays ; prov:wasDerivedFrom qkgd:sec .
qkgd:event-hostile a qkg:Event ; rdfs:label "<script>alert('event')</script>"@fr ;
    schema:startDate "2024-05"^^xsd:gYearMonth ; qkg:location qkgd:quebec ; qkg:organiser qkgd:forum-hostile ;
    qkg:theme qkgd:theme-hostile ; prov:wasDerivedFrom qkgd:sec .
qkgd:agreement-hostile a qkg:Agreement ; rdfs:label "<iframe src=javascript:alert('agreement')>"@fr ;
    qkg:party qkgd:ville-de-quebec , qkgd:ville-hostile ; qkg:agreementType qkgd:type-twinning ;
    schema:startDate "2024"^^xsd:gYear ; prov:wasDerivedFrom qkgd:sec .
"""

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_stores: dict[str, Path] = {}
_servers: dict[Path, tuple[subprocess.Popen, str]] = {}
_tmp = Path(tempfile.mkdtemp(prefix="qkg-viz-tests-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)


def qkg(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real CLI (``python -m qkg.api.cli ...``) from the repository root."""
    proc = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"qkg {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def built_store(kind: str) -> Path:
    """A data dir with a published build: ``real`` (data/), ``hostile`` (:data:`HOSTILE_TTL`) or ``synth-N``."""
    if kind in _stores:
        return _stores[kind]
    data_dir = _tmp / f"store-{kind}"
    if kind == "real":
        qkg("--data-dir", str(data_dir), "build", "-q")
    elif kind == "hostile":
        src = _tmp / "hostile-data"
        src.mkdir(exist_ok=True)
        (src / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
        qkg("--data-dir", str(data_dir), "build", "--data", str(src), "-q")
    elif kind.startswith("synth-"):
        src = _tmp / f"{kind}-data"
        src.mkdir(exist_ok=True)
        qkg("synth", "--triples", kind.split("-", 1)[1], "--out", str(src / "s.nq"))
        qkg("--data-dir", str(data_dir), "build", "--data", str(src), "--no-shacl", "-q")
    else:
        raise ValueError(kind)
    _stores[kind] = data_dir
    return data_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def live_server(data_dir: Path, *, timeout: float = 90) -> str:
    """Start ``qkg --data-dir DATA_DIR serve`` on 127.0.0.1 (once per data dir); return its base URL."""
    if data_dir in _servers and _servers[data_dir][0].poll() is None:
        return _servers[data_dir][1]
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(_tmp / f"serve-{port}.log", "w") as log:  # the server keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    atexit.register(_stop, proc)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"qkg serve exited with {proc.returncode}: {(_tmp / f'serve-{port}.log').read_text()}")
        try:
            with _NO_PROXY.open(base + "/health", timeout=2) as r:
                if r.status == 200:
                    _servers[data_dir] = (proc, base)
                    return base
        except OSError:
            time.sleep(0.3)
    _stop(proc)
    raise AssertionError(f"qkg serve did not answer /health within {timeout} s")
