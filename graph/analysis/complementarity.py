"""The complementarity map: which actor covers which theme and which region, where they overlap, what is left.

The committee *Québec, capitale internationale* (the City, the MRIF, Québec International, Université Laval)
exists "to identify the complementarities of the region's international actors". For a set of actors (the
committee's members by default, or the report's partners, or any list) this module builds:

* an **actor x theme** matrix (``qkg:theme`` of the facts each actor takes part in, plus its own themes;
  optionally rolled up to the six top themes by ``skos:broader``),
* **actor x country** and **actor x continent** matrices (places of its facts, and home places of its
  counterparts on them: see :func:`qkg.graph.analysis.projection.actor_place_graph`),
* **overlaps** between any two actors: Jaccard indices on themes, places (countries) and partners (the
  actors they share facts with, each other and the committee itself left out),
* **gaps**: columns covered by exactly one actor of the set, and by none (``none_but_others``: which actors
  outside the set have facts on that theme or at that place),
* **notes** on thin signal: an actor with fewer than :data:`THIN` facts has a sparse row because the
  source says little about it; its cells stay empty rather than invented.

Every non-empty cell lists the fact IRIs behind it; ``facts`` gives each one's label, kind, report sections
and annex item. :func:`reach` answers "who already reaches this city, forum or theme, and through what".

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> complementarity(OxigraphStore(), actors=[])["actors"]
[]
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations
from typing import Any

from qkg.graph.analysis.facts import ORG, SKOS, Q, labels, load_facts, provenance, types
from qkg.graph.analysis.projection import actor_place_graph, actor_theme_graph, place_levels
from qkg.graph.analysis.reach import reach
from qkg.graph.analysis.regions import CONTINENTS, continent_name
from qkg.graph.errors import ECHO_MAX, N_, NP_, EntityNotFound, Message, ParameterError, clean_text, url_value
from qkg.graph.pages.entity import appears
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology import QKGD
from qkg.ontology.curies import expand_curie, short

__all__ = [
    "COMMITTEE",
    "THIN",
    "DIMENSIONS",
    "scope_actors",
    "check_actors",
    "NoCommittee",
    "bounded",
    "CELL_FACTS",
    "actor_iri",
    "theme_tops",
    "complementarity",
    "jaccard",
    "cell_facts",
    "reach",
    "readable",
    "TOP_ACTORS",
    "TOP_PAIRS",
]

#: The committee whose members are the default scope.
COMMITTEE = str(QKGD["comite-quebec-capitale-internationale"])
#: Below this many facts, an actor's row is flagged as thin signal.
THIN = 3
DIMENSIONS = ("themes", "countries", "continents")
# Facts that say nothing about an actor's own international action.
_DEFAULT_RELATIONS = ("mission", "event", "reception", "project", "agreement", "membership", "contributed")


def jaccard(a: set, b: set) -> float | None:
    """|a & b| / |a | b|, or None when both are empty (nothing to compare).

    >>> jaccard({1, 2}, {2, 3}), jaccard(set(), set())
    (0.3333333333333333, None)
    """
    union = a | b
    return len(a & b) / len(union) if union else None


class NoCommittee(ParameterError):
    """The committee scope on a graph without the committee (a synthetic one): its hint names the command line's
    option; a caller with other words for the fix (the API's ``actors=``) gives its own."""


def scope_actors(store: Store, scope="committee", *, committee: str = COMMITTEE) -> list[str]:
    """The actors to compare: ``committee`` (its members), ``partners`` (the partners annex), ``both``, or a
    list/comma-separated string of IRIs or CURIEs.
    """
    if isinstance(scope, (list, tuple, set)) or (
        isinstance(scope, str) and scope not in ("committee", "partners", "both")
    ):
        items = scope.split(",") if isinstance(scope, str) else scope
        return list(dict.fromkeys(actor_iri(x) for x in items if x.strip()))
    out: list[str] = []
    if scope in ("committee", "both"):
        rows = store.select(f"SELECT DISTINCT ?a WHERE {{ ?m <{ORG}organization> <{committee}> ; <{ORG}member> ?a }}")
        out += sorted(r["a"].value for r in rows)
        if not out:
            raise NoCommittee(
                N_("{committee} has no members in this graph"),
                hint=N_("pass --actors with IRIs, or scope partners"),
                fields={"committee": short(committee)},
            )
    if scope in ("partners", "both"):
        rows = store.select(f"SELECT DISTINCT ?a WHERE {{ ?e a <{Q}PartnerEntry> ; <{Q}partnerOrganisation> ?a }}")
        out += sorted(r["a"].value for r in rows if r["a"].value not in out)
    return out


def _explicit(scope) -> bool:
    """True when ``scope`` lists actors (rather than naming a scope: committee, partners, both)."""
    return not (isinstance(scope, str) and scope in ("committee", "partners", "both"))


def check_actors(store: Store, scope="committee", *, limit: int | None = None, committee: str = COMMITTEE) -> list[str]:
    """:func:`scope_actors`, refusing a list that names an entity the graph does not hold (404: it made a row
    of empty cells) and, with ``limit``, more actors than that (400: the map's answer grows with the actors
    and their pairs; 109 actors at 1M triples answered 38 MB).

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> check_actors(OxigraphStore(), "qkgd:zzz")
    Traceback (most recent call last):
    ...
    qkg.graph.errors.EntityNotFound: actors: 'qkgd:zzz' names no entity of the graph
    >>> check_actors(OxigraphStore(), "qkgd:a,qkgd:b,qkgd:c", limit=2)
    Traceback (most recent call last):
    ...
    qkg.graph.errors.ParameterError: actors: 3 actors asked, more than the 2 one map compares
    """
    members = scope_actors(store, scope, committee=committee)
    if limit is not None and len(members) > limit:
        raise ParameterError(
            NP_(
                "actors: {n} actor asked, more than the {limit} one map compares",
                "actors: {n} actors asked, more than the {limit} one map compares",
            ),
            hint=N_(
                "ask for at most {limit} actors at once, or compare more on your own machine: "
                "qkg analyse complementarity --actors ..."
            ),
            fields={"n": len(members), "limit": limit},
        )
    if _explicit(scope):
        items = scope.split(",") if isinstance(scope, str) else list(scope)
        given = {actor_iri(x): x.strip() for x in items if x.strip()}  # each actor as the client wrote it
        for iri in members:
            if not appears(store, iri):
                said = given.get(iri, short(iri))
                raise EntityNotFound(
                    N_("actors: {value!r} names no entity of the graph"),
                    hint=N_("check the name at /search?q={query}, or leave it out of actors"),
                    fields={
                        "value": clean_text(said, limit=ECHO_MAX),
                        "query": url_value(re.split(r"[:/#]", said)[-1]),
                    },
                )
    return members


def actor_iri(value: str) -> str:
    """One actor of a list: an IRI (``<...>`` or bare) or a CURIE with a known prefix, as a valid IRI.

    >>> actor_iri(" qkgd:ville-de-quebec ")
    'https://w3id.org/qkg/id/ville-de-quebec'
    >>> actor_iri("Ville de Québec")
    Traceback (most recent call last):
    ...
    qkg.graph.errors.ParameterError: 'Ville de Québec' is not an IRI or a CURIE
    """
    value = value.strip()
    try:
        iri = expand_curie(value)
        terms.NamedNode(iri)  # IRIs go into SPARQL text: refuse what is not a valid IRI
    except ValueError:
        raise ParameterError(
            N_("{value!r} is not an IRI or a CURIE"),
            hint=N_("list actors as qkgd:name or full IRIs separated by commas, or use committee, partners or both"),
            fields={"value": value[:80]},
        ) from None
    return iri


def theme_tops(store: Store) -> dict[str, str]:
    """Each theme concept -> its top concept (itself if it is one), following ``skos:broader``."""
    broader = {r["t"].value: r["b"].value for r in store.select(f"SELECT ?t ?b WHERE {{ ?t <{SKOS}broader> ?b }}")}
    tops = {r["t"].value for r in store.select(f"SELECT ?t WHERE {{ ?t <{SKOS}topConceptOf> ?s }}")}
    out = {}
    for t in set(broader) | tops:
        x, seen = t, set()
        while x in broader and x not in tops and x not in seen:
            seen.add(x)
            x = broader[x]
        out[t] = x
    return out


def _universe(store: Store, dimension: str, theme_level: str, tops: dict[str, str]) -> list[str]:
    if dimension == "continents":
        return ["continent:" + c for c in CONTINENTS]
    if dimension == "countries":
        return sorted(r["c"].value for r in store.select(f"SELECT DISTINCT ?c WHERE {{ ?c a <{Q}Country> }}"))
    rows = store.select(f"SELECT DISTINCT ?t WHERE {{ ?t <{SKOS}inScheme> <{QKGD['scheme-themes']}> }}")
    themes = {r["t"].value for r in rows}
    return sorted({tops.get(t, t) for t in themes} if theme_level == "top" else themes)


def complementarity(
    store: Store,
    *,
    actors="committee",
    committee: str = COMMITTEE,
    theme_level: str = "theme",
    relations=None,
    year_from: int | None = None,
    year_to: int | None = None,
    counterparts: bool = True,
    lang: str = "fr",
    year: str | None = None,
) -> dict:
    """Build the complementarity map of ``actors`` (see the module docstring).

    Parameters
    ----------
    actors : str or list
        ``committee`` (default), ``partners``, ``both``, or IRIs/CURIEs.
    theme_level : {"theme", "top"}
        Themes as stated, or rolled up to the six top themes.
    relations : iterable of str, optional
        Kinds of fact that count (default: every kind but the partner list, which names no theme or place).
    year : str, optional
        Count the facts of one report year only (default: every year).
    counterparts : bool
        Count the home places of counterparts as places reached (see :func:`qkg.graph.analysis.projection.actor_place_graph`).

    Returns
    -------
    dict
        ``actors``, ``matrices`` (per dimension: ``columns`` and ``cells[actor][column] = {"count",
        "facts", "via"}``), ``overlap``, ``gaps``, ``notes``, ``facts`` (IRI -> label, kind, sections,
        annexItem), ``parameters``.
    """
    if theme_level not in ("theme", "top"):
        raise ParameterError(
            N_("unknown theme level {value!r}"), hint=N_("use theme or top"), fields={"value": theme_level}
        )
    members = check_actors(store, actors, committee=committee)
    idx = load_facts(store, relations=relations or _DEFAULT_RELATIONS, year_from=year_from, year_to=year_to, year=year)
    tops = theme_tops(store) if theme_level == "top" else {}
    keep = frozenset(members) | {committee}
    themes = actor_theme_graph(store, index=idx, lang=lang, keep=keep, only=set(members))
    places = actor_place_graph(store, index=idx, counterparts=counterparts, lang=lang, keep=keep, only=set(members))
    levels = place_levels(store, [n for n, d in places.nodes(data=True) if d.get("kind") == "place"])

    cells: dict[str, dict[str, dict[str, dict]]] = {d: defaultdict(dict) for d in DIMENSIONS}

    def add(dim: str, actor: str, col: str | None, facts, via) -> None:
        if col is None:
            return
        cell = cells[dim][actor].setdefault(col, {"facts": set(), "via": set(), "places": set()})
        cell["facts"] |= set(facts)
        cell["via"] |= set(via)

    for a in members:
        if a in themes:
            for t, e in themes[a].items():
                add("themes", a, tops.get(t, t) if theme_level == "top" else t, e["facts"], e["via"])
        if a in places:
            for p, e in places[a].items():
                if p not in levels:  # a neighbour that is not a place (an actor given among the places)
                    continue
                continent = levels[p]["continent"]
                for dim, col in (
                    ("countries", levels[p]["country"]),
                    ("continents", "continent:" + continent if continent else None),
                ):
                    add(dim, a, col, e["facts"], e["via"])
                    if col is not None:
                        cells[dim][a][col]["places"].add(p)
    cited, names_needed = set(), set()
    for dim in DIMENSIONS:
        for by_column in cells[dim].values():
            for cell in by_column.values():
                cell["facts"] = sorted(cell["facts"])
                cell["via"], cell["places"] = sorted(cell["via"]), sorted(cell["places"])
                cell["count"] = len(cell["facts"])
                cited |= set(cell["facts"])
    universe = {d: _universe(store, d, theme_level, tops) for d in DIMENSIONS}
    columns = {d: sorted(set(universe[d]) | {c for row in cells[d].values() for c in row}) for d in DIMENSIONS}
    names = labels(store, set(members) | {c for d in ("themes", "countries") for c in columns[d]} | cited, lang=lang)
    names.update({c: continent_name(c.split(":", 1)[1], lang) for c in columns["continents"]})
    kinds = types(store, members)

    # one pass over the facts: each member's own facts (its committee membership left out) and partners
    activity: dict[str, list[str]] = {a: [] for a in members}
    partners: dict[str, set[str]] = {a: set() for a in members}
    wanted = set(members)
    for f in sorted(idx.facts):
        on = idx.actors(f, posts=True, units=True, keep=keep)
        for a in wanted.intersection(on):
            partners[a] |= set(on) - {a, committee}
            if not (idx.facts[f].kind == "membership" and committee in on):
                activity[a].append(f)
    in_committee = {
        r["a"].value
        for r in store.select(f"SELECT DISTINCT ?a WHERE {{ ?m <{ORG}organization> <{committee}> ; <{ORG}member> ?a }}")
    }
    notes = []
    for a in members:
        n = len(activity[a])
        if n < THIN:  # only a member has a committee membership to leave out of its count
            thin = (
                NP_(
                    "thin signal: {name} takes part in {n} fact of the graph besides its committee membership; its "
                    "empty cells mean the source is silent, not that it is inactive.",
                    "thin signal: {name} takes part in {n} facts of the graph besides its committee membership; its "
                    "empty cells mean the source is silent, not that it is inactive.",
                )
                if a in in_committee
                else NP_(
                    "thin signal: {name} takes part in {n} fact of the graph; its empty cells mean the source is "
                    "silent, not that it is inactive.",
                    "thin signal: {name} takes part in {n} facts of the graph; its empty cells mean the source is "
                    "silent, not that it is inactive.",
                )
            )
            notes.append(Message(thin, name=names[a], n=n))  # the English, and for the CLI its reader's language
    overlap = []
    for a, b in combinations(members, 2):
        pair: dict[str, Any] = {"a": a, "b": b}
        for dim, sa, sb in (
            ("themes", set(cells["themes"][a]), set(cells["themes"][b])),
            ("countries", set(cells["countries"][a]), set(cells["countries"][b])),
            ("partners", partners[a] - {b}, partners[b] - {a}),
        ):
            pair[dim] = jaccard(sa, sb)
            pair[f"{dim}_shared"] = sorted(sa & sb)
        overlap.append(pair)
    others = _others(store, idx, set(members), keep, tops if theme_level == "top" else {})
    gaps = {}
    for dim in DIMENSIONS:
        covered = defaultdict(list)
        for a in members:
            for col in cells[dim][a]:
                covered[col].append(a)
        only = [{"column": c, "actor": covered[c][0]} for c in columns[dim] if len(covered[c]) == 1]
        none = [c for c in universe[dim] if not covered[c]]
        elsewhere = {c: sorted(others[dim].get(c, ()))[:10] for c in none if others[dim].get(c)}
        gaps[dim] = {"only_one": only, "none": none, "none_but_others": elsewhere}
        cited_others = {a for actors_ in elsewhere.values() for a in actors_}
        names_needed.update(cited_others)
    names.update(labels(store, names_needed - set(names), lang=lang))
    facts = provenance(store, cited, lang=lang)
    fact_types = types(store, cited)
    for f, rec in facts.items():
        rec.update(
            label=names.get(f, short(f)),
            type=fact_types.get(f, ""),
            kind=idx.facts[f].kind if f in idx.facts else "actor",
        )
    return {
        "parameters": {
            "actors": actors if isinstance(actors, str) else list(actors),
            "theme_level": theme_level,
            "relations": sorted(idx.kinds_selected),
            "year_from": year_from,
            "year": year,
            "year_to": year_to,
            "counterparts": counterparts,
            "committee": committee,
        },
        "actors": [
            {
                "iri": a,
                "curie": short(a),
                "label": names[a],
                "type": kinds.get(a, ""),
                "facts": len(activity[a]),
                "thin": len(activity[a]) < THIN,
                "member": a in in_committee,
            }
            for a in members
        ],
        "matrices": {
            d: {
                "columns": [
                    {
                        "iri": c,
                        "curie": short(c) if "://" in c else c,
                        "label": names.get(c, c),
                        "covered_by": sum(1 for a in members if c in cells[d][a]),
                    }
                    for c in columns[d]
                ],
                "cells": {a: dict(cells[d][a]) for a in members},
            }
            for d in DIMENSIONS
        },
        "overlap": overlap,
        "gaps": gaps,
        "notes": notes,
        "facts": facts,
        "labels": names,
    }


#: Actors outside the committee shown as heatmap columns before "more" (ranked by their number of facts).
TOP_ACTORS = 8
#: Overlap pairs listed before "more" (the most similar first).
TOP_PAIRS = 15


def readable(result: dict, *, top_actors: int = TOP_ACTORS, top_pairs: int = TOP_PAIRS) -> dict:
    """How a page shows a :func:`complementarity` result of many actors: the committee's members first, then
    the other actors with facts ranked by their number of facts (the first ``top_actors`` shown, the rest
    behind "more"), the actors with no cell at all named apart (a column of empty cells says nothing), and
    the overlap pairs with something to compare ranked by their highest index (``top_pairs`` shown).

    Returns
    -------
    dict
        ``{"actors": [actor + {"more": bool}], "silent": [actor], "pairs": [pair + {"more": bool}],
        "pairs_empty": int}``.

    Examples
    --------
    >>> r = {"actors": [{"iri": "p", "label": "P", "facts": 2, "member": False},
    ...                 {"iri": "m", "label": "M", "facts": 0, "member": True},
    ...                 {"iri": "q", "label": "Q", "facts": 0, "member": False},
    ...                 {"iri": "o", "label": "O", "facts": 5, "member": False}],
    ...      "matrices": {"themes": {"cells": {"p": {"t": 1}, "m": {}, "q": {}, "o": {"t": 2}}}},
    ...      "overlap": [{"a": "p", "b": "o", "themes": 0.5, "countries": None, "partners": 0.0},
    ...                  {"a": "p", "b": "q", "themes": None, "countries": None, "partners": 0.0}]}
    >>> v = readable(r, top_actors=1)
    >>> [(a["iri"], a["more"]) for a in v["actors"]], [a["iri"] for a in v["silent"]]
    ([('m', False), ('o', False), ('p', True)], ['q'])
    >>> [(p["a"], p["b"]) for p in v["pairs"]], v["pairs_empty"]
    ([('p', 'o')], 1)
    """
    matrices = result.get("matrices", {})

    def has_cells(a: dict) -> bool:
        return any(m["cells"].get(a["iri"]) for m in matrices.values())

    members = [a for a in result["actors"] if a.get("member")]
    others = [a for a in result["actors"] if not a.get("member")]
    shown = [a for a in others if a["facts"] or has_cells(a)]
    shown.sort(key=lambda a: (-a["facts"], a["label"].casefold()))
    actors = [dict(a, more=False) for a in members] + [dict(a, more=i >= top_actors) for i, a in enumerate(shown)]
    silent = [a for a in others if not (a["facts"] or has_cells(a))]

    def best(p: dict) -> float:
        return max((p[d] or 0.0) for d in ("themes", "countries", "partners"))

    pairs = sorted((p for p in result.get("overlap", ()) if best(p) > 0), key=lambda p: -best(p))
    return {
        "actors": actors,
        "silent": silent,
        "pairs": [dict(p, more=i >= top_pairs) for i, p in enumerate(pairs)],
        "pairs_empty": len(result.get("overlap", ())) - len(pairs),
    }


def _others(store: Store, idx, members: set[str], keep, tops: dict[str, str]) -> dict[str, dict[str, set[str]]]:
    """Column -> actors outside ``members`` that cover it: who else has facts on a theme or at a place, or
    the theme as its own (themes and stated places only, for speed; counterparts are not followed here).
    """
    out: dict[str, dict[str, set[str]]] = {d: defaultdict(set) for d in DIMENSIONS}
    stated = {p for ps in idx.places.values() for p, _via in ps}
    up = place_levels(store, stated)
    for f in idx.facts:
        ts, ps = idx.themes.get(f), idx.places.get(f)
        if not ts and not ps:
            continue
        for a in idx.actors(f, posts=True, units=True, keep=keep):
            if a in members:
                continue
            for t in ts or ():
                out["themes"][tops.get(t, t)].add(a)
            for p, _via in ps or ():
                if country := up[p]["country"]:
                    out["countries"][country].add(a)
                if continent := up[p]["continent"]:
                    out["continents"]["continent:" + continent].add(a)
    for a, ts in idx.themes.items():  # an organisation's own themes
        if a not in idx.facts and a not in members:
            for t in ts:
                out["themes"][tops.get(t, t)].add(a)
    return out


def cell_facts(result: dict, dimension: str, actor: str, column: str) -> list[dict]:
    """The facts behind one cell of a :func:`complementarity` result, each with label and provenance."""
    if dimension not in DIMENSIONS:
        raise ParameterError(
            N_("unknown dimension {value!r}"),
            hint=N_("use one of {choices}"),
            fields={"value": dimension, "choices": ", ".join(DIMENSIONS)},
        )
    given_actor, given_column = actor, column
    actor, column = _cell_key(actor), column if column.startswith("continent:") else _cell_key(column)
    matrix = result["matrices"][dimension]
    if actor not in matrix["cells"]:  # a row the map does not have: an error, not an empty cell
        raise EntityNotFound(
            N_("actor: {value!r} is not a row of this map"),
            hint=N_("use one of the map's actors, with the same actors= as the map (its actors, by iri)"),
            fields={"value": clean_text(given_actor, limit=ECHO_MAX)},
        )
    if not any(c["iri"] == column for c in matrix["columns"]):
        raise EntityNotFound(
            N_("column: {value!r} is not a column of the {dimension} map"),
            hint=N_("use one of the map's columns (matrices.{dimension}.columns, by iri)"),
            fields={"value": clean_text(given_column, limit=ECHO_MAX), "dimension": dimension},
        )
    cell = matrix["cells"][actor].get(column)
    if cell is None:
        return []
    return [{"iri": f, "curie": short(f), **result["facts"][f]} for f in cell["facts"]]


#: Facts listed per cell (and items per list: a cell's places, a pair's shared themes) in a :func:`bounded`
#: answer; ``count`` and the ``*_count`` fields count them all, ``/api/analysis/complementarity/cell`` pages them.
CELL_FACTS = 3


def bounded(result: dict, *, facts: int = CELL_FACTS) -> dict:
    """A :func:`complementarity` result whose size no longer grows with each cell's facts: each cell keeps its
    ``count`` and its first ``facts`` facts (``truncated`` when there are more), its first ``facts`` places
    and ``via`` (``places_count``); each overlap pair its first ``facts`` shared items (``*_shared_count``);
    ``facts`` and ``labels`` only what the answer cites. At 1M triples 109 actors answered 38 MB in full.

    >>> r = {"actors": [{"iri": "a"}], "matrices": {"themes": {"columns": [{"iri": "t"}], "cells": {"a": {"t":
    ...      {"facts": ["f1", "f2", "f3"], "via": [], "places": [], "count": 3}}}}},
    ...      "overlap": [], "gaps": {}, "facts": {"f1": {}, "f2": {}, "f3": {}}, "labels": {"a": "A", "f3": "F3"}}
    >>> b = bounded(r, facts=2)
    >>> b["matrices"]["themes"]["cells"]["a"]["t"], sorted(b["facts"]), b["labels"]
    ({'facts': ['f1', 'f2'], 'via': [], 'places': [], 'count': 3, 'truncated': True, 'places_count': 0}, ['f1', 'f2'], {'a': 'A'})
    """
    cited: set[str] = set()
    named: set[str] = {a["iri"] for a in result["actors"]}
    matrices = {}
    for dim, m in result["matrices"].items():
        named |= {c["iri"] for c in m["columns"]}
        cells: dict[str, dict] = {}
        for actor, row in m["cells"].items():
            cells[actor] = {}
            for col, cell in row.items():
                listed = cell["facts"][:facts]
                cited.update(listed)
                cells[actor][col] = {
                    **cell,
                    "facts": listed,
                    "via": cell["via"][:facts],
                    "places": cell["places"][:facts],
                    "truncated": cell["count"] > len(listed),
                    "places_count": len(cell["places"]),
                }
        matrices[dim] = {**m, "cells": cells}
    overlap = []
    for pair in result["overlap"]:
        out = dict(pair)
        for key in ("themes_shared", "countries_shared", "partners_shared"):
            out[key], out[key + "_count"] = pair[key][:facts], len(pair[key])
            named.update(out[key])
        overlap.append(out)
    for gaps in result["gaps"].values():
        named.update(g["actor"] for g in gaps["only_one"])
        named.update(a for actors_ in gaps["none_but_others"].values() for a in actors_)
    named |= cited
    return {
        **result,
        "matrices": matrices,
        "overlap": overlap,
        "facts": {f: result["facts"][f] for f in cited if f in result["facts"]},
        "labels": {k: v for k, v in result["labels"].items() if k in named},
        "cell_facts": facts,
    }


def _cell_key(value: str) -> str:
    """A row or column as given (IRI or CURIE) -> the key of the matrices; anything else is left as it is
    (it names no row or column, so its cell is empty)."""
    try:
        return expand_curie(value)
    except ValueError:
        return value
