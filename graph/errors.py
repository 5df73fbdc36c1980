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

import re
import string
import unicodedata
from decimal import Decimal
from urllib.parse import quote

__all__ = [
    "N_",
    "NP_",
    "Plural",
    "IDENTIFIER_FIELDS",
    "Message",
    "format_number",
    "clean_text",
    "url_value",
    "ECHO_MAX",
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

#: Control characters (tab, line feed and carriage return kept): never echoed into a page, a title or a link.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The longest a value from a request is said back in an error (a name, an actor), cut with "…".
ECHO_MAX = 60


def clean_text(value: object, *, limit: int = 300) -> str:
    """A display string: NFC-normalised, control characters removed, at most ``limit`` characters (cut with
    "…"). The one home of this cleaning: the views' labels and the values an error says back.

    Markup is *not* removed: templates escape it, and the browser code shows it as text (``textContent``).

    Examples
    --------
    >>> clean_text("Qu\\u0065\\u0301bec\\x00")
    'Québec'
    >>> clean_text("<img src=x onerror=alert(1)>")
    '<img src=x onerror=alert(1)>'
    >>> clean_text("x" * 1000, limit=10)
    'xxxxxxxxx…'
    """
    text = _CONTROL.sub("", unicodedata.normalize("NFC", "" if value is None else str(value)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def url_value(value: object, *, limit: int = 40) -> str:
    """A value from a request as it goes into a URL a hint shows (``/search?q={query}``): control characters
    removed, at most ``limit`` characters, percent-encoded (a space, ``&`` or ``#`` would cut the link).

    >>> url_value("a b&c#d")
    'a%20b%26c%23d'
    >>> url_value("\\x00" + "é" * 50, limit=3)
    '%C3%A9%C3%A9%C3%A9'
    """
    return quote(_CONTROL.sub("", "" if value is None else str(value))[:limit], safe="")


def N_(message: str) -> str:
    """Mark ``message`` for the interface's catalogue (babel.cfg reads graph/, viz/ and loaders/); returns it.

    An error whose text depends on its input is raised with the marked English template and its ``fields``
    (``ParameterError(N_("unknown relation {name!r}"), fields={"name": name})``), so that the API and the CLI
    can give it in the reader's language (:meth:`QKGError.localized`); a fixed text is marked as it is.

    >>> N_("no relation selected")
    'no relation selected'
    """
    return message


class Plural(str):
    """A counted message's English templates (marked by :func:`NP_`): the singular, which it is, its ``plural``,
    and ``field``, the name of the field that counts; :meth:`of` gives it for one count.

    The line is filled from the form its count takes: in English the singular for 1, in French for 0 and 1
    (the catalogue's ``Plural-Forms``); a ``gettext`` that knows plurals (:func:`qkg.api.i18n.gettext`) picks
    the translated form by ``n``, any other gets the English form.

    >>> files = NP_("{files} file", "{files} files", "files")
    >>> files.of(1), files.of(0), files.of(2), files.of(2).n
    ('{files} file', '{files} files', '{files} files', 2)
    """

    singular: str
    plural: str
    field: str
    n: int | None

    def __new__(cls, singular: str, plural: str, field: str = "n", n: int | None = None) -> Plural:
        text = super().__new__(cls, singular if n is None or n == 1 else plural)
        text.singular, text.plural, text.field, text.n = singular, plural, field, n
        return text

    def of(self, n) -> Plural:
        """The message for the count ``n`` (its English form, and ``n`` kept for a translation's form)."""
        try:
            count = abs(int(n))
        except (TypeError, ValueError):  # no count: the plural, as "{n} files" reads with any number
            count = 2
        return Plural(self.singular, self.plural, self.field, count)

    def __reduce__(self):
        return (Plural, (self.singular, self.plural, self.field, self.n))


def NP_(singular: str, plural: str, field: str = "n") -> Plural:
    """Mark a counted message for the catalogue (``msgid``/``msgid_plural``; scripts/i18n.py extracts ``NP_``):
    its English singular and plural templates, and the field that counts (``n`` unless named). Raise or say it
    as a template: ``Message(NP_("{n} fact added", "{n} facts added"), n=1)``,
    ``DataError(NP_(...), fields={"n": n})``, ``_(NP_(...), n=n)`` on the command line.

    >>> Message(NP_("{n} fact added", "{n} facts added"), n=1), Message(NP_("{n} fact added", "{n} facts added"), n=0)
    ('1 fact added', '0 facts added')
    """
    return Plural(singular, plural, field)


def _template(template: str, fields: dict, translate=None) -> str:
    """The template to fill: a counted one's form for its count (:class:`Plural`), through ``translate`` when
    given (a text it does not know comes back unchanged)."""
    if isinstance(template, Plural):
        template = template.of(fields.get(template.field))
    if translate is None or not template:
        return str(template)
    return translate(template) or str(template)


_FORMATTER = string.Formatter()

#: Fields whose numbers name something (a year, a line, a column, a byte's offset, a port, an exit code...): written
#: as bare digits in every language, never with a thousands separator ("2024", "line 12345").
IDENTIFIER_FIELDS = frozenset(
    {"year", "start", "end", "line", "first", "column", "byte", "round", "status", "code", "port", "seed"}
)

#: Python's format specification: [[fill]align][sign][#][0][width][grouping][.precision][type].
_SPEC = re.compile(
    r"(?P<align>(?:.?[<>=^])?)(?P<sign>[-+ ]?)(?P<alt>#?)(?P<zero>0?)(?P<width>\d*)(?P<group>[,_]?)"
    r"(?P<rest>(?:\.\d+)?[bcdeEfFgGnosxX%]?)"
)
#: A number as Python writes it without grouping: digits, then a decimal point and digits.
_PLAIN = re.compile(r"[-+ ]?\d+(?:\.(\d+))?")


def format_number(value, spec: str = "", lang: str | None = None, *, identifier: bool = False) -> str:
    """``value`` written by the format ``spec`` (``".2f"``, ``","``, ``""``...) as ``lang`` writes numbers.

    English (``lang`` None or ``"en"``) is Python's ``format(value, spec)``, unchanged. Another language gets the
    same digits with its own symbols from Babel (CLDR): French writes a decimal comma and groups thousands with a
    narrow no-break space, for every quantity (``{n}`` as well as ``{n:,}``); an ``identifier`` (a year, a line
    number: :data:`IDENTIFIER_FIELDS`) keeps bare digits. What Babel has no pattern for here (``e``, ``%``,
    ``x``...) and what is not a number are written as Python writes them.

    >>> format_number(1001830, "", "fr"), format_number(6.904, ".2f", "fr"), format_number(1001830, ",", "en")
    ('1\u202f001\u202f830', '6,90', '1,001,830')
    >>> format_number(2024, "", "fr", identifier=True), format_number(0.25, "g", "fr"), format_number(3.5, "6.2f", "fr")
    ('2024', '0,25', '  3,50')
    """
    if lang in (None, "en") or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return format(value, spec)
    parts = _SPEC.fullmatch(spec)
    if parts is None:
        return format(value, spec)
    plain = format(value, parts["sign"] + parts["alt"] + parts["rest"])
    digits = _PLAIN.fullmatch(plain)
    if digits is None:  # nan, inf, 1e+06, 12%, ff: as Python writes it
        return format(value, spec)
    from babel.numbers import format_decimal

    grouped = bool(parts["group"]) or not identifier
    decimals = len(digits[1] or "")
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(Decimal(plain), format=pattern, locale=lang, group_separator=grouped)
    if plain[0] in "+ " and not text.startswith("-"):
        text = plain[0] + text
    if parts["width"]:
        align = parts["align"] or (">" if not parts["zero"] else "0>")
        text = format(text, align + parts["width"])
    return text


def _fill(template: str, fields: dict, *, translate=None, lang: str | None = None) -> str:
    """``template`` with its ``{name}`` (``{name!r}``, ``{n:,}``) fields filled; any other brace (``GRAPH <iri>
    { ... }`` in a hint) is kept as written. With ``lang``, numbers are written as that language writes them
    (:func:`format_number`), and a field that is itself a :class:`Message` is given through ``translate``.

    >>> _fill("use GRAPH <iri> { ... } for {name!r}, {n:,} rows", {"name": "x", "n": 1200})
    "use GRAPH <iri> { ... } for 'x', 1,200 rows"
    >>> _fill("{n} rows in {year} ({seconds:.1f} s)", {"n": 12000, "year": 2024, "seconds": 1.25}, lang="fr")
    '12\u202f000 rows in 2024 (1,2 s)'
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
            value = fields[name]
            if isinstance(value, Message) and (translate is not None or lang is not None):
                value = value.localized(translate or (lambda text: text), lang)
            if lang is not None and not conversion:
                out.append(format_number(value, spec or "", lang, identifier=name in IDENTIFIER_FIELDS))
                continue
            value = _FORMATTER.convert_field(value, conversion)
            out.append(_FORMATTER.format_field(value, spec or ""))
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


class Message(str):
    """A line for a person (a build's progress line): the English text, which it is, with its marked template and
    fields, so that the command line can give it in the reader's language (:meth:`localized`).

    >>> line = Message(N_("loaded {files} files ({seconds:.1f} s)"), files=3, seconds=1.25)
    >>> line, line.localized(lambda t: t.replace("loaded", "lu"), "fr")
    ('loaded 3 files (1.2 s)', 'lu 3 files (1,2 s)')

    A field may itself be a message (``", CPU 1.23 s"`` inside a step's line), given in the same language; a list
    of lines is joined by :meth:`joined`.
    """

    template: str
    fields: dict

    def __new__(cls, template: str, **fields) -> Message:
        line = super().__new__(cls, _fill(_template(template, fields), fields))
        line.template, line.fields = template, fields
        return line

    def localized(self, gettext, lang: str | None = None) -> str:
        """The line in the language of ``gettext`` (a function from the English template to its translation; a
        counted template comes to it as a :class:`Plural` bound to its count), its numbers written as ``lang``
        writes them (:func:`format_number`; Python's way when None)."""
        return _fill(_template(self.template, self.fields, gettext), self.fields, translate=gettext, lang=lang)

    @classmethod
    def joined(cls, lines, separator: str = ", ") -> Message:
        """``lines`` (messages or texts) joined by ``separator`` (no braces), as one message.

        >>> rows = Message.joined([Message("{n} MB", n=1611), Message("{n} MB", n=94)])
        >>> rows, rows.localized(lambda t: t.replace("MB", "Mo"), "fr")
        ('1611 MB, 94 MB', '1\u202f611 Mo, 94 Mo')
        """
        lines = list(lines)
        return cls(separator.join(f"{{{i}}}" for i in range(len(lines))), **{str(i): v for i, v in enumerate(lines)})


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
            message, hint = _fill(_template(message, fields), fields), _fill(_template(hint, fields), fields)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def localized(self, translate, lang: str | None = None) -> tuple[str, str]:
        """The message and the hint through ``translate`` (a ``gettext``): the templates when the error has
        fields, else the texts themselves (a text the catalogue does not know comes back unchanged); the fields'
        numbers written as ``lang`` writes them (:func:`format_number`; Python's way when None).

        >>> err = ParameterError(N_("unknown format {name!r}"), hint=N_("use json"), fields={"name": "yaml"})
        >>> err.message, err.localized({"unknown format {name!r}": "format {name!r} inconnu"}.get)
        ("unknown format 'yaml'", ("format 'yaml' inconnu", 'use json'))
        >>> err = DataError(N_("{file}:{line}: more than {n:,} characters"), fields={"file": "a.csv", "line": 12000, "n": 4096})
        >>> err.message, err.localized({}.get, "fr")[0]
        ('a.csv:12000: more than 4,096 characters', 'a.csv:12000: more than 4\u202f096 characters')
        """

        def say(text: str) -> str:
            return (translate(text) or text) if text else text

        fields = getattr(self, "fields", None)
        if fields:
            return (
                _fill(_template(self.template, fields, say), fields, translate=say, lang=lang),
                _fill(_template(self.hint_template, fields, say), fields, translate=say, lang=lang),
            )
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
