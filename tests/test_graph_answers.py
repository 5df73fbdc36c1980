"""The canned queries whose whole answer the build keeps (``# prepared: yes``, :mod:`qkg.graph.pages.answers`):
each page read from the build's ``canned-answers`` artefact is the page the query itself gives, on the 2024
graph and on a synthetic graph of twelve years, for every year, each language and pages of several sizes."""

from __future__ import annotations

import json

import pytest
from qkg.graph.pages.answers import PreparedAnswers, prepared_queries, tsv_to
from qkg.graph.pages.catalog import bind, load_catalog, paged
from qkg.graph.pages.years import build_years
from qkg.graph.serving import terms
from qkg.graph.serving.store import StoreLayout, open_read_only

from tests.viz_support import built_store


def _bindings(doc: dict) -> list[dict]:
    """The rows of a SPARQL JSON answer; a cell joining several names (``GROUP_CONCAT``, whose order SPARQL
    leaves open) as the sorted list of its names."""
    rows = doc["results"]["bindings"]
    for row in rows:
        if "partyNames" in row:
            row["partyNames"]["value"] = sorted(row["partyNames"]["value"].split(" ; "))
    return rows


@pytest.fixture(scope="module", params=["2024", "synth-20k"])
def built(request, graph_2024):
    data_dir = graph_2024 if request.param == "2024" else built_store("synth-20k")
    path = StoreLayout(data_dir).require_current()
    return open_read_only(path), PreparedAnswers.open(path / "qkg-artefacts" / "canned-answers.sqlite")


def test_the_slow_sorted_queries_are_prepared():
    assert {q.name for q in prepared_queries(load_catalog())} == {"mission-cities", "mission-countries", "agreements"}


@pytest.mark.parametrize("name", ["mission-cities", "mission-countries", "agreements"])
def test_prepared_pages_are_the_query_pages(built, name):
    store, answers = built
    query = load_catalog()[name]
    years = build_years(store)
    langs = ["fr", "en"] if any(p.type == "lang" for p in query.params) else [None]
    for lang in langs:
        for year in [None, years[0], years[-1]]:
            values = {k: v for k, v in {"year": year, "lang": lang}.items() if v}
            bindings = bind(query, values, years=years)
            whole = answers.page(name, bindings, limit=5000, offset=0)
            assert whole is not None and whole[1] > 0, (name, values)
            for limit, offset in [(5000, 0), (7, 0), (7, 7), (3, max(whole[1] - 2, 0)), (5, whole[1] + 1)]:
                rows = store.select(paged(query.sparql, limit, offset), bindings=bindings)
                want = json.loads(terms.solutions_bytes(list(rows.variables), rows, terms.QueryResultsFormat.JSON))
                body, count = answers.page(name, bindings, limit=limit, offset=offset)
                got = json.loads(tsv_to(body, "json"))
                assert got["head"] == want["head"]
                assert _bindings(got) == _bindings(want), (name, values, limit, offset)
                assert count == len(want["results"]["bindings"])


def test_an_answer_the_build_did_not_prepare_is_not_made_up(built):
    _store, answers = built
    other_lang = {terms.Variable("lang"): terms.Literal("de")}
    assert answers.page("agreements", other_lang, limit=5, offset=0) is None
    assert answers.page("upcoming", {}, limit=5, offset=0) is None
