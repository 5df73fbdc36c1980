"""The report years a build holds, and the check of a ``year`` parameter against them.

Each file under ``data/<year>/`` loads into its own named graph, which the build record tags with its year
(:data:`~qkg.graph.named_graphs.YEAR_TAG`, in :data:`~qkg.graph.named_graphs.BUILD_GRAPH`). A canned query keeps
one year's facts by reading them in the graphs of that year::

    GRAPH ?g { ?reception qkg:category ?category } ?g dct:temporal ?year .

with ``?year`` projected: bound to one year by the ``year`` parameter, or left unbound for every year (one
group of rows per year).

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> build_years(OxigraphStore())
[]
>>> check_year("2024", ["2024", "2025"])
'2024'
>>> check_year("1800", ["2024"])
Traceback (most recent call last):
...
qkg.graph.errors.ParameterError: no data for the year 1800 in this build
"""

from __future__ import annotations

import re
from collections import defaultdict

from qkg.graph.errors import N_, ParameterError
from qkg.graph.named_graphs import BUILD_GRAPH, YEAR_PATTERN, YEAR_TAG

__all__ = [
    "build_years",
    "graphs_by_year",
    "stated_by_year",
    "in_year",
    "parse_year",
    "check_year",
    "NOT_A_YEAR",
    "NO_SUCH_YEAR",
    "YEAR_HINT",
]

#: The messages of a bad ``year`` (templates: the API gives them in the request's language, api/errors.py).
NOT_A_YEAR = N_("{value!r} is not a year")
NO_SUCH_YEAR = N_("no data for the year {value} in this build")
YEAR_HINT = N_("the years of this build: {years}; leave {name} out for every year")


def graphs_by_year(store) -> dict[str, str]:
    """``{named graph: year}`` for the year-tagged graphs of the build on ``store`` (a few dozen rows)."""
    rows = store.select(f"SELECT ?g ?y WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} }}")
    return {row[0].value: row[1].value for row in rows if row[0] is not None and row[1] is not None}


def stated_by_year(store) -> dict[str, set[str]]:
    """Per node, the report years whose files type it (``GRAPH ?g { ?f a ?c } ?g dct:temporal ?y``).

    The year of a fact for every view that takes a ``year`` (analysis, map, timeline and charts): a node the
    2024 and 2025 files both state is in both years; a node no year's file types (background, contributed
    activities, a flat data folder) is in none. One scan of the year graphs' type triples.
    """
    out: dict[str, set[str]] = defaultdict(set)
    query = f"SELECT DISTINCT ?f ?y WHERE {{ GRAPH ?g {{ ?f a ?c }} GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} }}"
    for row in store.select(query):
        out[row[0].value].add(row[1].value)
    return out


def in_year(year: str, stated: set[str] | frozenset[str] | None, dated: tuple[int, int] | None) -> bool:
    """Whether a node belongs to the report ``year``: the years whose files state it, else (a node no report
    states: a contributed activity) its dates' span, else (undated as well) every year.

    >>> in_year("2025", {"2024"}, (2025, 2025)), in_year("2025", None, (2024, 2026)), in_year("2025", None, None)
    (False, True, True)
    """
    if stated:
        return year in stated
    return dated is None or dated[0] <= int(year) <= dated[1]


def build_years(store) -> list[str]:
    """The report years of the build on ``store``, oldest first."""
    return sorted(set(graphs_by_year(store).values()))


def parse_year(value: str, years: list[str] | None = None, *, name: str = "year") -> str:
    """``value`` if it is a year written in four digits, else :class:`ParameterError` (in fr/en on the API; its
    hint names the parameter ``name``)."""
    text = str(value).strip()
    if not re.fullmatch(YEAR_PATTERN, text):
        raise ParameterError(
            NOT_A_YEAR,
            hint=YEAR_HINT,
            fields={"value": str(value)[:40], "years": ", ".join(years) if years else "2024", "name": name},
        )
    return text


def check_year(value: str, years: list[str], *, name: str = "year") -> str:
    """``value`` if the build holds that year's data, else :class:`ParameterError` naming the years it holds (and
    the parameter, ``name``, to leave out for every year)."""
    text = parse_year(value, years, name=name)
    if text not in years:
        raise ParameterError(
            NO_SUCH_YEAR, hint=YEAR_HINT, fields={"value": text, "years": ", ".join(years) or "-", "name": name}
        )
    return text
