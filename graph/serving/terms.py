"""RDF terms and SPARQL results: the one module that parses and serialises them (both backends use it).

pyoxigraph's term classes are the common term model. The remote backend reads a SPARQL endpoint's answers
here: the SPARQL XML results format, read as a stream so that a row cap or a byte cap stops the reading, and
N-Triples for CONSTRUCT/DESCRIBE.

>>> rows = Rows(["s", "o"], [(NamedNode("http://e/a"), Literal("x", language="fr"))])
>>> rows[0]["o"].language, rows[0][0].value, rows.variables, rows.truncated
('fr', 'http://e/a', ['s', 'o'], False)
>>> reader = XmlResultsReader()
>>> reader.feed(b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/></head>'
...             b'<results><result><binding name="x"><bnode>nodeID://b12</bnode></binding></result></results></sparql>')
1
>>> reader.variables, reader.rows
(['x'], [(<BlankNode value=b12>,)])
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import ClassVar
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_attr

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

__all__ = [
    "NamedNode",
    "Literal",
    "BlankNode",
    "Triple",
    "Quad",
    "DefaultGraph",
    "Variable",
    "Term",
    "Row",
    "Rows",
    "RdfFormat",
    "QueryResultsFormat",
    "QuerySolution",
    "QuerySolutions",
    "QueryBoolean",
    "QueryTriples",
    "parse",
    "serialize",
    "parse_query_results",
    "XmlResultsReader",
    "NTriplesReader",
    "ntriples",
    "n3",
    "solutions_bytes",
    "boolean_bytes",
]

_NS = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_STRING = "http://www.w3.org/2001/XMLSchema#string"
_BNODE_ID = re.compile(r"[^A-Za-z0-9_]")


Term = NamedNode | BlankNode | Literal | Triple


class Row(tuple):
    """One solution: indexable by position and by variable name; an unbound variable is None."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        if isinstance(key, Variable):
            return tuple.__getitem__(self, self._index[key.value])
        return tuple.__getitem__(self, key)

    def get(self, key, default=None):
        try:
            value = self[key]
        except KeyError:
            return default
        return default if value is None else value


class Rows(list):
    """The solutions of a SELECT: a list of :class:`Row`, with ``variables`` and ``truncated`` (cut by a cap)."""

    def __init__(self, variables: Sequence[str], rows: Iterable[Sequence] = (), *, truncated: bool = False) -> None:
        self.variables = list(variables)
        self.truncated = truncated
        index = {name: i for i, name in enumerate(self.variables)}
        row_type = type("Row", (Row,), {"__slots__": (), "_index": index})
        self._row_type = row_type
        super().__init__(row_type(r) for r in rows)

    @classmethod
    def of_solutions(cls, solutions: QuerySolutions, kept: list | None = None, *, truncated: bool = False) -> Rows:
        """The embedded backend's rows: pyoxigraph's solutions kept as they are (indexable by name and position).

        >>> answer = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}'
        >>> rows = Rows.of_solutions(parse_query_results(answer, format=QueryResultsFormat.JSON))
        >>> rows.variables, rows[0]["x"].value, rows[0][0].value, rows.truncated
        (['x'], '1', '1', False)
        """
        rows = cls.__new__(cls)
        list.__init__(rows, solutions if kept is None else kept)
        rows.variables = [v.value for v in solutions.variables]
        rows.truncated = truncated
        return rows


def blank_node(label: str) -> BlankNode:
    """A blank node from a store's label (Virtuoso answers ``nodeID://b10003``)."""
    if label.startswith("nodeID://"):
        label = label[len("nodeID://") :]
    elif label.startswith("_:"):
        label = label[2:]
    return BlankNode(_BNODE_ID.sub("_", label) or None)


def literal(value: str, *, language: str | None = None, datatype: str | None = None) -> Literal:
    if language:
        return Literal(value, language=language)
    if datatype and datatype not in (_STRING, _LANG_STRING):
        return Literal(value, datatype=NamedNode(datatype))
    return Literal(value)


class XmlResultsReader:
    """Read the SPARQL Query Results XML Format incrementally: :meth:`feed` bytes, take :attr:`rows`.

    Rows are tuples of terms in the order of :attr:`variables`; :attr:`boolean` is set for an ASK answer.
    """

    def __init__(self) -> None:
        self._parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
        self.variables: list[str] = []
        self.rows: list[tuple] = []
        self.boolean: bool | None = None
        self._index: dict[str, int] = {}
        self._current: list | None = None
        self._binding: str | None = None

    def feed(self, data: bytes) -> int:
        """Parse ``data``; return how many rows it completed."""
        before = len(self.rows)
        self._parser.feed(data)
        for item in self._parser.read_events():
            event, elem = item[0], item[-1]
            if not isinstance(elem, ET.Element):  # only start and end events were asked for
                continue
            tag = elem.tag[len(_NS) :] if elem.tag.startswith(_NS) else elem.tag
            if event == "start":
                if tag == "result":
                    self._current = [None] * len(self.variables)
                elif tag == "binding":
                    self._binding = elem.get("name")
                continue
            if tag == "variable":
                name = elem.get("name", "")
                self._index[name] = len(self.variables)
                self.variables.append(name)
            elif tag == "uri" and self._current is not None:
                self._set(NamedNode(elem.text or ""))
            elif tag == "literal" and self._current is not None:
                self._set(literal(elem.text or "", language=elem.get(_XML_LANG), datatype=elem.get("datatype")))
            elif tag == "bnode" and self._current is not None:
                self._set(blank_node(elem.text or ""))
            elif tag == "result" and self._current is not None:
                self.rows.append(tuple(self._current))
                self._current = None
                elem.clear()
            elif tag == "boolean":
                self.boolean = (elem.text or "").strip() == "true"
        return len(self.rows) - before

    def _set(self, term: Term) -> None:
        if self._current is not None and self._binding is not None and self._binding in self._index:
            self._current[self._index[self._binding]] = term


class NTriplesReader:
    """Read N-Triples incrementally (complete lines only), keeping blank node labels across chunks."""

    def __init__(self) -> None:
        self._rest = b""
        self.triples: list[Triple] = []

    def feed(self, data: bytes, *, final: bool = False) -> int:
        data = self._rest + data
        cut = len(data) if final else data.rfind(b"\n") + 1
        self._rest = data[cut:]
        before = len(self.triples)
        if cut:
            self.triples.extend(q.triple for q in parse(data[:cut], format=RdfFormat.N_TRIPLES))
        return len(self.triples) - before


def ntriples(triples: Iterable[Triple | Quad]) -> bytes:
    """Serialise triples (or the triples of quads) as N-Triples."""
    return serialize((t.triple if isinstance(t, Quad) else t for t in triples), format=RdfFormat.N_TRIPLES) or b""


def n3(term) -> str:
    """A term in SPARQL/N-Triples syntax (``<iri>``, ``"x"@fr``, ``_:b``), for writing it into a query."""
    return str(term)


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={_xml_attr(term.language)}>{_xml_escape(term.value)}</literal>"
    return f"<literal datatype={_xml_attr(term.datatype.value)}>{_xml_escape(term.value)}</literal>"


def solutions_bytes(variables: Sequence[str], rows: Iterable[Sequence], fmt: QueryResultsFormat) -> bytes:
    """Serialise rows of terms in a SPARQL results format (JSON, XML, CSV, TSV), by pyoxigraph's writers.

    >>> solutions_bytes(["x"], [(Literal("é", language="fr"),), (None,)], QueryResultsFormat.JSON)
    b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"\xc3\xa9","xml:lang":"fr"}},{}]}}'
    """
    parts = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={_xml_attr(v)}/>" for v in variables]
    parts.append("</head><results>")
    opens = [f"<binding name={_xml_attr(v)}>" for v in variables]
    written: dict = {}  # each distinct term escaped once (rows repeat their years, counts, places)
    for row in rows:
        parts.append("<result>")
        for opening, t in zip(opens, row, strict=True):
            if t is not None:
                xml = written.get(t)
                if xml is None:
                    xml = written[t] = _xml_term(t)
                parts += (opening, xml, "</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>")
    xml = "".join(parts).encode("utf-8")
    if fmt == QueryResultsFormat.XML:
        return xml
    return parse_query_results(xml, format=QueryResultsFormat.XML).serialize(format=fmt) or b""


def boolean_bytes(value: bool, fmt: QueryResultsFormat) -> bytes:
    """Serialise an ASK answer in a SPARQL results format."""
    xml = (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
        f"<boolean>{'true' if value else 'false'}</boolean></sparql>"
    ).encode()
    return (
        xml
        if fmt == QueryResultsFormat.XML
        else parse_query_results(xml, format=QueryResultsFormat.XML).serialize(format=fmt) or b""
    )
