"""The W3C SPARQL 1.0 and 1.1 test suites through ``/sparql``, against pyoxigraph on the same store.

Every query of the suites' syntax and query-evaluation tests (``../shared/w3c-sparql-tests/`` next to the
repository; update, protocol, federation and service-description tests are not queries) is sent to the
endpoint serving the 2024 graph, and run by pyoxigraph directly on the same store (in a worker process, guard
off, the same row cap). Outcomes:

- ``same``: both answer, with the same rows (as multisets; blank node labels ignored) or the same graph;
- ``refused-invalid``: pyoxigraph rejects the query (or the test says it is invalid) and the endpoint answers 400;
- ``refused-by-design``: the endpoint refuses what it documents (SERVICE, FROM / FROM NAMED, LOAD, updates);
- ``truncated``: the endpoint's answer was cut by its row cap;
- ``volatile``: the query calls RAND, NOW, UUID, STRUUID or BNODE, whose values change from run to run;
- ``timeout``: both sides stopped it at the time limit;
- ``memory-limit``: the endpoint's worker memory cap stopped it (pyoxigraph alone has no cap);
- ``engine-accepts-invalid``: an invalid query both parsers accept (listed in :data:`ENGINE_ACCEPTS_INVALID`).

Anything else fails: a 500, a valid query refused, an invalid one answered, a different answer. The counts are
printed (``-s``) and reported in the README.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from qkg.graph.errors import QKGError, QueryTimeout
from qkg.graph.serving.guard import query_form
from qkg.graph.serving.pool import QueryPool
from rdflib import RDF, Graph, Namespace

from tests.api_server import ROOT

SUITE = ROOT.parent / "shared" / "w3c-sparql-tests"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
_POSITIVE = {"PositiveSyntaxTest", "PositiveSyntaxTest11"}
_NEGATIVE = {"NegativeSyntaxTest", "NegativeSyntaxTest11"}
_EVAL = {"QueryEvaluationTest", "CSVResultFormatTest"}
_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_BY_DESIGN = ("SERVICE", "FROM", "read-only", "LOAD")
#: Invalid queries that pyoxigraph (the engine) and rdflib (the guard) both accept, with the reason; the
#: endpoint answers them as pyoxigraph does.
ENGINE_ACCEPTS_INVALID = {
    "sparql10/syntax-sparql3/syn-bad-26.rq": "`?x<?a&&?b>?y`: by the longest-token rule `<?a&&?b>` is an IRI, "
    "both parsers read less-than and greater-than",
}


def _suite() -> Path:
    if not SUITE.is_dir():
        reason = f"the W3C SPARQL test suites are not at {SUITE}"
        if os.environ.get("CI") or os.environ.get("QKG_REQUIRE_BROWSER"):
            pytest.fail(reason + " (CI must provide them)", pytrace=False)
        pytest.skip(reason)
    return SUITE


def cases(suite: Path) -> list[tuple[str, str, Path]]:
    """``(name, kind, query file)`` for every syntax and query-evaluation test of the suites' manifests."""
    found = {}
    for manifest in sorted(suite.glob("sparql1[01]/*/manifest.ttl")):
        g = Graph().parse(manifest, format="turtle")
        for test, kind in g.subject_objects(RDF.type):
            name = str(kind).rsplit("#", 1)[-1]
            if name in _POSITIVE | _NEGATIVE:
                query = g.value(test, MF.action)
            elif name in _EVAL:
                query = g.value(g.value(test, MF.action), QT.query)
            else:
                continue
            if query is None or not str(query).startswith("file://"):
                continue
            path = Path(str(query)[len("file://") :])
            kind_name = "positive" if name in _POSITIVE else "negative" if name in _NEGATIVE else "eval"
            found[str(path)] = (path.relative_to(suite).as_posix(), kind_name, path)
    return sorted(found.values())


def _rows(body: bytes) -> list[str] | bool:
    """SPARQL JSON results as a sorted list of canonical rows (blank node labels dropped), or the ASK boolean."""
    data = json.loads(body)
    if "boolean" in data:
        return data["boolean"]

    def term(t: dict) -> dict:
        return {**t, "value": "_"} if t.get("type") == "bnode" else t

    return sorted(
        json.dumps({k: term(v) for k, v in row.items()}, sort_keys=True) for row in data["results"]["bindings"]
    )


def _triples(body: bytes) -> list[str]:
    lines = (re.sub(r"_:\S+", "_:b", line) for line in body.decode().splitlines())
    return sorted(line for line in lines if line.strip())


def _compare(form: str, endpoint: bytes, direct: bytes) -> bool:
    if form in ("SELECT", "ASK"):
        return _rows(endpoint) == _rows(direct)
    return _triples(endpoint) == _triples(direct)


def test_w3c_suites_through_the_endpoint(server, built_data, capsys) -> None:
    suite = _suite()
    tests = cases(suite)
    assert len(tests) > 500, len(tests)
    outcomes: Counter[str] = Counter()
    failures, listed = (
        [],
        {
            "refused-by-design": [],
            "truncated": [],
            "volatile": [],
            "timeout": [],
            "memory-limit": [],
            "engine-accepts-invalid": [],
        },
    )
    with QueryPool(built_data / "current", workers=1, timeout=10, guard=False) as direct, server.client() as client:
        for name, kind, path in tests:
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, FileNotFoundError):
                outcomes["unreadable"] += 1
                continue
            form = query_form(text)
            fmt = "json" if form in ("SELECT", "ASK") else "ntriples"
            r = client.post(
                "/sparql",
                params={"format": fmt},
                content=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-query"},
            )
            try:
                mine = direct.run(text, result_format=fmt)
                theirs_error = None
            except QueryTimeout as exc:
                mine, theirs_error = None, exc
            except QKGError as exc:
                mine, theirs_error = None, exc
            if r.status_code >= 500 and r.status_code != 503:
                failures.append((name, f"endpoint {r.status_code}: {r.text[:200]}"))
                continue
            if r.status_code in (400, 403):
                error = r.json()["error"]
                if kind == "negative" or (theirs_error is not None and not isinstance(theirs_error, QueryTimeout)):
                    outcome = "refused-invalid"
                elif any(word in error for word in _BY_DESIGN):
                    outcome = "refused-by-design"
                else:
                    failures.append((name, f"valid query refused: {error[:200]}"))
                    continue
            elif kind == "negative" and name in ENGINE_ACCEPTS_INVALID and theirs_error is None:
                outcome = "engine-accepts-invalid"
            elif kind == "negative":
                failures.append((name, f"invalid query answered {r.status_code}"))
                continue
            elif r.status_code == 503:
                if isinstance(theirs_error, QueryTimeout):
                    outcome = "timeout"
                elif "MB of memory" in r.json()["error"]:
                    outcome = "memory-limit"  # the worker's cap (QKG_WORKER_MEMORY_MB); pyoxigraph alone has none
                else:
                    failures.append((name, f"endpoint 503 where pyoxigraph answered: {r.text[:200]}"))
                    continue
            elif theirs_error is not None:
                failures.append((name, f"endpoint answered where pyoxigraph failed: {theirs_error}"))
                continue
            elif r.headers.get("X-QKG-Truncated") == "true" or mine.truncated:
                outcome = "truncated"
            elif _compare(form, r.content, mine.body):
                outcome = "same"
            elif _VOLATILE.search(text):
                outcome = "volatile"
            else:
                failures.append((name, "different answer"))
                continue
            outcomes[outcome] += 1
            if outcome in listed:
                listed[outcome].append(name)
    with capsys.disabled():
        print(f"\nW3C SPARQL suites through /sparql ({len(tests)} queries): {dict(outcomes)}; {len(failures)} failures")
        for outcome, names in listed.items():
            if names:
                print(f"  {outcome}: {', '.join(names)}")
    assert not failures, "\n".join(f"{name}: {why}" for name, why in failures)
    assert outcomes["same"] > 400 and outcomes["refused-invalid"] > 100, outcomes
