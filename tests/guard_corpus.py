"""The guard's corpora: SERVICE, FROM and Update variants every guard must refuse (not a test module)."""

from __future__ import annotations

BLOCK = "{{ ?s ?p ?o }}"  # a str.format template, like those below

# Each template takes the canary URL and port; every one must be refused.
SERVICE_TEMPLATES = {
    "plain": "SELECT * WHERE {{ SERVICE <{url}> " + BLOCK + " }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{url}> " + BLOCK + " }}",
    "optional": "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "union": "SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> " + BLOCK + " }} }} }}",
    "filter-exists": "SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "filter-not-exists": "SELECT * WHERE {{ ?a ?b ?c FILTER NOT EXISTS {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "exists-in-projection": "SELECT (EXISTS {{ SERVICE <{url}> " + BLOCK + " }} AS ?e) WHERE {{ }}",
    "minus": "SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "graph": "SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "nested-service": "SELECT * WHERE {{ SERVICE <{url}> {{ SERVICE <{url}> " + BLOCK + " }} }}",
    "deep": "SELECT * WHERE {{ {{ SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ OPTIONAL {{ "
    "SERVICE SILENT <{url}> " + BLOCK + " }} }} }} }} }}",
    "variable-inline-values": "SELECT * WHERE {{ VALUES ?x {{ <{url}> }} SERVICE ?x " + BLOCK + " }}",
    "variable-trailing-values": "SELECT * WHERE {{ SERVICE ?x " + BLOCK + " }} VALUES ?x {{ <{url}> }}",
    "variable-bind": "SELECT * WHERE {{ BIND(<{url}> AS ?x) SERVICE SILENT ?x " + BLOCK + " }}",
    "ipv6": "SELECT * WHERE {{ SERVICE <http://[::1]:{port}/> " + BLOCK + " }}",
    "decimal-ip": "SELECT * WHERE {{ SERVICE <http://2130706433:{port}/> " + BLOCK + " }}",
    "metadata-ip": "SELECT * WHERE {{ SERVICE <http://169.254.169.254/latest/meta-data/> " + BLOCK + " }}",
    "localhost-dot": "SELECT * WHERE {{ SERVICE <http://localhost.:{port}/> " + BLOCK + " }}",
    "lowercase": "select * where {{ service silent <{url}> " + BLOCK + " }}",
    "mixed-case": "SeLeCt * WhErE {{ SeRvIcE <{url}> " + BLOCK + " }}",
    "comments-whitespace": "SELECT *\t# note\nWHERE\n{{\n\tSERVICE # comment\n\n\t<{url}>\t\n{{?s ?p ?o}}}}",
    "no-whitespace": "SELECT*{{SERVICE<{url}>{{?s?p?o}}}}",
    "prefixed-name": "PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE r:sparql " + BLOCK + " }}",
    "relative-iri": "BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> " + BLOCK + " }}",
    "ask": "ASK {{ SERVICE <{url}> " + BLOCK + " }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> " + BLOCK + " }}",
    "describe": "DESCRIBE ?s WHERE {{ SERVICE <{url}> " + BLOCK + " }}",
    # rdflib sees a comment to the end of the line; pyoxigraph ends it at \r.
    "bare-cr-in-comment": "SELECT * WHERE {{\n# note\rSERVICE <{url}> " + BLOCK + "\n}}",
    # rdflib expands \u0022 to '"' before parsing, so the string ends and '#' opens
    # a comment; pyoxigraph keeps the escaped quote inside the string.
    "escaped-quote": r'SELECT * WHERE {{ VALUES ?z {{ "\u0022 }} #" }} SERVICE <{url}> ' + BLOCK + "\n}}",
    "escaped-quote-long-form": r'SELECT * WHERE {{ VALUES ?z {{ "\U00000022 }} #" }} SERVICE <{url}> ' + BLOCK + "\n}}",
    "escaped-newline-in-comment": r"SELECT * WHERE {{ # note\u000ASERVICE <{url}> " + BLOCK + "\n}}",
    "escaped-keyword": r"SELECT * WHERE {{ SERVIC\u0045 <{url}> " + BLOCK + " }}",
}
FROM_TEMPLATES = {
    "from-file": "SELECT ?o FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
    "from-http": "SELECT ?o FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "from-named": "SELECT ?o FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "from-and-named": "SELECT * FROM <file:///srv/kg/staging.ttl> FROM NAMED <{url}> WHERE {{ ?s ?p ?o }}",
    "from-lowercase": "select * from <file:///etc/passwd> where {{ ?s ?p ?o }}",
    "from-ask": "ASK FROM <{url}> {{ ?s ?p ?o }}",
    "from-construct": "CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "from-describe": "DESCRIBE ?s FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
}
REFUSED_TEMPLATES = {**SERVICE_TEMPLATES, **FROM_TEMPLATES}
# Refused only by the tokenisation rule, not by the SERVICE walk: the cases
# where rdflib and pyoxigraph read the same text differently.
DIFFERENTIAL = ["bare-cr-in-comment", "escaped-quote", "escaped-quote-long-form"]


def refused_corpus(url: str, port: int) -> dict[str, str]:
    """Every SERVICE / FROM variant, aimed at ``url`` (and ``port``)."""
    return {name: text.format(url=url, port=port) for name, text in REFUSED_TEMPLATES.items()}


UPDATES = {
    "insert-data": "INSERT DATA { <http://e/a> <http://e/p> 1 }",
    "delete-data": "DELETE DATA { <http://e/a> <http://e/p> 1 }",
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "delete-insert-where": "DELETE { ?s ?p ?o } INSERT { ?s ?p 2 } WHERE { ?s ?p ?o }",
    "insert-where": "PREFIX e: <http://e/> INSERT { ?s e:q 1 } WHERE { ?s e:p ?o }",
    "load": "LOAD <file:///etc/passwd>",
    "load-silent-into": "LOAD SILENT <http://127.0.0.1:9/x.ttl> INTO GRAPH <http://e/g>",
    "clear-all": "CLEAR ALL",
    "clear-default": "CLEAR DEFAULT",
    "drop-graph": "DROP GRAPH <http://e/g>",
    "drop-all": "DROP SILENT ALL",
    "create": "CREATE GRAPH <http://e/g>",
    "add": "ADD <http://e/a> TO <http://e/b>",
    "move": "MOVE DEFAULT TO <http://e/b>",
    "copy": "COPY <http://e/a> TO DEFAULT",
    "with": "WITH <http://e/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "with-using": "WITH <http://e/g> DELETE { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "sequence": "CLEAR ALL ; INSERT DATA { <http://e/a> <http://e/p> 1 }",
    "lowercase-comment": "# wipe\nprefix e: <http://e/>\ndrop all",
    "malformed-insert": "INSERT DATA { <http://e/a> <http://e/p> }",
}


#: Pieces spliced into real queries to make malformed ones: brackets, escapes, lone surrogates, NUL, bad numbers.
MALFORMED_PIECES = (
    "{",
    "}",
    "(",
    ")",
    "\\uD800",
    "\\U0010FFFF",
    "-1.0",
    "<a>",
    "?x",
    "FILTER",
    "<http://e/f>(1)",
    '"',
    "'''",
    "#",
    "\\",
    "ORDER BY",
    "GROUP BY",
    "LIMIT -1",
    "\ud800",
    "\x00",
)


def malformed_queries(rng, seeds: list[str], count: int, *, extra: tuple[str, ...] = ()):
    """``count`` mutations of the ``seeds`` (1 to 3 pieces spliced in, a few characters cut), as text a client can
    send (lone surrogates replaced); the same ``rng`` seed gives the same queries."""
    pieces = MALFORMED_PIECES + extra
    for _ in range(count):
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(pieces) + text[i + rng.randint(0, 3) :]
        yield text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
