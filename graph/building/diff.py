"""What changed between two snapshots of the graph: entities, facts and headline figures, grouped by class.

A snapshot is a set of asserted triples as canonical N-Triples lines (the named graph dropped, ``xsd:string``
written as a plain literal, blank-node labels erased since they are not stable across builds). Two builds, two
data folders or two years reduce to two snapshots; :func:`compare` turns them into :class:`Changes`:

- entities added and removed: subjects with an ``rdf:type`` on one side and no triple at all on the other;
- facts added, removed, and changed: a fact is changed when its subject and property have exactly one value on
  each side and the values differ (a renamed label, a corrected date), otherwise it is added or removed;
- the headline figures (``qkg:DeclaredFigure`` and its ``qkg:statedValue``) side by side.

Lists are capped (``limit`` per group), counts are exact, so the answer stays bounded at any size.

>>> a = {'<http://e/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/City> .',
...      '<http://e/x> <http://e/pop> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .'}
>>> b = {'<http://e/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/City> .',
...      '<http://e/x> <http://e/pop> "6"^^<http://www.w3.org/2001/XMLSchema#integer> .'}
>>> c = compare(a, b)
>>> (c.counts["facts_changed"], c.changed[0].old, c.changed[0].new)
(1, '5', '6')
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qkg.graph.errors import N_, ParameterError
from qkg.ontology import QKG
from qkg.ontology.curies import short
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

__all__ = [
    "Changes",
    "Fact",
    "Entity",
    "Figure",
    "canonical_lines",
    "compare",
    "FORMATS",
    "render",
    "build_snapshot",
    "record_build_changes",
    "read_build_changes",
    "CHANGES_ARTEFACT",
    "DIFF_MAX_TRIPLES",
]

#: The machine formats of :func:`render`; the text for people is ``qkg diff``'s, in the interface's catalogue.
FORMATS = ("json", "turtle")
#: The build artefact (see :mod:`qkg.graph.building.artefacts`) holding a build's changes against the one before.
CHANGES_ARTEFACT = "changes"
#: Up to this many asserted triples, ``qkg build`` records its changes by default (about 15 s at 1M triples on a
#: 2-core machine: two dumps and two passes over them; above this, ``qkg diff previous current`` on demand).
DIFF_MAX_TRIPLES = 250_000
_CS = Namespace("http://purl.org/vocab/changeset/schema#")
_TYPE = f"<{RDF.type}>"
_LABEL = f"<{RDFS.label}>"
_STRING = "^^<http://www.w3.org/2001/XMLSchema#string>"
_BNODE = re.compile(r"(?<![\w\"])_:[A-Za-z0-9_.-]+")
_SUBJECT_END = re.compile(r"^(<[^>]*>|_:\S+) ")


def canonical_lines(ntriples: Iterable[str] | bytes | str) -> set[str]:
    r"""The set of canonical lines of N-Triples (a text, bytes, or an iterable of lines).

    >>> sorted(canonical_lines('<a:s> <a:p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n_:b1 <a:p> <a:o> .'))
    ['<a:s> <a:p> "x" .', '_:b <a:p> <a:o> .']
    """
    if isinstance(ntriples, bytes):
        ntriples = ntriples.decode("utf-8")
    if isinstance(ntriples, str):
        ntriples = ntriples.splitlines()
    out = set()
    for raw in ntriples:
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if _STRING in line:
            line = line.replace(_STRING + " ", " ")
        if "_:" in line:
            line = _BNODE.sub("_:b", line)
        out.add(line)
    return out


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str
    cls: str


@dataclass(frozen=True)
class Fact:
    subject: str
    subject_label: str
    cls: str
    property: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Figure:
    iri: str
    label: str
    old: str | None
    new: str | None


@dataclass
class Changes:
    """The differences from snapshot A to snapshot B (lists capped at ``limit`` per class, counts exact)."""

    a: str
    b: str
    counts: dict[str, int]
    entities_added: list[Entity] = field(default_factory=list)
    entities_removed: list[Entity] = field(default_factory=list)
    added: list[Fact] = field(default_factory=list)
    removed: list[Fact] = field(default_factory=list)
    changed: list[Fact] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    by_class: dict[str, dict[str, int]] = field(default_factory=dict)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    def as_dict(self) -> dict:
        return asdict(self) | {"empty": self.empty}


def _split(line: str) -> tuple[str, str, str]:
    m = _SUBJECT_END.match(line)
    if not m:
        return line, "", ""
    rest = line[m.end() :]
    pred, _, obj = rest.partition(" ")
    return m.group(1), pred, obj[:-2].rstrip() if obj.endswith(" .") else obj


def _short(term: str) -> str:
    """``<https://w3id.org/qkg/def#City>`` -> ``qkg:City``; literals lose their quotes and datatype."""
    if term.startswith("<") and term.endswith(">"):
        return short(term[1:-1], brackets=False)
    if term.startswith('"'):
        end = term.rfind('"')
        try:
            return json.loads(term[: end + 1])  # N-Triples string escapes are JSON's, but for \U and \'
        except ValueError:
            graph = Graph()
            graph.parse(data=f"<x:s> <x:p> {term} .", format="nt")
            (value,) = graph.objects()
            return str(value)
    return term


class _Side:
    """One snapshot: every subject, and for the subjects that changed only, their types, labels and how many
    values each of their properties has (so a million unchanged triples cost one cheap pass each)."""

    def __init__(self, lines: set[str], changed: set[str]) -> None:
        self.lines = lines
        self.subjects: set[str] = set()
        self.types: dict[str, list[str]] = defaultdict(list)
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.per_key: Counter[tuple[str, str]] = Counter()
        self.figures: dict[str, str] = {}
        figure_type = f"<{QKG.DeclaredFigure}>"
        stated = f"<{QKG.statedValue}>"
        values: dict[str, str] = {}
        figure_subjects: set[str] = set()
        subjects = self.subjects
        for line in lines:
            s = line[: line.find(" ")]
            subjects.add(s)
            if s not in changed and stated not in line and figure_type not in line:
                continue
            s, p, o = _split(line)
            self.per_key[(s, p)] += 1
            if p == _TYPE:
                self.types[s].append(o)
                if o == figure_type:
                    figure_subjects.add(s)
            elif p == _LABEL and o.startswith('"'):
                lang = o.rsplit("@", 1)[1] if '"@' in o else ""
                self.labels[s][lang] = o
            elif p == stated:
                values[s] = o
        self.figures = {s: values.get(s, "") for s in figure_subjects}
        unlabelled = tuple(f"{s} {_LABEL} " for s in figure_subjects if s not in self.labels)
        if unlabelled:  # the headline figures are shown side by side with their labels, changed or not
            for line in lines:
                if line.startswith(unlabelled):
                    s, _, o = _split(line)
                    if o.startswith('"'):
                        self.labels[s][o.rsplit("@", 1)[1] if '"@' in o else ""] = o

    def label(self, subject: str, lang: str = "fr") -> str:
        labels = self.labels.get(subject, {})
        raw = labels.get(lang) or labels.get("en") or labels.get("") or next(iter(labels.values()), None)
        return _short(raw) if raw else _short(subject)

    def cls(self, subject: str) -> str:
        types = self.types.get(subject)
        return _short(sorted(types)[0]) if types else "—"


def compare(
    a: Iterable[str], b: Iterable[str], *, a_name: str = "A", b_name: str = "B", limit: int = 200, lang: str = "fr"
) -> Changes:
    """Compare two snapshots (sets of canonical lines, see :func:`canonical_lines`)."""
    if limit < 1:
        raise ParameterError(
            N_("limit must be at least 1, not {limit}"), hint=N_("pass --limit 1 or more"), fields={"limit": limit}
        )
    lines_a, lines_b = a if isinstance(a, set) else set(a), b if isinstance(b, set) else set(b)
    removed_lines = lines_a - lines_b
    added_lines = lines_b - lines_a
    touched = {line[: line.find(" ")] for line in removed_lines | added_lines}
    side_a, side_b = _Side(lines_a, touched), _Side(lines_b, touched)

    def label(s: str) -> str:
        return side_b.label(s, lang) if s in side_b.subjects else side_a.label(s, lang)

    def cls(s: str) -> str:
        return side_b.cls(s) if s in side_b.subjects else side_a.cls(s)

    new_entities = {s for s in side_b.types if s not in side_a.subjects}
    gone_entities = {s for s in side_a.types if s not in side_b.subjects}
    removed_by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    added_by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line in removed_lines:
        s, p, o = _split(line)
        removed_by_key[(s, p)].append(o)
    for line in added_lines:
        s, p, o = _split(line)
        added_by_key[(s, p)].append(o)

    changed: list[Fact] = []
    added: list[Fact] = []
    removed: list[Fact] = []
    shown: Counter[tuple[str, str]] = Counter()  # (kind, class) -> listed so far: only `limit` get labels
    by_class: dict[str, Counter[str]] = defaultdict(Counter)
    n_changed = 0
    truncated = False

    def keep(kind: str, c: str) -> bool:
        nonlocal truncated
        shown[(kind, c)] += 1
        if shown[(kind, c)] > limit:
            truncated = True
            return False
        return True

    for key in sorted(set(removed_by_key) | set(added_by_key)):
        s, p = key
        old, new = removed_by_key.get(key, []), added_by_key.get(key, [])
        c = cls(s)
        # A value replaced by one other value is a change: the only value of the key on each side, or the
        # only value in a language (a label corrected in French while the English one stays).
        for o_old, o_new in _pairs(old, new, single=side_a.per_key[key] == 1 and side_b.per_key[key] == 1):
            n_changed += 1
            by_class[c]["changed"] += 1
            if keep("changed", c):
                changed.append(Fact(_short(s), label(s), c, _short(p), _short(o_old), _short(o_new)))
            old.remove(o_old)
            new.remove(o_new)
        if not old and not new:
            continue
        if s in new_entities or s in gone_entities:
            by_class[c]["added" if new else "removed"] += len(new) + len(old)
            continue  # counted with the entity, not listed fact by fact
        for o in sorted(old):
            by_class[c]["removed"] += 1
            if keep("removed", c):
                removed.append(Fact(_short(s), label(s), c, _short(p), _short(o), None))
        for o in sorted(new):
            by_class[c]["added"] += 1
            if keep("added", c):
                added.append(Fact(_short(s), label(s), c, _short(p), None, _short(o)))

    figures = []
    for s in sorted(set(side_a.figures) | set(side_b.figures)):
        before, after = side_a.figures.get(s), side_b.figures.get(s)
        figures.append(
            Figure(_short(s), label(s), _short(before) if before else None, _short(after) if after else None)
        )

    def entities(subjects: set[str], side: _Side, kind: str) -> list[Entity]:
        listed = [s for s in sorted(subjects, key=lambda s: (side.cls(s), s)) if keep(kind, side.cls(s))]
        return sorted(
            (Entity(_short(s), side.label(s, lang), side.cls(s)) for s in listed), key=lambda e: (e.cls, e.label)
        )

    counts = {
        "entities_added": len(new_entities),
        "entities_removed": len(gone_entities),
        "facts_added": len(added_lines),
        "facts_removed": len(removed_lines),
        "facts_changed": n_changed,
        "triples_a": len(side_a.lines),
        "triples_b": len(side_b.lines),
    }
    return Changes(
        a=a_name,
        b=b_name,
        counts=counts,
        figures=figures,
        truncated=truncated,
        by_class={k: dict(v) for k, v in sorted(by_class.items())},
        entities_added=entities(new_entities, side_b, "entities_added"),
        entities_removed=entities(gone_entities, side_a, "entities_removed"),
        added=added,
        removed=removed,
        changed=changed,
    )


def _lang(term: str) -> str | None:
    """The language tag of a literal in N-Triples (``"x"@fr`` -> ``fr``), else None."""
    if term.startswith('"'):
        head, _, tag = term.rpartition('"@')
        return tag if head and re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", tag) else None
    return None


def _pairs(old: list[str], new: list[str], *, single: bool) -> list[tuple[str, str]]:
    if single and len(old) == 1 and len(new) == 1:
        return [(old[0], new[0])]
    pairs = []
    for tag in {_lang(o) for o in old} - {None}:
        olds = [o for o in old if _lang(o) == tag]
        news = [o for o in new if _lang(o) == tag]
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
    return pairs


# --- output ---------------------------------------------------------------------------------------------------


def _changeset(ch: Changes, removed_lines: Iterable[str], added_lines: Iterable[str]) -> bytes:
    """An RDF changeset (the changeset vocabulary: cs:removal / cs:addition of reified statements), Turtle."""
    from rdflib import BNode

    g = Graph()
    g.bind("cs", _CS)
    cs = BNode()
    g.add((cs, RDF.type, _CS.ChangeSet))
    g.add((cs, _CS.changeReason, Literal(f"{ch.a} -> {ch.b}")))
    for kind, lines in ((_CS.removal, removed_lines), (_CS.addition, added_lines)):
        nt = "\n".join(lines)
        part = Graph()
        if nt:
            part.parse(data=nt, format="nt")
        for s, p, o in part:
            st = BNode()
            g.add((cs, kind, st))
            g.add((st, RDF.type, RDF.Statement))
            g.add((st, RDF.subject, s))
            g.add((st, RDF.predicate, p))
            g.add((st, RDF.object, o))
    return g.serialize(format="turtle").encode("utf-8")


def render(ch: Changes, fmt: str, *, a_lines: set[str] | None = None, b_lines: set[str] | None = None) -> bytes:
    """JSON, or an RDF changeset in Turtle (needs the two snapshots' lines)."""
    if fmt not in FORMATS:
        raise ParameterError(
            N_("unknown diff format {fmt!r}"),
            hint=N_("use one of {choices}"),
            fields={"fmt": fmt, "choices": ", ".join(FORMATS)},
        )
    if fmt == "json":
        return json.dumps(ch.as_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    if a_lines is None or b_lines is None:
        raise ParameterError("an RDF changeset needs both snapshots", hint="pass a_lines and b_lines")
    return _changeset(ch, sorted(a_lines - b_lines), sorted(b_lines - a_lines))


# --- builds ---------------------------------------------------------------------------------------------------


def build_snapshot(path: Path) -> set[str]:
    """The asserted triples of a build folder as canonical lines (inferred triples follow from them)."""
    from qkg.graph.building.export import export_rdf
    from qkg.graph.serving.store import open_read_only
    from qkg.ontology import QKGD

    lines = canonical_lines(export_rdf(open_read_only(path), "ntriples", inferred=False))
    record = f"<{QKGD['build']}> "  # the build's own record (files, hashes) is not a fact of the data
    return {line for line in lines if not line.startswith(record)}


def record_build_changes(previous: Path, current: Path, *, limit: int = 200) -> Changes:
    """Compare a new build with the one it replaces and store the answer with the new build (the ``changes``
    artefact, read by ``/changes``)."""
    from qkg.graph.building.artefacts import Artefacts

    start = time.monotonic()
    changes = compare(
        build_snapshot(previous), build_snapshot(current), a_name=previous.name, b_name=current.name, limit=limit
    )
    Artefacts(current).write(CHANGES_ARTEFACT, changes.as_dict(), seconds=time.monotonic() - start)
    return changes


def read_build_changes(build: Path) -> dict | None:
    """The changes a build recorded against its predecessor, or None (first build, or built with --no-diff)."""
    from qkg.graph.building.artefacts import ArtefactMissing, Artefacts

    try:
        return Artefacts(build).read(CHANGES_ARTEFACT)
    except ArtefactMissing:
        return None
