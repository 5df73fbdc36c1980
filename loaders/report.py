"""Read the annexes of a BRI annual report (plain text) into typed records; no RDF here.

The report itself is not part of the repository: pass its path (``qkg audit --report FILE``). The parser
recognises the three annex lists (receptions by category, missions, local partners), each a numbered list
under a known heading, and keeps for every item its list, number and text, so the curated graph can be
checked against the source: same number of items per list, and every mission's cities named in its item.

>>> text = "ANNEXES\\nRencontres de courtoisie\\n1. Accueil A;\\n2. Accueil B.\\nRencontres de collaboration\\n1. Visite C."
>>> [(r.annex, r.number) for r in parse_annexes(text)]
[('receptions-courtesy', 1), ('receptions-courtesy', 2), ('receptions-collaboration', 1)]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qkg.graph.errors import N_, DataError

__all__ = ["AnnexItem", "parse_annexes", "read_report", "HEADINGS", "normalise"]

#: Heading (normalised, as a prefix of the line) -> the annex list it opens.
HEADINGS = {
    "rencontres de courtoisie": "receptions-courtesy",
    "rencontres de collaboration": "receptions-collaboration",
    "rencontres strategiques": "receptions-strategic",
    "missions coordonnees par le bri": "missions",
    "acteurs du milieu": "partners",
}
_ITEM = re.compile(r"^\s*(\d{1,3})\.\s+(.*\S)\s*$")


@dataclass(frozen=True)
class AnnexItem:
    """One numbered item of an annex list."""

    annex: str
    number: int
    text: str
    line: int


def normalise(text: str) -> str:
    """Lower-case, strip accents and collapse spaces (for matching names).

    >>> normalise("  Genève,  SUISSE ")
    'geneve, suisse'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def parse_annexes(text: str) -> list[AnnexItem]:
    """Every numbered item under a known annex heading, in order (only after the ANNEXES title)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "ANNEXES"), 0)
    current: str | None = None
    items: list[AnnexItem] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        head = normalise(line)
        for prefix, annex in HEADINGS.items():
            if head.startswith(prefix):
                current = annex
                break
        else:
            match = _ITEM.match(line)
            if match and current:
                items.append(AnnexItem(current, int(match.group(1)), match.group(2).rstrip(";."), number))
    return items


def read_report(path: str | Path) -> list[AnnexItem]:
    """Parse a report file; a clear error when it is missing or has no annex lists."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            N_("{file}: no such report file"),
            file=str(path),
            hint=N_("pass the report's text file"),
            fields={"file": path},
        )
    items = parse_annexes(path.read_text(encoding="utf-8"))
    if not items:
        raise DataError(
            N_("{file}: no annex list found"),
            file=str(path),
            hint=N_("the parser looks for numbered lists under: {headings}"),
            fields={"file": path, "headings": ", ".join(HEADINGS)},
        )
    return items


@dataclass(frozen=True)
class Mismatch:
    """A place where the curated graph and the report's annexes disagree."""

    annex: str
    number: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.annex} #{self.number}: {self.message}" if self.number else f"{self.annex}: {self.message}"


_GRAPH_ITEMS = {
    "receptions-courtesy": "?x a qkg:Reception ; qkg:category qkgd:cat-courtesy",
    "receptions-collaboration": "?x a qkg:Reception ; qkg:category qkgd:cat-collaboration",
    "receptions-strategic": "?x a qkg:Reception ; qkg:category qkgd:cat-strategic",
    "missions": "?x a qkg:Mission",
    "partners": "?x a qkg:PartnerEntry",
}
_NAMES = {
    # what must be named in the item's text: the legs' cities, the partners' organisations. (A reception's origin
    # is often given elsewhere in the report or by an adjective, "parlementaires américains", so it is not checked.)
    "missions": "?x qkg:leg/qkg:legCity ?n",
    "partners": "?x qkg:partnerOrganisation ?n",
}
_ARTICLES = re.compile(r"\b(de la|de l'|des|du|de|la|le|les|l'|et)\b\s*")


def _words(text: str) -> str:
    """Normalised text without French articles, so "Lutte aux changements" matches "Lutte aux changements"."""
    return " ".join(_ARTICLES.sub(" ", normalise(text).replace(",", " ")).split())


def compare(items: list[AnnexItem], store) -> list[Mismatch]:
    """Check the graph against the report's annexes: the same numbered items, and the names each item gives.

    For every annex list, the graph must hold exactly the item numbers the report has; for every item, each
    city of a mission's legs, each organisation of a partner entry and the origin of a reception must be named
    (label or alternative label, accents and case ignored) in the report's text of that item.
    """
    from qkg.ontology import sparql_prefixes

    def q(text: str):
        return list(store.select(sparql_prefixes() + "\n" + text))

    problems: list[Mismatch] = []
    for annex, pattern in _GRAPH_ITEMS.items():
        report_items = {i.number: i for i in items if i.annex == annex}
        graph_items = {
            int(r["k"].value): r["x"].value for r in q(f"SELECT ?x ?k WHERE {{ {pattern} ; qkg:annexItem ?k }}")
        }
        for n in sorted(set(report_items) - set(graph_items)):
            problems.append(Mismatch(annex, n, "in the report but not in the graph"))
        for n in sorted(set(graph_items) - set(report_items)):
            problems.append(Mismatch(annex, n, "in the graph but not in the report"))
        if annex not in _NAMES:
            continue
        for n in sorted(set(report_items) & set(graph_items)):
            text = _words(report_items[n].text)
            names = q(f"""SELECT ?n (GROUP_CONCAT(?l; separator="|") AS ?labels) WHERE {{
                VALUES ?x {{ <{graph_items[n]}> }} {_NAMES[annex]} .
                ?n rdfs:label|skos:altLabel ?l }} GROUP BY ?n""")
            for row in names:
                labels = [_words(label) for label in row["labels"].value.split("|")]
                if not any(label and re.search(rf"\b{re.escape(label)}\b", text) for label in labels):
                    problems.append(
                        Mismatch(annex, n, f"names none of {sorted(set(labels))} (the graph links {row['n'].value})")
                    )
    return problems
