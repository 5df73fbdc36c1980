"""Static check of a SPARQL query before it runs.

Neither rdflib nor pyoxigraph can switch off SERVICE, and both would call out
to any IRI a query names. So every query from the public endpoint is parsed
here first, with rdflib, and refused if it:

- is not a query at all but an update (``UpdateRefused``, HTTP 403);
- contains SERVICE anywhere, including SILENT, ``SERVICE ?var`` and nested in
  OPTIONAL, UNION, MINUS, subqueries or FILTER EXISTS (``QueryRefused``);
- has a FROM or FROM NAMED clause (``QueryRefused``);
- does not parse (``QuerySyntaxError`` with line and column), or exceeds
  the recursion limit of rdflib's parser (``QueryRefused``; with Python's
  default limit that is about 85 triple patterns in one group, or deep
  nesting): what rdflib cannot check does not run, even if pyoxigraph would
  accept it;
- could be tokenised differently by the two parsers: a bare carriage return
  (it ends a comment for pyoxigraph, not for rdflib) or a ``\\uXXXX`` escape
  standing for ASCII punctuation, space or a control character (rdflib expands
  escapes everywhere before parsing, pyoxigraph only inside strings and IRIs),
  both of which can hide a SERVICE from rdflib that pyoxigraph then runs.

rdflib's parser is slow: a typical query takes 2-20 ms, but a FILTER with a
250-term ``||`` chain takes over a second. Run the check where a time limit
applies (``qkg.graph.serving.pool.QueryPool`` does it in its workers) rather than in a
request thread or the event loop.

The guard is one layer: the store must also run in a process with no network
egress (see DESIGN.md, "Query safety is ours to build").
"""

from __future__ import annotations

__all__ = [
    "MAX_QUERY_CHARS",
    "PROLOGUE",
    "QueryInfo",
    "inspect_query",
    "plainly_safe",
    "inspect_query_cached",
    "query_form",
    "cap_select_rows",
]

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pyparsing import ParseBaseException, ParseResults
from qkg.graph.errors import N_, QKGError, QueryRefused, QuerySyntaxError, UpdateRefused
from qkg.ontology import PREFIXES
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

MAX_QUERY_CHARS = 100_000

_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
# The very pattern rdflib expands before parsing (parser.expandUnicodeEscapes).
_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)
_BARE_CR = re.compile(r"\r(?!\n)")
#: A query's prologue (spaces, comments, ``PREFIX`` and ``BASE`` declarations), as a pattern to match at its start
#: (with ``re.IGNORECASE``). Possessive quantifiers: no backtracking, so no catastrophic case on hostile input.
PROLOGUE = r"(?:\s++|#[^\n]*+|PREFIX\s*+[^\s:]*+:\s*+<[^>]*+>|BASE\s*+<[^>]*+>)*+"
_UPDATE_VERB = re.compile(PROLOGUE + r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_SPEC = "https://www.w3.org/TR/sparql11-query/"


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learnt about an accepted query.

    Attributes
    ----------
    form : str
        ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``.
    prefixes : tuple of (str, str)
        The query's PREFIX declarations, ``(name, iri)``, in order; handy to
        write CONSTRUCT results in Turtle with the same prefixes.

    Examples
    --------
    >>> QueryInfo("ASK")
    QueryInfo(form='ASK', prefixes=())
    """

    form: str
    prefixes: tuple[tuple[str, str], ...] = ()


#: The project's prefixes, pre-declared for every query (as the editor shows them): a query may use them
#: without PREFIX lines; its own PREFIX lines win.
_DEFAULT_NS = dict(PREFIXES)


def inspect_query(text: str, *, max_chars: int = MAX_QUERY_CHARS) -> QueryInfo:
    """Parse a SPARQL query and refuse anything unsafe for a public endpoint.

    Parameters
    ----------
    text : str
        The query, as received.
    max_chars : int, optional
        Longest query accepted, in characters (default 100,000).

    Returns
    -------
    QueryInfo
        The query form and its prefixes.

    Raises
    ------
    QueryRefused
        SERVICE, FROM / FROM NAMED, an over-long or too deeply nested query,
        or an ambiguous character sequence (bare carriage return, ``\\u``
        escape of ASCII punctuation).
    UpdateRefused
        The text is a SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP...).
    QuerySyntaxError
        The text does not parse; ``line`` and ``column`` locate the failure.

    Examples
    --------
    >>> inspect_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10").form
    'SELECT'
    >>> inspect_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    qkg.graph.errors.QueryRefused: SERVICE (federated query) is disabled on this endpoint
    >>> inspect_query("DROP ALL")
    Traceback (most recent call last):
    ...
    qkg.graph.errors.UpdateRefused: this endpoint is read-only: SPARQL Update is refused
    >>> try:
    ...     inspect_query("SELECT * WHERE {\\n  ?s ?p \\n}")
    ... except QuerySyntaxError as exc:
    ...     print(exc.line, exc.column)
    2 3
    """
    if len(text) > max_chars:
        raise QueryRefused(
            N_("query is {length:,} characters long; the limit is {limit:,}"),
            hint=N_("shorten the query: use VALUES for long lists, or run it locally"),
            fields={"length": len(text), "limit": max_chars},
        )
    if not text.strip():
        raise QuerySyntaxError(
            N_("empty query"), line=1, column=1, hint=N_("send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        )
    _check_tokens(text)
    try:
        tree = _parse(text)
    except ParseBaseException as exc:
        if _is_update(text):
            raise _update_refused() from None
        raise _syntax_error(exc) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # e.g. an escape for a code point beyond U+10FFFF
        raise QuerySyntaxError(N_("{problem}"), hint=N_("see {spec}"), fields={"problem": exc, "spec": _SPEC}) from None
    except Exception as exc:  # rdflib's parse actions raise bare errors (TypeError...) on texts it cannot read
        raise QuerySyntaxError(
            N_("the query checker cannot read this query: {problem}"),
            hint=N_("check the query against the SPARQL grammar: {spec}"),
            fields={"problem": exc, "spec": _SPEC},
        ) from None

    prologue, query = tree[0], tree[1]
    if "datasetClause" in query:
        raise QueryRefused(
            N_("FROM/FROM NAMED would dereference an IRI; the endpoint queries its own store"),
            hint=N_("drop the clause; use GRAPH <iri> { ... } to target a stored named graph"),
        )
    if _has_service(tree):
        raise _service_refused()
    try:
        algebra = translateQuery(tree, initNs=_DEFAULT_NS).algebra
    except RecursionError:
        raise _too_deep() from None
    except Exception as exc:  # rdflib raises bare Exception, e.g. unknown prefix
        raise QuerySyntaxError(
            N_("invalid query: {problem}"), hint=N_("declare every prefix you use with PREFIX"), fields={"problem": exc}
        ) from None
    if _has_service(algebra):  # belt and braces: the tree check should suffice
        raise _service_refused()

    prefixes = tuple(
        (decl["prefix"] if "prefix" in decl else "", str(decl["iri"])) for decl in prologue if decl.name == "PrefixDecl"
    )
    return QueryInfo(form=_FORMS[query.name], prefixes=prefixes)


# A minus sign that starts a decimal (``<a> <b> -1.0``): rdflib's parser fails on it as a triple's object
# ("Not a number"). Only a sign after a space or a delimiter is matched, so the swap to ``+`` keeps every
# token boundary (a sign, or the minus operator, becomes a plus in the same place; in a string, an IRI or a
# comment nothing structural changes): the checked text has the same shape as the one that runs.
_SIGNED_DECIMAL = re.compile(r"(?<=[\s,;(\[{>])-(?=[0-9]*\.[0-9])")


def _parse(text: str):
    """rdflib's parse tree of ``text``; a text that only trips rdflib's negative-decimal bug is read sign-swapped."""
    try:
        return parseQuery(text)
    except TypeError:
        swapped = _SIGNED_DECIMAL.sub("+", text)
        if swapped == text:
            raise
        return parseQuery(swapped)


def _check_tokens(text: str) -> None:
    """Refuse character sequences that rdflib and pyoxigraph tokenise differently."""
    cr = _BARE_CR.search(text)
    if cr:
        raise QueryRefused(
            N_(
                "carriage return without line feed at line {line}: "
                "it ends a comment for one SPARQL parser and not for another"
            ),
            hint=N_("use \\n or \\r\\n line endings"),
            fields={"line": _line_of(text, cr.start())},
        )
    for match in _ESCAPE.finditer(text):
        try:
            char = chr(int(match.group(1), 16))
        except (ValueError, OverflowError):
            raise QuerySyntaxError(
                N_("invalid code point escape {escape}"),
                line=_line_of(text, match.start()),
                hint=N_("\\u takes 4 hex digits, \\U takes 8, up to \\U0010FFFF"),
                fields={"escape": match.group(0)},
            ) from None
        if "\ud800" <= char <= "\udfff":
            raise QuerySyntaxError(
                N_("the escape {escape} at line {line} stands for a lone surrogate, which is not a character"),
                line=_line_of(text, match.start()),
                hint=N_("escape the character itself (\\U0001F600 for U+1F600), not its UTF-16 halves"),
                fields={"escape": match.group(0), "line": _line_of(text, match.start())},
            )
        if char < "\x80" and not char.isalnum():
            raise QueryRefused(
                N_(
                    "the escape {escape} at line {line} stands for {char!r}: escapes of ASCII punctuation, spaces "
                    "or control characters are ambiguous (SPARQL parsers disagree on where strings and comments end)"
                ),
                hint=N_("write the character itself, or in a string use \\\" \\' \\n \\t \\\\"),
                fields={"escape": match.group(0), "line": _line_of(text, match.start()), "char": char},
            )


def _nodes(root: object) -> Iterator[CompValue]:
    """Yield every rdflib CompValue under ``root`` (parse tree or algebra)."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ParseResults):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)


def _has_service(root: object) -> bool:
    return any(node.name == "ServiceGraphPattern" for node in _nodes(root))


def _is_update(text: str) -> bool:
    if _UPDATE_VERB.match(text):
        return True
    try:
        return "request" in parseUpdate(text)
    except Exception:
        return False


def _service_refused() -> QueryRefused:
    return QueryRefused(
        N_("SERVICE (federated query) is disabled on this endpoint"),
        hint=N_(
            "copy the remote data you need into a local store and query it there; "
            "this endpoint only answers from its own graph"
        ),
    )


def _too_deep() -> QueryRefused:
    return QueryRefused(
        N_("query is nested too deeply, or has too many triple patterns in one group, to be checked"),
        hint=N_("flatten nested { } groups and subqueries; split very long groups"),
    )


def _update_refused() -> UpdateRefused:
    return UpdateRefused(
        N_("this endpoint is read-only: SPARQL Update is refused"),
        hint=N_("changes go through the data files and `qkg build`"),
    )


def _syntax_error(exc: ParseBaseException) -> QuerySyntaxError:
    rest = exc.line[exc.col - 1 :].split()
    found = f"found {rest[0][:30]!r}" if rest else "found end of line"
    return QuerySyntaxError(
        N_("syntax error at line {line}, column {column}: {problem}, {found}\n{text}\n{caret}"),
        line=exc.lineno,
        column=exc.col,
        hint=N_("check the query near the caret; SPARQL grammar: {spec}"),
        fields={
            "line": exc.lineno,
            "column": exc.col,
            "problem": exc.msg,
            "found": found,
            "text": exc.line,
            "caret": " " * (exc.col - 1) + "^",
            "spec": _SPEC,
        },
    )


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# -- fast path ----------------------------------------------------------------
#
# Parsing with rdflib costs 1-3 ms per query (seconds for pathological ones), more than most queries take to
# run. But the things refused here can only be spelled by keywords written as plain ASCII letters in the query
# text: pyoxigraph expands escapes only inside strings and IRIs, never in keywords. So a text in which none of
# these letter sequences occurs anywhere (case-insensitive, even inside strings, IRIs, comments or glued to
# other characters) cannot contain SERVICE, FROM, LOAD or an update, whatever the two parsers make of it;
# pyoxigraph then parses it once and reports its own syntax errors. Any other text takes the full check.
_DANGEROUS = (
    "service",
    "from",
    "load",
    "insert",
    "delete",
    "clear",
    "drop",
    "create",
    "add",
    "move",
    "copy",
    "with",
    "using",
    "\\u",
)  # and any escape: rdflib and pyoxigraph expand them differently


def plainly_safe(text: str, *, max_chars: int = MAX_QUERY_CHARS) -> bool:
    """True when ``text`` cannot spell anything the guard refuses, so the rdflib parse can be skipped.

    Examples
    --------
    >>> plainly_safe("SELECT ?s WHERE { ?s a <http://e/City> } LIMIT 5")
    True
    >>> plainly_safe("SELECT * { SeRvIcE <http://e/> { ?s ?p ?o } }")
    False
    >>> plainly_safe('SELECT * { ?s ?p "a label with the word from" }')  # conservative: full check
    False
    """
    if len(text) > max_chars or text.count("{") + text.count("(") > 200:  # deep nesting: full check
        return False
    lowered = text.lower()
    return not any(word in lowered for word in _DANGEROUS)


@functools.lru_cache(maxsize=2048)
def _cached(text: str) -> QueryInfo | QKGError:
    try:
        return inspect_query(text)
    except QKGError as exc:
        return exc


def inspect_query_cached(text: str) -> QueryInfo:
    """:func:`inspect_query` with its verdicts (refusals included) remembered for the last 2,048 texts.

    >>> inspect_query_cached("ASK { ?s ?p ?o }").form
    'ASK'
    """
    verdict = _cached(text)
    if isinstance(verdict, QKGError):
        raise verdict
    return verdict


# -- the query form, read without parsing ---------------------------------------------------------------
_IRI_TOKEN = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_STRING_TOKEN = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_COMMENT_TOKEN = re.compile(r"#[^\n]*")
_FORM_KEYWORD = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def _spaces(match: re.Match[str]) -> str:
    return " " * len(match.group())


def blank_tokens(text: str) -> str:
    """``text`` with its IRIs, strings and comments replaced by as many spaces: a search for a keyword or a
    brace then sees only the query's own words, at the offsets they have in ``text``.

    >>> blank_tokens('ASK { ?s <http://e/#x> "}" } # {')
    'ASK { ?s                   }    '
    """
    return _COMMENT_TOKEN.sub(_spaces, _STRING_TOKEN.sub(_spaces, _IRI_TOKEN.sub(_spaces, text)))


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read cheaply (IRIs, strings and comments blanked); SELECT when unsure.

    >>> query_form("PREFIX ex: <http://e/#SELECT> # ASK\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    >>> query_form("PREFIX e: <http://e/#> DESCRIBE <http://e/a>")
    'DESCRIBE'
    """
    match = _FORM_KEYWORD.search(blank_tokens(text))
    return match.group(1).upper() if match else "SELECT"


# One token of a SPARQL text, for the row-cap reader below. Strings, IRIs,
# comments and escapes are matched whole so the braces and words inside them
# never count; a quote that opens no well-formed string is a token of its own
# (the reader then gives up). ASCII only: SPARQL names may hold characters
# that Python's \w, \d or str.strip() read otherwise (U+1680, digits of other
# scripts), so the text outside these tokens must be ASCII.
_CAP_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*+'''"
    r'|"(?:[^"\\\n\r]|\\.)*+"'
    r"|'(?:[^'\\\n\r]|\\.)*+'"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*+>)'
    r"|#[^\n\r]*+"
    r"|\\.(?:[\w.:%\-]|\\.)*+"  # an escape in a prefixed name, with the rest of the name (`:\~LIMIT` is a name)
    r"|(?P<brace>[{}])"
    r"|(?P<quote>[\"'])"
    r"|(?<![\w:?$.\-])(?P<word>LIMIT|VALUES)(?![\w:\-])"
    r"|(?P<number>[0-9]++)",
    re.IGNORECASE | re.DOTALL | re.ASCII,
)
# An IRI-like token holding '#' or a quote may be a less-than sign followed by a comment or a string
# (`?o<#> ...`, `?o<'''> ...`); only `<scheme://...>` cannot be read that way.
_PLAIN_IRI = re.compile(r"<(?:[^#'>]*+|[A-Za-z][A-Za-z0-9+.\-]*+://[^>]*+)>", re.ASCII)
_SPACE = re.compile(r"[ \t\r\n]*+")


def cap_select_rows(text: str, cap: int) -> tuple[str, bool] | None:
    """``text`` with its top-level LIMIT made at most ``cap + 1``: ``(text, rewritten)``, or None when unsure.

    With this, a SELECT never yields more than ``cap + 1`` rows, so the
    worker can let pyoxigraph serialise the whole answer and still tell
    whether the row cap cut it (``cap + 1`` rows came back). A LIMIT of at
    most ``cap`` is kept as it is; a larger one is lowered; a missing one is
    appended. The reader only looks at braces and the words LIMIT and VALUES
    outside strings, IRIs and comments, and answers None (the caller keeps
    its slower, exact path) whenever the text is not plainly shaped: a
    trailing VALUES block, unbalanced braces, a stray quote, an IRI-like
    token that may be a less-than sign, non-ASCII text outside strings, IRIs
    and comments, a LIMIT of over 18 digits, ``\\u`` escapes or a bare
    carriage return (the two parsers read those differently).
    Call it for SELECT queries only.

    >>> cap_select_rows("SELECT * { ?s ?p ?o } LIMIT 5", 100)
    ('SELECT * { ?s ?p ?o } LIMIT 5', False)
    >>> cap_select_rows("SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 500 OFFSET 2", 100)
    ('SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 101 OFFSET 2', True)
    >>> cap_select_rows("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } # LIMIT 1", 100)
    ('SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } # LIMIT 1\\nLIMIT 101', True)
    >>> cap_select_rows("SELECT * { ?s ?p ?o } VALUES ?s { <http://e/a> }", 100) is None
    True
    """
    if "\\u" in text or "\\U" in text or _BARE_CR.search(text):
        return None
    depth, end, gap = 0, None, 0
    tokens: list[re.Match[str]] = []
    for match in _CAP_TOKEN.finditer(text):
        if not text[gap : match.start()].isascii():
            return None
        gap = match.end()
        if match.group("quote") or (match.group("iri") and not _PLAIN_IRI.fullmatch(match.group("iri"))):
            return None
        word = match.group("word")
        if word and depth == 0 and word.upper() == "VALUES":
            return None  # a trailing VALUES block: LIMIT cannot simply be appended
        brace = match.group("brace")
        if brace == "{":
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                end, tokens = match.end(), []  # the group that closed last; what follows is the modifiers
                continue
        if end is not None and (word or match.group("number")):
            tokens.append(match)
    if depth or end is None or not text[gap:].isascii() or sum(1 for m in tokens if m.group("word")) > 1:
        return None
    for i, match in enumerate(tokens):
        if match.group("word") and match.group("word").upper() == "LIMIT":
            number = tokens[i + 1] if i + 1 < len(tokens) else None
            if (
                number is None
                or not number.group("number")
                or len(number.group("number")) > 18
                or not _SPACE.fullmatch(text, match.end(), number.start())
            ):
                return None
            if int(number.group("number")) <= cap:
                return text, False
            return text[: number.start()] + str(cap + 1) + text[number.end() :], True
    return text + f"\nLIMIT {cap + 1}", True
