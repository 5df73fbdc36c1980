"""The canned queries: ``graph/queries/*.rq``, each a valid SPARQL file with a comment header.

Header keys (one per line, before the first non-comment line)::

    # title@fr: Accueils par catégorie
    # title@en: Receptions by category
    # description@fr: ...
    # description@en: ...
    # param: country | iri | qkgd:suisse | The country (any qkg:Country)
    # param: year | year | * | The report year (every year when left out)
    # var@fr: city | Ville
    # var@en: city | City
    # tags: committee, missions
    # answers: CQ1
    # prepared: yes

``prepared: yes`` asks the build to keep the query's whole answer, from which the server reads its pages
(:mod:`qkg.graph.pages.answers`): for a query that must read every candidate row to choose its first page.

``var@fr`` / ``var@en`` name a variable for people: the column header of its results and the label of its
parameter field (:meth:`CannedQuery.var_label`).

A parameter is a SPARQL variable (``?country``) bound at run time through Oxigraph substitutions, never pasted
into the text. Types: ``iri`` (a CURIE or an IRI), ``string``, ``integer``, ``date``, ``gYear``, ``year``: a
report year of the build (a ``gYear`` checked against the years the build holds, :mod:`qkg.graph.pages.years`),
and ``lang``: the language of the labels the query selects (a language tag as a plain string; the web pages and
the API bind the page's language, so it is no field of the form; the query falls back to French where a name
has no label in that language).
A default of ``*`` makes the parameter optional: left out, the variable stays unbound (``year``: every year).

>>> q = load_catalog()["receptions-by-category"]
>>> q.title["en"]
'Receptions by category'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from qkg.graph.errors import N_, DataError, Message, ParameterError, UnknownQuery, format_number
from qkg.graph.pages.years import check_year, parse_year
from qkg.graph.serving import terms
from qkg.graph.serving.guard import PROLOGUE, query_form
from qkg.ontology import PREFIXES
from qkg.ontology.curies import expand_curie

__all__ = ["Param", "CannedQuery", "load_catalog", "get_query", "bind", "paged", "whole", "QUERY_DIR"]

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_TYPES = {"iri", "string", "integer", "date", "gYear", "year", "lang"}
#: What a value of each parameter type is, for a person (an error's hint, in the reader's language).
_TYPE_NAMES = {
    "iri": N_("an IRI or a CURIE (qkgd:...)"),
    "string": N_("a text"),
    "integer": N_("a whole number"),
    "date": N_("a date (YYYY-MM-DD)"),
    "gYear": N_("a year (YYYY)"),
    "year": N_("a report year"),
    "lang": N_("a language code (fr, en)"),
}
#: The default that makes a parameter optional (left unbound when no value is given).
OPTIONAL = "*"
_XSD = PREFIXES["xsd"]


@dataclass(frozen=True)
class Param:
    """A parameter of a canned query."""

    name: str
    type: str
    default: str | None
    description: str
    optional: bool = False

    def to_term(self, value: str | None) -> terms.NamedNode | terms.Literal | None:
        """Turn a user value into an RDF term, or raise :class:`ParameterError` naming the parameter.

        An optional parameter given no value gives None (its variable stays unbound).
        """
        raw = self.default if value in (None, "") else value
        if raw in (None, "") and self.optional:
            return None
        if self.type == "year":
            return terms.Literal(parse_year(raw or ""), datatype=terms.NamedNode(_XSD + "gYear"))
        if raw in (None, ""):
            raise ParameterError(
                N_("parameter {name!r} is required"),
                hint=N_("pass {name}=… ({description})"),
                fields={"name": self.name, "description": self.said},
            )
        try:
            if self.type == "iri":
                return terms.NamedNode(expand_curie(raw))
            if self.type == "integer":
                return terms.Literal(str(int(raw)), datatype=terms.NamedNode(_XSD + "integer"))
            if self.type == "date":
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                    raise ValueError(raw)
                return terms.Literal(raw, datatype=terms.NamedNode(_XSD + "date"))
            if self.type == "gYear":
                if not re.fullmatch(r"\d{4}", raw):
                    raise ValueError(raw)
                return terms.Literal(raw, datatype=terms.NamedNode(_XSD + "gYear"))
            if self.type == "lang":
                if not re.fullmatch(r"[a-z]{2,3}", raw):
                    raise ValueError(raw)
                return terms.Literal(raw)
            return terms.Literal(raw)
        except ValueError:
            raise ParameterError(
                N_("parameter {name!r}: {value!r} is not {type}"),
                hint=N_("expected {type}: {description}"),
                fields={
                    "name": self.name,
                    "value": raw,
                    "type": Message(_TYPE_NAMES[self.type]),
                    "description": self.said,
                },
            ) from None

    @property
    def said(self) -> Message:
        """The description as a message of the catalogue (extracted from the queries' headers by
        :func:`extract`): an error gives it in its reader's language."""
        return Message(self.description.replace("{", "{{").replace("}", "}}"))


@dataclass(frozen=True)
class CannedQuery:
    """A named query with its metadata."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    answers: str
    sparql: str
    path: Path = field(compare=False)
    var_labels: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    #: The build keeps the whole answer (header ``# prepared: yes``); pages are read from it
    #: (:mod:`qkg.graph.pages.answers`).
    prepared: bool = False

    @property
    def form(self) -> str:
        return query_form(self.sparql)

    def var_label(self, var: str, lang: str = "fr") -> str:
        """A variable's label in ``lang`` (header ``# var@fr: name | label``), else the other language's, else its name.

        >>> load_catalog()["missions-to-country"].var_label("city", "en")
        'City'
        """
        names = self.var_labels.get(var, {})
        return names.get(lang) or names.get("fr") or names.get("en") or var


def _parse(path: Path) -> CannedQuery:
    meta: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    var_labels: dict[str, dict[str, str]] = {}
    params: list[Param] = []
    tags: tuple[str, ...] = ()
    answers = ""
    prepared = False
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = re.match(r"#\s*([\w@-]+)\s*:\s*(.*)$", line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if "@" in key:
            base, lang = key.split("@", 1)
            if base in meta:
                meta[base][lang] = value
            elif base == "var":
                name, sep, label = (part.strip() for part in value.partition("|"))
                if not sep or not name or not label:
                    raise ValueError(f"{path}: bad var line {value!r}: expected 'name | label'")
                var_labels.setdefault(name.lstrip("?"), {})[lang] = label
        elif key == "param":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 4 or parts[1] not in _TYPES:
                raise DataError(
                    f"{path}:{number}: bad param line {value!r}",
                    file=str(path),
                    line=number,
                    hint="write '# param: name | type | default | description', type one of "
                    + ", ".join(sorted(_TYPES)),
                )
            optional = parts[2] == OPTIONAL
            params.append(Param(parts[0], parts[1], None if optional else parts[2] or None, parts[3], optional))
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
            if unknown := [t for t in tags if t not in TAG_NAMES]:
                raise DataError(
                    N_("{file}:{line}: unknown tag {tags}"),
                    file=str(path),
                    line=number,
                    hint=N_("use the tags of qkg.graph.pages.catalog.TAG_NAMES ({known}), or add the new one there"),
                    fields={"file": path, "line": number, "tags": ", ".join(unknown), "known": ", ".join(TAG_NAMES)},
                )
        elif key == "answers":
            answers = value
        elif key == "prepared":
            prepared = value.lower() == "yes"
    if "en" not in meta["title"] or "fr" not in meta["title"]:
        raise DataError(
            f"{path}: the header has no title in French and English",
            file=str(path),
            line=1,
            hint="start the file with '# title@fr: ...' and '# title@en: ...' lines",
        )
    return CannedQuery(
        path.stem, meta["title"], meta["description"], tuple(params), tags, answers, text, path, var_labels, prepared
    )


def extract(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for a canned query (babel.cfg): ``(line, None, description, [])`` for each
    parameter's description in its header (written in English; its French is in api/locale)."""
    text = fileobj.read()
    for number, raw in enumerate((text.decode("utf-8") if isinstance(text, bytes) else text).splitlines(), 1):
        m = re.match(r"#\s*param\s*:\s*(.*)$", raw)
        if m and len(parts := [p.strip() for p in m.group(1).split("|")]) == 4 and parts[3]:
            yield number, None, parts[3], []


@lru_cache(maxsize=4)
def _load(directory: str) -> dict[str, CannedQuery]:
    return {p.stem: _parse(p) for p in sorted(Path(directory).glob("*.rq"))}


def load_catalog(directory: str | Path = QUERY_DIR) -> dict[str, CannedQuery]:
    """Every canned query of ``directory`` by name (file stem)."""
    return _load(str(directory))


def get_query(name: str, directory: str | Path = QUERY_DIR) -> CannedQuery:
    """The canned query ``name`` or :class:`UnknownQuery` listing the names that exist."""
    catalog = load_catalog(directory)
    if name not in catalog:
        import difflib

        close = difflib.get_close_matches(name, catalog, n=3)
        raise UnknownQuery(
            N_("no canned query named {name!r}"),
            hint=N_("did you mean {close}? `qkg query --list` shows them all")
            if close
            else N_("`qkg query --list` shows them all"),
            fields={"name": name, "close": ", ".join(close)},
        )
    return catalog[name]


def bind(
    query: CannedQuery, values: dict[str, str], *, years: list[str] | None = None
) -> dict[terms.Variable, terms.NamedNode | terms.Literal]:
    """Turn user values into substitutions for ``query``; unknown names are an error.

    An optional parameter left out is not bound. With ``years`` (the build's, :func:`~qkg.graph.pages.years.build_years`),
    a ``year`` parameter must be one of them.

    >>> q = load_catalog()["receptions-by-category"]
    >>> bind(q, {})
    {}
    >>> bind(q, {"year": "2024"}, years=["2024"])
    {<Variable value=year>: <Literal value=2024 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>}
    """
    known = {p.name for p in query.params}
    unknown = set(values) - known
    if unknown:
        raise ParameterError(
            N_("{query} has no parameter {names}"),
            hint=N_("its parameters: {known}") if known else N_("it takes no parameter"),
            fields={"query": query.name, "names": ", ".join(sorted(unknown)), "known": ", ".join(sorted(known))},
        )
    out = {}
    for p in query.params:
        if p.type == "year" and years is not None and values.get(p.name):
            check_year(values[p.name], years)  # the error names the build's years
        term = p.to_term(values.get(p.name))
        if term is not None:
            out[terms.Variable(p.name)] = term
    return out


def display_table(
    query: CannedQuery,
    results: dict,
    labels: dict[str, dict[str, str]],
    *,
    lang: str = "fr",
    href=None,
    translated: dict[tuple[str, str], str] | None = None,
) -> dict:
    """SPARQL JSON results of ``query`` -> a table for people.

    - headers are the variables' labels in ``lang`` (:meth:`CannedQuery.var_label`), the names kept in ``names``;
    - an IRI column shows its entity's label in ``lang`` as a link; the literal column that only repeats that
      label (``?city`` and ``?cityLabel``, ``?agreement`` and ``?label``) is folded into it;
    - a column that only repeats a parameter's value is left out (the form shows it): one value in every row (a
      parameter left empty, such as ``year`` for every year, keeps its column when its rows differ);
    - a literal in another language than ``lang`` shows its translation from ``translated`` (``{(value,
      language): label in lang}``, :func:`qkg.graph.pages.entity.translations`) when there is one.

    ``labels`` is ``{iri: {lang: label}}`` of the IRIs in the results; ``href(iri)`` gives a link (or None).

    >>> q = load_catalog()["twinned-cities"]
    >>> res = {"head": {"vars": ["city", "cityLabel"]}, "results": {"bindings": [
    ...     {"city": {"type": "uri", "value": "https://w3id.org/qkg/id/bordeaux"},
    ...      "cityLabel": {"type": "literal", "value": "Bordeaux", "xml:lang": "fr"}}]}}
    >>> t = display_table(q, res, {"https://w3id.org/qkg/id/bordeaux": {"fr": "Bordeaux"}}, lang="en")
    >>> t["vars"], t["names"], [c["text"] for c in t["rows"][0]]
    (['Twinned city'], ['city'], ['Bordeaux'])
    """
    from qkg.ontology.curies import short

    if "boolean" in results:
        return {"vars": [""], "names": ["result"], "rows": [[{"text": str(results["boolean"]).lower()}]]}
    names = list(results["head"]["vars"])
    rows = results["results"]["bindings"]
    params = {p.name for p in query.params}
    iri_cols = [n for n in names if any(r.get(n, {}).get("type") == "uri" for r in rows)]
    folded: dict[str, str] = {}
    for col in iri_cols:
        bound = [r for r in rows if col in r]
        candidates = [col + "Label"] + [n for n in names if n != col + "Label"]
        for other in candidates:
            if other not in names or other in iri_cols or other in folded.values() or other == col:
                continue
            if bound and all(
                other in r
                and r[other]["type"] == "literal"
                and r[other]["value"] in labels.get(r[col]["value"], {}).values()
                for r in bound
            ):
                folded[col] = other
                break
    # a parameter's column is left out when it repeats one value (the form shows it); left empty, the parameter
    # (every year) gives rows of several values: the column stays, or rows of different years look alike
    repeated = {n for n in params if len({r[n]["value"] for r in rows if n in r}) <= 1}
    shown = [n for n in names if n not in folded.values() and n not in repeated]
    table_rows = []
    for r in rows:
        cells: list[dict[str, str | None]] = []
        for n in shown:
            term = r.get(n)
            if term is None:
                cells.append({"text": ""})
            elif term["type"] == "uri":
                found = labels.get(term["value"], {})
                text = (
                    found.get(lang)
                    or (r[folded[n]]["value"] if n in folded and folded[n] in r else None)
                    or found.get("fr")
                    or found.get("en")
                    or found.get("")
                    or short(term["value"])
                )
                cells.append(
                    {"text": text, "curie": short(term["value"]), "href": href(term["value"]) if href else None}
                )
            elif term["type"] == "literal" and term.get("datatype") in _SHOWN_TYPED:
                cells.append(_typed_cell(term, lang))
            elif term["type"] == "literal":
                tag = term.get("xml:lang")
                other = (translated or {}).get((term["value"], tag)) if tag and tag != lang else None
                cells.append({"text": other, "lang": lang} if other else {"text": term["value"], "lang": tag})
            else:
                cells.append({"text": "_:" + term["value"]})
        table_rows.append(cells)
    return {"vars": [query.var_label(n, lang) for n in shown], "names": shown, "rows": table_rows}


_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The typed literals a page writes as its language does: numbers (``2700000`` -> ``2 700 000``, ``4066.13`` ->
#: ``4 066,13`` in French), and booleans (yes or no, said by the page: ``{"boolean": bool}``); the downloads keep
#: the values as they are.
_SHOWN_TYPED = {_XSD + t for t in ("integer", "int", "long", "decimal", "nonNegativeInteger", "positiveInteger")}
_SHOWN_TYPED.add(_XSD + "boolean")


def _typed_cell(term: dict, lang: str) -> dict:
    """A number or boolean cell of :func:`display_table` (its text as in the data when it is not well formed).

    >>> [_typed_cell({"value": v, "datatype": _XSD + t}, "fr")["text"] for v, t in
    ...  (("2700000", "integer"), ("4066.13", "decimal"), ("x", "integer"))]
    ['2\u202f700\u202f000', '4\u202f066,13', 'x']
    >>> _typed_cell({"value": "2700000", "datatype": _XSD + "integer"}, "en")["text"], _typed_cell(
    ...     {"value": "true", "datatype": _XSD + "boolean"}, "en")
    ('2,700,000', {'text': 'true', 'boolean': True})
    """
    value = term["value"]
    if term["datatype"] == _XSD + "boolean":
        return {"text": value, "boolean": value.strip() in ("true", "1")}
    try:
        number = int(value) if term["datatype"] != _XSD + "decimal" else Decimal(value)
    except (ValueError, ArithmeticError):
        return {"text": value}
    return {"text": format_number(number, ",", lang)}


#: The canned queries' tags (``# tags:``), as readers see them: translated on the page (``_()``); a query's tag
#: must be one of these (checked when the catalog is read).
TAG_NAMES: dict[str, str] = {
    "activities": N_("activities"),
    "actors": N_("actors"),
    "agreements": N_("agreements"),
    "attract": N_("attractiveness"),
    "audit": N_("audit"),
    "committee": N_("committee"),
    "diplomacy": N_("diplomacy"),
    "events": N_("events"),
    "forums": N_("forums"),
    "introduction": N_("introduction"),
    "missions": N_("missions"),
    "numbers": N_("figures"),
    "partners": N_("partners"),
    "receptions": N_("receptions"),
    "standard-terms": N_("standard terms"),
    "status": N_("status"),
    "terms": N_("terms of office"),
}

#: Values a canned query's pick-list offers at most; past it, the field takes any value typed in (checked when
#: given) and the page says the list is cut.
PICK_MAX = 200
#: The prologue of a query, kept in front of the query that wraps it.
_PROLOGUE = re.compile(PROLOGUE, re.I)


def answering_values(
    store,
    query: CannedQuery,
    param: str,
    cls: str,
    *,
    limit: int = PICK_MAX + 1,
    value: str | None = None,
    bound: dict[str, terms.NamedNode | terms.Literal] | None = None,
) -> list[str]:
    """The instances of class ``cls`` (an IRI) that, given as ``param``, make ``query`` answer (the other
    parameters at their defaults, or as ``bound`` gives them: the reader's year): at most ``limit`` of them, in
    the order the store finds them.

    One query, bounded by design: the canned query with ``param`` left unbound is wrapped as a subquery of
    ``SELECT DISTINCT ?param ... LIMIT n`` (its ``ORDER BY`` dropped, so the store stops at the ``n``-th value
    instead of answering the whole query first: at 1M triples, 0.6 s for ``event-profile``'s 201 first
    activities of 40,724, where its whole answer took 12 s); the other parameters' values go inside it, at the
    head of its ``WHERE`` (its filters and ``HAVING`` read them). A query whose answer does not bind ``param``,
    and an ``ASK`` or ``CONSTRUCT``, offer the instances of ``cls``. With ``value`` (an IRI), only whether that
    value, an instance of ``cls``, answers: ``[value]`` or ``[]``.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> answering_values(OxigraphStore(), load_catalog()["missions-to-country"], "country", "https://w3id.org/qkg/def#Country")
    []
    """
    fixed = {p.name: p.to_term(None) for p in query.params if p.name != param and p.default and not p.optional}
    fixed = {k: t for k, t in (fixed | (bound or {})).items() if t is not None and k != param}
    if value is not None:
        if not store.ask(f"ASK {{ {terms.NamedNode(value)} a <{cls}> }}"):
            return []
        if query.form != "SELECT":
            return [value]
        # the query itself, bound: a binding is not pushed into a subquery
        bindings = {terms.Variable(k): t for k, t in fixed.items()} | {terms.Variable(param): terms.NamedNode(value)}
        return [value] if store.select(paged(query.sparql, 1, 0), bindings=bindings, max_rows=1) else []
    if query.form != "SELECT":
        rows = store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls}> }} LIMIT {int(limit)}")
        return [term.value for row in rows if isinstance(term := row["x"], terms.NamedNode)]
    text = whole(query.sparql)
    start = prologue.end() if (prologue := _PROLOGUE.match(text)) else 0  # it matches the empty string too
    head, body = text[:start], text[start:]
    inner, tail = body.rsplit("}", 1)
    if not re.search(r"\b(?:LIMIT|OFFSET)\b", tail, re.I):  # its own top rows stay its own; else any order will do
        tail = re.sub(r"\bORDER\s+BY\b.*", "", tail, flags=re.S | re.I)
    if fixed:  # inside the query's WHERE, where its filters and HAVING see them
        values = "".join(f"VALUES ?{name} {{ {term} }} " for name, term in fixed.items())
        where = re.search(r"\bWHERE\s*\{", inner, re.I) or re.search(r"\{", inner)
        if where is not None:
            inner = f"{inner[: where.end()]} {values}{inner[where.end() :]}"
    rows = store.select(  # line breaks: a comment on the query's last line ends there
        f"{head}SELECT DISTINCT ?{param} WHERE {{ {{\n{inner}}}{tail}\n}} ?{param} a <{cls}> }} LIMIT {int(limit)}"
    )
    return [term.value for row in rows if isinstance(term := row[param], terms.NamedNode)]


#: A subquery that selects one page first (then the outer query fetches names for that page only) ends its line
#: with ``LIMIT n OFFSET m  # page``: the page asked for replaces that LIMIT and OFFSET.
_PAGE_MARK = re.compile(r"\bLIMIT\s+\d+\s+OFFSET\s+\d+(?=[ \t]*#[ \t]*page\b(?!-))", re.I)
#: A subquery that takes the answer's first rows up to the page's end by a cheaper order than the answer's (the
#: rows whose sort keys they hold are then the only ones sorted in full) ends its line with ``LIMIT n  # page-end``:
#: ``n`` becomes the page's offset + limit.
_PAGE_END_MARK = re.compile(r"\bLIMIT\s+\d+(?=[ \t]*#[ \t]*page-end\b)", re.I)


def paged(sparql: str, limit: int, offset: int) -> str:
    """The canned query's text with one page's ``LIMIT``/``OFFSET``.

    Where a subquery selects the page (its ``LIMIT n OFFSET m  # page`` line), the page goes there; otherwise
    it is appended as the query's last solution modifiers. A ``LIMIT n  # page-end`` line gets offset + limit. A query that sets its own top-level ``LIMIT`` is
    left as it is.

    >>> paged("SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x", 10, 20).splitlines()[-1]
    'LIMIT 10 OFFSET 20'
    >>> paged("SELECT ?x WHERE { ?x ?p ?o } LIMIT 3", 10, 0)
    'SELECT ?x WHERE { ?x ?p ?o } LIMIT 3'
    >>> inner = "{ SELECT ?x { ?x ?p ?o } ORDER BY ?x LIMIT 500 OFFSET 0  # page"
    >>> paged("SELECT * { " + inner + "\\n} ?x ?q ?l }", 10, 20).splitlines()[0][-30:]
    ' ?x LIMIT 10 OFFSET 20  # page'
    >>> paged("{ SELECT ?k { ?x ?p ?k } ORDER BY ?k LIMIT 500  # page-end\\n}", 10, 20).splitlines()[0][-20:]
    'LIMIT 30  # page-end'
    """
    if _PAGE_END_MARK.search(sparql):
        sparql = _PAGE_END_MARK.sub(f"LIMIT {int(offset) + int(limit)}", sparql)
    if _PAGE_MARK.search(sparql):
        return _PAGE_MARK.sub(f"LIMIT {int(limit)} OFFSET {int(offset)}", sparql, count=1)
    tail = sparql.rsplit("}", 1)[-1]
    if re.search(r"\bLIMIT\b", tail, re.I):
        return sparql
    return f"{sparql.rstrip()}\nLIMIT {int(limit)} OFFSET {int(offset)}"


def whole(sparql: str) -> str:
    """The canned query's text for its whole answer: its page's ``LIMIT``/``OFFSET`` lines (``# page``,
    ``# page-end``) removed; a query that sets its own top-level ``LIMIT`` keeps it.

    >>> whole("{ SELECT ?x { ?x ?p ?o } ORDER BY ?x LIMIT 500 OFFSET 0  # page\\n} ?x ?q ?l }").splitlines()[0]
    '{ SELECT ?x { ?x ?p ?o } ORDER BY ?x   # page'
    """
    return _PAGE_MARK.sub("", _PAGE_END_MARK.sub("", sparql))
