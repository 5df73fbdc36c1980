"""Draft next year's data from the report's text: annex receptions and missions, the partners list, the headline
figures; every fact cites its section and item, and nothing is guessed.

``qkg ingest REPORT --year YYYY --out FOLDER`` reads the report (plain text, or a PDF through pdfminer.six),
finds its parts by their structure (the ``ANNEXES`` title, numbered lists under headings recognised by their key
words, the bullet list of figures), and matches every name it meets to the entities the graph already has
(labels and alternative labels, accents and case ignored; see :class:`qkg.loaders.activities.LabelIndex`).

What it cannot resolve (a city no entity names, a partner that matches two organisations, a mission whose
leader is not named) is never invented: it goes to ``review.yaml`` as a YAML record (the format the build reads)
with the report's line and "did you mean" candidates, and stays out of the draft.

The draft folder holds ``<year>/`` (receptions, missions, partners, figures, the report and its sections, and the
definitions of the existing entities the draft refers to) and ``background/`` (copied from the base data), so
``qkg build --data FOLDER`` builds it on its own. :func:`evaluate` compares a draft with a curated graph of the
same year, fact by fact (precision and recall per class).

>>> index = LabelIndex({"lausanne": {"https://w3id.org/qkg/id/lausanne"}}, {"https://w3id.org/qkg/id/lausanne":
...                     {"https://w3id.org/qkg/def#City"}})
>>> [m.iri.rsplit("/", 1)[1] for m in find_names("Mission à Lausanne, en Suisse", index)]
['lausanne']
"""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qkg.graph.errors import N_, DataError
from qkg.loaders.activities import LabelIndex
from qkg.loaders.report import normalise
from qkg.ontology import PREFIXES, PROV, QKG, QKGD, SKOS
from qkg.ontology.curies import short
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.query import ResultRow

__all__ = [
    "Draft",
    "Match",
    "find_names",
    "read_text",
    "draft",
    "write_draft",
    "curated_facts",
    "evaluate",
    "indicator_words",
    "CLASSES",
    "CLASS_NAMES",
]

#: The classes of drafted facts that :func:`evaluate` scores.
CLASSES = (
    "receptions",
    "origins",
    "visitors",
    "legs",
    "leg-kinds",
    "leaders",
    "purposes",
    "partners",
    "figures",
    "agreements",
)
#: Each class's name as a person reads it (``qkg ingest``'s score table; the keys above are data: the JSON's).
CLASS_NAMES = {
    "receptions": N_("receptions"),
    "origins": N_("origins"),
    "visitors": N_("visitors"),
    "legs": N_("legs"),
    "leg-kinds": N_("leg kinds"),
    "leaders": N_("leaders"),
    "purposes": N_("purposes"),
    "partners": N_("partners"),
    "figures": N_("figures"),
    "agreements": N_("agreements"),
}
#: A leg the mission only passed through: its city follows "passage à" in the item; every other leg is a working stop.
_TRANSIT = re.compile(r"\bpassages?\s+(?:par|à|a)\s+$")
_CITY, _COUNTRY, _POST, _REGION = str(QKG.City), str(QKG.Country), str(QKG.Post), str(QKG.Region)
#: A reception item's closing place clause: ", en France", ", au Mexique", ", aux États-Unis" (then a comma or the end).
_IN_COUNTRY = re.compile(r",\s+(?:en|au|aux)\s+([^,;.]+?)\s*(?=[,;.]|$)")
#: ... or ends the item with the country the visitor holds office in: "... de la Finlande".
_OF_COUNTRY = re.compile(r".*\b(?:de la|de l'|de l’|du|des|d'|d’)\s*([^,;.]+?)\s*[;.]?\s*$")
_ORGS = {
    str(QKG[c])
    for c in (
        "Organisation",
        "PublicAdministration",
        "LocalGovernment",
        "RegionalGovernment",
        "NationalGovernment",
        "DiplomaticRepresentation",
        "InternationalOrganisation",
        "CityNetwork",
        "OrganisationalUnit",
        "Committee",
        "Company",
        "AcademicInstitution",
        "Group",
        "ConsularPost",
        "Embassy",
        "GeneralDelegation",
        "ConsularCorps",
        "ForeignRepresentation",
        "QuebecGovernmentOffice",
    )
}
#: A diplomat named by the country they represent: "consul général du Royaume-Uni à Montréal", "ambassadeur
#: d'Irlande au Canada" (the country; a Canadian diplomat's post abroad is a place clause: ", au Brésil").
_ENVOY = re.compile(
    r"\b(?:consul|consule|ambassadeur|ambassadrice)(?:\s+g[ée]n[ée]rale?)?\s+(?:du|de la|de l'|d'|des)\s*"
    r"(.+?)(?:\s+(?:à|au|aux|en)\s+.*)?$"
)
#: Visitors named by a nationality: "gestionnaires municipaux français", "parlementaires américains". The French
#: adjective (masculine singular, accents kept) of each country, by the country's local name; the other forms
#: (feminine, plural) are made by :func:`_demonym_forms`. A country the graph does not hold drafts nothing.
_DEMONYMS = {
    "allemagne": "allemand",
    "argentine": "argentin",
    "australie": "australien",
    "belgique": "belge",
    "bresil": "brésilien",
    "cameroun": "camerounais",
    "canada": "canadien",
    "chine": "chinois",
    "croatie": "croate",
    "equateur": "équatorien",
    "espagne": "espagnol",
    "etats-unis": "américain",
    "finlande": "finlandais",
    "france": "français",
    "irlande": "irlandais",
    "italie": "italien",
    "japon": "japonais",
    "maroc": "marocain",
    "mexique": "mexicain",
    "pologne": "polonais",
    "portugal": "portugais",
    "royaume-uni": "britannique",
    "senegal": "sénégalais",
    "suisse": "suisse",
    "tunisie": "tunisien",
    "uruguay": "uruguayen",
}
_HOME_COUNTRY = str(QKGD["canada"])
_GROUP = str(QKG.Group)
_HOME_CITY = str(QKGD["quebec"])
_HOME_MAYOR = str(QKGD["maire-de-quebec"])
_ITEM = re.compile(r"^\s*(\d{1,3})\s*[.)]\s+(.*\S)\s*$")
_ELISION = re.compile(r"^(?:l|d|qu|j|n|s|c)['’]", re.I)
_NUMBER_WORDS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
}
_STOP = {
    "de",
    "la",
    "le",
    "les",
    "des",
    "du",
    "a",
    "au",
    "aux",
    "et",
    "en",
    "dont",
    "lors",
    "dans",
    "pour",
    "qui",
    "est",
    "sont",
    "d",
    "l",
    "un",
    "une",
    "avec",
    "sur",
    "par",
    "ville",
    "quebec",
}
#: Annex headings, recognised by key words of the normalised line (so a reworded heading is still found).
_HEADING_WORDS = (
    ("receptions-courtesy", ("courtoisie",)),
    ("receptions-collaboration", ("collaboration",)),
    ("receptions-strategic", ("strategique",)),
    ("missions", ("missions",)),
    ("partners", ("acteurs",)),
    ("partners", ("partenaires",)),
)
_CATEGORY = {
    "receptions-courtesy": "cat-courtesy",
    "receptions-collaboration": "cat-collaboration",
    "receptions-strategic": "cat-strategic",
}


@dataclass(frozen=True)
class Match:
    """A name found in a text: the entity, the words matched and where they start."""

    iri: str
    words: str
    start: int


@dataclass
class Item:
    annex: str
    number: int
    text: str
    line: int


@dataclass
class Draft:
    """The facts drafted from a report, and what needs a person."""

    year: int
    facts: dict[str, set[tuple]] = field(default_factory=lambda: defaultdict(set))
    review: list[dict] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    figures_line: dict[tuple, int] = field(default_factory=dict)
    agreement_types: dict[tuple, str] = field(default_factory=dict)
    #: the report section an agreement was read from, when not the narrative (a reception item's annex)
    agreement_sections: dict[tuple, str] = field(default_factory=dict)


# --- reading --------------------------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The report's text: a ``.txt``/``.md`` file as is, a ``.pdf`` through pdfminer.six."""
    if not path.is_file():
        raise DataError(
            N_("{file}: no such report file"),
            file=str(path),
            hint=N_("pass the report's text or PDF file"),
            fields={"file": path},
        )
    if path.suffix.lower() == ".pdf":
        try:
            from pdfminer.high_level import extract_text
        except ImportError:
            raise DataError(
                f"{path}: reading a PDF needs pdfminer.six",
                file=str(path),
                hint="pip install 'qkg[pdf]' (or pdfminer.six), or pass the report's text",
            ) from None
        try:
            return extract_text(str(path))
        except Exception as exc:
            raise DataError(
                f"{path}: not a readable PDF ({exc.__class__.__name__})",
                file=str(path),
                hint="export the report as text and pass the .txt file",
            ) from None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 text (byte {exc.start})", file=str(path), hint="save the report as UTF-8 text"
        ) from None


def _clean(text: str) -> str:
    """Typographic quotes and dashes made plain, page-break artefacts and soft hyphens removed."""
    table = str.maketrans(
        {
            "’": "'",
            "‘": "'",
            "«": '"',
            "»": '"',
            "“": '"',
            "”": '"',
            "–": "-",
            "—": "-",
            "\u00ad": None,
            "\u00a0": " ",
            "\u202f": " ",
            "\f": "\n",
        }
    )
    return text.translate(table)


def _annex_items(lines: list[str]) -> list[Item]:
    """Numbered items under the annex headings, after the last line that is exactly ``ANNEXES``."""
    starts = [i for i, line in enumerate(lines) if normalise(line) == "annexes"]
    start = starts[-1] if starts else 0
    items: list[Item] = []
    current, open_item = None, False
    for n, line in enumerate(lines[start:], start=start + 1):
        m = _ITEM.match(line)
        if m and current:
            items.append(Item(current, int(m.group(1)), m.group(2).rstrip(";."), n))
            open_item = not m.group(2).rstrip().endswith((";", "."))
            continue
        if open_item and line.strip():  # an item wrapped over lines (a PDF's layout): join it
            text = line.strip()
            items[-1].text = f"{items[-1].text} {text}".rstrip(";.")
            open_item = not text.endswith((";", "."))
            continue
        open_item = False
        head = normalise(line)
        if head and not m and len(head) < 160:
            for annex, words in _HEADING_WORDS:
                if all(w in head for w in words):
                    current = annex
                    break
    return items


# --- matching -------------------------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, int]]:
    out = []
    for m in re.finditer(r"[\w'’.-]+", text):
        word = _ELISION.sub("", m.group(0)).strip(".-'")
        if word:
            out.append((word, m.start()))
    return out


def find_names(text: str, index: LabelIndex, kinds: set[str] | None = None, *, longest: int = 9) -> list[Match]:
    """Entities named in ``text`` (longest names first, left to right, no overlap; only unambiguous names)."""
    tokens = _tokens(text)
    found, i = [], 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            words = " ".join(t for t, _ in tokens[i : i + size])
            iris = {
                x
                for x in index.names.get(normalise(words), set())
                if kinds is None or index.types.get(x, set()) & kinds
            }
            if len(iris) == 1:
                found.append(Match(next(iter(iris)), words, tokens[i][1]))
                i += size
                break
        else:
            i += 1
    return found


def _candidates(index: LabelIndex, words: str, kinds: set[str]) -> list[str]:
    import difflib

    keys = [
        k
        for k in difflib.get_close_matches(normalise(words), list(index.names), n=6, cutoff=0.7)
        if any(index.types.get(x, set()) & kinds for x in index.names[k])
    ]
    return [f"{k} ({', '.join(sorted(short(x) for x in index.names[k]))})" for k in keys[:3]]


# --- drafting -------------------------------------------------------------------------------------------------


def draft(text: str, year: int, index: LabelIndex, *, indicators: dict[str, set[str]]) -> Draft:
    """Draft the facts of a report's text. ``indicators``: indicator IRI -> words of its labels."""
    text = _clean(text)
    lines = text.splitlines()
    out = Draft(year)
    out.items = _annex_items(lines)
    sections = _sections(lines)
    for item in out.items:
        if item.annex in _CATEGORY:
            out.facts["receptions"].add((_CATEGORY[item.annex], item.number))
            _origin(item, index, out, sections)
            _visitors(item, index, out)
            _twinning(item, index, out)
        elif item.annex == "missions":
            _mission(item, index, out)
        elif item.annex == "partners":
            _partner(item, index, out)
    _figures(lines, indicators, out)
    _agreements(sections, index, out, lines)
    _narrative(lines, out)
    return out


#: A reception item that says it took place under the twinning ("dans le cadre du jumelage").
_UNDER_TWINNING = re.compile(r"\bdans\s+le\s+cadre\s+du\s+jumelage\b", re.I)


def _twinning(item: Item, index: LabelIndex, out: Draft) -> None:
    """A reception held under the twinning: the twinning agreement of the City and the government of the one city
    the visitors come from (its drafted origin), else nothing (a person adds it)."""
    if not _UNDER_TWINNING.search(item.text):
        return
    category = _CATEGORY[item.annex]
    origins = {p for c, n, p in out.facts["origins"] if (c, n) == (category, item.number)}
    if len(origins) != 1:
        return
    (city,) = origins
    if _CITY not in index.types.get(city, set()):
        return
    governments = [g for g in index.governments.get(city, ()) if _LOCAL_GOVERNMENT in index.types.get(g, set())]
    if len(governments) != 1:
        return
    parties = tuple(sorted({_HOME_GOVERNMENT, governments[0]}))
    out.facts["agreements"].add(parties)
    out.agreement_types[parties] = str(QKGD["type-twinning"])
    out.agreement_sections[parties] = f"annex-{item.annex}"


def _origin(item: Item, index: LabelIndex, out: Draft, sections: list[tuple[str, list[str]]]) -> None:
    """Where a reception's visitors come from, by the first of these rules that names it, else nothing (a person
    adds it):

    1. the item closes a name with its country (", en France"): the last city or region named before that
       clause, else the country;
    2. a diplomat of a country ("consul général du Royaume-Uni à Montréal"): that country (not Canada's own);
    3. the item ends with the country the visitor holds office in ("... de la Finlande");
    4. one nationality ("parlementaires américains"): its country;
    5. one foreign city named ("deux élus de Calgary"): that city;
    6. the narrative section the item is about (its heading shares four words in a row with the item): the
       countries named in that section's sentences about whom the City welcomed ("a accueilli").
    """
    category = _CATEGORY[item.annex]

    def add(*iris: str) -> None:
        for iri in iris:
            out.facts["origins"].add((category, item.number, iri))

    clause = _IN_COUNTRY.search(item.text)
    if clause is not None:
        countries = find_names(clause.group(1), index, {_COUNTRY})
        if len(countries) == 1 and normalise(countries[0].words) == normalise(clause.group(1)):
            places = find_names(item.text[: clause.start()], index, {_CITY, _REGION})
            places = [m for m in places if m.iri != _HOME_CITY]
            add(places[-1].iri if places else countries[0].iri)
        return  # a clause that is not exactly one country's name: left to a person
    envoy = _ENVOY.search(item.text)
    if envoy:
        country = _one_country(envoy.group(1), index)
        if country and country != _HOME_COUNTRY:
            add(country)
            return
    ending = _OF_COUNTRY.search(item.text)
    if ending:
        country = _one_country(ending.group(1), index)
        if country:
            add(country)
            return
    nationalities = {c for word, _ in _tokens(item.text) if (c := _nationality(word, index))}
    if len(nationalities) == 1:
        add(*nationalities)
        return
    cities = _foreign_cities(item.text, index)
    if len(cities) == 1:
        add(*cities)
        return
    welcomed = _welcomed_countries(item.text, sections, index)
    if welcomed:
        add(*sorted(welcomed))


#: A reception item's opening words before whom it received: "Accueil du", "Visite du ... avec", "Présentation du
#: ... à"; the visitors are named from there to the first place clause, purpose or aside.
_RECEIVED = re.compile(
    r"^(?:accueil|visite\b.*?\bavec|présentation\b.*?\bà)\s+(?:de la|de l'|du|des|de|d'|une|un|la|le|les|l')?\s*",
    re.I,
)
_VISITOR_END = re.compile(r",\s+(?:en|au|aux)\s+|\s+dans le cadre\b|\s+pour\s+|\s+en voyage\b|,\s+basée?\b|\s+réunis\b")
_VISITOR_KINDS = {_POST, str(QKG.Person)} | _ORGS
_HOME_SIDE = {str(QKGD[x]) for x in ("ville-de-quebec", "bri", "quebec", "maire-de-quebec")}


def _visitors(item: Item, index: LabelIndex, out: Draft) -> None:
    """Who a reception received, when the item names them as the graph knows them: the words after "Accueil
    de" (or "Visite ... avec", "Présentation ... à"), up to a place clause, a purpose or an aside, read as one
    name ("le nouveau consul général du Royaume-Uni à Montréal": the post) or, failing that, as the posts,
    people and organisations named in them. A visiting delegation that the graph does not know yet is a new
    entity a person names: it is listed in review.yaml, never guessed."""
    opening = _RECEIVED.match(item.text)
    if not opening:
        return
    rest = item.text[opening.end() :]
    end = _VISITOR_END.search(rest)
    words = re.sub(r"^(?:nouvel|nouvelle|nouveau)\s+", "", (rest[: end.start()] if end else rest).strip(), flags=re.I)
    found = set()
    for part in [words, *re.split(r",\s+|\s+et\s+|\s+avec\s+", words)] if words else []:
        named = _named_whole(part, index)
        if named and part == words:  # the whole phrase is one name: its parts are not read
            found = {named}
            break
        if named:
            found.add(named)
    found -= _HOME_SIDE
    category = _CATEGORY[item.annex]
    for iri in found:
        out.facts["visitors"].add((category, item.number, iri))
    if not found:
        out.review.append(
            {
                "record": f"reception {category} {item.number}",
                "line": item.line,
                "kind": "visitor",
                "words": words,
                "did_you_mean": _candidates(index, words, _VISITOR_KINDS),
                "hint": "add qkg:visitor to the reception: an entity of the graph, or a new qkg:Group record",
            }
        )


_DETERMINERS = re.compile(r"^(?:(?:de la|du|des|de|une|un|la|le|les)\s+|(?:de l'|d'|l')\s*)+", re.I)


def _named_whole(words: str, index: LabelIndex) -> str | None:
    """The post, person or organisation that ``words`` name as a whole (leading articles aside; as the partner
    entries are read: "Nom (SIGLE)", articles dropped), or None: a name found inside longer words ("l'UNESCO" in
    "sous-directeur général à la culture de l'UNESCO") is not the visitor."""
    return _org_named(words.strip(), index, _VISITOR_KINDS) or _org_named(
        _DETERMINERS.sub("", words.strip()), index, _VISITOR_KINDS
    )


#: Words that name an agreement in the narrative ("un protocole de collaboration avec Rennes Métropole").
_AGREEMENT = r"(?:ententes?|protocoles?|déclarations? commune|partenariats?)"
#: ... "AGREEMENT (words) avec A et B" (the City is the other party), "AGREEMENT (words) entre A et B", and
#: "A et B ont signé une entente"; the parties' words end at the clause's end, "pour", "dont" or "sur".
_PARTIES_END = r"(?=\s+(?:pour|dont|sur)\b|\s+et\s+une?\s|[,.;:]|$)"
_AGREEMENT_WITH = re.compile(_AGREEMENT + r"\b[^.;:,]*?\s+avec\s+(?!d'autres\b)([^.;:]+?)" + _PARTIES_END, re.I)
_AGREEMENT_BETWEEN = re.compile(_AGREEMENT + r"\b[^.;:,]*?\s+entre\s+(?!les\s+deux\b)([^.;:]+?)" + _PARTIES_END, re.I)
_SIGNED = re.compile(r"(?:^|[,.;]\s*)([^,.;]+?)\s+ont\s+signé\s+une\s+" + _AGREEMENT, re.I)
#: ... and "l'adhésion de la Ville à (a programme) de l'ORGANISATION": the City accedes, the organisation is the
#: other party (the type is read from the first word, "adhésion").
_ACCESSION = re.compile(
    r"\badhésion\s+de\s+la\s+Ville\s+à\s+[^.;:,]*?\s+(?:de\s+l['’]|de\s+la\s+|du\s+|des\s+)([^.;:,]+?)" + _PARTIES_END,
    re.I,
)
_HOME_GOVERNMENT = str(QKGD["ville-de-quebec"])
_LOCAL_GOVERNMENT = str(QKG.LocalGovernment)


def _agreements(sections: list[tuple[str, list[str]]], index: LabelIndex, out: Draft, lines: list[str]) -> None:
    """Agreements the narrative names with their parties, in four shapes (the fourth: the City's accession to an
    organisation's programme, _ACCESSION): "un protocole de collaboration avec
    Rennes Métropole" (the City and Rennes Métropole), "une entente ... entre Québec International et Innovaud",
    "A et B ont signé une entente". Each party must be named whole as an
    organisation (a city stands for its local government); one the graph does not name drops the agreement,
    listed for a person."""
    for heading, body in sections:
        for paragraph in body:
            text = paragraph.replace("**", "").replace("*", "")
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [words](link)
            for pattern, with_city in (
                (_AGREEMENT_WITH, True),
                (_AGREEMENT_BETWEEN, False),
                (_SIGNED, False),
                (_ACCESSION, True),
            ):
                for m in pattern.finditer(text):
                    parties = _parties(m.group(1), index)
                    kind = _agreement_type(m.group(0), index)
                    if with_city and parties is not None:
                        parties = parties | {_HOME_GOVERNMENT}
                    if parties is None or kind is None or len(parties) < 2:
                        out.review.append(
                            {
                                "record": f"section {heading}",
                                "line": next((i for i, x in enumerate(lines, 1) if paragraph[:60] in x), 0),
                                "kind": "agreement",
                                "words": m.group(0)[:160],
                                "did_you_mean": [],
                                "hint": "the graph names not every party: add it by hand (qkg:Agreement, qkg:party)"
                                if parties is None
                                else "its words name no agreement type: add it by hand (qkg:agreementType, qkg:party)",
                            }
                        )
                        continue
                    out.facts["agreements"].add(tuple(sorted(parties)))
                    out.agreement_types[tuple(sorted(parties))] = kind
            _programme_of_the_two_cities(text, index, out)


#: "un programme de coopération (words) entre les deux villes (jumelles)": the two cities are the City and the one
#: other city the same paragraph names.
_TWO_CITIES_PROGRAMME = re.compile(r"\bprogramme\s+de\s+coopération\b[^.;:]*?\s+entre\s+les\s+deux\s+villes\b", re.I)


def _programme_of_the_two_cities(text: str, index: LabelIndex, out: Draft) -> None:
    """A cooperation programme "entre les deux villes" in a paragraph that names exactly one city besides Québec:
    the City and that city's government; else nothing (the section is listed for a person)."""
    m = _TWO_CITIES_PROGRAMME.search(text)
    if m is None:
        return
    cities = _foreign_cities(text, index)
    if len(cities) != 1:
        return
    (city,) = cities
    governments = [g for g in index.governments.get(city, ()) if _LOCAL_GOVERNMENT in index.types.get(g, set())]
    kind = _agreement_type(m.group(0), index)
    if len(governments) != 1 or kind is None:
        return
    parties = tuple(sorted({_HOME_GOVERNMENT, governments[0]}))
    out.facts["agreements"].add(parties)
    out.agreement_types.setdefault(parties, kind)


_SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"


def _agreement_type(words: str, index: LabelIndex) -> str | None:
    """The agreement type (qkgd:type-..., the vocabulary's French labels) that the words start with: "protocole de
    collaboration avec..." -> the collaboration protocol; None when the words name no type ("une entente")."""
    tokens = normalise(words).split()
    for size in range(min(5, len(tokens)), 0, -1):
        key = " ".join(tokens[:size])
        kinds = {
            x
            for x in index.names.get(key, set())
            if x.startswith(str(QKGD["type-"])) and _SKOS_CONCEPT in index.types.get(x, set())
        }
        if len(kinds) == 1:
            return next(iter(kinds))
    return None


def _parties(words: str, index: LabelIndex) -> frozenset[str] | None:
    """The organisations ``words`` list ("Lausanne et Nantes Métropole": Lausanne's city government and Nantes
    Métropole), each named whole; None when a part names nothing the graph knows."""
    found = set()
    for part in re.split(r",\s+|\s+et\s+(?!de la Francophonie\b)", words):
        part = part.strip()
        if not part:
            continue
        named = _org_named(_DETERMINERS.sub("", part), index, _ORGS) or _org_named(part, index, _ORGS)
        if named is None:
            city = _one_kind(_DETERMINERS.sub("", part), index, _CITY)
            governments = [
                g
                for g in (index.governments.get(city, ()) if city else ())
                if _LOCAL_GOVERNMENT in index.types.get(g, set())
            ]
            named = governments[0] if len(governments) == 1 else None
        if named is None:
            return None
        found.add(named)
    return frozenset(found)


def _one_kind(words: str, index: LabelIndex, kind: str) -> str | None:
    iris = {x for x in index.names.get(normalise(words), set()) if kind in index.types.get(x, set())}
    return next(iter(iris)) if len(iris) == 1 else None


def _foreign_cities(text: str, index: LabelIndex) -> set[str]:
    """The cities other than Québec that ``text`` names, leaving out a city inside an organisation's name
    ("Université Laval", "Port de Québec"; a visiting group's own name, "deux élus de Calgary", counts)."""
    inside = [
        (m.start, m.start + len(m.words))
        for m in find_names(text, index)
        if index.types.get(m.iri, set()) & _ORGS and _GROUP not in index.types.get(m.iri, set())
    ]
    return {
        m.iri
        for m in find_names(text, index, {_CITY})
        if m.iri != _HOME_CITY and not any(a <= m.start < b for a, b in inside)
    }


def _one_country(words: str, index: LabelIndex) -> str | None:
    """The country ``words`` name exactly, or None."""
    named = find_names(words, index, {_COUNTRY})
    if len(named) == 1 and normalise(named[0].words) == normalise(words):
        return named[0].iri
    return None


def _demonym_forms(adjective: str) -> set[str]:
    """The four forms of a French nationality adjective, normalised: français, française, françaises; américain,
    américaine, américains, américaines; italien, italienne...; belge, belges."""
    base = normalise(adjective)
    if base.endswith("s"):
        return {base, base + "e", base + "es"}
    if base.endswith("e"):
        return {base, base + "s"}
    feminine = base + ("ne" if base.endswith("ien") else "e")
    return {base, base + "s", feminine, feminine + "s"}


_NATIONALITIES = {form: country for country, adjective in _DEMONYMS.items() for form in _demonym_forms(adjective)}


def _nationality(word: str, index: LabelIndex) -> str | None:
    """The country of a nationality adjective, when the graph holds that country (lower-case words only: "Suisse",
    capitalised, is the country's name)."""
    if not word.islower():
        return None
    local = _NATIONALITIES.get(normalise(word))
    iri = str(QKGD[local]) if local else None
    return iri if iri and _COUNTRY in index.types.get(iri, set()) else None


def _sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The narrative's sections before the annexes: (heading, its paragraphs and bullets). A block is a run of
    lines between blank lines (a PDF wraps a paragraph or a heading over several), and a bullet starts its own;
    a heading is a short block that is no bullet and ends with no punctuation."""
    end = max((i for i, line in enumerate(lines) if normalise(line) == "annexes"), default=len(lines))
    blocks: list[str] = []
    fresh = True
    for line in lines[:end]:
        text = line.strip()
        if not text:
            fresh = True
            continue
        if fresh or text.startswith(("-", "•", "*")):
            blocks.append(text)
        else:
            blocks[-1] = f"{blocks[-1]} {text}"
        fresh = False
    out: list[tuple[str, list[str]]] = []
    for block in blocks:
        if not block.startswith(("-", "•", "*")) and len(block) < 160 and not block.endswith((".", ":", ";", ",")):
            out.append((block, []))
        elif out:
            out[-1][1].append(block)
    return out


def _welcomed_countries(item_text: str, sections: list[tuple[str, list[str]]], index: LabelIndex) -> set[str]:
    """The countries named where the narrative says whom the City welcomed ("a accueilli ...") in the one section
    whose heading shares four words in a row with the item; empty when no section, or several, match."""
    words = normalise(item_text).split()
    runs = {" ".join(words[i : i + 4]) for i in range(len(words) - 3)}
    matched = [body for heading, body in sections if any(run in normalise(heading) for run in runs)]
    if len(matched) != 1:
        return set()
    found: set[str] = set()
    for paragraph in matched[0]:
        for sentence in re.split(r"(?<=[.;!?])\s+", paragraph):
            if re.search(r"\baccueilli", normalise(sentence)):
                found |= {m.iri for m in find_names(sentence, index) if _COUNTRY in index.types.get(m.iri, set())}
    return found - {_HOME_COUNTRY}


def _narrative(lines: list[str], out: Draft) -> None:
    """List the narrative sections (bullets and paragraphs before the annexes) for a person: their facts (events,
    agreements, projects, who met whom) have no fixed structure to draft from."""
    end = max((i for i, line in enumerate(lines) if normalise(line) == "annexes"), default=len(lines))
    start = next((i for i, line in enumerate(lines) if "en chiffres" in normalise(line)), 0)
    heading, first, bullets, paragraphs = None, 0, 0, 0

    def flush() -> None:
        if heading and (bullets or paragraphs):
            out.review.append(
                {
                    "record": f"section {heading}",
                    "line": first,
                    "kind": "narrative",
                    "bullets": bullets,
                    "paragraphs": paragraphs,
                    "hint": "not drafted: add its events, agreements and projects by hand (or a sheet)",
                }
            )

    for n, line in enumerate(lines[start:end], start=start + 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith(("-", "•", "*")):
            bullets += 1
        elif len(text) < 90 and not text.endswith((".", ":", ";", ",")) and "\t" not in line:
            flush()
            heading, first, bullets, paragraphs = text, n, 0, 0
        else:
            paragraphs += 1
    flush()


def _mission(item: Item, index: LabelIndex, out: Draft) -> None:
    posts = [m for m in find_names(item.text, index, {_POST})]
    if posts:
        out.facts["leaders"].add((item.number, posts[0].iri))
    elif re.search(r"\bmaire\b", normalise(item.text)):  # "le maire", in this report, is Québec's
        out.facts["leaders"].add((item.number, _HOME_MAYOR))
    else:
        out.review.append(
            {
                "record": f"mission {item.number}",
                "line": item.line,
                "missing": "qkg:missionLeader",
                "number": item.number,
                "words": "",
                "did_you_mean": [],
                "hint": "name the post or person who led the mission (a qkg:Post)",
            }
        )
    cities, seen = [], set()
    for m in find_names(item.text, index, {_CITY}):
        if m.iri != _HOME_CITY and m.iri not in seen:
            seen.add(m.iri)
            cities.append(m)
    for order, m in enumerate(cities, start=1):
        out.facts["legs"].add((item.number, order, m.iri))
        transit = _TRANSIT.search(normalise(item.text[: m.start]) + " ")
        out.facts["leg-kinds"].add((item.number, order, str(QKGD["leg-transit" if transit else "leg-working"])))
    # words after "à" that name no city: leave them to a person, with candidates
    known = {normalise(m.words) for m in cities}
    extra = len(cities)
    for after_a in re.finditer(
        r"\b(?:à|a)\s+([A-ZÉÈÀÂÎÔÛÇ][\w'-]*(?:\s+(?:del|de|do|da|di)?\s*[A-ZÉÈÀÂÎÔÛÇ][\w'-]*)*)", item.text
    ):
        words = after_a.group(1)
        if normalise(words) in known or any(normalise(words) in k or k in normalise(words) for k in known):
            continue
        if find_names(words, index):  # a country, an organisation...: not a leg
            continue
        extra += 1
        out.review.append(
            {
                "record": f"mission {item.number}",
                "line": item.line,
                "missing": "qkg:legCity",
                "number": item.number,
                "order": extra,
                "words": words,
                "did_you_mean": _candidates(index, words, {_CITY}),
                "hint": "add the city to the data (geography) or confirm it is not a leg",
            }
        )
    _purposes(item, index, out, cities)


#: What a mission went for: the words after "pour" or "dans le cadre de", up to a transit ("avec un passage") or
#: the end; several purposes are joined by commas and "et".
_PURPOSE = re.compile(r"\b(?:pour|dans le cadre d(?:e|u|es|e la|e l'))\s+(.+?)(?:\s+avec un passage\b.*)?$", re.I)
_CITY_NETWORK = str(QKG.CityNetwork)


def _purposes(item: Item, index: LabelIndex, out: Draft, cities: list[Match]) -> None:
    """The purposes of a mission where the item states them ("pour le conseil d'administration de l'OVPM"): each
    one a meeting drafted on the mission's one working stop, with its organiser when the words name one. A
    mission with several working stops says which purpose went with which stop nowhere: listed for a person."""
    stated = _PURPOSE.search(item.text)
    if not stated or not cities:
        return
    phrase = stated.group(1)
    parts = [p for p in re.split(r",\s+|\s+et\s+(?=(?:le|la|les|l'|du|de la|des)\b)", phrase) if p.strip()]
    working = [
        order
        for order, m in enumerate(cities, start=1)
        if (item.number, order, str(QKGD["leg-working"])) in out.facts["leg-kinds"]
    ]
    if len(working) != 1:
        out.review.append(
            {
                "record": f"mission {item.number}",
                "line": item.line,
                "kind": "purpose",
                "words": phrase,
                "did_you_mean": [],
                "hint": "the item names several stops: give each purpose its leg (qkg:legPurpose)",
            }
        )
        return
    for part in parts:
        organiser = _organiser(part, index)
        if organiser is None:
            out.review.append(
                {
                    "record": f"mission {item.number}",
                    "line": item.line,
                    "kind": "purpose",
                    "words": part,
                    "did_you_mean": [],
                    "hint": "the purpose names an organisation only inside a longer name: name its organiser",
                }
            )
            continue
        out.facts["purposes"].add((item.number, working[0], organiser))


def _organiser(words: str, index: LabelIndex) -> str | None:
    """The organisation whose meeting ``words`` name (a conference "du Réseau des villes créatives de l'UNESCO":
    the network, not UNESCO): the longest tail after "de/du/des" that is an organisation's whole name;
    "" when the words name no organisation at all; None when one is named only inside longer words (a person
    decides)."""
    for tail in re.finditer(r"\b(?:du|des|de la|de l'|de|d')\s*(?=\S)", words):
        named = _org_named(words[tail.end() :].strip(), index)
        if named and named not in _HOME_SIDE:
            return named
    return None if {m.iri for m in find_names(words, index, _ORGS)} - _HOME_SIDE else ""


_ARTICLES = re.compile(r"\b(?:de la|de l'|des|du|de|la|le|les|l'|et|aux|au)\b\s*")


def _bare(text: str) -> str:
    """Normalised without articles or punctuation: "de la Lutte aux changements" ~ "Lutte aux changements"."""
    return " ".join(_ARTICLES.sub(" ", normalise(text).replace(",", " ").replace("'", "' ")).split())


def _org_named(text: str, index: LabelIndex, kinds: set[str] = _ORGS) -> str | None:
    """The one organisation (or entity of ``kinds``) a partner entry names: its whole text, its name without a
    trailing "(ACRONYM)" (the acronym must agree), either side of " - ", or the same words without articles."""

    def orgs(words: str) -> set[str]:
        return {x for x in index.names.get(normalise(words), set()) if index.types.get(x, set()) & kinds}

    found = orgs(text)
    acronym = re.match(r"^(.*\S)\s*\(([^()]+)\)$", text)
    if not found and acronym:
        found = orgs(acronym.group(1))
        also = orgs(acronym.group(2))
        if also and found and not (found & also):
            return None  # the name and the acronym disagree
        found = found or also
    if not found and " - " in text:
        found = set().union(*(orgs(part) for part in text.split(" - ")))
    if not found:
        bare = _bare(acronym.group(1) if acronym else text)
        found = {
            x
            for key, iris in index.names.items()
            if _bare(key) == bare
            for x in iris
            if index.types.get(x, set()) & kinds
        }
    return next(iter(found)) if len(found) == 1 else None


def _partner(item: Item, index: LabelIndex, out: Draft) -> None:
    whole = _org_named(item.text, index)
    if whole:
        out.facts["partners"].add((item.number, whole))
        return
    parts = [p for p in re.split(r"\s+et\s+|\s*,\s*", item.text) if p.strip()]
    found = [find_names(p, index, _ORGS) for p in parts]
    if len(parts) > 1 and all(
        len(f) == 1 and normalise(f[0].words) == normalise(_ELISION.sub("", p.strip()))
        for f, p in zip(found, parts, strict=True)
    ):
        for f in found:
            out.facts["partners"].add((item.number, f[0].iri))
        return
    out.review.append(
        {
            "record": f"partner {item.number}",
            "line": item.line,
            "missing": "qkg:partnerOrganisation",
            "number": item.number,
            "words": item.text,
            "did_you_mean": _candidates(index, item.text, _ORGS),
            "hint": "add the organisation to the data, or write its CURIE",
        }
    )


def _number(word: str) -> int | None:
    w = normalise(word)
    if w.isdigit():
        n = int(w)
        return None if n >= 1900 else n
    return _NUMBER_WORDS.get(w)


def _content(words: list[str]) -> list[str]:
    return [w for w in (normalise(_ELISION.sub("", x)).strip(".,;:()") for x in words) if w and w not in _STOP]


def _figures(lines: list[str], indicators: dict[str, set[str]], out: Draft) -> None:
    """Headline figures: in the bullets after a line about the year "en chiffres", each number followed by words
    that name an indicator (most of the indicator's label words among the next four content words)."""
    start = next((i for i, line in enumerate(lines) if "en chiffres" in normalise(line)), None)
    if start is None:
        return
    bullets: list[tuple[int, str]] = []
    for n, line in enumerate(lines[start + 1 :], start=start + 2):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(("-", "•", "*")):
            bullets.append((n, stripped.lstrip("-•* ")))
        elif bullets and not bullets[-1][1].endswith((";", ".")):
            bullets[-1] = (bullets[-1][0], f"{bullets[-1][1]} {stripped}")  # a bullet wrapped over lines
        else:
            break
    for n, bullet in bullets:
        words = bullet.split()
        for i, word in enumerate(words):
            value = _number(word.strip(",;"))
            if value is None:
                continue
            following = []
            for w in words[i + 1 : i + 9]:
                if _number(w.strip(",;")) is not None:
                    break  # the next number starts its own figure
                following.append(w)
            window = _content(following)[:4]
            best, key = None, None
            for iri, label_words in sorted(indicators.items()):
                hits = [k for k, w in enumerate(window) if w in label_words]
                if not hits:
                    continue
                ratio = len(set(window) & label_words) / len(label_words)
                if ratio < 0.5 and hits[0] != 0:
                    continue  # a weak match must at least be the first word after the number
                rank = (ratio, -hits[0])
                if key is None or rank > key:
                    best, key = iri, rank
            if best is not None:
                out.facts["figures"].add((best, value))
                out.figures_line[(best, value)] = n


# --- writing --------------------------------------------------------------------------------------------------


def write_draft(d: Draft, index: LabelIndex, base: Path, out: Path, *, labels: dict[str, dict[str, str]]) -> list[Path]:
    """Write the draft folder (``<year>/*.ttl``, ``background/``, ``review.yaml``); return the files written."""
    from qkg.graph.building.export import atomic_write

    year = d.year
    ydir = out / str(year)
    ydir.mkdir(parents=True, exist_ok=True)
    if (base / "background").is_dir() and not (out / "background").exists():
        shutil.copytree(base / "background", out / "background")
    sec = {
        k: URIRef(QKGD[f"bri-{year}-{k}"])
        for k in (
            "annex-receptions-courtesy",
            "annex-receptions-collaboration",
            "annex-receptions-strategic",
            "annex-missions",
            "annex-partners",
            "highlights",
            "narrative",
        )
    }
    report = URIRef(QKGD[f"bri-{year}"])
    files: dict[str, Graph] = {
        name: Graph() for name in ("report", "receptions", "missions", "partners", "highlights", "agreements")
    }
    g = files["report"]
    g.add((report, RDF.type, QKG.Report))
    g.add((report, RDFS.label, Literal(f"Rapport des actions internationales {year} (brouillon)", lang="fr")))
    g.add((report, RDFS.label, Literal(f"{year} international relations report (draft)", lang="en")))
    for key, node in sec.items():
        g.add((node, RDF.type, QKG.ReportSection))
        g.add((node, RDFS.label, Literal(f"Rapport {year} : {key}", lang="fr")))
        g.add((node, URIRef("http://purl.org/dc/terms/isPartOf"), report))
    names = {
        "cat-courtesy": ("courtesy", "de courtoisie", "Courtesy"),
        "cat-collaboration": ("collaboration", "de collaboration", "Collaboration"),
        "cat-strategic": ("strategic", "stratégique", "Strategic"),
    }
    g = files["receptions"]
    origins: dict[tuple[str, int], list[str]] = defaultdict(list)
    for cat, number, place in d.facts["origins"]:
        origins[(cat, number)].append(place)
    visitors: dict[tuple[str, int], list[str]] = defaultdict(list)
    for cat, number, visitor in d.facts["visitors"]:
        visitors[(cat, number)].append(visitor)
    for cat, number in sorted(d.facts["receptions"]):
        slug, fr, en = names[cat]
        node = URIRef(QKGD[f"reception-{year}-{slug}-{number:02d}"])
        g.add((node, RDF.type, QKG.Reception))
        g.add((node, RDFS.label, Literal(f"Accueil {fr} n° {number} ({year})", lang="fr")))
        g.add((node, RDFS.label, Literal(f"{en} reception no. {number} ({year})", lang="en")))
        g.add((node, QKG.category, URIRef(QKGD[cat])))
        g.add((node, QKG.annexItem, Literal(number)))
        for place in sorted(origins[(cat, number)]):
            g.add((node, QKG.origin, URIRef(place)))
        for visitor in sorted(visitors[(cat, number)]):
            g.add((node, QKG.visitor, URIRef(visitor)))
        g.add((node, PROV.wasDerivedFrom, sec[f"annex-receptions-{slug}"]))
    g = files["missions"]
    leaders = dict(d.facts["leaders"])
    legs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for number, order, city in d.facts["legs"]:
        legs[number].append((order, city))
    kinds = {(number, order): kind for number, order, kind in d.facts["leg-kinds"]}
    purposes: dict[tuple[int, int], list[str]] = defaultdict(list)
    for number, order, organiser in d.facts["purposes"]:
        purposes[(number, order)].append(organiser)
    for number in sorted(set(leaders) | set(legs)):
        node = URIRef(QKGD[f"mission-{year}-{number:02d}"])
        g.add((node, RDF.type, QKG.Mission))
        g.add((node, RDFS.label, Literal(f"Mission {number} ({year})", lang="fr")))
        g.add((node, RDFS.label, Literal(f"Mission {number} ({year})", lang="en")))
        g.add((node, QKG.annexItem, Literal(number)))
        if number in leaders:
            g.add((node, QKG.missionLeader, URIRef(leaders[number])))
        for order, city in sorted(legs[number]):
            leg = URIRef(QKGD[f"mission-{year}-{number:02d}-leg-{order}"])
            city_name = labels.get(city, {}).get("fr", short(city))
            g.add((node, QKG.leg, leg))
            g.add((leg, RDF.type, QKG.MissionLeg))
            g.add((leg, RDFS.label, Literal(f"Mission {number}, étape {order} : {city_name}", lang="fr")))
            g.add((leg, QKG.legOrder, Literal(order)))
            g.add((leg, QKG.legCity, URIRef(city)))
            if (number, order) in kinds:
                g.add((leg, QKG.legKind, URIRef(kinds[(number, order)])))
            for k, organiser in enumerate(sorted(purposes[(number, order)]), start=1):
                event = URIRef(QKGD[f"mission-{year}-{number:02d}-purpose-{k}"])
                by = labels.get(organiser, {}) if organiser else {}
                network = organiser and _CITY_NETWORK in index.types.get(organiser, set())
                g.add((leg, QKG.legPurpose, event))
                g.add((event, RDF.type, QKG.NetworkMeeting if network else QKG.Event))
                if organiser:
                    g.add((event, QKG.organiser, URIRef(organiser)))
                fr = f"Rencontre : {by.get('fr', short(organiser))}" if organiser else f"Objet de la mission {number}"
                en = (
                    f"Meeting: {by.get('en', by.get('fr', short(organiser)))}"
                    if organiser
                    else f"Purpose of mission {number}"
                )
                g.add((event, RDFS.label, Literal(f"{fr} ({year})", lang="fr")))
                g.add((event, RDFS.label, Literal(f"{en} ({year})", lang="en")))
                g.add((event, QKG.location, URIRef(city)))
                g.add((event, PROV.wasDerivedFrom, sec["annex-missions"]))
            g.add((leg, PROV.wasDerivedFrom, sec["annex-missions"]))
        g.add((node, PROV.wasDerivedFrom, sec["annex-missions"]))
    g = files["agreements"]
    for k, parties in enumerate(sorted(d.facts["agreements"]), start=1):
        node = URIRef(QKGD[f"agreement-{year}-{k:02d}"])
        names_fr = " – ".join(labels.get(p, {}).get("fr", short(p)) for p in parties)
        names_en = " – ".join(labels.get(p, {}).get("en", labels.get(p, {}).get("fr", short(p))) for p in parties)
        g.add((node, RDF.type, QKG.Agreement))
        g.add((node, RDFS.label, Literal(f"Entente {names_fr} ({year})", lang="fr")))
        g.add((node, RDFS.label, Literal(f"Agreement {names_en} ({year})", lang="en")))
        for party in parties:
            g.add((node, QKG.party, URIRef(party)))
        g.add((node, QKG.agreementType, URIRef(d.agreement_types[parties])))
        g.add((node, PROV.wasDerivedFrom, sec[d.agreement_sections.get(parties, "narrative")]))
    g = files["partners"]
    for number, org in sorted(d.facts["partners"]):
        node = URIRef(QKGD[f"partner-entry-{year}-{number:02d}"])
        if (node, RDF.type, QKG.PartnerEntry) not in g:
            g.add((node, RDF.type, QKG.PartnerEntry))
            g.add((node, RDFS.label, Literal(f"Partenaire {number} ({year})", lang="fr")))
            g.add((node, QKG.annexItem, Literal(number)))
            g.add((node, PROV.wasDerivedFrom, sec["annex-partners"]))
        g.add((node, QKG.partnerOrganisation, URIRef(org)))
    g = files["highlights"]
    for indicator, value in sorted(d.facts["figures"]):
        name = indicator.rsplit("/", 1)[1].removeprefix("ind-")
        node = URIRef(QKGD[f"figure-{year}-{name}"])
        g.add((node, RDF.type, QKG.DeclaredFigure))
        g.add((node, RDFS.label, Literal(f"{labels.get(indicator, {}).get('fr', name)} : {value}", lang="fr")))
        g.add((node, QKG.indicator, URIRef(indicator)))
        g.add((node, QKG.statedValue, Literal(value)))
        g.add((node, PROV.wasDerivedFrom, sec["highlights"]))
    written = []
    for name, graph in files.items():
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        path = ydir / f"{name}.ttl"
        atomic_write(path, graph.serialize(format="turtle").encode("utf-8"))
        written.append(path)
    entities = _referenced_definitions(files.values(), base, year)
    if entities is not None:
        path = ydir / "entities.ttl"
        atomic_write(path, entities.serialize(format="turtle").encode("utf-8"))
        written.append(path)
    review = out / "review.yaml"
    atomic_write(review, _review_yaml(d, set(leaders) | set(legs)).encode("utf-8"))
    written.append(review)
    return written


#: Classes of facts: their instances are never copied from the base data into a draft (the draft states its own).
_FACT_TYPES = {
    str(QKG[c])
    for c in (
        "Activity",
        "Reception",
        "CourtesyReception",
        "CollaborationReception",
        "StrategicReception",
        "Mission",
        "MissionLeg",
        "NetworkMeeting",
        "Event",
        "Project",
        "Agreement",
        "PartnerEntry",
        "Report",
        "ReportSection",
        "DeclaredFigure",
        "Count",  # a number the report states about a group (its size): the report's fact, not the group's
        "ContributedActivity",
        "ContributedSheet",
    )
} | {"http://www.w3.org/ns/org#Membership"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-")[:40] or "x"


def _review_yaml(d: Draft, missions: set[int]) -> str:
    """``review.yaml``: narrative sections listed in comments; each unresolved fact a record in the build's YAML
    format whose missing value is a ``qkgd:TODO-...`` placeholder, so the build names the record to complete (and
    suggests the entity) until a person replaces it."""
    year = d.year
    # the points a person settles by hand, listed as comments: (kind, what was not drafted)
    listed = {"narrative": "", "visitor": "visitors", "purpose": "purposes", "agreement": "an agreement"}
    open_points = [r for r in d.review if r.get("kind") not in listed]
    count = Counter(r.get("kind") for r in d.review)
    out = [
        f"# qkg ingest {year}: {len(open_points)} fact(s) to complete; to add by hand: {count['visitor']} "
        f"reception(s)' visitors, {count['purpose']} mission purpose(s), {count['agreement']} agreement(s), "
        f"{count['narrative']} narrative section(s).",
        "# Each record below is read by the build: replace its qkgd:TODO-... value with the entity meant (the",
        "# build names the record until then), or delete the record if the report does not state that fact.",
        "",
    ]
    for r in d.review:
        kind = r.get("kind")
        if kind == "narrative":
            out.append(
                f"# report line {r['line']}: {r['record']} ({r['bullets']} bullet(s), "
                f"{r['paragraphs']} paragraph(s)): not drafted"
            )
        elif kind in listed:
            said = f"# report line {r['line']}: {r['record']}: {listed[kind]} not drafted ({r['words'][:100]!r})"
            said += "; did you mean " + " or ".join(r["did_you_mean"]) + "?" if r["did_you_mean"] else ""
            out.append(f"{said}: {r['hint']}.")
    mission_keys: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    mission_notes: dict[int, list[str]] = defaultdict(list)
    records: list[list[str]] = []
    for r in open_points:
        n = r["number"]
        said = f"# report line {r['line']}, {r['record']}: {r['missing']} unresolved"
        said += f" ({r['words']!r})" if r["words"] and len(r["words"]) < 120 else ""
        said += "; did you mean " + " or ".join(r["did_you_mean"]) + "?" if r["did_you_mean"] else ""
        todo = f"qkgd:TODO-{_slug(r['words']) if r['words'] else 'leader'}"
        if r["missing"] == "qkg:legCity":
            leg = f"mission-{year}-{n:02d}-leg-{r['order']}"
            records.append(
                [
                    said,
                    "#   (check the leg's order too)",
                    f"- id: {leg}",
                    "  type: qkg:MissionLeg",
                    f"  label@fr: 'Mission {n}, étape {r['order']} (à compléter)'",
                    f"  qkg:legOrder^^xsd:integer: '{r['order']}'",
                    f"  qkg:legCity: {todo}",
                    f"  prov:wasDerivedFrom: qkgd:bri-{year}-annex-missions",
                ]
            )
            mission_keys[n]["qkg:leg"].append(f"qkgd:{leg}")
        elif r["missing"] == "qkg:partnerOrganisation":
            records.append(
                [
                    said,
                    f"- id: partner-entry-{year}-{n:02d}",
                    "  type: qkg:PartnerEntry",
                    f"  label@fr: 'Partenaire {n} ({year})'",
                    f"  qkg:annexItem^^xsd:integer: '{n}'",
                    f"  qkg:partnerOrganisation: {todo}",
                    f"  prov:wasDerivedFrom: qkgd:bri-{year}-annex-partners",
                ]
            )
        elif r["missing"] == "qkg:missionLeader":
            mission_keys[n]["qkg:missionLeader"].append(todo)
            mission_notes[n].append(said)
    for n, keys in sorted(mission_keys.items()):
        rec = [*mission_notes[n], f"- id: mission-{year}-{n:02d}"]
        if n not in missions:
            rec += [
                "  type: qkg:Mission",
                f"  label@fr: 'Mission {n} ({year})'",
                f"  qkg:annexItem^^xsd:integer: '{n}'",
                f"  prov:wasDerivedFrom: qkgd:bri-{year}-annex-missions",
            ]
        rec += [f"  {key}: [{', '.join(values)}]" for key, values in keys.items()]
        records.append(rec)
    for rec in records:
        out += ["", *rec]
    if not records:
        out += ["", "[]"]
    return "\n".join(out) + "\n"


def _referenced_definitions(graphs, base: Path, year: int) -> Graph | None:
    """The definitions of the entities (places, organisations, posts, people) the draft and the background refer
    to, copied from the base data's year folders without their provenance, closed over what they refer to.

    Facts (activities, agreements, memberships, figures...) are never copied, and a link to one is dropped, so the
    draft states only what its own report says and still builds on its own.
    """
    from qkg.ontology import ontology_paths

    defined = Graph()
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and p.name != "background"):
        for path in sorted(folder.glob("*.ttl")):
            defined.parse(path, format="turtle")
    if not len(defined):
        return None
    background, ontology = Graph(), Graph()
    for path in sorted((base / "background").glob("*.ttl")) if (base / "background").is_dir() else []:
        background.parse(path, format="turtle")
    for path in ontology_paths():
        ontology.parse(path, format="turtle")
    known = set(background.subjects(RDF.type, None)) | set(ontology.subjects(RDF.type, None))  # defined there

    def entity(iri) -> bool:
        types = {str(t) for t in defined.objects(iri, RDF.type)}
        return bool(types) and not types & _FACT_TYPES

    starts = [*(o for g in graphs for o in g.objects()), *background.objects()]
    wanted = [o for o in starts if isinstance(o, URIRef) and str(o).startswith(str(QKGD))]
    out, seen = Graph(), set()
    while wanted:
        iri = wanted.pop()
        if iri in seen or iri in known or not entity(iri):
            continue
        seen.add(iri)
        for s, p, o in defined.triples((iri, None, None)):
            if str(p).startswith(str(PROV)):
                continue  # its provenance cites the base year's sections, which the draft does not have
            out.add((s, p, o))
            if isinstance(o, URIRef) and str(o).startswith(str(QKGD)):
                wanted.append(o)
    for s, p, o in list(out):
        if isinstance(o, URIRef) and str(o).startswith(str(QKGD)) and o not in seen and o not in known:
            out.remove((s, p, o))  # a link to a fact of the base year
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    return out


# --- evaluation -----------------------------------------------------------------------------------------------


def curated_facts(graph: Graph, year: int) -> dict[str, set[tuple]]:
    """The facts of a curated graph in the draft's terms, for the report of ``year``."""
    q = "PREFIX qkg: <https://w3id.org/qkg/def#> PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX qkgd: <https://w3id.org/qkg/id/>\n"
    sections = f"https://w3id.org/qkg/id/bri-{year}-"
    out: dict[str, set[tuple]] = defaultdict(set)
    for cat, n in _select(
        graph,
        q + "SELECT ?c ?n WHERE { ?r a qkg:Reception ; qkg:category ?c ; qkg:annexItem ?n ; "
        f"prov:wasDerivedFrom ?s FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["receptions"].add((str(cat).rsplit("/", 1)[1], int(str(n))))
    for cat, n, place in _select(
        graph,
        q + "SELECT ?c ?n ?o WHERE { ?r a qkg:Reception ; qkg:category ?c ; qkg:annexItem ?n ; qkg:origin ?o ; "
        f"prov:wasDerivedFrom ?s FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["origins"].add((str(cat).rsplit("/", 1)[1], int(str(n)), str(place)))
    for cat, n, visitor in _select(
        graph,
        q + "SELECT ?c ?n ?v WHERE { ?r a qkg:Reception ; qkg:category ?c ; qkg:annexItem ?n ; qkg:visitor ?v ; "
        f"prov:wasDerivedFrom ?s FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["visitors"].add((str(cat).rsplit("/", 1)[1], int(str(n)), str(visitor)))
    for n, order, city in _select(
        graph,
        q + "SELECT ?n ?o ?c WHERE { ?m a qkg:Mission ; qkg:annexItem ?n ; qkg:leg ?l ; "
        f"prov:wasDerivedFrom ?s . ?l qkg:legOrder ?o ; qkg:legCity ?c "
        f"FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["legs"].add((int(str(n)), int(str(order)), str(city)))
    for n, order, kind in _select(
        graph,
        q + "SELECT ?n ?o ?k WHERE { ?m a qkg:Mission ; qkg:annexItem ?n ; qkg:leg ?l ; "
        f"prov:wasDerivedFrom ?s . ?l qkg:legOrder ?o ; qkg:legKind ?k "
        f"FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["leg-kinds"].add((int(str(n)), int(str(order)), str(kind)))
    for n, leader in _select(
        graph,
        q + "SELECT ?n ?p WHERE { ?m a qkg:Mission ; qkg:annexItem ?n ; qkg:missionLeader ?p ; "
        f"prov:wasDerivedFrom ?s FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["leaders"].add((int(str(n)), str(leader)))
    for n, order, organiser in _select(
        graph,
        q + "SELECT ?n ?o ?g WHERE { ?m a qkg:Mission ; qkg:annexItem ?n ; qkg:leg ?l ; "
        "prov:wasDerivedFrom ?s . ?l qkg:legOrder ?o ; qkg:legPurpose ?e OPTIONAL { ?e qkg:organiser ?g } "
        f"FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["purposes"].add((int(str(n)), int(str(order)), str(organiser) if organiser else ""))
    parties: dict[str, set[str]] = defaultdict(set)
    for agreement, party in _select(
        graph,
        q + "SELECT ?a ?p WHERE { ?a a qkg:Agreement ; qkg:party ?p ; prov:wasDerivedFrom ?s "
        f"FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        parties[str(agreement)].add(str(party))
    out["agreements"] = {tuple(sorted(p)) for p in parties.values()}
    for n, org in _select(
        graph,
        q + "SELECT ?n ?o WHERE { ?e a qkg:PartnerEntry ; qkg:annexItem ?n ; "
        f"qkg:partnerOrganisation ?o ; prov:wasDerivedFrom ?s "
        f"FILTER(STRSTARTS(STR(?s), '{sections}')) }}",
    ):
        out["partners"].add((int(str(n)), str(org)))
    for ind, value in _select(
        graph,
        q + "SELECT ?i ?v WHERE { ?f a qkg:DeclaredFigure ; qkg:indicator ?i ; "
        f"qkg:statedValue ?v ; prov:wasDerivedFrom qkgd:bri-{year}-highlights }}",
    ):
        out["figures"].add((str(ind), int(str(value))))
    return out


def _select(graph: Graph, query: str) -> Iterator[ResultRow]:
    """The rows of a SELECT over ``graph`` (rdflib types a result's items as rows, booleans or triples)."""
    for row in graph.query(query):
        if isinstance(row, ResultRow):
            yield row


def evaluate(d: Draft, curated: dict[str, set[tuple]]) -> dict[str, dict[str, float | int]]:
    """Precision and recall of the drafted facts per class, against a curated graph's facts."""
    scores = {}
    for cls in CLASSES:
        drafted, truth = d.facts.get(cls, set()), curated.get(cls, set())
        right = len(drafted & truth)
        scores[cls] = {
            "drafted": len(drafted),
            "curated": len(truth),
            "right": right,
            "wrong": len(drafted - truth),
            "missed": len(truth - drafted),
            "precision": right / len(drafted) if drafted else 1.0,
            "recall": right / len(truth) if truth else 1.0,
        }
    return scores


def indicator_words(graph: Graph) -> dict[str, set[str]]:
    """Each indicator (``qkg:indicator`` values, or concepts of ``qkgd:scheme-indicators``) -> its label words."""
    out: dict[str, set[str]] = {}
    scheme = URIRef(QKGD["scheme-indicators"])
    for ind in set(graph.subjects(SKOS.inScheme, scheme)):
        words: set[str] = set()
        for label in graph.objects(ind, SKOS.prefLabel):
            if getattr(label, "language", None) == "fr":
                words |= set(_content(str(label).split()))
        out[str(ind)] = words
    return out
