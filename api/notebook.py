"""The Python API for notebooks: open a built graph, local or remote, and ask it questions.

``qkg.open`` (the package's entry point) returns a :class:`Graph` on the same store seam the app uses
(:mod:`qkg.graph.serving.store`): a local data folder (``.qkg``, embedded Oxigraph, read-only) or a SPARQL 1.1
endpoint URL (a published build on Virtuoso or any other store; credentials from ``QKG_STORE_USER`` and
``QKG_STORE_PASSWORD`` or ``QKG_STORE_PASSWORD_FILE``).

- :meth:`Graph.query` runs SPARQL with the project's prefixes declared (``qkg:``, ``qkgd:``, ``org:``...):
  a pandas DataFrame for a SELECT when pandas is installed (``pip install 'qkg[pandas]'``), else
  :class:`~qkg.graph.serving.terms.Rows`; a bool for ASK; a list of triples for CONSTRUCT and DESCRIBE.
- :meth:`Graph.canned` runs a canned query by name with its parameters (``qkg query --list`` names them).
- :meth:`Graph.network` returns the networkx graph an analysis projection builds (``actors``, ``actor-theme``,
  ``actor-place``, ``typed``).

In a DataFrame, IRIs are CURIEs (``qkgd:suisse``, which a canned query's parameter accepts back), numbers
and booleans are Python values, other literals their text; an unbound value is None.

Examples
--------
A graph of two facts, in memory (``qkg.open(".qkg")`` opens a real build the same way):

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving.terms import Literal, NamedNode, Quad
>>> store = OxigraphStore()
>>> D, Q = "https://w3id.org/qkg/id/", "https://w3id.org/qkg/def#"
>>> g_ = NamedNode(D + "graph-example")
>>> store.add([Quad(NamedNode(D + "lausanne"), NamedNode(Q + "country"), NamedNode(D + "suisse"), g_),
...            Quad(NamedNode(D + "lausanne"), NamedNode(Q + "population"), Literal("140000", datatype=NamedNode(
...                 "http://www.w3.org/2001/XMLSchema#integer")), g_)])
>>> g = Graph(store)
>>> rows = g.query("SELECT ?city ?n WHERE { ?city qkg:country qkgd:suisse ; qkg:population ?n }", frame=False)
>>> rows.variables, rows[0]["city"].value
(['city', 'n'], 'https://w3id.org/qkg/id/lausanne')
>>> records(rows)
[{'city': 'qkgd:lausanne', 'n': 140000}]
>>> g.query("ASK { qkgd:lausanne qkg:country qkgd:suisse }")
True
>>> g.canned("no-such-query")
Traceback (most recent call last):
...
qkg.graph.errors.UnknownQuery: no canned query named 'no-such-query'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import networkx as nx
from qkg.graph.analysis.projection import PROJECTIONS, project
from qkg.graph.pages.catalog import CannedQuery, bind, get_query, load_catalog
from qkg.graph.serving.store import Store, open_store
from qkg.graph.serving.terms import Literal, NamedNode, Rows
from qkg.ontology import PREFIXES, sparql_prefixes
from qkg.ontology.curies import short

__all__ = ["Graph", "open_graph", "records"]

_XSD = PREFIXES["xsd"]
_INTEGERS = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
    )
}
_DECIMALS = {_XSD + t for t in ("decimal", "double", "float")}


def open_graph(spec: str | os.PathLike[str] | Store | None = None, **options: Any) -> Graph:
    """Open a built graph: a data folder (default: ``QKG_DATA_DIR`` or ``.qkg``), a build folder, a SPARQL
    endpoint URL, or a :class:`~qkg.graph.serving.store.Store` already open. ``options`` go to the remote
    store (``user=``, ``password_file=``, ``timeout``...)."""
    if isinstance(spec, Store):
        return Graph(spec)
    if spec is None:
        from qkg.api.config import Settings

        spec = Settings().data_dir
    return Graph(open_store(spec, **options))


def _value(term):
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return short(term.value)
    if isinstance(term, Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _DECIMALS:
                return float(term.value)
            if datatype == _XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            pass
        return term.value
    return str(term)


def records(rows: Rows) -> list[dict[str, Any]]:
    """Rows as plain dictionaries of Python values (see the module's docstring)."""
    names = list(rows.variables)
    return [{n: _value(row[i]) for i, n in enumerate(names)} for row in rows]


def _frame(rows: Rows):
    try:
        import pandas as pd
    except ImportError:
        return None
    return pd.DataFrame.from_records(records(rows), columns=list(rows.variables))


class Graph:
    """A built graph to question from Python (see :mod:`qkg.api.notebook`).

    Parameters
    ----------
    store : Store
        The store to read; :func:`qkg.open` opens one from a folder or a URL.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"<qkg graph {self.store.name}>"

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def query(
        self,
        text: str,
        *,
        bindings: Mapping | None = None,
        frame: bool | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
    ):
        """Run SPARQL (the project's prefixes are declared): a DataFrame or rows, a bool, or triples.

        ``frame=False`` keeps the rows as terms even when pandas is installed; ``frame=True`` requires pandas.
        """
        options: dict[str, Any] = {"bindings": bindings, "timeout": timeout}
        if max_rows is not None:
            options["max_rows"] = max_rows
        answer = self.store.query(sparql_prefixes() + "\n" + text, **options)
        if not isinstance(answer, Rows) or frame is False:
            return answer
        table = _frame(answer)
        if table is None:
            if frame:
                raise ImportError("a DataFrame needs pandas: pip install 'qkg[pandas]'")
            return answer
        return table

    def canned(self, name: str, *, frame: bool | None = None, **params: str):
        """Run the canned query ``name``, its parameters by keyword (``country="qkgd:suisse"``)."""
        from qkg.graph.pages.years import build_years

        query = get_query(name)
        years = build_years(self.store) if "year" in params else None
        return self.query(query.sparql, bindings=bind(query, params, years=years) or None, frame=frame)

    @staticmethod
    def canned_queries() -> dict[str, CannedQuery]:
        """The canned queries by name (``.title["fr"]``, ``.params``, ``.description``)."""
        return load_catalog()

    def network(self, projection: str = "actors", **params: Any) -> nx.Graph:
        """The networkx graph of an analysis projection (one of ``PROJECTIONS``), as the analysis page uses it."""
        return project(self.store, projection, **params)


Graph.projections = PROJECTIONS  # type: ignore[attr-defined]
