"""Canned queries whose whole answer the build keeps: a page is read from it, not computed.

Some canned queries cannot choose their first page without reading every candidate row: ``mission-cities`` and
``mission-countries`` sort the places by how many missions stopped there (a count over every mission leg of every
year), ``agreements`` sorts every agreement by year, start and name. At a million triples that is 0.5-0.8 s of CPU
per page however small the page. Such a query says so in its header (``# prepared: yes``); the build makes its
whole answer, with ``year`` left out (the answer of every year, with its ``year`` column) and in each language for
a ``lang`` parameter (any other parameter bound to its default: ``upcoming``'s ``after``), and stores the rows in order (:meth:`PreparedAnswers.from_store`, the ``canned-answers``
artefact of :mod:`qkg.api.prepared`): from the query's facts, read once for all three
(:mod:`qkg.graph.pages.whole_answers`, 3.1 s of CPU at 1M where running the queries whole took 11.4 s), or by
running it whole (a prepared query that module does not make). A page is then one indexed read of SQLite: the rows
of ranks ``offset`` to ``offset + limit`` (of one year when ``year`` is bound: the every-year answer's rows of
that year, in the same order, are the answer of that year), handed to pyoxigraph's result writers as the pool
hands its own (SPARQL TSV in, JSON or CSV out). The ``.rq`` file stays the definition of the query (runnable by
any SPARQL tool, by ``qkg query``; tests/test_graph_answers.py checks the prepared pages against it); a binding
the build did not prepare (another language, another value of a parameter than its default) runs the query as
usual (:meth:`PreparedAnswers.page` answers None).

The database (one file, ``canned-answers.sqlite`` among the build's artefacts)::

    heads(query, lang, head)                 the TSV header line of each prepared answer
    rows(query, lang, year, rank, line)      its rows in the answer's order, one TSV line each;
                                             indexed on (query, lang, rank) and (query, lang, year, rank)

where ``lang`` is the answer's key (:func:`answer_key`): its language ("" for a query without a ``lang``
parameter), then each other parameter it was made with as ``name=value`` (``after=2024``).

Examples
--------
>>> from qkg.graph.serving.terms import Literal, Variable
>>> answers = PreparedAnswers.from_rows(
...     [("q", "", ["year", "x"], [(Literal("2023"), Literal("a")), (Literal("2024"), Literal("b")),
...                                (Literal("2024"), Literal("c"))])]
... )
>>> answers.page("q", {}, limit=2, offset=1)
(b'?year\\t?x\\n"2024"\\t"b"\\n"2024"\\t"c"\\n', 2)
>>> answers.page("q", {Variable("year"): Literal("2024")}, limit=5, offset=1)[1]
1
>>> answers.page("q", {Variable("lang"): Literal("de")}, limit=5, offset=0) is None
True
>>> answer_key("fr", {}), answer_key("", {"after": Literal("2024")})
('fr', 'after=2024')
>>> body, rows = PreparedAnswers.open(_write_temp(answers.serialize())).page("q", {}, limit=1, offset=0)
>>> tsv_to(body, "json")
b'{"head":{"vars":["year","x"]},"results":{"bindings":[{"year":{"type":"literal","value":"2023"},"x":{"type":"literal","value":"a"}}]}}'
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from qkg.graph.serving import terms
from qkg.graph.serving.formats import solution_format
from qkg.graph.serving.sqlite_file import SqliteFile

__all__ = ["PREPARED_HEADER", "PreparedAnswers", "answer_key", "prepared_queries", "tsv_to"]

#: The header line of a canned query whose whole answer the build keeps.
PREPARED_HEADER = "# prepared: yes"
#: Bumped when the database's layout changes (an older file is then made again).
SCHEMA_VERSION = 1
#: The parameter whose bound value selects rows of the every-year answer, and the one prepared per language.
YEAR, LANG = "year", "lang"


def prepared_queries(catalog: Mapping) -> list:
    """The canned queries of ``catalog`` (name -> :class:`~qkg.graph.pages.catalog.CannedQuery`) whose
    header asks the build to keep their whole answer."""
    return [q for q in catalog.values() if q.prepared]


def answer_key(lang: str, fixed: Mapping[str, terms.Literal | terms.NamedNode]) -> str:
    """The key of a prepared answer: its language (or ""), then each other parameter it binds (``fixed``: name ->
    term) as ``name=value``, joined by ``|``; a query whose only parameters are ``year`` and ``lang`` is keyed by
    its language alone (as in the files of earlier builds)."""
    return "|".join([lang] * bool(lang) + [f"{name}={term.value}" for name, term in sorted(fixed.items())])


def tsv_to(body: bytes, fmt: str) -> bytes:
    """SPARQL TSV (a page of :meth:`PreparedAnswers.page`) in the results format ``fmt`` (json, xml, csv, tsv),
    by pyoxigraph's writers, as the query pool writes its answers."""
    out = solution_format(fmt, "SELECT")
    if out is terms.QueryResultsFormat.TSV:
        return body
    return terms.parse_query_results(body, format=terms.QueryResultsFormat.TSV).serialize(format=out) or b""


class PreparedAnswers(SqliteFile):
    """The whole answers of the prepared canned queries, in SQLite (in memory, or a file opened read-only)."""

    @classmethod
    def from_rows(cls, answers: Iterable[tuple[str, str, Sequence[str], Iterable[Sequence]]]) -> PreparedAnswers:
        """The answers given as ``(query, lang, variables, rows of terms)``, rows in the answer's order."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(
            """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value);
            CREATE TABLE heads(query TEXT, lang TEXT, head BLOB, PRIMARY KEY (query, lang));
            CREATE TABLE rows(query TEXT, lang TEXT, year TEXT, rank INTEGER, line BLOB);
            """
        )
        db.execute("INSERT INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
        for query, lang, variables, rows in answers:
            rows = list(rows)
            lines = terms.solutions_bytes(variables, rows, terms.QueryResultsFormat.TSV).split(b"\n")
            db.execute("INSERT INTO heads VALUES (?, ?, ?)", (query, lang, lines[0]))
            at = list(variables).index(YEAR) if YEAR in variables else None
            db.executemany(
                "INSERT INTO rows VALUES (?, ?, ?, ?, ?)",
                (
                    (query, lang, row[at].value if at is not None and row[at] is not None else None, rank, line)
                    for rank, (row, line) in enumerate(zip(rows, lines[1:], strict=False))
                ),
            )
        db.executescript(
            """
            CREATE INDEX rows_all ON rows(query, lang, rank);
            CREATE INDEX rows_year ON rows(query, lang, year, rank);
            """
        )
        db.commit()
        return cls(db)

    @classmethod
    def from_store(cls, store, queries: Iterable, *, langs: Sequence[str]) -> PreparedAnswers:
        """The whole answer of each of ``queries`` (canned queries) on ``store``: ``year`` left out, a ``lang``
        parameter bound to each of ``langs`` in turn (a query without one: once, under the language ""), any
        other parameter bound to its default; made from the facts by
        :func:`~qkg.graph.pages.whole_answers.whole_answers` for the queries it knows, the others run whole."""
        from qkg.graph.pages.catalog import bind, whole
        from qkg.graph.pages.whole_answers import whole_answers

        queries = list(queries)
        # the parameters other than year and lang: their defaults
        fixed = {
            query.name: {v.value: term for v, term in bind(query, {}).items() if v.value not in (YEAR, LANG)}
            for query in queries
        }
        made = whole_answers(store, [query.name for query in queries], langs, fixed)

        def answers():
            for query in queries:
                has_lang = any(p.name == LANG and p.type == "lang" for p in query.params)
                for lang in langs if has_lang else ("",):
                    bindings = bind(query, {LANG: lang} if lang else {})
                    if query.name in made:
                        variables, rows = made[query.name][lang]
                        yield query.name, answer_key(lang, fixed[query.name]), variables, rows
                        continue
                    rows = store.select(whole(query.sparql), bindings=bindings)
                    yield query.name, answer_key(lang, fixed[query.name]), list(rows.variables), rows

        return cls.from_rows(answers())

    @classmethod
    def open(cls, path: str | Path) -> PreparedAnswers:
        """The answers stored at ``path`` (by :meth:`serialize`), opened read-only: nothing is loaded.

        Raises
        ------
        ValueError
            The file holds no prepared answers of this version (an older build: make them again).
        """
        answers = cls.__new__(cls)
        answers.attach(path, what="prepared answers")
        try:
            with answers._connection() as db:
                version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.Error as exc:
            raise ValueError(f"{answers._path} holds no prepared answers ({exc})") from exc
        if version is None or version[0] != SCHEMA_VERSION:
            raise ValueError(f"{answers._path} holds prepared answers of another version")
        return answers

    def page(self, query: str, bindings: Mapping, *, limit: int, offset: int) -> tuple[bytes, int] | None:
        """One page of the prepared answer of ``query`` under ``bindings`` (the substitutions the query would be
        run with), as SPARQL TSV, with its number of rows; None when that answer was not prepared (a ``lang`` or
        another parameter's value the build did not prepare, or a query the build did not run whole)."""
        values = {getattr(k, "value", k): v for k, v in bindings.items()}
        year = values.pop(YEAR, None)
        lang = values.pop(LANG, None)
        lang_key = answer_key(lang.value if lang is not None else "", values)
        with self._connection() as db:
            head = db.execute("SELECT head FROM heads WHERE query = ? AND lang = ?", (query, lang_key)).fetchone()
            if head is None:
                return None
            if year is None:
                lines = db.execute(
                    "SELECT line FROM rows WHERE query = ? AND lang = ? ORDER BY rank LIMIT ? OFFSET ?",
                    (query, lang_key, limit, offset),
                ).fetchall()
            else:
                lines = db.execute(
                    "SELECT line FROM rows WHERE query = ? AND lang = ? AND year = ? ORDER BY rank LIMIT ? OFFSET ?",
                    (query, lang_key, year.value, limit, offset),
                ).fetchall()
        return b"\n".join([head[0], *(line for (line,) in lines)]) + b"\n", len(lines)


def _write_temp(data: bytes) -> Path:
    """``data`` in a temporary file (the doctests' stand-in for the build's artefact folder)."""
    with tempfile.NamedTemporaryFile(suffix=".sqlite", delete=False) as fh:
        fh.write(data)
    return Path(fh.name)
