"""The whole answers of the prepared canned queries (:mod:`qkg.graph.pages.answers`), made from a few reads of
their facts rather than by running each query whole.

Run whole, ``mission-cities``, ``mission-countries`` and ``agreements`` (twice: French and English) took 11 s of
CPU at a million triples, nearly all of it pyoxigraph looking terms up one row at a time in the on-disk store
(each lookup of a type, a label or a graph's year: 5-10 us) and comparing labels read back from it while
sorting. Here each fact is read once, by a scan or one join per table, and the rows are joined, counted and
sorted in Python; the two missions queries share their trips and places, the two languages of ``agreements``
share everything but the parties' names.

The ``.rq`` file stays the definition of each answer (what ``/api/queries/NAME`` runs for a binding the build
did not prepare, and what ``qkg query`` runs): each function below says which part of its query each read and
step stands for, and tests/test_graph_answers.py checks that every page equals the query's own, on the 2024
graph, on a synthetic one and on a graph of the cases that tell them apart, in each language. The order is the query's ``ORDER BY``: pyoxigraph orders
literals of one datatype by value and literals of different datatypes by their text, then datatype (a start
date of ``2015`` before ``2015-03-01``), an unbound value first; strings by code point, as Python does, which
the keys of :func:`_key` reproduce for the values these queries sort (years, dates written in full, labels).

:func:`whole_answers` gives them, ``{name: {lang: (variables, rows)}}`` (``lang`` "" for a query without a
``lang`` parameter); a prepared query it does not make is run whole.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from qkg.graph.serving import terms
from qkg.ontology import PREFIXES

__all__ = ["whole_answers"]

_HEAD = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())
_INTEGER = terms.NamedNode(PREFIXES["xsd"] + "integer")
#: The answer of one query: ``{lang: (variables, rows of terms, None where unbound)}``.
Answers = dict[str, tuple[list[str], list[tuple]]]


def _select(store, body: str):
    return store.select(_HEAD + body)


@functools.cache
def _count(n: int) -> terms.Literal:
    """A ``COUNT`` as SPARQL gives it (an ``xsd:integer``)."""
    return terms.Literal(str(n), datatype=_INTEGER)


def _key(term) -> tuple:
    """The sort key of one ``ORDER BY`` value (ascending): unbound first, then blank nodes, IRIs, and literals by
    text and datatype (see the module's note)."""
    if term is None:
        return (0,)
    if isinstance(term, terms.BlankNode):
        return (1, term.value)
    if isinstance(term, terms.NamedNode):
        return (2, term.value)
    return (3, term.value, term.datatype.value if term.language is None else "", term.language or "")


@functools.cache
def _desc_count(term: terms.Literal) -> int:
    """The key of ``DESC(?count)``."""
    return -int(term.value)


def _labels(store, subjects: str, lang: str | None, name: str = "rdfs:label") -> dict:
    """The distinct names (``rdfs:label``, or the property ``name``) of each node matched by the pattern
    ``subjects`` (binding ``?x``), in ``lang``: ``{node: [label]}``; with ``lang`` None, in each language:
    ``{node: {lang: [label]}}``."""
    out: dict = {}
    for x, label in _select(store, f"SELECT DISTINCT ?x ?l WHERE {{ {subjects} ?x {name} ?l }}"):
        if lang is None:
            out.setdefault(x, {}).setdefault(label.language, []).append(label)
        elif label.language == lang:
            out.setdefault(x, []).append(label)
    return out


def _years(store) -> dict:
    """``?g dct:temporal ?year``: each year graph's year (a few dozen rows)."""
    out: dict = defaultdict(list)
    for g, year in _select(store, "SELECT DISTINCT ?g ?year WHERE { ?g dct:temporal ?year }"):
        out[g].append(year)
    return out


def _missions(store, langs: Sequence[str]) -> dict[str, Answers]:
    """``mission-cities`` and ``mission-countries``, from their shared reads. Both count the trips stated in a
    year's files (``GRAPH ?g { ?trip prov:wasDerivedFrom ?section } ?g dct:temporal ?year``) that are
    ``schema:Trip`` and ``schema:Event``, by the cities of their ``schema:itinerary``."""
    years = _years(store)
    # ?trip a schema:Trip , schema:Event: two scans (looked up per itinerary row, 0.35 s at 1M triples)
    trips = {t for (t,) in _select(store, "SELECT ?t WHERE { ?t a schema:Trip }")}
    trips.intersection_update(t for (t,) in _select(store, "SELECT ?t WHERE { ?t a schema:Event }"))
    # the trips' years and their cities read apart (joined, pyoxigraph decodes each trip's graph once per city)
    trip_years: dict = defaultdict(set)
    for g, trip in _select(
        store,
        "SELECT DISTINCT ?g ?trip WHERE { { SELECT DISTINCT ?trip WHERE { ?trip schema:itinerary ?city } } "
        "GRAPH ?g { ?trip prov:wasDerivedFrom ?section } }",
    ):
        if trip in trips and g in years:
            trip_years[trip].update(years[g])
    visits = [  # (year, trip, city), distinct
        (year, trip, city)
        for trip, city in _select(store, "SELECT DISTINCT ?trip ?city WHERE { ?trip schema:itinerary ?city }")
        for year in trip_years.get(trip, ())
    ]
    visited = "{ SELECT DISTINCT ?x WHERE { ?trip schema:itinerary ?x } }"
    cities = {c for (c,) in _select(store, f"SELECT ?x WHERE {{ {visited} ?x a schema:City }}")}
    countries_of: dict = defaultdict(list)
    for city, country in _select(
        store,
        f"SELECT DISTINCT ?x ?country WHERE {{ {visited} ?x schema:containedInPlace ?country . "
        "?country a schema:Country }",
    ):
        countries_of[city].append(country)
    city_labels = _labels(store, visited, "fr")
    country_labels = _labels(store, "?x a schema:Country .", "fr")

    key = functools.cache(_key)  # each term's key made once
    # mission-cities: COUNT(DISTINCT ?trip) per year and city (a schema:City), each French label of the city,
    # each country it is in (a schema:Country) and that country's French labels; DISTINCT rows
    per_city: dict = defaultdict(set)
    for year, trip, city in visits:
        if city in cities:
            per_city[year, city].add(trip)
    city_rows = set()
    for (year, city), its_trips in per_city.items():
        missions = _count(len(its_trips))
        for label in city_labels.get(city, ()):
            for country in countries_of.get(city, ()):
                for country_label in country_labels.get(country, ()):
                    city_rows.add((year, city, label, country_label, missions))
    city_answer = sorted(city_rows, key=lambda r: (key(r[0]), _desc_count(r[4]), key(r[2]), key(r[1]), key(r[3])))

    # mission-countries: COUNT(DISTINCT ?trip) and COUNT(DISTINCT ?city) per year and country (any city of
    # the itinerary, in a schema:Country), each French label of the country
    per_country: dict = defaultdict(lambda: (set(), set()))
    for year, trip, city in visits:
        for country in countries_of.get(city, ()):
            its_trips, its_cities = per_country[year, country]
            its_trips.add(trip)
            its_cities.add(city)
    country_rows = [
        (year, country, label, _count(len(its_trips)), _count(len(its_cities)))
        for (year, country), (its_trips, its_cities) in per_country.items()
        for label in country_labels.get(country, ())
    ]
    country_answer = sorted(country_rows, key=lambda r: (key(r[0]), _desc_count(r[3]), key(r[2]), key(r[1])))
    return {
        "mission-cities": {"": (["year", "city", "label", "countryLabel", "missions"], city_answer)},
        "mission-countries": {"": (["year", "country", "label", "missions", "cities"], country_answer)},
    }


def _agreements(store, langs: Sequence[str]) -> dict[str, Answers]:
    """``agreements``: per report year, each ``gist:Agreement`` with parties stated in that year's files
    (``GRAPH ?h { ?agreement qkg:party ?party } ?h dct:temporal ?year``) that have a French name; grouped by
    its French label, English type label, start and end (each optional, each value its own group); the number
    of those parties, their names in the language asked for (French where a party has none) and one French
    name of its facilitators. The two languages differ only in the names (and the ``lang`` column)."""
    years = _years(store)
    agreements = {a for (a,) in _select(store, "SELECT ?a WHERE { ?a a gist:Agreement }")}
    parties: dict = defaultdict(set)  # (year, agreement) -> parties
    for h, agreement, party in _select(store, "SELECT DISTINCT ?h ?a ?p WHERE { GRAPH ?h { ?a qkg:party ?p } }"):
        if agreement in agreements:
            for year in years.get(h, ()):
                parties[year, agreement].add(party)

    def values(pattern: str) -> dict:
        """``?a ?v`` of the pattern, for the agreements (in Python: a type looked up per row costs more)."""
        out: dict = defaultdict(list)
        for a, v in _select(store, f"SELECT DISTINCT ?a ?v WHERE {{ {pattern} }}"):
            if a in agreements:
                out[a].append(v)
        return out

    def labelled(pattern: str, lang: str, name: str) -> dict:
        """``?a ?node`` of the pattern, each node replaced by its distinct names ``?v`` (property ``name``) in
        ``lang``."""
        nodes = values(pattern)
        names = _labels(store, "{ SELECT DISTINCT ?x WHERE { %s } }" % pattern.replace("?v", "?x"), lang, name)
        return {a: _distinct(n for node in found for n in names.get(node, ())) for a, found in nodes.items()}

    # the start is looked up per agreement (only a sixth of the start dates are agreements')
    starts = values("?a a gist:Agreement . ?a schema:startDate ?v")
    ends = values("?a schema:endDate ?v")
    types = labelled("?a qkg:agreementType ?v", "en", "skos:prefLabel")
    facilitators = labelled("?a qkg:facilitator ?v", "fr", "rdfs:label")
    labels = _labels(store, "?x a gist:Agreement .", "fr")
    party_names = _labels(store, "{ SELECT DISTINCT ?x WHERE { ?agreement qkg:party ?x } }", None)
    french = {p for p, names in party_names.items() if "fr" in names}

    keys = []  # (year, agreement, label, type, start, end, French-named parties)
    for (year, agreement), its_parties in parties.items():
        named_parties = [p for p in its_parties if p in french]
        if not named_parties:
            continue
        for label in labels.get(agreement) or [None]:
            for start in starts.get(agreement) or [None]:
                for type_ in types.get(agreement) or [None]:
                    for end in ends.get(agreement) or [None]:
                        keys.append((year, agreement, label, type_, start, end, named_parties))
    key = functools.cache(_key)  # each term's key made once
    keys.sort(key=lambda k: (key(k[0]), key(k[4]), key(k[2]), key(k[1])))
    out: Answers = {}
    for lang in langs:
        # GROUP_CONCAT(DISTINCT ?partyLabel): distinct terms (a French and an English name may read alike),
        # in an order SPARQL leaves open: here by name, the same at each build
        name_of = {p: names.get(lang) or names["fr"] for p, names in party_names.items() if "fr" in names}
        joined: dict = {}  # the parties of a (year, agreement): their names, one literal
        lang_term = terms.Literal(lang)
        rows = []
        for year, agreement, label, type_, start, end, named_parties in keys:
            names = joined.get((year, agreement))
            if names is None:
                distinct = {n for p in named_parties for n in name_of[p]}
                text = " ; ".join(sorted(n.value for n in distinct))
                names = joined[year, agreement] = terms.Literal(text, language=lang)
            facilitator = (facilitators.get(agreement) or [None])[0]
            rows.append(
                (year, agreement, label, type_, start, end, _count(len(named_parties)), names, facilitator, lang_term)
            )
        out[lang] = (
            ["year", "agreement", "label", "type", "start", "end", "parties", "partyNames", "facilitator", "lang"],
            rows,
        )
    return {"agreements": out}


def _upcoming(store, langs: Sequence[str], fixed: Mapping[str, Mapping]) -> dict[str, Answers]:
    """``upcoming`` for its ``after`` (``fixed``: the value the answer is made for, the parameter's default):
    each item with a start stated in a report year's files (``GRAPH ?h { ?item schema:startDate ?start } ?h
    dct:temporal ?year``) whose start's first four characters come after ``after`` (the query's ``FILTER``, as
    SPARQL applies it), with each French label of the item (unbound when it has none), each participant count
    and each estimated impact (optional); distinct rows, ordered by year, start, label and item. The query's
    subqueries, which pick a page's (year, start) keys before reading labels, give that same answer whole."""
    after = fixed["upcoming"]["after"]
    years = _years(store)
    # the labels looked up item by item (OPTIONAL): joined, every French label of the graph was read (5 s at 1M)
    dated = store.select(
        _HEAD + "SELECT DISTINCT ?g ?item ?start ?after ?label WHERE { { SELECT DISTINCT ?g ?item ?start ?after "
        "WHERE { GRAPH ?g { ?item schema:startDate ?start } FILTER(SUBSTR(STR(?start), 1, 4) > STR(?after)) } } "
        'OPTIONAL { ?item rdfs:label ?label FILTER(lang(?label) = "fr") } }',
        bindings={terms.Variable("after"): after},
    )
    keys: set[tuple] = set()
    labels: dict = defaultdict(set)
    for g, item, start, _after, label in dated:
        keys.update((year, item, start) for year in years.get(g, ()))
        labels[item].add(label)  # None: no French label (the row keeps its label unbound)
    items = set(labels)

    def values(prop: str) -> dict:
        out: dict = defaultdict(list)
        for x, v in _select(store, f"SELECT DISTINCT ?x ?v WHERE {{ ?x {prop} ?v }}"):
            if x in items:
                out[x].append(v)
        return out

    participants, impacts = values("qkg:participantCount"), values("qkg:economicImpactCAD")
    rows = {
        (year, after, item, label, start, count, impact)
        for year, item, start in keys
        for label in labels[item]
        for count in participants.get(item) or [None]
        for impact in impacts.get(item) or [None]
    }
    key = functools.cache(_key)  # each term's key made once
    answer = sorted(rows, key=lambda r: (key(r[0]), key(r[4]), key(r[3]), key(r[2])))
    variables = ["year", "after", "item", "label", "start", "participants", "impactCAD"]
    return {"upcoming": {"": (variables, answer)}}


def _distinct(items: Iterable) -> list:
    return list(dict.fromkeys(items))


#: The prepared queries made from their facts, and the function that makes each (one may make several), called
#: as ``make(store, langs)``, or ``make(store, langs, fixed)`` for those of :data:`_BOUND` (the values of their
#: other parameters the answer is made for).
_MAKERS: dict[str, Callable[..., dict[str, Answers]]] = {
    "mission-cities": _missions,
    "mission-countries": _missions,
    "agreements": _agreements,
    "upcoming": _upcoming,
}
_BOUND = {_upcoming}


def whole_answers(
    store, names: Iterable[str], langs: Sequence[str], fixed: Mapping[str, Mapping] | None = None
) -> dict[str, Answers]:
    """The whole answers of those of the queries ``names`` this module makes (the others are left out: run
    them whole), in each of ``langs`` for a query with a ``lang`` parameter (under "" for one without), each
    other parameter of a query bound to its value in ``fixed`` (``{query: {parameter: term}}``; a query of
    :data:`_BOUND` missing there is run whole)."""
    names, fixed = list(names), fixed or {}
    made: dict[str, Answers] = {}
    for make in _distinct(_MAKERS[name] for name in names if name in _MAKERS):
        if make in _BOUND:
            if all(name in fixed for name in names if _MAKERS.get(name) is make):
                made.update(make(store, langs, fixed))
        else:
            made.update(make(store, langs))
    return {name: made[name] for name in names if name in made}
