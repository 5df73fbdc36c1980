"""The canned queries: ``graph/queries/*.rq``, each a valid SPARQL file with a comment header.

Header keys (one per line, before the first non-comment line)::

    # title@fr: Accueils par catégorie
    # title@en: Receptions by category
    # description@fr: ...
    # description@en: ...
    # param: country | iri | qkgd:suisse | The country (any qkg:Country)
    # param: year | integer | 2024 | Year of the events
    # tags: committee, missions
    # answers: CQ1

A parameter is a SPARQL variable (``?country``) bound at run time through Oxigraph substitutions, never pasted
into the text. Types: ``iri`` (a CURIE or an IRI), ``string``, ``integer``, ``date``, ``gYear``.

>>> q = load_catalog()["receptions-by-category"]
>>> q.title["en"]
'Receptions by category'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


from qkg.graph.errors import DataError, ParameterError, UnknownQuery
from qkg.graph.serving import terms
from qkg.graph.serving.guard import query_form
from qkg.ontology.curies import expand_curie

__all__ = ["Param", "CannedQuery", "load_catalog", "get_query", "bind", "QUERY_DIR"]

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_TYPES = {"iri", "string", "integer", "date", "gYear"}
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Param:
    """A parameter of a canned query."""

    name: str
    type: str
    default: str | None
    description: str

    def to_term(self, value: str | None) -> terms.NamedNode | terms.Literal:
        """Turn a user value into an RDF term, or raise :class:`ParameterError` naming the parameter."""
        raw = self.default if value in (None, "") else value
        if raw in (None, ""):
            raise ParameterError(f"parameter {self.name!r} is required", hint=f"pass {self.name}=… ({self.description})")
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
            return terms.Literal(raw)
        except ValueError:
            raise ParameterError(f"parameter {self.name!r}: {raw!r} is not a valid {self.type}",
                                 hint=f"expected {self.type}: {self.description}") from None


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

    @property
    def form(self) -> str:
        return query_form(self.sparql)


def _parse(path: Path) -> CannedQuery:
    meta: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    params: list[Param] = []
    tags: tuple[str, ...] = ()
    answers = ""
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
        elif key == "param":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 4 or parts[1] not in _TYPES:
                raise DataError(f"{path}:{number}: bad param line {value!r}", file=str(path), line=number,
                                hint="write '# param: name | type | default | description', type one of "
                                     + ", ".join(sorted(_TYPES)))
            params.append(Param(parts[0], parts[1], parts[2] or None, parts[3]))
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
        elif key == "answers":
            answers = value
    if "en" not in meta["title"] or "fr" not in meta["title"]:
        raise DataError(f"{path}: the header has no title in French and English", file=str(path), line=1,
                        hint="start the file with '# title@fr: ...' and '# title@en: ...' lines")
    return CannedQuery(path.stem, meta["title"], meta["description"], tuple(params), tags, answers, text, path)


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
        raise UnknownQuery(f"no canned query named {name!r}",
                           hint=(f"did you mean {', '.join(close)}? " if close else "")
                           + "`qkg query --list` shows them all")
    return catalog[name]


def bind(query: CannedQuery, values: dict[str, str]) -> dict[terms.Variable, terms.NamedNode | terms.Literal]:
    """Turn user values into substitutions for ``query``; unknown names are an error.

    >>> q = load_catalog()["receptions-by-category"]
    >>> bind(q, {})
    {}
    """
    known = {p.name for p in query.params}
    unknown = set(values) - known
    if unknown:
        raise ParameterError(f"{query.name} has no parameter {', '.join(sorted(unknown))}",
                             hint=f"its parameters: {', '.join(sorted(known)) or 'none'}")
    return {terms.Variable(p.name): p.to_term(values.get(p.name)) for p in query.params}

