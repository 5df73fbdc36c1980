"""Exceptions raised by qkg, each carrying its HTTP status and the fix.

Every error names its cause in its message and the way out in ``hint``; the
API turns any of them into one JSON error shape using ``status``.

Exception tree::

    QKGError                      base: .status (HTTP status), .hint (the fix)
     +-- DataError          422   bad input data: .file .line .entity
     +-- QueryError         400
     |    +-- QuerySyntaxError  400   .line .column (1-based, None if unknown)
     |    +-- QueryRefused      400   SERVICE, FROM, oversized query...
     |    +-- UpdateRefused     403   the endpoint is read-only
     |    +-- UnknownQuery      404   no named query by that name
     |    +-- ParameterError    400   bad query parameter or result format
     |    +-- QueryUnsupported  400   the engine cannot evaluate it (unknown function)
     +-- QueryTimeout       503   wall-clock limit reached, worker killed
     |    +-- QueryOutOfMemory  503   the worker's memory limit reached, worker replaced
     |    +-- WorkCancelled     503   a request's work stopped: its client left, its limit passed, the server stops
     +-- TooManyQueries     429   over a client's share of the engine (503: queue full); .retry_after
     +-- StoreError         500   store missing, not built, or worker crashed
     |    +-- StoreUnavailable  503   a remote store is down, unreachable or too slow
     +-- BuildError         500

Examples
--------
>>> from qkg.graph.errors import QueryRefused, QKGError
>>> exc = QueryRefused("SERVICE is disabled", hint="copy the data locally")
>>> isinstance(exc, QKGError), exc.status, exc.hint
(True, 400, 'copy the data locally')
>>> str(exc)
'SERVICE is disabled'
"""

from __future__ import annotations

import string

__all__ = [
    "N_",
    "Message",
    "QKGError",
    "DataError",
    "QueryError",
    "QuerySyntaxError",
    "QueryRefused",
    "UpdateRefused",
    "UnknownQuery",
    "ParameterError",
    "EntityNotFound",
    "QueryUnsupported",
    "QueryTimeout",
    "QueryOutOfMemory",
    "WorkCancelled",
    "TooManyQueries",
    "StoreError",
    "StoreUnavailable",
    "BuildError",
]


def N_(message: str) -> str:
    """Mark ``message`` for the interface's catalogue (babel.cfg reads graph/, viz/ and loaders/); returns it.

    An error whose text depends on its input is raised with the marked English template and its ``fields``
    (``ParameterError(N_("unknown relation {name!r}"), fields={"name": name})``), so that the API and the CLI
    can give it in the reader's language (:meth:`QKGError.localized`); a fixed text is marked as it is.

    >>> N_("no relation selected")
    'no relation selected'
    """
    return message


_FORMATTER = string.Formatter()


def _fill(template: str, fields: dict) -> str:
    """``template`` with its ``{name}`` (``{name!r}``, ``{n:,}``) fields filled; any other brace (``GRAPH <iri>
    { ... }`` in a hint) is kept as written.

    >>> _fill("use GRAPH <iri> { ... } for {name!r}, {n:,} rows", {"name": "x", "n": 1200})
    "use GRAPH <iri> { ... } for 'x', 1,200 rows"
    """
    out = []
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError:  # an unmatched brace: nothing to fill
        return template
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if name in fields:
            value = _FORMATTER.convert_field(fields[name], conversion)
            out.append(_FORMATTER.format_field(value, spec or ""))
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


class Message(str):
    """A line for a person (a build's progress line): the English text, which it is, with its marked template and
    fields, so that the command line can give it in the reader's language (:meth:`localized`).

    >>> line = Message(N_("loaded {files} files ({seconds:.1f} s)"), files=3, seconds=1.25)
    >>> line, line.localized(lambda t: t.replace("loaded", "lu"))
    ('loaded 3 files (1.2 s)', 'lu 3 files (1.2 s)')
    """

    template: str
    fields: dict

    def __new__(cls, template: str, **fields) -> Message:
        line = super().__new__(cls, _fill(template, fields))
        line.template, line.fields = template, fields
        return line

    def localized(self, gettext) -> str:
        """The line in the language of ``gettext`` (a function from the English template to its translation)."""
        return _fill(gettext(self.template), self.fields)


def _rebuild(cls: type[QKGError], message: str, state: dict) -> QKGError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class QKGError(Exception):
    """Base of every qkg error.

    Parameters
    ----------
    message : str
        What went wrong, in one sentence.
    hint : str, optional
        How to fix it.

    Examples
    --------
    >>> err = StoreError("no store at data/store", hint="run `qkg build` first")
    >>> err.status, err.message, err.hint
    (500, 'no store at data/store', 'run `qkg build` first')
    """

    status: int = 500

    def __init__(self, message: str, *, hint: str = "", fields: dict | None = None) -> None:
        if fields:  # message and hint are templates, kept so the API can give them in the request's language
            self.template, self.hint_template, self.fields = message, hint, dict(fields)
            message, hint = _fill(message, fields), _fill(hint, fields)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def localized(self, translate) -> tuple[str, str]:
        """The message and the hint through ``translate`` (a ``gettext``): the templates when the error has
        fields, else the texts themselves (a text the catalogue does not know comes back unchanged).

        >>> err = ParameterError(N_("unknown format {name!r}"), hint=N_("use json"), fields={"name": "yaml"})
        >>> err.message, err.localized({"unknown format {name!r}": "format {name!r} inconnu"}.get)
        ("unknown format 'yaml'", ("format 'yaml' inconnu", 'use json'))
        """

        def say(text: str) -> str:
            return (translate(text) or text) if text else text

        fields = getattr(self, "fields", None)
        if fields:
            return _fill(say(self.template), fields), _fill(say(self.hint_template), fields)
        return say(self.message), say(self.hint)

    def __reduce__(self):
        # Keyword-only arguments do not survive the default pickling, and the
        # query pool sends these errors from worker processes to the parent.
        return (_rebuild, (type(self), self.message, self.__dict__))


class DataError(QKGError):
    """Bad input data, located by file, line and entity.

    Examples
    --------
    >>> err = DataError("date '2024-13' is invalid", file="annexe.csv", line=12,
    ...                 hint="use YYYY-MM")
    >>> err.status, err.file, err.line, err.entity
    (422, 'annexe.csv', 12, None)
    """

    status = 422

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        entity: str | None = None,
        hint: str = "",
        fields: dict | None = None,
    ) -> None:
        super().__init__(message, hint=hint, fields=fields)
        self.file = file
        self.line = line
        self.entity = entity


class QueryError(QKGError):
    """A query that cannot be answered as written (HTTP 400).

    Examples
    --------
    >>> issubclass(QuerySyntaxError, QueryError), QueryError("x").status
    (True, 400)
    """

    status = 400


class QuerySyntaxError(QueryError):
    """A malformed query, with the 1-based line and column of the failure.

    Examples
    --------
    >>> err = QuerySyntaxError("expected '}'", line=3, column=7)
    >>> err.status, err.line, err.column
    (400, 3, 7)
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str = "",
        fields: dict | None = None,
    ) -> None:
        super().__init__(message, hint=hint, fields=fields)
        self.line = line
        self.column = column


class QueryRefused(QueryError):
    """A well-formed query that this endpoint will not run (e.g. SERVICE).

    Examples
    --------
    >>> QueryRefused("FROM is not allowed").status
    400
    """


class UpdateRefused(QueryError):
    """A SPARQL Update sent to the read-only endpoint (HTTP 403).

    Examples
    --------
    >>> UpdateRefused("this endpoint is read-only").status
    403
    """

    status = 403


class UnknownQuery(QueryError):
    """No named query by that name (HTTP 404).

    Examples
    --------
    >>> UnknownQuery("no query named 'cities'").status
    404
    """

    status = 404


class ParameterError(QueryError):
    """A bad parameter: missing value, wrong type, unknown result format.

    Examples
    --------
    >>> ParameterError("unknown format 'yaml'", hint="use json").status
    400
    """


class EntityNotFound(QKGError):
    """No entity or term by that name (404 over HTTP).

    >>> EntityNotFound("no entity named 'x'", hint="search for it: /search?q=x").status
    404
    """

    status = 404


class QueryUnsupported(QueryError):
    """A well-formed query the engine cannot evaluate because of the query itself, e.g. an unknown function.

    Examples
    --------
    >>> QueryUnsupported("the function <http://e/f> is not supported").status
    400
    """


class QueryTimeout(QKGError):
    """The query hit the wall-clock limit and its worker was killed (503).

    Examples
    --------
    >>> QueryTimeout("query exceeded 10 s", hint="add LIMIT").status
    503
    """

    status = 503


class QueryOutOfMemory(QueryTimeout):
    """The query needed more memory than a worker may take; the worker was replaced (503).

    Examples
    --------
    >>> QueryOutOfMemory("query needed more than 2048 MB").status
    503
    """


class WorkCancelled(QueryTimeout):
    """The work of a request was stopped between two look-ups: its client left, its time limit passed or the
    server is stopping (503; see :mod:`qkg.graph.serving.cancel`).

    Examples
    --------
    >>> WorkCancelled("the request's work was stopped: client left").status
    503
    """


class TooManyQueries(QKGError):
    """A client over its share of the engine (HTTP 429), or a full queue (HTTP 503); retry after ``retry_after``.

    Examples
    --------
    >>> err = TooManyQueries("2 queries already running", retry_after=3)
    >>> err.status, err.retry_after
    (429, 3)
    >>> TooManyQueries("the queue is full", retry_after=1, status=503).status
    503
    """

    status = 429

    def __init__(
        self, message: str, *, retry_after: int = 1, status: int = 429, hint: str = "", fields: dict | None = None
    ) -> None:
        super().__init__(message, hint=hint, fields=fields)
        self.retry_after = max(1, int(retry_after))
        self.status = status


class StoreError(QKGError):
    """The store is missing, not built, unreadable, or a worker crashed.

    Examples
    --------
    >>> StoreError("no store", hint="run `qkg build` first").status
    500
    """

    status = 500


class StoreUnavailable(StoreError):
    """A remote store that is down, unreachable or too slow to answer (503); the message names the store.

    Examples
    --------
    >>> StoreUnavailable("the store http://127.0.0.1:8890/sparql does not answer").status
    503
    """

    status = 503


class BuildError(QKGError):
    """The build failed (HTTP 500 if it surfaces through the API).

    Examples
    --------
    >>> BuildError("ontology is inconsistent").status
    500
    """

    status = 500
