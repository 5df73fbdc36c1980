"""The endpoint's row and byte caps on the embedded store: applied while pyoxigraph writes, in one evaluation.

The worker lets pyoxigraph write SPARQL TSV (one line per solution) into a sink that stops at the caps; no
reading of the query text is needed, and nothing runs twice (issue 15, item 3).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qkg.graph.serving import pool
from qkg.graph.serving.backends.oxigraph import OxigraphStore
from qkg.graph.serving.terms import Literal, NamedNode, Quad

EX = "http://caps.test/"
QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"


def _store(values) -> OxigraphStore:
    store = OxigraphStore()
    graph = NamedNode(EX + "g")
    store.add(Quad(NamedNode(f"{EX}s{i:04d}"), NamedNode(EX + "p"), Literal(v), graph) for i, v in enumerate(values))
    return store


def _answer(store, *, max_rows, max_bytes, fmt="json", query=QUERY):
    return pool._answer(store, True, query, fmt, True, None, max_rows, max_bytes)


def _rows(body: bytes) -> list[tuple[str, str]]:
    return [(b["s"]["value"], b["o"]["value"]) for b in json.loads(body)["results"]["bindings"]]


@pytest.fixture
def counted(monkeypatch):
    """Count the evaluations the worker asks of the store (the real method still runs)."""
    calls = []
    real = OxigraphStore.results

    def results(self, text, **options):
        calls.append(text)
        return real(self, text, **options)

    monkeypatch.setattr(OxigraphStore, "results", results)
    return calls


@pytest.mark.parametrize(
    ("max_rows", "max_bytes", "rows", "truncated"),
    [
        (1000, 50_000_000, 300, False),  # under both caps: everything
        (10, 50_000_000, 10, True),  # the row cap cuts
        (1000, 2_000, None, True),  # the byte cap cuts (how many rows fit depends on their size)
    ],
)
def test_caps_cut_in_one_evaluation(counted, max_rows, max_bytes, rows, truncated):
    store = _store([f"value {i}" for i in range(300)])
    full = _rows(_answer(store, max_rows=10_000, max_bytes=50_000_000)["body"])
    counted.clear()
    answer = _answer(store, max_rows=max_rows, max_bytes=max_bytes)
    assert len(counted) == 1  # one evaluation, even when a cap cuts
    got = _rows(answer["body"])
    assert (answer["rows"], answer["truncated"]) == (len(got), truncated)
    assert got == full[: len(got)]  # a prefix of the whole answer, in its order
    assert len(answer["body"]) <= max_bytes
    if rows is not None:
        assert len(got) == rows
    else:
        assert 0 < len(got) < 300


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_format_is_cut_alike(fmt):
    store = _store([f"v{i}" for i in range(50)])
    answer = _answer(store, max_rows=7, max_bytes=50_000_000, fmt=fmt)
    assert (answer["rows"], answer["truncated"]) == (7, True)
    text = answer["body"].decode()
    assert "s0006" in text and "s0007" not in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=40),
    max_rows=st.integers(min_value=1, max_value=45),
    max_bytes=st.integers(min_value=200, max_value=4_000),
)
def test_any_literal_keeps_one_line_per_row(values, max_rows, max_bytes):
    """Line breaks, tabs, quotes and any Unicode in literals never split or merge rows."""
    values = [v for v in values if "\x00" not in v] or ["x"]
    store = _store(values)
    full = _rows(_answer(store, max_rows=10_000, max_bytes=50_000_000)["body"])
    assert len(full) == len(values)
    answer = _answer(store, max_rows=max_rows, max_bytes=max_bytes)
    got = _rows(answer["body"])
    assert got == full[: len(got)] and answer["rows"] == len(got) and len(answer["body"]) <= max_bytes
    assert answer["truncated"] == (len(got) < len(full))
    if len(full) > max_rows:
        assert answer["truncated"] and len(got) <= max_rows
