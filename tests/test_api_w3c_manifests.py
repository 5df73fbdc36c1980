"""The W3C SPARQL 1.0 and 1.1 query-evaluation tests, each on its own data, against the manifests' results.

``tests/test_api_conformance.py`` sends every query of the suites to the endpoint serving the 2024 graph and
compares the answers with pyoxigraph's on the same store. This module checks the other half of issue 14: for
each evaluation test of ``../shared/w3c-sparql-tests/`` (``mf:QueryEvaluationTest`` and
``mf:CSVResultFormatTest``), the test's own data (``qt:data`` into the default graph, each ``qt:graphData``
into a named graph named by its file's IRI) is loaded into a store, and the query goes through **the
endpoint's query path**: :class:`~qkg.graph.serving.pool.QueryPool` with the guard on, the endpoint's time
limit, row cap and dataset (the default graph is the union of the graphs), in a worker process, answering in
the format of the expected result. Not through HTTP: a ``qkg serve`` per data set would be a build each (SHACL,
inference). The answer is compared with the manifest's expected result (SPARQL XML/JSON/CSV/TSV results,
``rs:ResultSet`` graphs, or the graph of a CONSTRUCT/DESCRIBE) as a multiset of rows, blank nodes matched by an
isomorphism (rdflib), in order when the query has ORDER BY; a number's lexical variants ("1.0" and "1" as
``xsd:decimal``) count as one, since the store keeps a number's value rather than the form it was loaded with.

The endpoint must match wherever pyoxigraph itself passes the test (pyoxigraph directly on the same store, the
standard dataset: the default graph is ``qt:data`` alone). Outcomes:

- ``pass``: both pyoxigraph and the endpoint give the expected result;
- ``engine-fails``: pyoxigraph itself does not pass (not held against the endpoint; counted);
- ``refused-by-design``: the endpoint refuses what it documents (SERVICE, FROM / FROM NAMED, LOAD, updates);
- ``union-default-graph``: a test with named graphs whose query reads the default graph: the endpoint's
  default graph is the union of the graphs (documented in its service description), the test's is ``qt:data``;
- ``truncated``: the row cap cut the answer.

Anything else fails, with the test's name. The counts are printed (``-s``) and reported in the README.
Negative syntax tests (every one must get a 400) are checked over HTTP by ``test_api_conformance.py``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
from qkg.graph.errors import QKGError, QueryTimeout
from qkg.graph.serving.pool import QueryPool
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from tests.test_api_conformance import _suite

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
ROW = Namespace("urn:qkg-test:")
_EVAL = {"QueryEvaluationTest", "CSVResultFormatTest"}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_BY_DESIGN = ("SERVICE", "FROM", "read-only", "LOAD")
#: expected result file -> the endpoint's format name and pyoxigraph's parser format
_RESULT_FORMATS = {
    ".srx": ("xml", ox.QueryResultsFormat.XML),
    ".srj": ("json", ox.QueryResultsFormat.JSON),
    ".csv": ("csv", None),  # pyoxigraph writes CSV but does not read it: see _csv_rows
    ".tsv": ("tsv", ox.QueryResultsFormat.TSV),
}
_GRAPH_FORMATS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}


def eval_tests(suite: Path) -> list[dict]:
    """The evaluation tests of the SPARQL 1.0 and 1.1 manifests, with their query, data and result files."""
    found = []
    for manifest in sorted(suite.glob("sparql1[01]/*/manifest.ttl")):
        g = Graph().parse(manifest, format="turtle")
        for test, kind in g.subject_objects(RDF.type):
            if str(kind).rsplit("#", 1)[-1] not in _EVAL:
                continue
            action, result = g.value(test, MF.action), g.value(test, MF.result)
            query = g.value(action, QT.query) if action is not None else None
            if query is None or result is None:
                continue

            def path(iri) -> Path:
                return Path(str(iri).removeprefix("file://"))

            found.append(
                {
                    "name": f"{manifest.parent.relative_to(suite).as_posix()}/{str(test).rsplit('#', 1)[-1]}",
                    "query": path(query),
                    "data": sorted(str(d) for d in g.objects(action, QT.data)),
                    "graphs": sorted(str(d) for d in g.objects(action, QT.graphData)),
                    "result": path(result),
                }
            )
    return sorted(found, key=lambda t: t["name"])


def _load(store_dir: Path, data: list[str], graphs: list[str]) -> None:
    store = ox.Store(str(store_dir))
    for iri in graphs:  # a named graph exists even when its file is empty (graph-empty, graph-exist)
        store.add_graph(ox.NamedNode(iri))
    # a file may be both the default graph and a named graph (graph-optional, eq-graph-1...)
    for iri, graph in [(d, ox.DefaultGraph()) for d in data] + [(g, ox.NamedNode(g)) for g in graphs]:
        file = Path(iri.removeprefix("file://"))
        store.load(
            path=str(file), format=ox.RdfFormat.from_extension(file.suffix.lstrip(".")), base_iri=iri, to_graph=graph
        )
    store.flush()
    del store


# -- results as rdflib graphs, so that rdflib's isomorphism matches blank nodes ------------------------------


def _term(t) -> URIRef | BNode | Literal:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode("v" + t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    datatype = t.datatype.value
    return Literal(t.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


_XSD = "http://www.w3.org/2001/XMLSchema#"
_EXACT = {_XSD + t for t in ("integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger")}
_FLOATING = {_XSD + "double", _XSD + "float"}


def _canonical(value):
    """A number's literal in one lexical form ("1.0" and "1" as decimals are one value): the store keeps the
    value, not the lexical form it was loaded with, so lexical variants of one number are not told apart."""
    if isinstance(value, Literal) and value.datatype is not None:
        datatype = str(value.datatype)
        try:
            if datatype in _EXACT:
                return Literal(format(Decimal(str(value)).normalize(), "f"), datatype=value.datatype)
            if datatype in _FLOATING:
                return Literal(repr(float(str(value))), datatype=value.datatype)
        except (InvalidOperation, ValueError):
            return value
    return value


def _solutions_graph(rows: list[dict], ordered: bool) -> Graph:
    """Rows (variable -> rdflib term) as a graph: a blank node per row, an index when the order matters."""
    g = Graph()
    for i, row in enumerate(rows):
        node = BNode(f"row{i}")
        g.add((node, RDF.type, RS.ResultSolution))
        if ordered:
            g.add((node, RS["index"], Literal(i)))
        for var, value in row.items():
            if isinstance(value, Literal) and value.datatype is not None and str(value.datatype) == _XSD_STRING:
                value = Literal(str(value))
            g.add((node, ROW[var], _canonical(value)))
    return g


def _csv_rows(text: str) -> list[dict]:
    """SPARQL CSV results (lossy by design: every value is text; ``_:`` starts a blank node; empty: unbound)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    return [
        {v: BNode("v" + x[2:]) if x.startswith("_:") else Literal(x) for v, x in zip(header, row, strict=False) if x}
        for row in reader
        if row
    ]


def _parsed_results(body: bytes | Path, fmt: ox.QueryResultsFormat | None) -> bool | list[dict]:
    if fmt is None:
        return _csv_rows(body.decode("utf-8") if isinstance(body, bytes) else body.read_text(encoding="utf-8"))
    if isinstance(body, bytes):
        results = ox.parse_query_results(body, fmt)
    else:
        results = ox.parse_query_results(path=str(body), format=fmt)
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    variables = [v.value for v in results.variables]
    return [{v: _term(s[v]) for v in variables if s[v] is not None} for s in results]


def _result_set(file: Path) -> bool | list[dict] | None:
    """An ``rs:ResultSet`` graph (the SPARQL 1.0 tests' Turtle results) as rows, or None if it is not one."""
    g = Graph().parse(file, format=_GRAPH_FORMATS.get(file.suffix, "turtle"))
    rs = g.value(predicate=RDF.type, object=RS.ResultSet)
    if rs is None:
        return None
    boolean = g.value(rs, RS.boolean)
    if boolean is not None:
        return bool(boolean.toPython())
    solutions = []
    for solution in g.objects(rs, RS.solution):
        index = g.value(solution, RS["index"])
        row = {str(g.value(b, RS.variable)): g.value(b, RS.value) for b in g.objects(solution, RS.binding)}
        solutions.append((int(index) if index is not None else 0, row))
    return [row for _, row in sorted(solutions, key=lambda s: s[0])]


def _same_rows(got: bool | list[dict], expected: bool | list[dict], ordered: bool) -> bool:
    if isinstance(got, bool) or isinstance(expected, bool):
        return got == expected
    if len(got) != len(expected):
        return False
    return isomorphic(_solutions_graph(got, ordered), _solutions_graph(expected, ordered))


def _same_graph(got: bytes, expected: Path) -> bool:
    mine = Graph().parse(data=got.decode(), format="nt")
    theirs = Graph().parse(expected, format=_GRAPH_FORMATS.get(expected.suffix, "turtle"), publicID=expected.as_uri())
    return isomorphic(mine, theirs)


class _Case:
    """One test: what pyoxigraph and the endpoint's path answer, compared with the expected result."""

    def __init__(self, test: dict) -> None:
        self.test = test
        self.text = test["query"].read_text(encoding="utf-8")
        # the base a test harness gives the query (its file); declared in the text, as a client would
        self.sent = f"BASE <{test['query'].as_uri()}>\n{self.text}"
        self.ordered = bool(_ORDER_BY.search(self.text))
        suffix = test["result"].suffix
        self.graph = False
        if suffix in _RESULT_FORMATS:
            self.fmt, parser = _RESULT_FORMATS[suffix]
            self.expected_rows = _parsed_results(test["result"], parser)
            self.parser = parser
        else:
            self.expected_rows = _result_set(test["result"])
            self.graph = self.expected_rows is None
            self.fmt, self.parser = ("ntriples", None) if self.graph else ("json", ox.QueryResultsFormat.JSON)

    def matches(self, body: bytes) -> bool:
        if self.graph:
            return _same_graph(body, self.test["result"])
        return _same_rows(_parsed_results(body, self.parser), self.expected_rows, self.ordered)

    def direct(self, store: ox.Store) -> bool:
        """Does pyoxigraph itself pass, on the standard dataset?"""
        try:
            results = store.query(self.text, base_iri=self.test["query"].as_uri())
            if isinstance(results, ox.QueryTriples):
                body = results.serialize(format=ox.RdfFormat.N_TRIPLES)
            else:
                body = results.serialize(format=self.parser or ox.QueryResultsFormat.CSV)
            return self.matches(body)
        except Exception:
            return False


def test_w3c_evaluation_tests_on_their_own_data(tmp_path, capsys) -> None:
    suite = _suite()
    tests = eval_tests(suite)
    assert len(tests) > 400, len(tests)
    by_data: dict[tuple, list[dict]] = defaultdict(list)
    for test in tests:
        by_data[(tuple(test["data"]), tuple(test["graphs"]))].append(test)
    outcomes: Counter[str] = Counter()
    listed: dict[str, list[str]] = defaultdict(list)
    failures: list[tuple[str, str]] = []
    link = tmp_path / "current"
    pool = None
    try:
        for n, ((data, graphs), group) in enumerate(sorted(by_data.items())):
            store_dir = tmp_path / f"store-{n}"
            try:
                _load(store_dir, list(data), list(graphs))
            except (OSError, SyntaxError, ValueError) as exc:  # data the suites declare but cannot be read
                for test in group:
                    outcomes["engine-fails"] += 1
                    listed["data not loadable"].append(f"{test['name']} ({exc})"[:160])
                continue
            tmp_link = tmp_path / "next"
            os.symlink(store_dir, tmp_link)
            os.replace(tmp_link, link)
            if pool is None:
                # the endpoint's defaults: guard on, 10 s limit, 10,000 rows (QKG_QUERY_TIMEOUT, QKG_MAX_ROWS)
                pool = QueryPool(link, workers=1, timeout=10, max_rows=10_000, guard=True).start()
            else:
                pool.reload()
            direct = ox.Store.read_only(str(store_dir))
            for test in group:
                name = test["name"]
                try:
                    case = _Case(test)
                except Exception as exc:  # an expected result pyoxigraph or rdflib cannot read
                    outcomes["engine-fails"] += 1
                    listed["result not readable"].append(f"{name} ({type(exc).__name__})")
                    continue
                engine_passes = case.direct(direct)
                try:
                    answer = pool.run(case.sent, result_format=case.fmt)
                    error = None
                except QueryTimeout as exc:
                    answer, error = None, exc
                except QKGError as exc:
                    answer, error = None, exc
                if error is not None and error.status >= 500 and error.status != 503:
                    failures.append((name, f"server error {error.status}: {error}"))
                    continue
                if not engine_passes:
                    outcome = "engine-fails"
                elif error is not None:
                    if error.status in (400, 403) and any(w in str(error) for w in _BY_DESIGN):
                        outcome = "refused-by-design"
                    else:
                        failures.append((name, f"refused where pyoxigraph passes: {error}"))
                        continue
                elif answer.truncated:
                    outcome = "truncated"
                elif case.matches(answer.body):
                    outcome = "pass"
                elif graphs:
                    outcome = "union-default-graph"
                else:
                    failures.append((name, "a different answer from the expected result"))
                    continue
                outcomes[outcome] += 1
                if outcome not in ("pass", "engine-fails"):
                    listed[outcome].append(name)
                elif outcome == "engine-fails":
                    listed["engine-fails"].append(name)
            del direct
            shutil.rmtree(store_dir, ignore_errors=True)
    finally:
        if pool is not None:
            pool.close()
    with capsys.disabled():
        print(
            f"\nW3C evaluation tests on their own data ({len(tests)} tests, {len(by_data)} data sets): "
            f"{dict(outcomes)}; {len(failures)} failures"
        )
        for outcome, names in sorted(listed.items()):
            print(f"  {outcome} ({len(names)}): {', '.join(names)}")
    assert not failures, "\n".join(f"{name}: {why}" for name, why in failures)
    assert outcomes["pass"] > 300, outcomes
