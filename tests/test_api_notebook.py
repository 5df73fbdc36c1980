"""The Python API for notebooks (``qkg.open``) on the 2024 graph, on both backends."""

from __future__ import annotations

import sys

import networkx as nx
import pytest
import qkg
from qkg.api.notebook import Graph
from qkg.graph.analysis.projection import project
from qkg.graph.errors import ParameterError, StoreUnavailable
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.graph.serving.terms import NamedNode, Rows

pd = pytest.importorskip("pandas")  # the test extra installs it; the `pandas` extra is optional for users


@pytest.fixture(params=["embedded", "virtuoso"])
def g(request, graph_2024) -> Graph:
    """``qkg.open`` on the 2024 build folder, or on the same build published to Virtuoso."""
    if request.param == "embedded":
        graph = qkg.open(graph_2024)
        yield graph
        graph.close()
    else:
        yield qkg.open(request.getfixturevalue("virtuoso_2024"))


def test_query_gives_a_dataframe_with_python_values(g):
    table = g.query("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a qkg:Mission }")  # the project's prefixes
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["n"]
    assert table["n"].tolist() == [8]  # the report's eight missions, as a number
    countries = g.canned("mission-countries")
    cities = dict(zip(countries["label"], countries["cities"], strict=True))
    assert cities["Suisse"] == 4 and isinstance(cities["Suisse"], int)
    assert countries["country"].str.startswith("qkgd:").all()  # IRIs as CURIEs, which parameters accept


def test_canned_query_by_name_with_parameters(g):
    table = g.canned("missions-to-country", country="qkgd:portugal")
    assert set(table["cityLabel"]) == {"Braga", "Lisbonne"}
    default = g.canned("missions-to-country")  # the parameter's default: Switzerland
    assert list(zip(default["item"], default["order"], default["cityLabel"], strict=True)) == [
        (3, 1, "Lausanne"),
        (3, 2, "Porrentruy"),
        (7, 2, "Zurich"),
        (7, 3, "Genève"),
        (7, 4, "Lausanne"),
    ]
    with pytest.raises(ParameterError, match="no parameter city"):
        g.canned("missions-to-country", city="qkgd:suisse")


def test_rows_without_pandas(g, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails, as where it is not installed
    rows = g.query("SELECT ?m WHERE { ?m a qkg:Mission } ORDER BY ?m")
    assert isinstance(rows, Rows) and rows.variables == ["m"] and len(rows) == 8
    assert isinstance(rows[0]["m"], NamedNode)
    with pytest.raises(ImportError, match="qkg\\[pandas\\]"):
        g.query("SELECT ?m WHERE { ?m a qkg:Mission }", frame=True)


def test_ask_and_construct(g):
    assert g.query("ASK { qkgd:ville-de-lausanne ?p ?o }") is True
    triples = g.query("CONSTRUCT { ?m qkg:missionLeader ?l } WHERE { ?m qkg:missionLeader ?l }")
    assert len(triples) == 8


def test_network_is_the_analysis_projection(g, graph_2024):
    ours = g.network("actors")
    theirs = project(open_read_only(StoreLayout(graph_2024).require_current()), "actors")
    assert isinstance(ours, nx.Graph) and ours.number_of_nodes() > 10
    assert set(ours.nodes) == set(theirs.nodes) and set(map(frozenset, ours.edges)) == set(map(frozenset, theirs.edges))


def test_a_store_that_is_down_is_named(tmp_path):
    g = qkg.open("http://127.0.0.1:9/sparql")  # nothing listens on the discard port
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:9"):
        g.query("ASK { ?s ?p ?o }")
