"""Result formats of the SPARQL endpoint: the one table of format names, content negotiation and the
service description.

A client picks the format with the ``Accept`` header, or overrides it with ``format=`` (a short name or a
media type). The query form decides which table applies: solutions (SELECT, ASK) or triples (CONSTRUCT,
DESCRIBE).

==========  ==========================================  ==============================
name        media type                                  forms
==========  ==========================================  ==============================
json        application/sparql-results+json             SELECT, ASK (default)
xml         application/sparql-results+xml              SELECT, ASK
csv         text/csv                                    SELECT, ASK
tsv         text/tab-separated-values                   SELECT, ASK
turtle      text/turtle                                 CONSTRUCT, DESCRIBE (default)
jsonld      application/ld+json                         CONSTRUCT, DESCRIBE
ntriples    application/n-triples                       CONSTRUCT, DESCRIBE
rdfxml      application/rdf+xml                         CONSTRUCT, DESCRIBE
==========  ==========================================  ==============================

Examples
--------
>>> guess_form("PREFIX ex: <http://e/#SELECT> # ASK\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
'CONSTRUCT'
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", None, "SELECT")
'xml'
>>> negotiate("application/sparql-results+json", "turtle", "CONSTRUCT")
'turtle'
"""

from __future__ import annotations

from qkg.graph.errors import N_, ParameterError
from qkg.graph.serving.guard import query_form
from qkg.graph.serving.terms import QueryResultsFormat, RdfFormat

__all__ = [
    "SOLUTION_FORMATS",
    "GRAPH_FORMATS",
    "GRAPH_ALIASES",
    "MEDIA_TYPES",
    "SOLUTION_TYPES",
    "GRAPH_TYPES",
    "FORMAT_NAMES",
    "RDF_FORMATS",
    "rdf_format",
    "result_format_name",
    "solution_format",
    "graph_format",
    "guess_form",
    "negotiate",
    "parse_accept",
    "service_description",
]

#: Format names of solutions (SELECT, ASK) and of triples (CONSTRUCT, DESCRIBE), with pyoxigraph's format.
SOLUTION_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "rdfxml": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
}
#: ``json`` and ``xml`` also name the triple formats JSON-LD and RDF/XML, so one name serves every form.
GRAPH_ALIASES = {"json": "jsonld", "xml": "rdfxml"}
#: Each format's own media type -> its name.
MEDIA_TYPES = {
    fmt.media_type.split(";")[0]: name for table in (SOLUTION_FORMATS, GRAPH_FORMATS) for name, fmt in table.items()
}

SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
#: Names accepted by ``format=`` (and their aliases).
FORMAT_NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
}
#: RDF formats a store loads (``Store.load(format=...)``): each triple format by its names and media type, and the
#: quad formats.
RDF_FORMATS = {
    **{alias: GRAPH_FORMATS[name] for alias, name in FORMAT_NAMES.items() if name in GRAPH_FORMATS},
    **{fmt.media_type: fmt for fmt in GRAPH_FORMATS.values()},
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}
#: The query form, read cheaply (the worker's guard does the real parse); SELECT when unsure.
guess_form = query_form


def parse_accept(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q=0 dropped; ties keep their order).

    >>> parse_accept("text/html, application/xml;q=0.9, */*;q=0.8")
    ['text/html', 'application/xml', '*/*']
    """
    items = []
    for position, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, position, media))
    return [media for _, _, media in sorted(items)]


def rdf_format(name: str) -> RdfFormat:
    """pyoxigraph's format for loading RDF named ``name`` (a key of :data:`RDF_FORMATS`).

    >>> rdf_format("ttl") is rdf_format("text/turtle") is RdfFormat.TURTLE
    True

    Raises
    ------
    ParameterError
        ``name`` is not a key of :data:`RDF_FORMATS`.
    """
    try:
        return RDF_FORMATS[name]
    except KeyError:
        raise ParameterError(
            N_("unknown RDF format {value!r}"),
            hint=N_("use ntriples, turtle, nquads, trig, rdfxml or jsonld"),
            fields={"value": name},
        ) from None


def result_format_name(result_format: str) -> str:
    """The format name of a store's ``result_format`` argument (a name or a media type).

    >>> result_format_name("application/sparql-results+xml; charset=utf-8"), result_format_name(" Turtle")
    ('xml', 'turtle')

    Raises
    ------
    ParameterError
        It names no format of :data:`SOLUTION_FORMATS` or :data:`GRAPH_FORMATS`.
    """
    name = result_format.strip().lower()
    name = MEDIA_TYPES.get(name.split(";")[0].strip(), name)
    if name not in SOLUTION_FORMATS and name not in GRAPH_FORMATS:
        raise ParameterError(
            N_("unknown result format {value!r}"),
            hint=N_(
                "use json, xml, csv or tsv (SELECT, ASK); turtle, ntriples, rdfxml or jsonld (CONSTRUCT, DESCRIBE)"
            ),
            fields={"value": result_format},
        )
    return name


def solution_format(fmt: str, form: str) -> QueryResultsFormat:
    """pyoxigraph's format for the solutions of a ``form`` query (SELECT, ASK) in format ``fmt``.

    Raises
    ------
    ParameterError
        ``fmt`` is a triple format.
    """
    if fmt not in SOLUTION_FORMATS:
        raise ParameterError(
            N_("format {value!r} is for CONSTRUCT and DESCRIBE results; {form} results are bindings"),
            hint=N_("use json, xml, csv or tsv"),
            fields={"value": fmt, "form": form},
        )
    return SOLUTION_FORMATS[fmt]


def graph_format(fmt: str, form: str) -> RdfFormat:
    """pyoxigraph's format for the triples of a ``form`` query (CONSTRUCT, DESCRIBE) in format ``fmt``.

    >>> graph_format("xml", "CONSTRUCT") is RdfFormat.RDF_XML
    True

    Raises
    ------
    ParameterError
        ``fmt`` is a solutions-only format (csv, tsv).
    """
    out = GRAPH_FORMATS.get(GRAPH_ALIASES.get(fmt, fmt))
    if out is None:
        raise ParameterError(
            N_("format {value!r} is for SELECT and ASK results; {form} results are triples"),
            hint=N_("use turtle, ntriples, rdfxml or jsonld"),
            fields={"value": fmt, "form": form},
        )
    return out


def negotiate(accept: str | None, format_param: str | None, form: str) -> str:
    """Choose the result format name for a query ``form``.

    Raises
    ------
    ParameterError
        ``format=`` names no known format.
    """
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if format_param:
        name = None
        for value in format_param.lower().split(","):  # some clients send a list of media types
            value = value.split(";")[0].strip()
            name = FORMAT_NAMES.get(value) or (GRAPH_TYPES if graph_form else SOLUTION_TYPES).get(value)
            name = name or SOLUTION_TYPES.get(value) or GRAPH_TYPES.get(value)
            if name:
                break
        if name is None:
            raise ParameterError(
                N_("unknown format {value!r}"),
                hint=N_(
                    "use json, xml, csv or tsv (SELECT, ASK); turtle, jsonld, ntriples or rdfxml (CONSTRUCT, DESCRIBE)"
                ),
                fields={"value": format_param},
            )
        return GRAPH_ALIASES.get(name, name) if graph_form else name
    table = GRAPH_TYPES if graph_form else SOLUTION_TYPES
    default = "turtle" if graph_form else "json"
    for media in parse_accept(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*"):
            return default
        if media == "text/*":
            return "turtle" if graph_form else "csv"
    return default


_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "N-Triples",
    "RDF_XML",
)


def service_description(endpoint: str, *, graphs: dict[str, int], timeout: float, max_rows: int, void_url: str) -> str:
    """The SPARQL 1.1 Service Description of the endpoint, in Turtle.

    >>> "sd:UnionDefaultGraph" in service_description("http://x/sparql", graphs={}, timeout=10, max_rows=5,
    ...                                             void_url="http://x/.well-known/void")
    True
    """
    named = "".join(
        f"\n        sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ; sd:graph [ a sd:Graph ; void:triples {n} ] ] ;"
        for name, n in sorted(graphs.items())
    )
    formats = ", ".join(f"<{_FORMATS_NS}{f}>" for f in _RESULT_FORMATS)
    from qkg.ontology import PREFIXES

    declared = " ,\n        ".join(
        f'[ sh:prefix "{p}" ; sh:namespace "{iri}"^^xsd:anyURI ]' for p, iri in PREFIXES.items()
    )
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat {formats} ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    dct:description "Read-only. SERVICE, FROM/FROM NAMED and SPARQL Update are refused. Each query is stopped after {timeout:g} s and returns at most {max_rows} rows (header X-QKG-Truncated). The default graph is the union of the named graphs. The prefixes declared below (sh:declare) may be used without PREFIX lines."@en ;
    sh:declare {declared} ;
    sd:defaultDataset [
        a sd:Dataset ;
        void:inDataset <{void_url}> ;
        sd:defaultGraph [ a sd:Graph ; void:triples {sum(graphs.values())} ] ;{named}
    ] .
"""
