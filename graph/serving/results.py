"""Run a query on a read-only store and render its results for the terminal or a file.

Formats: ``table`` (aligned, IRIs shortened with the project's prefixes), ``json``, ``xml``, ``csv``, ``tsv``
(SPARQL results formats, for SELECT/ASK), ``turtle``, ``ntriples``, ``jsonld`` (for CONSTRUCT/DESCRIBE).

>>> from qkg.graph.serving.terms import Literal, NamedNode, Rows
>>> print(render(Rows(["s", "o"], [(NamedNode("https://w3id.org/qkg/id/a"), Literal("x"))]), "table"))
s       o
------  -
qkgd:a  x
<BLANKLINE>
(1 row)
"""

from __future__ import annotations

from qkg.graph.errors import N_, NP_, Message, ParameterError
from qkg.graph.serving.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from qkg.graph.serving.terms import BlankNode, Literal, NamedNode, boolean_bytes, serialize, solutions_bytes
from qkg.ontology import PREFIXES
from qkg.ontology.curies import short

__all__ = ["render", "term_text"]


def term_text(term) -> str:
    """A compact display of an RDF term: CURIE for IRIs, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return short(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal) and term.language:
        return f"{term.value}@{term.language}"
    return term.value


def render(results, fmt: str, *, headers: dict[str, str] | None = None) -> str:
    """Render a store's answer (:class:`~qkg.graph.serving.terms.Rows`, a bool, or triples) in ``fmt``; a table's
    columns headed by ``headers`` (``{variable: label}``: a canned query's, in the reader's language), the data
    formats by the variables."""
    if isinstance(results, bool):
        if fmt == "table":
            return "true" if results else "false"
        if fmt in SOLUTION_FORMATS:
            return boolean_bytes(results, SOLUTION_FORMATS[fmt]).decode("utf-8")
        raise ParameterError(
            N_("format {value!r} does not apply to an ASK query"),
            hint=N_("use table, json, xml, csv or tsv"),
            fields={"value": fmt},
        )
    if hasattr(results, "variables"):
        if fmt == "table":
            return _table(results, headers or {})
        if fmt in SOLUTION_FORMATS:
            return solutions_bytes(results.variables, results, SOLUTION_FORMATS[fmt]).decode("utf-8")
        raise ParameterError(
            N_("format {value!r} does not apply to a SELECT query"),
            hint=N_("use table, json, xml, csv or tsv"),
            fields={"value": fmt},
        )
    if fmt == "table":
        fmt = "turtle"
    if fmt not in GRAPH_FORMATS:
        raise ParameterError(
            N_("format {value!r} does not apply to a CONSTRUCT/DESCRIBE query"),
            hint=N_("use turtle, jsonld, ntriples or rdfxml"),
            fields={"value": fmt},
        )
    return (serialize(results, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES) or b"").decode("utf-8")


def _table(solutions, headers: dict[str, str]) -> str:
    names = [headers.get(str(v), str(v)) for v in solutions.variables]
    rows = [[term_text(row[i]) for i in range(len(names))] for row in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths).rstrip(),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    # the count in the reader's language (the command line gives a Message as its language writes it)
    return Message.joined([*lines, "", Message(NP_("({n} row)", "({n} rows)"), n=len(rows))], "\n")
