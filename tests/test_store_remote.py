"""The remote SPARQL 1.1 backend against a real Virtuoso: same answers as the embedded store, caps, limits,
credentials, a store that is down or hangs, and publishes killed at several instants.

Needs a running Virtuoso (``eval "$(python3 scripts/virtuoso.py start)"``; ``.ci/run`` starts one): skipped
without one, except in CI (see the ``virtuoso`` fixture in conftest.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from qkg.graph.errors import QuerySyntaxError, QueryTimeout, StoreError, StoreUnavailable
from qkg.graph.pages.catalog import bind, load_catalog
from qkg.graph.serving.backends.remote import RemoteStore, local_graphs, publish_build
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.graph.serving.terms import BlankNode, Literal, NamedNode
from qkg.ontology import sparql_prefixes

from tests.conftest import drop_space, remote_store


def _key(term):
    """A term as compared across stores: blank node labels are the stores' own, and the order of the parts
    of a GROUP_CONCAT (separator " ; " in the canned queries) is not defined by SPARQL."""
    if term is None:
        return None
    if isinstance(term, BlankNode):
        return "_:"
    if isinstance(term, Literal) and " ; " in term.value:
        return str(
            Literal(" ; ".join(sorted(term.value.split(" ; "))), language=term.language)
            if term.language
            else Literal(" ; ".join(sorted(term.value.split(" ; "))), datatype=term.datatype)
        )
    return str(term)


def _rows(store, text, bindings=None):
    """The same call on either backend, through the seam."""
    rows = store.select(sparql_prefixes() + "\n" + text, bindings=bindings)
    return rows.variables, [tuple(_key(t) for t in row) for row in rows]


def _embedded(graph_2024, text, bindings=None):
    return _rows(open_read_only(StoreLayout(graph_2024).require_current()), text, bindings)


_remote = _rows


@pytest.mark.parametrize("name", sorted(load_catalog()))
def test_canned_query_answers_are_identical(graph_2024, virtuoso_2024, name):
    query = load_catalog()[name]
    bindings = bind(query, {}) or None
    names, expected = _embedded(graph_2024, query.sparql, bindings)
    got_names, got = _remote(virtuoso_2024, query.sparql, bindings)
    assert got_names == names
    assert expected, f"{name} answers nothing on the embedded store"
    assert Counter(got) == Counter(expected)  # as multisets: rows tied under ORDER BY may come in any order


def test_graphs_keep_their_local_names(graph_2024, virtuoso_2024):
    local = sorted(g for g in local_graphs(StoreLayout(graph_2024).require_current()))
    assert virtuoso_2024.graphs() == local
    text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert Counter(_remote(virtuoso_2024, text)[1]) == Counter(_embedded(graph_2024, text)[1])
    one = local[0]
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{one}> {{ ?s ?p ?o }} }}"
    assert _remote(virtuoso_2024, text)[1] == _embedded(graph_2024, text)[1]


def test_ask_and_construct(graph_2024, virtuoso_2024):
    assert virtuoso_2024.ask("ASK { ?s a <https://w3id.org/qkg/def#Mission> }") is True
    assert virtuoso_2024.ask("ASK { ?s a <https://w3id.org/qkg/def#NoSuchClass> }") is False
    text = "CONSTRUCT { ?m <http://e/leader> ?l } WHERE { ?m <https://w3id.org/qkg/def#missionLeader> ?l }"
    got = {(t.subject.value, t.object.value) for t in virtuoso_2024.construct(text)}
    store = open_read_only(StoreLayout(graph_2024).require_current())
    assert got == {(t.subject.value, t.object.value) for t in store.construct(text)}
    assert len(got) == 8


def test_row_cap_and_byte_cap_stop_the_reading(virtuoso_2024):
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    rows = virtuoso_2024.select(text, max_rows=25)
    assert len(rows) == 25 and rows.truncated
    rows = virtuoso_2024.select(text, max_bytes=20_000)
    assert 0 < len(rows) < 200 and rows.truncated
    whole = virtuoso_2024.select("SELECT ?s WHERE { ?s a <https://w3id.org/qkg/def#Mission> }", max_rows=8)
    assert len(whole) == 8 and not whole.truncated
    triples = virtuoso_2024.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=10)
    assert len(triples) == 10


def test_query_errors(virtuoso_2024):
    with pytest.raises(QuerySyntaxError) as err:
        virtuoso_2024.select("SELECT * WHERE { ?s ?p }")
    assert err.value.status == 400
    with pytest.raises(QueryTimeout) as err:  # Virtuoso's time limit, passed per query
        virtuoso_2024.select(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }", timeout=2
        )
    assert err.value.status == 503


def test_bindings_fix_variables(virtuoso_2024):
    rows = virtuoso_2024.select(
        "SELECT ?m WHERE { ?m <https://w3id.org/qkg/def#missionLeader> ?l }",
        bindings={"l": NamedNode("https://w3id.org/qkg/id/maire-de-quebec")},
    )
    assert len(rows) == 3


def test_a_store_that_is_down_gives_503_naming_it_without_credentials():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = RemoteStore(f"http://qkguser:s3cret-pw@127.0.0.1:{port}/sparql")
    assert store.name == f"http://127.0.0.1:{port}/sparql"
    with pytest.raises(StoreUnavailable) as err:
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert err.value.status == 503 and store.name in err.value.message
    assert "s3cret" not in err.value.message + err.value.hint and "qkguser" not in err.value.message


def test_a_store_that_hangs_gives_a_timeout_not_a_hang():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{server.getsockname()[1]}/sparql", timeout=1.0)
        with pytest.raises((QueryTimeout, StoreUnavailable)) as err:
            store.select("SELECT * WHERE { ?s ?p ?o }")
        assert err.value.status == 503 and store.name in err.value.message
    finally:
        server.close()
        for conn, _ in accepted:
            conn.close()


def test_wrong_password_is_refused_without_showing_it(virtuoso):
    store = RemoteStore(virtuoso["url"], user=virtuoso["user"], password="not-the-password-42")
    with pytest.raises(StoreError) as err:
        store.drop("http://example.org/never")
    text = err.value.message + err.value.hint
    assert "not-the-password-42" not in text and "credentials" in text
    assert err.value.status == 500


def test_password_file_from_the_environment(virtuoso, monkeypatch):
    monkeypatch.setenv("QKG_STORE_USER", virtuoso["user"])
    monkeypatch.setenv("QKG_STORE_PASSWORD_FILE", virtuoso["password_file"])
    monkeypatch.delenv("QKG_STORE_PASSWORD", raising=False)
    store = RemoteStore(virtuoso["url"])
    store.drop("http://example.org/never")  # an update: needs the credentials
    assert "dba" not in repr(store) and store.update_url.endswith("/sparql-auth")


def test_load_keeps_blank_nodes_and_literals(virtuoso):
    store = remote_store(virtuoso, "load")
    graph = store.space + "scratch"
    data = (
        '<http://e/a> <http://e/p> _:b1 .\n_:b1 <http://e/q> "Québec → Lévis"@fr .\n'
        '<http://e/a> <http://e/r> "2024-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .\n'
        '<http://e/a> <http://e/s> "46.81"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    ).encode()
    try:
        assert store.load(data, format="ntriples", graph=graph, chunk_bytes=100) == 4
        rows = store.select(
            f"SELECT ?o ?v WHERE {{ GRAPH <{graph}> {{ <http://e/a> <http://e/p> ?o . ?o <http://e/q> ?v }} }}"
        )
        assert len(rows) == 1 and rows[0]["v"] == Literal("Québec → Lévis", language="fr")
        rows = store.select(f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <http://e/a> ?p ?o FILTER(isLiteral(?o)) }} }}")
        assert {r["o"] for r in rows} == {
            Literal("2024-05", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
            Literal("46.81", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        }
    finally:
        store.drop(graph)


# -- publishing ---------------------------------------------------------------------------------------------

_PUBLISH = """
import sys
from qkg.graph.serving.backends.remote import RemoteStore, publish_build
store = RemoteStore(sys.argv[1], user=sys.argv[2], password_file=sys.argv[3], space=sys.argv[4])
publish_build(sys.argv[5], store, progress=lambda m: print(m, flush=True))
print("published", flush=True)
"""


def _publish_process(virtuoso, store, build_dir):
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _PUBLISH,
            virtuoso["url"],
            virtuoso["user"],
            virtuoso["password_file"],
            store.space,
            str(build_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def _serving(store):
    """What the store serves: its manifest and the triple count of its default dataset."""
    view = store.view(refresh=True)
    count = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value if view.manifest else None
    return view.manifest, count


@pytest.mark.parametrize("kill_after", [0, 1, 3, 6, 10, 15, "switch"])
def test_a_killed_publish_leaves_the_previous_build_serving(graph_2024, virtuoso, kill_after):
    build_dir = StoreLayout(graph_2024).require_current()
    store = remote_store(virtuoso, f"kill-{kill_after}")
    first = publish_build(build_dir, store)
    before = _serving(store)
    assert before[0] == first["manifest"] and int(before[1]) > 1000

    proc = _publish_process(virtuoso, store, build_dir)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if kill_after == "switch" and line.startswith("switched"):
                break
            if kill_after != "switch" and sum(1 for x in lines if x.startswith("loaded")) >= kill_after:
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    after = _serving(store)
    if kill_after == "switch":
        assert after[0] != before[0] and after[1] == before[1]  # the switch happened: the new build serves
    else:
        assert after == before, f"killed after {len(lines)} progress lines: {lines[-1:]}"

    # The next publish removes what the killed one left, and serves its own build.
    again = publish_build(build_dir, store)
    assert _serving(store) == (again["manifest"], before[1])
    leftovers = store._raw_select(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{store.space}")) }}',
        timeout=60,
    )
    names = {r[0].value for r in leftovers}
    assert all(n.startswith(again["manifest"]) or n == store.pointer for n in names), sorted(names)[:5]
    drop_space(store)


def test_a_store_that_goes_away_mid_publish_leaves_the_previous_build_serving(graph_2024, virtuoso):
    build_dir = StoreLayout(graph_2024).require_current()
    store = remote_store(virtuoso, "away")
    publish_build(build_dir, store)
    before = _serving(store)
    with socket.socket() as s:  # the Graph Store endpoint goes away after the manifest is written
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/sparql-graph-crud-auth"
    broken = remote_store(virtuoso, "away", graph_store_url=dead)
    with pytest.raises(StoreUnavailable) as err:
        publish_build(build_dir, broken)
    assert broken.name in err.value.message and err.value.status == 503
    assert _serving(store) == before
    again = publish_build(build_dir, store)
    # the failed publish's manifest, with the graphs it planned (none was loaded)
    assert again["leftovers"] == len(local_graphs(build_dir)) + 1 and _serving(store)[1] == before[1]
    drop_space(store)


def test_cli_build_publish_and_publish(graph_2024, virtuoso, tmp_path):
    store = remote_store(virtuoso, "cli")
    password = Path(virtuoso["password_file"]).read_text().strip()
    env = {
        **os.environ,
        "QKG_STORE_USER": virtuoso["user"],
        "QKG_STORE_PASSWORD_FILE": virtuoso["password_file"],
        "QKG_STORE_SPACE": store.space,
    }
    env.pop("QKG_STORE_PASSWORD", None)

    def qkg(*args):
        proc = subprocess.run(
            [sys.executable, "-m", "qkg.api.cli", *map(str, args)], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0, proc.stderr
        assert password not in proc.stdout + proc.stderr
        return proc

    out = qkg("--data-dir", tmp_path / "data", "build", "--no-shacl", "--publish", virtuoso["url"]).stdout
    assert f"to {virtuoso['url']} as build" in out
    first = _serving(store)
    assert first[0] is not None and int(first[1]) > 1000
    out = qkg("--data-dir", graph_2024, "publish", virtuoso["url"]).stdout
    second = _serving(store)
    assert second[0] != first[0] and second[1] == first[1] and "previous build" in out
    down = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", graph_2024, "publish", "http://127.0.0.1:9/sparql"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert down.returncode == 1 and "http://127.0.0.1:9/sparql" in down.stderr and "Traceback" not in down.stderr
    assert _serving(store) == second
    drop_space(store)


# -- serving a published build (`qkg serve --store URL`) -------------------------------------------------------


def test_serve_store_that_is_not_a_url_is_an_error_naming_the_fix(qkg, graph_2024):
    # a local build folder given to --store: it was opened as a local store, then asked for a remote pointer
    proc = qkg("--data-dir", graph_2024, "serve", "--store", graph_2024, "--port", "9", ok=False)
    assert proc.returncode != 0
    assert "--store takes the http(s) URL of a SPARQL store" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_new_remote_build_drops_the_previous_builds_cached_values(graph_2024, virtuoso, tmp_path, monkeypatch):
    from qkg.api.config import Settings
    from qkg.api.deps import AppState
    from qkg.graph.serving.backends.remote import VIEW_TTL

    store = remote_store(virtuoso, "switch")
    build_dir = StoreLayout(graph_2024).require_current()
    publish_build(build_dir, store)
    monkeypatch.setenv("QKG_STORE_USER", virtuoso["user"])
    monkeypatch.setenv("QKG_STORE_PASSWORD_FILE", virtuoso["password_file"])
    monkeypatch.setenv("QKG_STORE_SPACE", store.space)
    state = AppState(Settings(data_dir=tmp_path, store=virtuoso["url"]))
    state.open()
    try:
        first = state.cache("probe", object)
        assert state.cache("probe", object) is first
        publish_build(build_dir, store)  # another build id: the served pointer moves
        time.sleep(VIEW_TTL)  # the pointer is re-read at most every VIEW_TTL seconds
        assert state.refresh()
        assert state.cache("probe", object) is not first
    finally:
        state.close()
        drop_space(store)
        store.close()
