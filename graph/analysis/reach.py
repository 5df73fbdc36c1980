"""Who already reaches a target (a city or country, a forum or any organisation, a theme), and through what.

* a **place**: actors whose facts happen there (location, mission leg, visitors' origin) or whose
  counterparts are based there; a country includes its cities and regions;
* a **theme**: actors taking part in facts on that theme or a narrower one (``skos:broader``), or having it;
* an **organisation** (a forum, a partner): actors sharing a fact with it or with one of its posts and units.

Each row names the actor, whether it is in the committee or the partners list, and the facts (label, kind,
roles or via, report section, annex item).

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> reach(OxigraphStore(), "qkgd:nowhere")["kind"]
'unknown'
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from qkg.graph.analysis.facts import ORG, SKOS, FactIndex, Q, labels, load_facts, provenance, types
from qkg.graph.errors import N_, Message, ParameterError
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology.curies import expand_curie, short

__all__ = ["reach", "page", "describe_rows", "target_kind"]

_PLACES = ("City", "Country", "Region")


def target_kind(store: Store, iri: str) -> str:
    """``place``, ``theme``, ``organisation`` or ``unknown``."""
    classes = {r["c"].value for r in store.select(f"SELECT ?c WHERE {{ <{iri}> a ?c }}")}
    if any(c == Q + p for c in classes for p in _PLACES):
        return "place"
    if SKOS + "Concept" in classes:
        return "theme"
    if classes & {
        Q + "Organisation",
        "http://www.w3.org/ns/org#Organization",
        Q + "Post",
        "http://xmlns.com/foaf/0.1/Agent",
    }:
        return "organisation"
    return "unknown"


def _inside(store: Store, place: str) -> set[str]:
    rows = store.select(f"SELECT ?p WHERE {{ ?p <{Q}country>|<{Q}locatedIn> <{place}> }}")
    return {place} | {r["p"].value for r in rows}


def _narrower(store: Store, theme: str) -> set[str]:
    rows = store.select(f"SELECT ?t WHERE {{ ?t <{SKOS}broader>+ <{theme}> }}")
    return {theme} | {r["t"].value for r in rows}


def reach(
    store: Store,
    target: str,
    *,
    relations=None,
    year_from: int | None = None,
    year_to: int | None = None,
    lang: str = "fr",
    committee: str | None = None,
    year: str | None = None,
    index: FactIndex | None = None,
    described: bool = True,
) -> dict:
    """Which actors already reach ``target`` (IRI or CURIE) and through which facts.

    ``index``: the facts of every kind, of every year, as :func:`~qkg.graph.analysis.facts.load_facts` reads
    them with ``relations="all"`` (the build's ``reach-facts``), read instead of the store's (7 s at 1M triples,
    against 0.3 s to unpickle them), and cut to the options (:meth:`~qkg.graph.analysis.facts.FactIndex.restricted`,
    :meth:`~qkg.graph.analysis.facts.FactIndex.of_year`). With ``described`` False the actors are
    listed without their labels and types, and the facts without their labels and provenance: :func:`describe_rows`
    fills them in for the ones shown (a country's answer at 1M lists 11,404 actors and their facts).

    Returns
    -------
    dict
        ``{"target", "kind", "rows": [{"actor", "label", "type", "committee", "partner", "facts": [...]}]}``;
        rows sorted by number of facts. Posts and units are folded into their organisation.
    """
    from qkg.graph.analysis.complementarity import COMMITTEE, scope_actors

    try:
        iri = expand_curie(target)
        terms.NamedNode(iri)  # the IRI goes into SPARQL text
    except ValueError:
        raise ParameterError(
            N_("{value!r} is not an IRI or a CURIE"),
            hint=N_("name the target as qkgd:name or a full IRI"),
            fields={"value": target[:80]},
        ) from None
    kind = target_kind(store, iri)
    out: dict[str, Any] = {
        "target": {"iri": iri, "curie": short(iri), "label": labels(store, [iri], lang=lang)[iri]},
        "kind": kind,
        "rows": [],
    }
    if kind == "unknown":
        out["note"] = Message(
            N_("{target} is not a place, a theme or an organisation of this graph"), target=short(iri)
        )
        return out
    committee = committee or COMMITTEE
    in_committee = (
        set(scope_actors(store, "committee", committee=committee)) if _has_committee(store, committee) else set()
    )
    partners = set(scope_actors(store, "partners"))
    keep = frozenset(in_committee | partners | {iri})
    shared = False  # whether the tables derived for this answer may be kept with the index for the next ones
    if index is None:  # every kind of fact, every year: the facts the options leave out are still known as facts
        index = load_facts(store, relations="all")
    idx = index.cut(store, relations or "all", year_from=year_from, year_to=year_to, year=year)
    if iri not in idx.parent:  # folding stops at a post or unit in keep; any other target changes nothing
        keep = frozenset(in_committee | partners)  # the target folds nothing: the tables made for one serve all
        shared = idx is index
    hits: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if kind == "place":
        zone = _inside(store, iri)
        members_of, home, stated_at, based_at = _by_place(idx, keep, shared=shared)
        near = set().union(*(stated_at.get(p, ()) for p in zone), *(based_at.get(p, ()) for p in zone))
        for f in idx.facts:  # in the index's order, as every branch (the rows' order among equals)
            if f not in near:  # no place of it, nor any home of its actors, in the zone: no hit
                continue
            members = members_of[f]
            stated = {via for p, via in idx.places.get(f, ()) if p in zone}
            based = any(home[b] & zone for b in members)
            for a in members:
                vias = set(stated)
                if based and not home[a] & zone:  # another actor of the fact is based in the zone
                    vias.add("counterpart")
                for via in vias:
                    hits[a][f].add(via)
    elif kind == "theme":
        zone = _narrower(store, iri)
        for f in idx.facts:
            if idx.themes.get(f, set()) & zone:
                for a, roles in idx.actors(f, posts=True, units=True, keep=keep).items():
                    hits[a][f] |= roles
        for a, ts in idx.themes.items():  # an actor's own theme; a fact the options left out is no actor
            if a not in index.facts and ts & zone:
                hits[idx.fold(a, posts=True, units=True, keep=keep)][a].add("own theme")
    else:
        me = idx.fold(iri, posts=True, units=True, keep=keep)
        members_of = _members(idx, keep, shared=shared)
        for f in idx.facts:
            members = members_of[f]
            if me in members:
                for a, roles in members.items():
                    if a != me:
                        hits[a][f] |= roles
    for a, by in hits.items():
        out["rows"].append(
            {
                "actor": a,
                "committee": a in in_committee,
                "partner": a in partners,
                "facts": [
                    {
                        "iri": f,
                        "kind": idx.facts[f].kind if f in idx.facts else "own",
                        "via": sorted(v),
                    }
                    for f, v in sorted(by.items())
                ],
            }
        )
    # by IRI among equals, not by label: a country's answer at 1M has 11,404 actors and 33,000 facts, whose names,
    # types (1 s to read) and CURIEs (0.3 s) are made for the 100 a page shows (describe_rows)
    out["rows"].sort(key=lambda r: (-len(r["facts"]), not r["committee"], r["actor"]))
    if described:
        describe_rows(store, out["rows"], lang=lang)
    return out


def _members(idx: FactIndex, keep: frozenset, *, shared: bool) -> _Members:
    """Each fact's actors, posts and units folded into their organisation unless in ``keep``, made as asked for;
    with ``shared``, kept with the index (one table, up to ~40 MB at 1M, for every target whose ``keep`` is the
    committee and the partners). A target that is a post or a unit keeps itself from folding: its table is its
    own, made for its answer and dropped with it (kept, each such target would add one)."""
    if not shared:
        return _Members(idx, keep)
    key = ("reach-members", keep)
    if key not in idx.derived:
        idx.derived[key] = _Members(idx, keep)
    return idx.derived[key]


def _by_place(idx: FactIndex, keep: frozenset, *, shared: bool) -> tuple[dict, dict, dict, dict]:
    """For a place's reach: each fact's folded actors (:func:`_members`), each actor's homes, and the facts by the
    places they state and by the homes of their actors (made once per index and ``keep``: a target then reads
    only the facts near its zone; at 1M triples 0.4-0.6 s a target, against 1.2 s over every fact)."""
    key = ("reach-places", keep)
    if key not in idx.derived or not shared:
        folded: dict[str, str] = {}  # each actor once, not once per fact
        home: dict[str, frozenset[str]] = {}
        stated_at: dict[str, set[str]] = defaultdict(set)
        based_at: dict[str, set[str]] = defaultdict(set)
        for f in idx.facts:
            for p, _via in idx.places.get(f, ()):
                stated_at[p].add(f)
            for actor in idx.roles.get(f, ()):
                if (a := folded.get(actor)) is None:
                    a = folded[actor] = idx.fold(actor, posts=True, units=True, keep=keep)
                    if a not in home:
                        home[a] = frozenset(idx.home_of(a))
                for p in home[a]:
                    based_at[p].add(f)
        made = (_members(idx, keep, shared=shared), home, dict(stated_at), dict(based_at))
        if not shared:
            return made
        idx.derived[key] = made
    return idx.derived[key]


class _Members(dict):
    """Each fact's folded actors (:meth:`FactIndex.actors`), made when first asked for and kept."""

    def __init__(self, idx: FactIndex, keep: frozenset) -> None:
        super().__init__()
        self._idx, self._keep = idx, keep

    def __missing__(self, fact: str) -> dict[str, set[str]]:
        self[fact] = found = self._idx.actors(fact, posts=True, units=True, keep=self._keep)
        return found


def describe_rows(store: Store, rows: list[dict], *, lang: str = "fr") -> None:
    """Give each row's actor its CURIE, label and type, and each fact it lists its CURIE, label and provenance (in
    place): a few queries for all of them."""
    actors = {row["actor"] for row in rows}
    facts = {f["iri"] for row in rows for f in row["facts"]}
    if not actors:
        return
    prov = provenance(store, facts, lang=lang)
    names = labels(store, actors | facts, lang=lang)
    kinds = types(store, actors)
    for row in rows:
        row.update(curie=short(row["actor"]), label=names[row["actor"]], type=kinds.get(row["actor"], ""))
        for f in row["facts"]:
            f.update(curie=short(f["iri"]), label=names[f["iri"]], **prov[f["iri"]])


def page(result: dict, *, limit: int, offset: int = 0, facts: int) -> dict:
    """One page of :func:`reach`'s rows (``limit`` actors from ``offset``, each with at most ``facts`` facts),
    with the counts that say what was left out: ``total`` actors, each row's ``fact_count``, ``next_offset``
    (None on the last page).

    >>> r = {"rows": [{"actor": a, "facts": [{"iri": f"{a}{i}"} for i in range(n)]} for a, n in (("a", 3), ("b", 2), ("c", 1))]}
    >>> p = page(r, limit=2, facts=1)
    >>> [(x["actor"], x["facts"], x["fact_count"]) for x in p["rows"]], p["total"], p["next_offset"]
    ([('a', [{'iri': 'a0'}], 3), ('b', [{'iri': 'b0'}], 2)], 3, 2)
    >>> page(r, limit=2, offset=2, facts=5)["next_offset"] is None
    True
    """
    rows = result["rows"]
    shown = [  # the facts copied: a page describes its own (describe_rows), not the answer it was cut from
        {**row, "facts": [dict(f) for f in row["facts"][:facts]], "fact_count": len(row["facts"])}
        for row in rows[offset : offset + limit]
    ]
    after = offset + limit
    return {
        **result,
        "rows": shown,
        "total": len(rows),
        "offset": offset,
        "next_offset": after if after < len(rows) else None,
    }


def _has_committee(store: Store, committee: str) -> bool:
    return bool(store.ask(f"ASK {{ ?m <{ORG}organization> <{committee}> }}"))
