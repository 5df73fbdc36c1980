"""Tests for qkg.graph.serving.pool: killable worker processes over a real pyoxigraph store."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from qkg.graph.errors import (
    ParameterError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    UpdateRefused,
)
from qkg.graph.serving.pool import QueryPool, QueryResult

from tests.canary import Canary
from tests.guard_corpus import UPDATES, refused_corpus

EX = "http://qkg.test/"
CITIES_GRAPH = EX + "g/cities"
PREFIXES = (
    f"PREFIX ex: <{EX}> PREFIX schema: <http://schema.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?p ?q }"
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def build_store(path: Path, cities: int = 100) -> Path:
    """``cities`` x 3 triples in a named graph, plus 5 in the default graph."""
    store = ox.Store(str(path))
    graph, city_class = ox.NamedNode(CITIES_GRAPH), ox.NamedNode("http://schema.org/City")
    a, label = ox.NamedNode(str(rdflib.RDF.type)), ox.NamedNode(str(rdflib.RDFS.label))
    quads = []
    for i in range(cities):
        city = ox.NamedNode(f"{EX}city-{i:03d}")
        quads += [
            ox.Quad(city, a, city_class, graph),
            ox.Quad(city, label, ox.Literal(f"Ville {i}", language="fr"), graph),
            ox.Quad(city, ox.NamedNode(EX + "population"), ox.Literal(i * 1000), graph),
        ]
    note = ox.NamedNode(EX + "note")
    quads += [ox.Quad(ox.NamedNode(EX + "meta"), note, ox.Literal(f"n{i}")) for i in range(5)]
    store.extend(quads)
    store.flush()
    del store  # release the writer before workers open the store read-only
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("kg") / "store")


@pytest.fixture(scope="module")
def pool(store_path):
    with QueryPool(store_path, workers=2, timeout=10) as query_pool:
        yield query_pool


def live(pids: list[int]) -> list[int]:
    """The pids that are running processes (not gone, not zombies)."""
    alive = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(pid)
        except (FileNotFoundError, ProcessLookupError):  # gone; or gone between the open and the read (ESRCH)
            pass
    return alive


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


# -- results and formats --------------------------------------------------------

LABELS = PREFIXES + "SELECT ?c ?label WHERE { ?c a schema:City ; rdfs:label ?label } ORDER BY ?c LIMIT 7"


def test_select_json(pool):
    result = pool.run(LABELS)
    data = json.loads(result.body)
    assert data["head"]["vars"] == ["c", "label"]
    rows = data["results"]["bindings"]
    assert len(rows) == result.rows == 7
    assert rows[0] == {
        "c": {"type": "uri", "value": EX + "city-000"},
        "label": {"type": "literal", "value": "Ville 0", "xml:lang": "fr"},
    }
    assert (result.form, result.truncated, result.media_type) == ("SELECT", False, "application/sparql-results+json")
    assert isinstance(result, QueryResult) and result.elapsed > 0


def parse_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def parse_tsv(body: bytes) -> list[list[str]]:
    return [line.split("\t") for line in body.decode().splitlines()]


def parse_xml(body: bytes) -> list[list[str]]:
    root = ET.fromstring(body)
    head = [v.get("name") for v in root.iter(SPARQL_RESULTS + "variable")]
    rows = [
        [b.find("*").text for b in r.iter(SPARQL_RESULTS + "binding")] for r in root.iter(SPARQL_RESULTS + "result")
    ]
    return [head, *rows]


@pytest.mark.parametrize(
    ("fmt", "parse", "first", "media_type"),
    [
        ("csv", parse_csv, [EX + "city-000", "Ville 0"], "text/csv; charset=utf-8"),
        ("tsv", parse_tsv, [f"<{EX}city-000>", '"Ville 0"@fr'], "text/tab-separated-values; charset=utf-8"),
        ("xml", parse_xml, [EX + "city-000", "Ville 0"], "application/sparql-results+xml"),
    ],
)
def test_select_other_formats(pool, fmt, parse, first, media_type):
    result = pool.run(LABELS, result_format=fmt)
    table = parse(result.body)
    assert len(table) == 1 + 7 and result.rows == 7
    assert table[1] == first
    assert result.media_type == media_type


def test_media_type_is_accepted_as_format(pool):
    result = pool.run(LABELS, result_format="text/csv; charset=utf-8")
    assert result.media_type.startswith("text/csv") and len(parse_csv(result.body)) == 8


@pytest.mark.parametrize(("pattern", "answer"), [("?c a schema:City", True), ("?c a schema:Country", False)])
def test_ask(pool, pattern, answer):
    result = pool.run(PREFIXES + f"ASK {{ {pattern} }}")
    assert json.loads(result.body)["boolean"] is answer
    assert (result.form, result.rows) == ("ASK", 1)


@pytest.mark.parametrize(
    ("fmt", "rdflib_format", "media_type"),
    [
        ("turtle", "turtle", "text/turtle"),
        ("ntriples", "nt", "application/n-triples"),
        ("rdfxml", "xml", "application/rdf+xml"),
        ("jsonld", "json-ld", "application/ld+json"),
        ("json", "json-ld", "application/ld+json"),
    ],
)
def test_construct_parses_with_rdflib(pool, fmt, rdflib_format, media_type):
    query = PREFIXES + "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a schema:City ; rdfs:label ?l }"
    result = pool.run(query, result_format=fmt)
    graph = rdflib.Graph().parse(data=result.body, format=rdflib_format)
    assert len(graph) == result.rows == 100
    assert (rdflib.URIRef(EX + "city-042"), rdflib.RDFS.label, rdflib.Literal("Ville 42", lang="fr")) in graph
    assert (result.form, result.media_type, result.truncated) == ("CONSTRUCT", media_type, False)


def test_construct_turtle_reuses_query_prefixes(pool):
    result = pool.run(PREFIXES + "CONSTRUCT WHERE { ex:city-001 ?p ?o }", result_format="turtle")
    assert b"@prefix ex: <http://qkg.test/> ." in result.body and b"ex:city-001" in result.body


def test_describe(pool):
    result = pool.run(f"DESCRIBE <{EX}city-001>", result_format="ntriples")
    assert result.form == "DESCRIBE" and result.rows == 3
    assert len(rdflib.Graph().parse(data=result.body, format="nt")) == 3


@pytest.mark.parametrize(("union", "count"), [(True, 305), (False, 5)])
def test_default_graph_as_union(pool, union, count):
    result = pool.run("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph_as_union=union)
    assert json.loads(result.body)["results"]["bindings"][0]["n"]["value"] == str(count)


@pytest.mark.parametrize("name", ["c", "?c", ox.Variable("c")])
def test_bindings_are_substituted_not_pasted(pool, name):
    query = PREFIXES + "SELECT ?c ?l WHERE { ?c rdfs:label ?l }"
    result = pool.run(query, bindings={name: ox.NamedNode(EX + "city-005")}, result_format="csv")
    assert parse_csv(result.body) == [["c", "l"], [EX + "city-005", "Ville 5"]]


def test_binding_outside_the_projection_is_a_parameter_error(pool):
    with pytest.raises(ParameterError, match="bind"):
        pool.run(PREFIXES + "SELECT ?l WHERE { ?c rdfs:label ?l }", bindings={"c": ox.NamedNode(EX + "a")})


# -- limits -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def capped_pool(store_path):
    with QueryPool(store_path, workers=1, timeout=10, max_rows=10) as query_pool:
        yield query_pool


def test_max_rows_truncates_select(capped_pool):
    result = capped_pool.run("SELECT * { ?s ?p ?o }")
    assert (result.rows, result.truncated) == (10, True)
    assert len(json.loads(result.body)["results"]["bindings"]) == 10
    assert len(parse_csv(capped_pool.run("SELECT * { ?s ?p ?o }", result_format="csv").body)) == 11


def test_exactly_max_rows_is_not_truncated(capped_pool):
    result = capped_pool.run("SELECT * { ?s ?p ?o } LIMIT 10")
    assert (result.rows, result.truncated) == (10, False)


def test_max_rows_truncates_construct(capped_pool):
    result = capped_pool.run("CONSTRUCT WHERE { ?s ?p ?o }", result_format="turtle")
    assert (result.rows, result.truncated) == (10, True)
    assert len(rdflib.Graph().parse(data=result.body, format="turtle")) == 10


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "turtle"])
def test_max_bytes_caps_the_body(store_path, fmt):
    query = "CONSTRUCT WHERE { ?s ?p ?o }" if fmt == "turtle" else "SELECT * { ?s ?p ?o }"
    with QueryPool(store_path, workers=1, max_bytes=3000) as small:
        result = small.run(query, result_format=fmt)
    assert len(result.body) <= 3000
    assert result.truncated and 0 < result.rows < 305
    if fmt == "json":
        assert len(json.loads(result.body)["results"]["bindings"]) == result.rows
    if fmt == "xml":
        assert len(parse_xml(result.body)) == 1 + result.rows


# -- timeouts, crashes, worker replacement ----------------------------------------------------


def test_runaway_query_is_cut_at_the_limit(store_path):
    with QueryPool(store_path, workers=2, timeout=1.5) as fast:
        before = set(fast.pids())
        with pytest.raises(QueryTimeout) as info:
            fast.run(RUNAWAY)
        assert "1.5 s" in str(info.value) and "LIMIT" in info.value.hint
        assert info.value.status == 503
        assert fast.run("ASK { ?s ?p ?o }").body == b'{"head":{},"boolean":true}'  # the pool still answers
        assert len(before - set(fast.pids())) == 1  # the worker that ran it was killed and replaced


def test_a_spare_takes_a_killed_workers_place_at_once(store_path):
    with QueryPool(store_path, workers=1, timeout=1.0, spares=1) as pool:
        assert len(pool.pids()) == 2  # the worker and the spare, both started
        (spare,) = [w.pid for w in pool._spare]
        (busy,) = [w.pid for w in pool._idle]
        with pytest.raises(QueryTimeout):
            pool.run(RUNAWAY)
        # no wait for a process to start: the spare is the idle worker as soon as the killed one is gone
        assert [w.pid for w in pool._idle] == [spare] and busy not in pool.pids()
        assert pool.run("ASK { ?s ?p ?o }").body == b'{"head":{},"boolean":true}'
        deadline = time.monotonic() + 60
        while not pool._spare and time.monotonic() < deadline:  # a new spare starts in the background
            time.sleep(0.05)
        assert len(pool._spare) == 1 and len(live(pool.pids())) == 2
        pool.reload()  # a new build: the spare is replaced too
        assert len(pool._spare) == 1 and spare not in pool.pids() and len(live(pool.pids())) == 2


@linux_only
def test_pool_keeps_its_size_after_timeouts(store_path):
    import multiprocessing

    with QueryPool(store_path, workers=2, timeout=1.0) as fast:
        killed = set()
        for _ in range(5):
            before = set(fast.pids())
            with pytest.raises(QueryTimeout):
                fast.run(RUNAWAY)
            killed |= before - set(fast.pids())
        result = fast.run("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        assert json.loads(result.body)["results"]["bindings"][0]["n"]["value"] == "305"
        pids = fast.pids()
        assert len(pids) == 2 and len(live(pids)) == 2
        assert set(pids) <= {child.pid for child in multiprocessing.active_children()}
        assert len(killed) == 5 and live(list(killed)) == []  # killed, and reaped
    assert live(pids) == []  # close() stops everything


def test_waiting_for_a_worker_counts_toward_the_timeout(store_path):
    with QueryPool(store_path, workers=1, timeout=1.0) as single:
        errors = []

        def runaway() -> None:
            try:
                single.run(RUNAWAY)
            except QueryTimeout as exc:
                errors.append(exc)

        threads = [threading.Thread(target=runaway) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(errors) == 2
        assert any("busy" in str(exc) for exc in errors)  # the second caller's wait counted: no fresh second
        assert single.run("ASK { ?s ?p ?o }").body == b'{"head":{},"boolean":true}'


@linux_only
def test_worker_crash_is_a_store_error_and_the_worker_is_replaced(store_path):
    with QueryPool(store_path, workers=1, timeout=5) as single:
        [pid] = single.pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(StoreError, match="died"):
            single.run("ASK { ?s ?p ?o }")
        assert json.loads(single.run("ASK { ?s ?p ?o }").body)["boolean"] is True
        assert single.pids() != [pid] and live([pid]) == []


@linux_only
def test_workers_exit_when_the_parent_dies(store_path):
    script = textwrap.dedent(f"""
        import threading, time
        from qkg.graph.serving.pool import QueryPool
        pool = QueryPool({str(store_path)!r}, workers=2, timeout=600).start()
        threading.Thread(target=pool.run, args=({RUNAWAY!r},), daemon=True).start()
        deadline = time.monotonic() + 20  # a loaded machine may be slow to start workers
        while len(pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        print(*pool.pids(), flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(live(pids)) == 2  # one busy with the runaway query, one idle
    finally:
        parent.kill()  # SIGKILL: no clean-up code runs in the parent
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 3
    while live(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live(pids) == []


def test_concurrent_runs_from_threads(pool):
    def label(i: int) -> str:
        result = pool.run(PREFIXES + f"SELECT ?l WHERE {{ ex:city-{i:03d} rdfs:label ?l }}")
        return json.loads(result.body)["results"]["bindings"][0]["l"]["value"]

    with ThreadPoolExecutor(max_workers=8) as threads:
        labels = list(threads.map(label, range(100)))
    assert labels == [f"Ville {i}" for i in range(100)]


def test_callers_are_served_in_arrival_order(store_path):
    # A thread that just got an answer must not barge ahead of one already waiting.
    with QueryPool(store_path, workers=1, timeout=10) as single:
        done, late = [], []

        # Each query takes a few milliseconds, so the main thread's wake-up latency is small beside it: with
        # arrival order it waits for one or two queries; without, for all that remain.
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"

        def busy_loop() -> None:
            for _ in range(120):
                single.run(heavy)
                done.append(1)

        looping = threading.Thread(target=busy_loop)
        looping.start()
        while len(done) < 10:
            time.sleep(0.001)
        single.run("ASK { ?s ?p ?o }")
        late.append(len(done))
        looping.join()
    assert late[0] < 10 + 8, f"waited while {late[0] - 10} queries barged ahead"


def test_arun_never_blocks_the_event_loop(store_path):
    async def scenario(fast: QueryPool) -> tuple[float, list]:
        gaps, last = [], time.monotonic()

        async def ticker() -> None:
            nonlocal last
            while True:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        outcomes = await asyncio.gather(
            fast.arun(RUNAWAY),
            *(fast.arun(f"ASK {{ <{EX}city-{i:03d}> ?p ?o }}") for i in (1, 2, 999)),
            return_exceptions=True,
        )
        tick.cancel()
        return max(gaps), outcomes

    with QueryPool(store_path, workers=2, timeout=1.0) as fast:
        worst_gap, outcomes = asyncio.run(scenario(fast))
    assert isinstance(outcomes[0], QueryTimeout)
    assert [json.loads(r.body)["boolean"] for r in outcomes[1:]] == [True, True, False]
    assert worst_gap < 0.5  # a blocked loop would stall for the whole 1 s limit


# -- errors ----------------------------------------------------------------------------------


def test_service_and_from_never_reach_the_network(pool):
    with Canary() as canary:
        for _name, text in refused_corpus(canary.url, canary.port).items():
            with pytest.raises(QueryRefused):
                pool.run(text)
        assert canary.hits == []


@pytest.mark.parametrize("name", ["insert-data", "load", "drop-all", "with"])
def test_updates_are_refused(pool, name):
    with pytest.raises(UpdateRefused):
        pool.run(UPDATES[name])


def test_worker_checks_long_queries_that_exceed_the_default_recursion_limit(pool):
    patterns = " . ".join(f"?c{i} a schema:City" for i in range(120))  # > 85
    result = pool.run(PREFIXES + f"ASK {{ {patterns} }}")
    assert json.loads(result.body)["boolean"] is True
    with pytest.raises(QueryRefused, match="nested too deeply"):
        pool.run("SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000)


def test_syntax_error_from_the_guard(pool):
    with pytest.raises(QuerySyntaxError) as info:
        pool.run("SELECT * WHERE {\n  ?s ?p \n}")
    assert (info.value.line, info.value.column) == (2, 3)


def test_syntax_error_from_pyoxigraph(pool):
    # rdflib accepts this; pyoxigraph (rightly) does not.
    with pytest.raises(QuerySyntaxError) as info:
        pool.run("SELECT ?x (COUNT(*) AS ?n) { ?x ?p ?o }")
    assert (info.value.line, info.value.column) == (1, 40)
    assert "line 1, column 40" in str(info.value)


def test_guard_can_be_turned_off_for_trusted_queries(store_path):
    with QueryPool(store_path, workers=1, guard=False) as trusted:
        with pytest.raises(QuerySyntaxError) as info:
            trusted.run("SELECT * {")
        assert info.value.line == 1
        assert trusted.run("ASK { ?s ?p ?o }").form == "ASK"


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 1", "yaml"),
        ("SELECT * { ?s ?p ?o } LIMIT 1", "turtle"),
        ("ASK { ?s ?p ?o }", "ntriples"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "csv"),
    ],
)
def test_format_that_does_not_fit_is_a_parameter_error(pool, query, fmt):
    with pytest.raises(ParameterError):
        pool.run(query, result_format=fmt)


@pytest.mark.parametrize("make_dir", [False, True])
def test_missing_store_says_how_to_build_it(tmp_path, make_dir):
    if make_dir:  # a directory that is not a store
        (tmp_path / "nowhere").mkdir()
    with pytest.raises(StoreError) as info:
        QueryPool(tmp_path / "nowhere", workers=1).start()
    assert "qkg build" in info.value.hint


def test_closed_pool_refuses_queries(store_path):
    closed = QueryPool(store_path, workers=1).start()
    closed.close()
    with pytest.raises(StoreError, match="closed"):
        closed.run("ASK {}")


# -- reload after a new build ---------------------------------------------------------------


def test_reload_follows_a_swapped_symlink(tmp_path):
    current = tmp_path / "current"
    current.symlink_to(build_store(tmp_path / "build-1", cities=100), target_is_directory=True)
    count = PREFIXES + "SELECT (COUNT(*) AS ?n) { ?c a schema:City }"
    with QueryPool(current, workers=2) as swapping:
        first = swapping.run(count)
        old = set(swapping.pids())
        new_link = tmp_path / "current.new"
        new_link.symlink_to(build_store(tmp_path / "build-2", cities=40), target_is_directory=True)
        os.replace(new_link, current)  # the atomic swap a build does
        swapping.reload()
        second = swapping.run(count)
        assert old.isdisjoint(swapping.pids()) and len(swapping.pids()) == 2
    assert json.loads(first.body)["results"]["bindings"][0]["n"]["value"] == "100"
    assert json.loads(second.body)["results"]["bindings"][0]["n"]["value"] == "40"


def test_turtle_output_ignores_relative_prefixes(pool):
    # A relative prefix IRI (in a comment here) cannot prefix Turtle output; the answer must still come.
    result = pool.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3 # see PREFIX z: <z>", result_format="turtle")
    assert result.form == "CONSTRUCT" and result.rows == 3


# -- the native writer (SELECT with a row bound read from the text) ------------------------------

ODD_TERMS = (
    PREFIXES
    + """SELECT ?c ?x ?b ?t WHERE {
  ?c a schema:City ; ex:population ?x .
  BIND(BNODE() AS ?b)
  BIND(IF(?x > 5000, STRLANG("L\\u00e9vis \\"quoted\\"\\n, tab\\t", "fr"), ?x) AS ?t)
} ORDER BY ?c LIMIT 8"""
)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(
    "query", [LABELS, ODD_TERMS, "SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o"], ids=["labels", "odd-terms", "no-limit"]
)
def test_select_answers_are_what_pyoxigraph_writes(store_path, pool, query, fmt):
    """Under the caps the endpoint's bytes are pyoxigraph's own serialisation (blank node labels aside)."""
    store = ox.Store.read_only(str(store_path))
    out = {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }[fmt]
    expected = store.query(query, use_default_graph_as_union=True).serialize(format=out)
    result = pool.run(query, result_format=fmt)
    rows = sum(1 for _ in store.query(query, use_default_graph_as_union=True))
    assert (result.rows, result.truncated) == (rows, False)
    if "BNODE" in query:  # fresh blank nodes each run: compare everything else
        assert_same_rows_but_bnodes(result.body, expected, fmt)
    else:
        assert result.body == expected


def assert_same_rows_but_bnodes(got: bytes, expected: bytes, fmt: str) -> None:
    import re

    blank = re.compile(
        rb"_:[A-Za-z0-9]+" if fmt in ("csv", "tsv") else rb'(?<="bnode","value":")[^"]+|(?<=<bnode>)[^<]+'
    )
    assert blank.sub(b"B", got) == blank.sub(b"B", expected)


@pytest.mark.parametrize(
    ("query", "rows", "truncated"),
    [
        ("SELECT * { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o LIMIT 50", 10, True),  # LIMIT above the cap: lowered, cut
        ("SELECT * { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o LIMIT 50 OFFSET 300", 5, False),  # 305 triples: 5 left
        ("SELECT * { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o OFFSET 290", 10, True),
        ("SELECT * { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o OFFSET 297", 8, False),
        (PREFIXES + "SELECT ?c { { SELECT ?c { ?c a schema:City } ORDER BY ?c LIMIT 30 } } ORDER BY ?c", 10, True),
        (PREFIXES + "SELECT ?c { { SELECT ?c { ?c a schema:City } ORDER BY ?c LIMIT 3 } } ORDER BY ?c", 3, False),
        ("SELECT * { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o LIMIT 50 VALUES ?p { <http://qkg.test/note> }", 5, False),
        (
            "SELECT * { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> }",
            10,
            True,
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_row_cap_with_limits_offsets_subqueries_and_values(capped_pool, store_path, query, rows, truncated, fmt):
    """The answer is the first ``rows`` rows of pyoxigraph's, in its order, whichever path wrote it."""
    result = capped_pool.run(query, result_format=fmt)
    assert (result.rows, result.truncated) == (rows, truncated)
    store = ox.Store.read_only(str(store_path))
    full = [[t.value if t is not None else "" for t in s] for s in store.query(query, use_default_graph_as_union=True)]
    if fmt == "json":
        data = json.loads(result.body)
        names = data["head"]["vars"]
        got = [[b[n]["value"] if n in b else "" for n in names] for b in data["results"]["bindings"]]
    else:
        got = parse_csv(result.body)[1:]
    assert got == full[:rows]


def test_arun_on_uvloop_reads_answers_sent_in_several_writes(store_path):
    """uvloop leaves a watched descriptor non-blocking: an answer larger than the socket buffer, still being
    written when the read starts, must be read whole (before the fix it failed as a dead worker)."""
    import uvloop

    query = "SELECT * { ?s ?p ?o . ?a ?b ?c } LIMIT 8000"  # about 2 MB of JSON

    async def main() -> list[int]:
        with QueryPool(store_path, workers=1, timeout=10) as uv_pool:
            return [(await uv_pool.arun(query)).rows for _ in range(5)]

    assert uvloop.run(main()) == [8000] * 5


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 99999999999999999999999", QuerySyntaxError),  # past 64 bits: pyoxigraph refuses
        ("SELECT * { ?s ?p ?o } LIMIT " + "9" * 5000, QuerySyntaxError),
        ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } LIMIT " + "9" * 5000, QueryRefused),
        ("SELECT * { ?s ?p ?o } LIMIT \uff15\uff10\uff10", QuerySyntaxError),  # digits of another script
    ],
)
def test_odd_limits_are_refused_as_before(pool, query, error):
    """Found in review: the row-cap reader must neither repair an invalid LIMIT nor fail on a huge one."""
    with pytest.raises(error):
        pool.run(query)
