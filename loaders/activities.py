"""Activity sheets: what each member of the committee does, contributed as a CSV or XLSX sheet with French headers.

The report covers the City only; the committee's other members (the MRIF, Québec International, Université
Laval) add their own international activities with one row per activity:

============  ===========  ==========================  ==================  ========  ==========================  ===================  ==================
date          activité     intitulé                    partenaires         lieu      thèmes                      membre               source
============  ===========  ==========================  ==================  ========  ==========================  ===================  ==================
2024-05-14    mission      Mission de recrutement      Ville de Bordeaux   Bordeaux  Développement économique    Québec International  rapport annuel QI
2024-09       accueil                                  Ville de Lausanne   Québec    Santé durable | Éducation   Université Laval      courriel du 3 oct.
============  ===========  ==========================  ==================  ========  ==========================  ===================  ==================

- ``date``: ``AAAA-MM-JJ``, ``AAAA-MM`` or ``AAAA`` (a partial date stays partial, never an invented day);
- ``activité``: mission, accueil, événement, rencontre (a network meeting) or projet (English words work too);
- ``intitulé`` (optional): the activity's title; without it, one is made from the kind, the member and the date;
- ``partenaires``, ``thèmes``: several values separated by `` | ``; ``lieu``: one place;
- ``membre``: the contributing member, a member of the committee;
- ``source``: where the fact comes from (a document, a URL): required, since a contributed fact has no report
  section to cite.

Partners, places, themes and members are matched to the entities of the graph by name, accent- and
case-insensitively and through alternative names (``skos:altLabel``), or given as a CURIE (``qkgd:bordeaux``).
Nothing is guessed: a name that matches nothing, or more than one entity, is an error that names the row and the
column, with "did you mean" candidates. Each row becomes a ``qkg:ContributedActivity`` with its
``qkg:activityKind``; its provenance is the member and the sheet (``prov:wasAttributedTo``, ``prov:wasDerivedFrom``
a ``qkg:ContributedSheet``), never the report, so the analysis can count and mark contributed facts apart.

>>> index = LabelIndex({"bordeaux": {"https://w3id.org/qkg/id/bordeaux"}}, {})
>>> index.resolve("BORDEAUX", file="s.csv", line=2, column="lieu")
'https://w3id.org/qkg/id/bordeaux'
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qkg.graph.building.pipeline import quiet_literal_warnings
from qkg.graph.errors import N_, DataError
from qkg.loaders.report import normalise
from qkg.loaders.tabular import MAX_VALUE_CHARS
from qkg.ontology import PREFIXES, QKG, QKGD
from qkg.ontology.curies import expand_curie, short
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import XSD

__all__ = [
    "COLUMNS",
    "KINDS",
    "LabelIndex",
    "is_activity_sheet",
    "read_rows",
    "activities_to_ntriples",
    "template_rows",
    "write_template",
]

PROV, DCT, SCHEMA, ORG = (PREFIXES[p] for p in ("prov", "dct", "schema", "org"))
COMMITTEE = str(QKGD["comite-quebec-capitale-internationale"])

#: A name the graph does not know, or knows several times, by what the column names (a member, a partner...).
_NO_SUCH = {
    "member": N_("{file}:{line}: column {column!r}: no member named {value!r} in the graph"),
    "partner": N_("{file}:{line}: column {column!r}: no partner named {value!r} in the graph"),
    "place": N_("{file}:{line}: column {column!r}: no place named {value!r} in the graph"),
    "theme": N_("{file}:{line}: column {column!r}: no theme named {value!r} in the graph"),
    "entity": N_("{file}:{line}: column {column!r}: no entity named {value!r} in the graph"),
}
_ADD_FIRST = {
    "member": N_("add the member to the data first (a .ttl file), or fix the spelling"),
    "partner": N_("add the partner to the data first (a row of a sheet, or a .ttl file), or fix the spelling"),
    "place": N_("add the place to the data first (a .ttl file), or fix the spelling"),
    "theme": N_("add the theme to the data first (a .ttl file), or fix the spelling"),
    "entity": N_("add the entity to the data first (a row of a sheet, or a .ttl file), or fix the spelling"),
}

#: The sheet's columns (French headers) and the English headers also accepted.
COLUMNS = {
    "date": "date",
    "activité": "activity",
    "intitulé": "title",
    "partenaires": "partners",
    "lieu": "place",
    "thèmes": "themes",
    "membre": "member",
    "source": "source",
}
_REQUIRED = ("date", "activité", "membre", "source")
_ALIASES = (
    {normalise(k): k for k in COLUMNS}
    | {normalise(v): k for k, v in COLUMNS.items()}
    | {
        "type": "activité",
        "type d'activite": "activité",
        "kind": "activité",
        "titre": "intitulé",
        "partenaire": "partenaires",
        "theme": "thèmes",
        "place": "lieu",
        "member": "membre",
    }
)
#: Kinds of activity (French and English words) -> concept of ``qkgd:scheme-activity-kinds``, and its fr/en
#: name for made-up titles.
KINDS = {
    "mission": ("kind-mission", "Mission", "Mission"),
    "accueil": ("kind-reception", "Accueil", "Reception"),
    "reception": ("kind-reception", "Accueil", "Reception"),
    "evenement": ("kind-event", "Événement", "Event"),
    "event": ("kind-event", "Événement", "Event"),
    "rencontre": ("kind-meeting", "Rencontre de réseau", "Network meeting"),
    "meeting": ("kind-meeting", "Rencontre de réseau", "Network meeting"),
    "projet": ("kind-project", "Projet", "Project"),
    "project": ("kind-project", "Projet", "Project"),
}
_SEP = "|"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PLACE_TYPES = {str(QKG.Place), str(QKG.City), str(QKG.Region), str(QKG.Country)}


def is_activity_sheet(headers: Iterable[str]) -> bool:
    """A sheet whose headers include ``date`` and ``membre`` (or ``member``) is an activity sheet; so is one not
    starting with ``id`` that has two of its columns, so that a sheet missing a column is told which (read as an
    entity sheet, it was told its first column must be ``id``).

    >>> is_activity_sheet(["Date", "Activité", "Membre"]), is_activity_sheet(["id", "type", "label@fr"])
    (True, False)
    >>> is_activity_sheet(["date", "activité", "source"]), is_activity_sheet(["id", "date", "source"])
    (True, False)
    """
    headers = list(headers)
    names = {_ALIASES.get(normalise(h)) for h in headers} - {None}
    if "date" in names and "membre" in names:
        return True
    return len(names) >= 2 and bool(headers) and headers[0].strip().lstrip("\ufeff") != "id"


@dataclass
class LabelIndex:
    """Names (normalised labels, alternative labels and local names) -> entity IRIs, and each entity's types."""

    names: dict[str, set[str]]
    types: dict[str, set[str]]
    members: frozenset[str] = frozenset()
    display: dict[str, dict[str, str]] | None = None  # iri -> {lang: label}, for titles made from a row
    #: place IRI -> the governments whose jurisdiction it is (qkg:jurisdiction), to read "Lausanne" as its city
    governments: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, graph: Graph) -> LabelIndex:
        names: dict[str, set[str]] = defaultdict(set)
        types: dict[str, set[str]] = defaultdict(set)
        display: dict[str, dict[str, str]] = defaultdict(dict)
        for s, _, o in graph.triples((None, RDF.type, None)):
            if isinstance(s, URIRef):
                types[str(s)].add(str(o))
                if str(s).startswith(str(QKGD)):
                    names[normalise(str(s)[len(str(QKGD)) :].replace("-", " "))].add(str(s))
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for s, _, o in graph.triples((None, prop, None)):
                if isinstance(s, URIRef) and isinstance(o, Literal):
                    names[normalise(str(o))].add(str(s))
                    if prop != SKOS.altLabel:
                        display[str(s)].setdefault(o.language or "", str(o))
        members = frozenset(
            str(graph.value(m, URIRef(ORG + "member")))
            for m in graph.subjects(URIRef(ORG + "organization"), URIRef(COMMITTEE))
            if graph.value(m, URIRef(ORG + "member")) is not None
        )
        governments: dict[str, set[str]] = defaultdict(set)
        for s, _, o in graph.triples((None, QKG.jurisdiction, None)):
            governments[str(o)].add(str(s))
        return cls(dict(names), dict(types), members, dict(display), dict(governments))

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> LabelIndex:
        """The names in the RDF files ``paths``; a file that does not parse is left out (the build refuses it)
        and rdflib's warning (a traceback) about an ill-typed literal is silenced (the build's checks name its
        line)."""
        graph = Graph()
        for path in paths:
            fmt = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads"}.get(path.suffix)
            if fmt:
                try:
                    with quiet_literal_warnings():
                        graph.parse(path, format=fmt)
                except Exception:
                    continue
        return cls.from_graph(graph)

    def resolve(
        self, value: str, *, file: str, line: int, column: str, kinds: set[str] | None = None, what: str = "entity"
    ) -> str:
        """The one entity named ``value`` (of one of ``kinds`` when given), or a :class:`DataError`."""
        value = value.strip()
        try:
            iri = expand_curie(value)
        except ValueError:
            iri = None
        if iri in self.types:
            return iri
        found = {
            iri
            for iri in self.names.get(normalise(value), set())
            if kinds is None or self.types.get(iri, set()) & kinds
        }
        if len(found) == 1:
            return next(iter(found))
        where = {"file": file, "line": line, "column": column, "value": value}
        if found:
            raise DataError(
                N_("{file}:{line}: column {column!r}: {value!r} names several entities ({options})"),
                file=file,
                line=line,
                hint=N_("write the one you mean as a CURIE, e.g. {example}"),
                fields=where | {"options": ", ".join(sorted(short(i) for i in found)), "example": short(min(found))},
            )
        candidates = [
            k
            for k in difflib.get_close_matches(normalise(value), list(self.names), n=5, cutoff=0.6)
            if kinds is None or any(self.types.get(i, set()) & kinds for i in self.names[k])
        ]
        hint = N_("did you mean {candidates}?") if candidates else _ADD_FIRST.get(what, _ADD_FIRST["entity"])
        raise DataError(
            _NO_SUCH.get(what, _NO_SUCH["entity"]),
            file=file,
            line=line,
            hint=hint,
            fields=where | {"candidates": " | ".join(repr(self.label(c)) for c in candidates[:3])},
        )

    def name_of(self, iri: str, lang: str) -> str:
        """An entity's label in ``lang`` (else French, else any), for made-up titles."""
        labels = (self.display or {}).get(iri, {})
        return labels.get(lang) or labels.get("fr") or next(iter(labels.values()), short(iri))

    def label(self, key: str) -> str:
        iris = self.names.get(key, set())
        return f"{key} ({', '.join(sorted(short(i) for i in iris))})" if iris else key


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The headers and the (line number, cells) of a CSV or XLSX sheet; blank rows are skipped."""
    if path.suffix == ".xlsx":
        import openpyxl  # a dependency; imported here since only .xlsx sheets need it

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise DataError(
                N_("{file}: not a readable Excel workbook ({problem})"),
                file=str(path),
                hint=N_("open it in a spreadsheet and save it again as .xlsx, or as CSV (UTF-8)"),
                fields={"file": path, "problem": exc.__class__.__name__},
            ) from None
        rows = [[_cell(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        for n, row in enumerate(rows, start=1):
            if any(len(c) > MAX_VALUE_CHARS for c in row):
                raise DataError(
                    N_("{file}:{line}: a cell holds more than {n:,} characters"),
                    file=str(path),
                    line=n,
                    hint=N_("keep each cell to a title, names or a short source"),
                    fields={"file": path, "line": n, "n": MAX_VALUE_CHARS},
                )
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(
                N_("{file}: not UTF-8 text (byte {byte})"),
                file=str(path),
                hint=N_("save the sheet as CSV UTF-8"),
                fields={"file": path, "byte": exc.start},
            ) from None
        try:  # a spreadsheet saved in French often separates cells with ';'
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        try:
            rows = list(reader)
        except csv.Error as exc:  # a cell over csv's 128 KB limit, a NUL byte, a stray quote
            raise DataError(
                N_("{file}:{line}: {problem}"),
                file=str(path),
                line=reader.line_num,
                hint=N_("check the quotes on that line, and keep each cell under 128 KB"),
                fields={"file": path, "line": reader.line_num, "problem": exc},
            ) from None
    if not rows:
        raise DataError(
            N_("{file}: the sheet is empty"),
            file=str(path),
            line=1,
            hint=N_("start from `qkg template activities`"),
            fields={"file": path},
        )
    return rows[0], [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "isoformat"):  # an Excel date cell
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _date(value: str, *, file: str, line: int) -> Literal:
    m = _DATE.match(value.strip())
    if not m:
        raise DataError(
            N_("{file}:{line}: column 'date': {value!r} is not a date"),
            file=file,
            line=line,
            hint=N_("write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2024-05-14, 2024-05, 2024)"),
            fields={"file": file, "line": line, "value": value},
        )
    year, month, day = m.groups()
    try:  # the calendar decides: 2024-02-30 and 2024-13 are no dates
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise DataError(
            N_("{file}:{line}: column 'date': {value!r} is not a valid date"),
            file=file,
            line=line,
            hint=N_("check the month (01-12) and the day"),
            fields={"file": file, "line": line, "value": value},
        ) from None
    if day:
        return Literal(value.strip(), datatype=XSD.date)
    if month:
        return Literal(value.strip(), datatype=XSD.gYearMonth)
    return Literal(year, datatype=XSD.gYear)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-")[:40] or "sheet"


def activities_to_ntriples(path: Path, index: LabelIndex) -> bytes:
    """Turn an activity sheet into N-Triples (errors name the file, the row's line and the column)."""
    file = str(path)
    headers, rows = read_rows(path)
    columns: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = _ALIASES.get(normalise(header))
        if name is None:
            if header.strip():
                raise DataError(
                    N_("{file}:1: unknown column {column!r}"),
                    file=file,
                    line=1,
                    hint=N_("the columns are: {columns}"),
                    fields={"file": file, "column": header, "columns": ", ".join(COLUMNS)},
                )
            continue
        columns[name] = i
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise DataError(
            N_("{file}:1: missing column(s) {columns}"),
            file=file,
            line=1,
            hint=N_("start from `qkg template activities`, which has every column"),
            fields={"file": file, "columns": ", ".join(missing)},
        )
    members = index.members
    g = Graph()
    sheet = URIRef(QKGD["sheet-" + _slug(path.stem)])
    sheet_members: set[str] = set()
    places = _PLACE_TYPES
    actors = {str(QKG.Organisation), str(QKG.Person), str(QKG.Group), str(QKG.Post), str(QKG.Committee)} | {
        t
        for ts in index.types.values()
        for t in ts
        if (t.startswith(str(QKG)) and "Government" in t)
        or t
        in (
            str(QKG.CityNetwork),
            str(QKG.InternationalOrganisation),
            str(QKG.DiplomaticRepresentation),
            str(QKG.Company),
            str(QKG.AcademicInstitution),
            str(QKG.PublicAdministration),
        )
    }
    themes = {str(SKOS.Concept)}
    for line, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            i = columns.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        for name in _REQUIRED:
            if not cell(name):
                raise DataError(
                    N_("{file}:{line}: column {column!r} is empty"),
                    file=file,
                    line=line,
                    hint=N_("fill in {column!r} (required on every row)"),
                    fields={"file": file, "line": line, "column": name},
                )
        kind_word = normalise(cell("activité"))
        if kind_word not in KINDS:
            close = difflib.get_close_matches(kind_word, list(KINDS), n=1)
            raise DataError(
                N_("{file}:{line}: column 'activité': unknown kind {value!r}"),
                file=file,
                line=line,
                hint=N_("did you mean {close!r}? use mission, accueil, événement, rencontre or projet")
                if close
                else N_("use mission, accueil, événement, rencontre or projet"),
                fields={"file": file, "line": line, "value": cell("activité"), "close": close[0] if close else ""},
            )
        kind, kind_fr, kind_en = KINDS[kind_word]
        member = index.resolve(cell("membre"), file=file, line=line, column="membre", what="member")
        if members and member not in members:
            raise DataError(
                N_("{file}:{line}: column 'membre': {member} is not a member of the committee"),
                file=file,
                line=line,
                hint=N_("the members are {members}"),
                fields={
                    "file": file,
                    "line": line,
                    "member": short(member),
                    "members": ", ".join(sorted(short(m) for m in members)),
                },
            )
        date = _date(cell("date"), file=file, line=line)
        act = URIRef(QKGD[f"contrib-{_slug(path.stem)}-{line:04d}"])
        g.add((act, RDF.type, QKG.ContributedActivity))
        g.add((act, QKG.activityKind, URIRef(QKGD[kind])))
        title = cell("intitulé")
        if title:
            g.add((act, RDFS.label, Literal(title, lang="fr")))
        else:
            g.add((act, RDFS.label, Literal(f"{kind_fr} : {index.name_of(member, 'fr')} ({date})", lang="fr")))
            g.add((act, RDFS.label, Literal(f"{kind_en}: {index.name_of(member, 'en')} ({date})", lang="en")))
        g.add((act, URIRef(SCHEMA + "startDate"), date))
        g.add((act, QKG.participant, URIRef(member)))
        for name in filter(None, (p.strip() for p in cell("partenaires").split(_SEP))):
            partner = index.resolve(
                name, file=file, line=line, column="partenaires", kinds=actors | places, what="partner"
            )
            g.add((act, QKG.participant, URIRef(partner)))
        if cell("lieu"):
            place = index.resolve(cell("lieu"), file=file, line=line, column="lieu", kinds=places, what="place")
            g.add((act, QKG.location, URIRef(place)))
        for name in filter(None, (t.strip() for t in cell("thèmes").split(_SEP))):
            theme = index.resolve(name, file=file, line=line, column="thèmes", kinds=themes, what="theme")
            g.add((act, QKG.theme, URIRef(theme)))
        g.add((act, URIRef(PROV + "wasAttributedTo"), URIRef(member)))
        g.add((act, URIRef(PROV + "wasDerivedFrom"), sheet))
        g.add((act, URIRef(DCT + "source"), Literal(cell("source"))))
        sheet_members.add(member)
    g.add((sheet, RDF.type, QKG.ContributedSheet))
    g.add((sheet, RDFS.label, Literal(f"Feuille d'activités {path.name}", lang="fr")))
    g.add((sheet, RDFS.label, Literal(f"Activity sheet {path.name}", lang="en")))
    for member in sheet_members:
        g.add((sheet, URIRef(PROV + "wasAttributedTo"), URIRef(member)))
    return g.serialize(format="nt", encoding="utf-8")


def template_rows() -> list[list[str]]:
    """The template's header and one example row per kind of member contribution."""
    return [
        list(COLUMNS),
        [
            "2024-05-14",
            "mission",
            "Mission de recrutement à Bordeaux",
            "Ville de Bordeaux",
            "Bordeaux",
            "Développement économique",
            "Québec International",
            "Rapport d'activités 2024, p. 12",
        ],
        [
            "2024-09",
            "accueil",
            "",
            "Ville de Lausanne",
            "Québec",
            "Santé durable | Culture",
            "Université Laval",
            "Courriel du 3 octobre 2024",
        ],
    ]


def write_template(path: Path) -> None:
    """Write the template as CSV (UTF-8 with BOM, so spreadsheets read the accents) or XLSX, by the suffix."""
    from qkg.graph.building.export import atomic_write

    rows = template_rows()
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "activités"
        for row in rows:
            sheet.append(row)
        workbook = io.BytesIO()
        book.save(workbook)
        atomic_write(path, workbook.getvalue())
        return
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    atomic_write(path, ("\ufeff" + text.getvalue()).encode("utf-8"))
