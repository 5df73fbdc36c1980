"""The facts an analysis projects: who takes part in which fact, where, on what theme, when; read with SPARQL.

A *fact* is an n-ary node of the graph: an activity (event, network meeting, reception, mission), an
agreement, an ``org:Membership`` or a partner-list entry. Each fact links *actors* (organisations, local
governments, posts, groups, people) through *roles* (``qkg:party``, ``qkg:funder``, ``org:member``...), and
may have *places* (``qkg:location``, ``qkg:origin``, a mission leg's ``qkg:legCity``), *themes*
(``qkg:theme``) and dates (``schema:startDate``/``endDate``, ``org:memberDuring``).

Every projection of :mod:`qkg.graph.analysis.projection` and the complementarity map of :mod:`qkg.graph.analysis.complementarity` start
from one :class:`FactIndex`, built by a handful of SPARQL SELECTs on the store (the default graph being the
union of the named graphs): nothing is copied to rdflib, so it scales with Oxigraph.

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> idx = load_facts(OxigraphStore())
>>> len(idx.facts), idx.kinds_selected == frozenset(DEFAULT_RELATIONS)
(0, True)
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from qkg.graph.errors import N_, ParameterError
from qkg.graph.named_graphs import INFERRED_GRAPH
from qkg.graph.pages.years import in_year, stated_by_year
from qkg.graph.serving.store import Store, property_values
from qkg.graph.serving.terms import NamedNode
from qkg.ontology import PREFIXES
from qkg.ontology.curies import short

__all__ = [
    "cite",
    "RELATIONS",
    "DEFAULT_RELATIONS",
    "ROLES",
    "Fact",
    "FactIndex",
    "load_facts",
    "labels",
    "types",
    "provenance",
    "check_relations",
    "Q",
    "ORG",
    "SKOS",
    "RDFS",
    "PROV",
]

Q, ORG, SKOS, RDFS, PROV = (PREFIXES[p] for p in ("qkg", "org", "skos", "rdfs", "prov"))
_SCHEMA, _TIME = PREFIXES["schema"], PREFIXES["time"]

#: The kinds of link an analysis may count, and the classes whose instances are facts of that kind.
#: A node with several classes (a conference both Reception and Event) has several kinds; its *primary* kind
#: is the first in this order.
RELATIONS: dict[str, tuple[str, ...]] = {
    "mission": (Q + "Mission",),
    "event": (Q + "Event", Q + "NetworkMeeting"),
    "reception": (Q + "Reception",),
    "project": (Q + "Project",),
    "agreement": (Q + "Agreement",),
    "membership": (ORG + "Membership",),
    "partner": (Q + "PartnerEntry",),
    "contributed": (Q + "ContributedActivity",),
}
#: What counts by default: shared events, receptions, missions, agreements and memberships. Partner-list
#: entries (``partner``) and projects are opt-in: an entry naming two organisations is not a joint action.
#: ``contributed``: activities the committee's members declare in their activity sheets (not the report).
DEFAULT_RELATIONS = ("mission", "event", "reception", "agreement", "membership", "contributed")

#: The properties that attach an actor to a fact, with the role name shown to analysts.
ROLES: dict[str, str] = {
    Q + "party": "party",
    Q + "facilitator": "facilitator",
    Q + "organiser": "organiser",
    Q + "host": "host",
    Q + "coOrganiser": "co-organiser",
    Q + "funder": "funder",
    Q + "participant": "participant",
    Q + "visitor": "visitor",
    Q + "missionLeader": "mission leader",
    ORG + "member": "member",
    ORG + "organization": "organisation",
    Q + "partnerOrganisation": "partner",
}
# Inference materialises super-properties (host => organiser, visitor => participant): keep the specific one.
_IMPLIED = {"organiser": {"host", "co-organiser"}, "participant": {"visitor", "mission leader"}}
_PLACE_SPARQL = f"""
SELECT ?f ?p ?via WHERE {{
  {{ ?f <{Q}location> ?p BIND("location" AS ?via) }}
  UNION {{ ?f <{Q}origin> ?p BIND("origin" AS ?via) }}
  UNION {{ ?f <{Q}leg> ?l . ?l <{Q}legCity> ?p BIND("leg" AS ?via) }}
  FILTER(isIRI(?p))
}}"""
_DATE_SPARQL = f"""
SELECT ?f ?d WHERE {{
  {{ ?f <{_SCHEMA}startDate>|<{_SCHEMA}endDate> ?d }}
  UNION {{ ?f <{ORG}memberDuring> ?t . ?t <{_TIME}hasBeginning>|<{_TIME}hasEnd> ?i .
          ?i <{_TIME}inXSDDate>|<{_TIME}inXSDgYearMonth>|<{_TIME}inXSDgYear>|<{_TIME}inXSDDateTimeStamp> ?d }}
}}"""


@dataclass(frozen=True)
class Fact:
    """One fact node: its IRI, primary kind, every kind, and the years it spans (``None`` if undated)."""

    iri: str
    kind: str
    kinds: frozenset[str]
    first_year: int | None = None
    last_year: int | None = None


@dataclass
class FactIndex:
    """The selected facts and what hangs off them; plain dicts of IRIs (strings), cheap to reuse.

    Attributes
    ----------
    facts : dict
        Fact IRI -> :class:`Fact`, only the facts kept by the relations and year filters.
    roles : dict
        Fact IRI -> actor IRI -> set of role names (the most specific ones).
    places : dict
        Fact IRI -> set of ``(place IRI, via)`` with via in ``location``, ``origin``, ``leg``.
    themes : dict
        Subject IRI (a fact or an actor) -> set of theme IRIs (``qkg:theme``).
    homes : dict
        Actor IRI -> set of place IRIs it governs or is based in (``qkg:jurisdiction``, ``qkg:basedIn``);
        posts inherit the homes of their organisation.
    parent : dict
        Post -> its organisation (``org:postIn``), unit -> its organisation (``org:unitOf``); one level.
    post_or_unit : dict
        The same keys, valued ``"post"`` or ``"unit"``.
    country : dict
        Place IRI -> its country (``qkg:country``; a country is its own).
    """

    facts: dict[str, Fact] = field(default_factory=dict)
    roles: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    places: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    themes: dict[str, set[str]] = field(default_factory=dict)
    homes: dict[str, set[str]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    post_or_unit: dict[str, str] = field(default_factory=dict)
    country: dict[str, str] = field(default_factory=dict)
    kinds_selected: frozenset[str] = frozenset(DEFAULT_RELATIONS)
    #: Read with ``actors_only`` (:func:`load_facts`): ``places``, ``themes``, ``homes`` and ``country`` were not
    #: read (they are empty, not known to be empty).
    actors_only: bool = False
    #: Tables its readers derive from it once and keep with it (reach's inverted tables), by key: not compared,
    #: and empty when it is pickled (each process makes its own).
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "derived": {}}

    def fold(self, iri: str, *, posts: bool, units: bool, keep=frozenset()) -> str:
        """The IRI ``iri`` stands for once posts and/or units are folded into their organisation.

        Folding stops at an IRI of ``keep`` (an actor under study is never merged into its parent: the MRIF
        stays the MRIF, though it is a unit of the Government of Québec).

        >>> idx = FactIndex(parent={"p": "u", "u": "o"}, post_or_unit={"p": "post", "u": "unit"})
        >>> idx.fold("p", posts=True, units=False), idx.fold("p", posts=True, units=True), idx.fold("p", posts=False, units=True)
        ('u', 'o', 'p')
        >>> idx.fold("p", posts=True, units=True, keep={"u"})
        'u'
        """
        seen = set()
        while iri in self.parent and iri not in seen and iri not in keep:
            what = self.post_or_unit[iri]
            if (what == "post" and not posts) or (what == "unit" and not units):
                break
            seen.add(iri)
            iri = self.parent[iri]
        return iri

    def actors(self, fact: str, *, posts: bool = False, units: bool = False, keep=frozenset()) -> dict[str, set[str]]:
        """Actor -> roles on ``fact``, after folding (roles of folded members are merged)."""
        out: dict[str, set[str]] = defaultdict(set)
        for actor, roles in self.roles.get(fact, {}).items():
            out[self.fold(actor, posts=posts, units=units, keep=keep)] |= roles
        return dict(out)

    def of_year(self, year: str, stated: dict[str, set[str]]) -> FactIndex:
        """This index cut to the facts of one report ``year``, as :func:`load_facts` with ``year`` reads them
        (``stated``: :func:`~qkg.graph.pages.years.stated_by_year`); the other tables are shared, not copied.

        >>> idx = FactIndex(facts={"a": Fact("a", "event", frozenset({"event"}), 2024, 2024),
        ...                        "b": Fact("b", "event", frozenset({"event"}))}, roles={"a": {}, "b": {}})
        >>> sorted(idx.of_year("2025", {"b": {"2025"}}).roles)
        ['b']
        """

        def span(fact: Fact) -> tuple[int, int] | None:
            if fact.first_year is None or fact.last_year is None:
                return None
            return fact.first_year, fact.last_year

        facts = {iri: fact for iri, fact in self.facts.items() if in_year(year, stated.get(iri), span(fact))}
        return replace(
            self,
            facts=facts,
            roles={f: r for f, r in self.roles.items() if f in facts},
            places={f: p for f, p in self.places.items() if f in facts},
            derived={},  # its own: the tables derived from the whole index are not this cut's
        )

    def restricted(
        self, relations: Iterable[str] | str | None = None, *, year_from: int | None = None, year_to: int | None = None
    ) -> FactIndex:
        """This index, read with every kind of fact (:func:`load_facts` with ``relations="all"``), cut as
        :func:`load_facts` reads it with these ``relations`` and years (undated facts kept): a server answers
        ``reach`` with any options from the build's index (at 1M triples, 0.1 s here against 7 s read again).
        The other tables are shared, not copied. With ``year``, :meth:`of_year` cuts it further.

        >>> idx = FactIndex(facts={"a": Fact("a", "event", frozenset({"event", "mission"}), 2020, 2021),
        ...                        "b": Fact("b", "agreement", frozenset({"agreement"}))},
        ...                 roles={"a": {}, "b": {}}, kinds_selected=frozenset(RELATIONS))
        >>> cut = idx.restricted("mission,agreement", year_from=2022)
        >>> [(f.iri, f.kind) for f in cut.facts.values()], sorted(cut.roles)
        ([('b', 'agreement')], ['b'])
        >>> idx.restricted("mission", year_to=2020).facts["a"].kind
        'mission'
        """
        kinds = check_relations(relations)
        _check_range(year_from, year_to)
        order = list(RELATIONS)
        facts: dict[str, Fact] = {}
        for iri, fact in self.facts.items():
            chosen = fact.kinds & kinds
            if not chosen:
                continue
            first, last = fact.first_year, fact.last_year
            if first is not None and last is not None and not _overlaps(first, last, year_from, year_to):
                continue
            facts[iri] = replace(fact, kind=min(chosen, key=order.index))
        return replace(
            self,
            facts=facts,
            roles={f: r for f, r in self.roles.items() if f in facts},
            places={f: p for f, p in self.places.items() if f in facts},
            kinds_selected=kinds,
            derived={},
        )

    def cut(
        self,
        store: Store,
        relations: Iterable[str] | str | None = None,
        *,
        year_from: int | None = None,
        year_to: int | None = None,
        year: str | None = None,
    ) -> FactIndex:
        """This index (read with every kind: the build's ``reach-facts``) as :func:`load_facts` reads the facts with
        these options: itself when they select everything, else :meth:`restricted`, then :meth:`of_year` (the
        report years stating each fact read from ``store`` once per index, 0.6 s at 1M triples)."""
        kinds = check_relations(relations)
        idx = self
        if kinds != self.kinds_selected or year_from is not None or year_to is not None:
            idx = self.restricted(relations, year_from=year_from, year_to=year_to)
        if year is not None:
            stated = self.derived.get(("stated-by-year",))
            if stated is None:
                stated = self.derived[("stated-by-year",)] = stated_by_year(store)
            idx = idx.of_year(year, stated)
        return idx

    def home_of(self, actor: str) -> set[str]:
        """The places an actor governs or is based in, or those of its organisation (for a post or a unit)."""
        seen: set[str] = set()
        while actor not in seen:
            seen.add(actor)
            if self.homes.get(actor):
                return self.homes[actor]
            if actor not in self.parent:
                break
            actor = self.parent[actor]
        return set()


def check_relations(relations: Iterable[str] | None) -> frozenset[str]:
    """Validate relation names; ``None`` means :data:`DEFAULT_RELATIONS`, ``"all"`` every kind.

    >>> sorted(check_relations(["agreement", "membership"]))
    ['agreement', 'membership']
    >>> check_relations(["treaty"])
    Traceback (most recent call last):
    ...
    qkg.graph.errors.ParameterError: unknown relation 'treaty'
    """
    if relations is None:
        return frozenset(DEFAULT_RELATIONS)
    if isinstance(relations, str):
        relations = [r.strip() for r in relations.split(",") if r.strip()]
    chosen = set()
    for name in relations:
        if name == "all":
            chosen |= set(RELATIONS)
        elif name in RELATIONS:
            chosen.add(name)
        else:
            raise ParameterError(
                N_("unknown relation {value!r}"),
                hint=N_("use some of {choices} (or all)"),
                fields={"value": name, "choices": ", ".join(RELATIONS)},
            )
    if not chosen:
        raise ParameterError(
            N_("no relation selected"), hint=N_("use some of {choices}"), fields={"choices": ", ".join(RELATIONS)}
        )
    return frozenset(chosen)


def _rows(store: Store, sparql: str):
    return store.select(sparql)


def _year(value: str) -> int | None:
    try:
        return int(value.lstrip("-")[:4])
    except ValueError:
        return None


def load_facts(
    store: Store,
    *,
    relations: Iterable[str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    undated: bool = True,
    year: str | None = None,
    actors_only: bool = False,
) -> FactIndex:
    """Read the facts of the selected kinds, their actors, places, themes and dates from ``store``.

    Parameters
    ----------
    store : Store
        A built store (the default graph is queried as the union of the named graphs).
    relations : iterable of str, optional
        Kinds of fact to keep (:data:`RELATIONS`); default :data:`DEFAULT_RELATIONS`.
    year_from, year_to : int, optional
        Keep the facts whose dates overlap ``[year_from, year_to]``.
    undated : bool
        Keep the facts that have no date when a year range is given (default True: most facts of an annual
        report are dated only by the report itself).
    year : str, optional
        A report year: keep the facts its files state (their named graphs tagged with that year), and the
        facts no report states (contributed activities) dated in that year or undated. Default: every year.
    actors_only : bool
        Read the facts, their actors and the organisations of posts and units alone: what an actor network
        without places needs (at 1M triples the places, themes, homes and countries are about 1.2 s of reading).
        The index says so (:attr:`FactIndex.actors_only`).

    Returns
    -------
    FactIndex
    """
    kinds = check_relations(relations)
    _check_range(year_from, year_to)
    cls_kind = {c: k for k, classes in RELATIONS.items() for c in classes}
    found: dict[str, set[str]] = defaultdict(set)
    # One query per class and per role below, not one with the class or role as a column: each answer's term
    # is decoded from the store (a few microseconds each on disk), and that column is known. Nor is a value
    # tested in the query (isIRI decodes it there, before the answer decodes it again): here, as it is read.
    for c, kind in cls_kind.items():
        for row in _rows(store, f"SELECT ?f WHERE {{ ?f a <{c}> }}"):
            if isinstance(f := row[0], NamedNode):
                found[f.value].add(kind)
    years: dict[str, list[int]] = defaultdict(list)
    for row in _rows(store, _DATE_SPARQL):
        y = _year(row[1].value)
        if y is not None and row[0].value in found:
            years[row[0].value].append(y)
    if year is not None:
        stated = stated_by_year(store)

        def span(f: str) -> tuple[int, int] | None:
            ys = years.get(f)
            return (min(ys), max(ys)) if ys else None

        found = {f: ks for f, ks in found.items() if in_year(year, stated.get(f), span(f))}
    order = list(RELATIONS)
    idx = FactIndex(kinds_selected=kinds, actors_only=actors_only)
    for iri, ks in found.items():
        if not ks & kinds:
            continue
        ys = years.get(iri)
        first: int | None = None
        last: int | None = None
        if ys:
            first, last = min(ys), max(ys)
            if not _overlaps(first, last, year_from, year_to):
                continue
        elif not undated and (year_from is not None or year_to is not None):
            continue
        primary = min(ks & kinds, key=order.index)
        idx.facts[iri] = Fact(iri, primary, frozenset(ks), first, last)
    for role, name in ROLES.items():
        for row in _rows(store, f"SELECT ?f ?a WHERE {{ ?f <{role}> ?a }}"):
            f = row[0].value
            if f in idx.facts and isinstance(a := row[1], NamedNode):
                idx.roles.setdefault(f, {}).setdefault(a.value, set()).add(name)
    for actors in idx.roles.values():
        for roles in actors.values():
            for generic, specific in _IMPLIED.items():
                if generic in roles and roles & specific:
                    roles.discard(generic)
    if not actors_only:
        _places_themes_homes(store, idx)
    for row in _rows(
        store,
        f"""SELECT ?x ?o ?how WHERE {{
            {{ ?x <{ORG}postIn> ?o BIND("post" AS ?how) }} UNION {{ ?x <{ORG}unitOf> ?o BIND("unit" AS ?how) }} }}""",
    ):
        x = row[0].value
        if x not in idx.parent:
            idx.parent[x], idx.post_or_unit[x] = row[1].value, row[2].value
    return idx


def _overlaps(first: int, last: int, year_from: int | None, year_to: int | None) -> bool:
    """Whether ``[first, last]`` meets ``[year_from, year_to]`` (an open end when None)."""
    return not ((year_from is not None and last < year_from) or (year_to is not None and first > year_to))


def _check_range(year_from: int | None, year_to: int | None) -> None:
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ParameterError(
            N_("year range {start}-{end} is empty"),
            hint=N_("give a first year before or equal to the last one"),
            fields={"start": year_from, "end": year_to},
        )


def _places_themes_homes(store: Store, idx: FactIndex) -> None:
    """Fill the places of ``idx``'s facts, the themes, the actors' homes and the places' countries."""
    for row in _rows(store, _PLACE_SPARQL):
        f = row[0].value
        if f in idx.facts:
            idx.places.setdefault(f, set()).add((row[1].value, row[2].value))
    for row in _rows(store, f"SELECT ?s ?t WHERE {{ ?s <{Q}theme> ?t }}"):
        if isinstance(t := row[1], NamedNode):
            idx.themes.setdefault(row[0].value, set()).add(t.value)
    for row in _rows(store, f"SELECT ?a ?p WHERE {{ ?a <{Q}jurisdiction>|<{Q}basedIn> ?p }}"):
        if isinstance(p := row[1], NamedNode):
            idx.homes.setdefault(row[0].value, set()).add(p.value)
    for row in _rows(store, f"SELECT ?c WHERE {{ ?c a <{Q}Country> }}"):
        idx.country[row[0].value] = row[0].value
    for row in _rows(store, f"SELECT ?p ?c WHERE {{ ?p <{Q}country> ?c }}"):
        idx.country.setdefault(row[0].value, row[1].value)


def _values_chunks(iris: Iterable[str], size: int = 400):
    items = sorted(set(iris))
    for i in range(0, len(items), size):
        yield " ".join(f"<{x}>" for x in items[i : i + size])


#: Above this many IRIs, one scan of the whole store (cached per store) beats many VALUES blocks.
_BULK = 3000
# Whole-store label and type tables, per open store (a read-only build never changes). The store itself is
# kept with its table, so its id() cannot be reused while the entry lives; two stores at most.
_TABLES: OrderedDict[int, tuple[Store, dict]] = OrderedDict()


def _table(store: Store, key: str, make):
    entry = _TABLES.get(id(store))
    if entry is None or entry[0] is not store:
        entry = (store, {})
        _TABLES[id(store)] = entry
        while len(_TABLES) > 2:
            _TABLES.popitem(last=False)
    if key not in entry[1]:
        entry[1][key] = make()
    return entry[1][key]


#: The languages whose whole-store label tables are made together (one reading of the label rows for both).
_TABLE_LANGS = ("fr", "en")
#: Above this many IRIs not looked up yet, the whole store's table is read at once (see :class:`_Lookup`).
_WHOLE = 50_000


class _Lookup:
    """A per-IRI table of one store (labels, types), read for the IRIs asked so far or, once more than
    :data:`_WHOLE` are missing at once, for the whole store (then every later question is answered from it).

    The build's actor networks ask for 28k actors at 1M triples (their labels by VALUES blocks: 0.9 s of CPU,
    the whole 254k-row label table 2.0 s), then for subsets of them (each year's network, the other language);
    the network view asks for 100k nodes, and reads the whole table. ``some(iris)`` and ``whole()`` return the
    same kind of table: a list of dicts ``iri -> value`` (one per language for labels)."""

    def __init__(self, some, whole) -> None:
        self.some, self.whole = some, whole
        self.values: list[dict[str, str]] | None = None
        self.asked: set[str] = set()
        self.complete = False

    def of(self, iris: set[str]) -> list[dict[str, str]]:
        if not self.complete:
            missing = iris - self.asked
            if len(missing) > _WHOLE:
                self.values, self.complete, self.asked = self.whole(), True, set()
            elif missing or self.values is None:
                found = self.some(missing)
                if self.values is None:
                    self.values = found
                else:
                    for mine, more in zip(self.values, found, strict=True):
                        mine.update(more)
                self.asked |= missing
        assert self.values is not None
        return self.values


def _best_labels(rows, langs: tuple[str, ...], only: set[str] | None) -> list[dict[str, str]]:
    """Each IRI's best label in each of ``langs`` (see :func:`labels`), from one reading of the rows (a row's
    terms are decoded once, whatever the number of languages)."""
    ranks = [{lang: 0, "en": 1, "": 2} for lang in langs]
    tables: list[dict[str, tuple[int, str]]] = [{} for _ in langs]
    both = list(zip(ranks, tables, strict=True))
    for row in rows:
        s = row[0].value
        if only is not None and s not in only:
            continue
        lit = row[1]
        tag, value = lit.language or "", lit.value
        for rank, ranked in both:
            r = (rank.get(tag, 3), value)
            old = ranked.get(s)
            if old is None or r < old:
                ranked[s] = r
    return [{s: r[1] for s, r in ranked.items()} for ranked in tables]


def labels(store: Store, iris: Iterable[str], *, lang: str = "fr") -> dict[str, str]:
    """The best label of each IRI (``rdfs:label`` or ``skos:prefLabel``; ``lang`` first, then English, then
    any); an IRI without a label gets its CURIE.

    >>> from qkg.graph.serving import terms
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> s = OxigraphStore()
    >>> s.add([terms.Quad(terms.NamedNode("http://e/a"), terms.NamedNode(RDFS + "label"), terms.Literal("A", language="en"))])
    >>> s.add([terms.Quad(terms.NamedNode("http://e/a"), terms.NamedNode(RDFS + "label"), terms.Literal("Á", language="fr"))])
    >>> labels(s, ["http://e/a", "http://e/b"])
    {'http://e/a': 'Á', 'http://e/b': '<http://e/b>'}
    """
    iris = set(iris)
    pattern = f"?s <{RDFS}label>|<{SKOS}prefLabel> ?l"
    langs = _TABLE_LANGS if lang in _TABLE_LANGS else (lang,)

    def some(wanted: set[str]) -> list[dict[str, str]]:
        found: list[dict[str, str]] = [{} for _ in langs]
        for chunk in _values_chunks(wanted):
            rows = _rows(store, f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {chunk} }} {pattern} }}")
            for mine, more in zip(found, _best_labels(rows, langs, wanted), strict=True):
                mine.update(more)
        return found

    def whole() -> list[dict[str, str]]:
        # each property's pairs, read as the search index reads them (one read in a build's group)
        rows = itertools.chain.from_iterable(property_values(store, p) for p in (RDFS + "label", SKOS + "prefLabel"))
        return _best_labels(rows, langs, None)

    if len(iris) > _BULK:
        found = _table(store, "labels:" + ",".join(langs), lambda: _Lookup(some, whole)).of(iris)[langs.index(lang)]
    else:
        found = some(iris)[langs.index(lang)]
    return {i: found[i] if i in found else short(i) for i in sorted(iris)}


def _most_specific(store: Store, classes: dict[str, set[str]]) -> dict[str, str]:
    sub: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, f"SELECT ?a ?b WHERE {{ ?a <{RDFS}subClassOf> ?b FILTER(isIRI(?a) && isIRI(?b)) }}"):
        sub[row["a"].value].add(row["b"].value)
    out = {}
    for s, cs in classes.items():
        if len(cs) == 1:  # most nodes: their one class
            out[s] = next(iter(cs)).rsplit("#", 1)[-1]
            continue
        specific = [c for c in cs if not any(c in sub.get(d, ()) for d in cs if d != c)]
        best = sorted(specific or cs, key=lambda c: (not c.startswith(Q), c))
        out[s] = best[0].rsplit("#", 1)[-1]
    return out


def types(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The most specific asserted ``qkg:`` (or ``org:``/``skos:``) class of each IRI, as a local name
    (``LocalGovernment``); ``""`` when it has none. Inferred super-classes are ignored.
    """
    keep = (Q, ORG, SKOS)
    query = "SELECT ?s ?c WHERE {{ {values} GRAPH ?g {{ ?s a ?c }} FILTER(?g != <%s>) }}" % INFERRED_GRAPH

    def collect(rows, only):
        classes: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if row[1].value.startswith(keep) and (only is None or row[0].value in only):
                classes[row[0].value].add(row[1].value)
        return classes

    def some(wanted: set[str]) -> list[dict[str, str]]:
        classes: dict[str, set[str]] = defaultdict(set)
        for chunk in _values_chunks(wanted):
            for k, v in collect(
                store.select(query.format(values=f"VALUES ?s {{ {chunk} }}"), union=False), wanted
            ).items():
                classes[k] |= v
        return [_most_specific(store, classes)]

    def whole() -> list[dict[str, str]]:
        return [_most_specific(store, collect(store.select(query.format(values=""), union=False), None))]

    iris = set(iris)
    bulk = len(iris) > _BULK  # a per-store table (see _Lookup), else these IRIs' own
    found = _table(store, "types", lambda: _Lookup(some, whole)).of(iris)[0] if bulk else some(iris)[0]
    return {s: found.get(s, "") for s in sorted(iris)}


def provenance(store: Store, iris: Iterable[str], *, lang: str = "fr") -> dict[str, dict]:
    """Where each fact comes from: ``{iri: {"sections": [{"iri", "label"}], "annexItem": int | None,
    "graph": curie | None, "contributed": {"member", "member_label", "sheet", "sheet_label"} | None}}`` (report
    sections by ``prov:wasDerivedFrom``; the named graph of its type; for an activity a committee member
    contributed in its sheet, the member and the sheet instead of a report section).
    """
    out: dict[str, dict] = {
        i: {"sections": [], "annexItem": None, "graph": None, "contributed": None} for i in set(iris)
    }
    section_labels: dict[str, tuple[int, str]] = {}
    rank = {lang: 0, "en": 1, "": 2}
    for chunk in _values_chunks(out):
        for row in _rows(
            store,
            f"""SELECT ?f ?s ?l WHERE {{ VALUES ?f {{ {chunk} }}
                ?f <{PROV}wasDerivedFrom> ?s . ?s a <{Q}ReportSection> OPTIONAL {{ ?s <{RDFS}label> ?l }} }}""",
        ):
            f, s = row["f"].value, row["s"].value
            if s not in [x["iri"] for x in out[f]["sections"]]:
                out[f]["sections"].append({"iri": s, "label": None})
            lit = row["l"]
            if lit is not None:
                r = (rank.get(lit.language or "", 3), lit.value)
                if s not in section_labels or r < section_labels[s]:
                    section_labels[s] = r
        for row in _rows(
            store,
            f"""SELECT ?f ?m ?sh (SAMPLE(?ml) AS ?mlabel) (SAMPLE(?shl) AS ?slabel) WHERE {{
                VALUES ?f {{ {chunk} }} ?f <{PROV}wasAttributedTo> ?m ; <{PROV}wasDerivedFrom> ?sh .
                ?sh a <{Q}ContributedSheet> .
                OPTIONAL {{ ?m <{RDFS}label> ?ml FILTER(LANG(?ml) = "{lang}") }}
                OPTIONAL {{ ?sh <{RDFS}label> ?shl FILTER(LANG(?shl) = "{lang}") }} }} GROUP BY ?f ?m ?sh""",
        ):
            member, sheet = row["m"].value, row["sh"].value
            out[row["f"].value]["contributed"] = {
                "member": member,
                "member_label": row["mlabel"].value if row["mlabel"] is not None else short(member),
                "sheet": sheet,
                "sheet_label": row["slabel"].value if row["slabel"] is not None else short(sheet),
            }
        for row in _rows(store, f"SELECT ?f ?n WHERE {{ VALUES ?f {{ {chunk} }} ?f <{Q}annexItem> ?n }}"):
            try:
                out[row["f"].value]["annexItem"] = int(row["n"].value)
            except ValueError:
                pass
        for row in store.select(
            f"""SELECT ?f ?g WHERE {{ VALUES ?f {{ {chunk} }} GRAPH ?g {{ ?f a ?c }}
                FILTER(?g != <{INFERRED_GRAPH}>) }}""",
            union=False,
        ):
            # A fact typed in several graphs cites the first by name: the same on every store, whatever its order.
            rec, graph = out[row["f"].value], short(row["g"].value)
            rec["graph"] = graph if rec["graph"] is None or graph < rec["graph"] else rec["graph"]
    for rec in out.values():
        for sec in rec["sections"]:
            sec["label"] = section_labels.get(sec["iri"], (0, short(sec["iri"])))[1]
        rec["sections"].sort(key=lambda x: x["iri"])
    return out


def cite(rec: dict, lang: str = "fr") -> str:
    """One line saying where a fact comes from (a :func:`provenance` record): its report sections and annex
    item, or the committee member and sheet that contributed it.

    >>> cite({"sections": [{"label": "Québec rayonne"}], "annexItem": 3})
    'Québec rayonne, item 3'
    >>> cite({"sections": [], "contributed": {"member_label": "Université Laval", "sheet_label": "f.csv"}}, "en")
    'contributed by Université Laval (f.csv)'
    """
    contributed = rec.get("contributed")
    if contributed:
        word = "contribué par" if lang == "fr" else "contributed by"
        return f"{word} {contributed['member_label']} ({contributed['sheet_label']})"
    text = "; ".join(s["label"] for s in rec.get("sections", []))
    return text + (f", item {rec['annexItem']}" if rec.get("annexItem") else "")
