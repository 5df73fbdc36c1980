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

from qkg.graph.analysis.facts import ORG, SKOS, Q, labels, load_facts, provenance, types
from qkg.graph.errors import N_, Message, ParameterError
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology.curies import expand_curie, short

__all__ = ["reach", "page", "target_kind"]

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
) -> dict:
    """Which actors already reach ``target`` (IRI or CURIE) and through which facts.

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
    idx = load_facts(store, relations=relations or "all", year_from=year_from, year_to=year_to, year=year)
    hits: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if kind == "place":
        zone = _inside(store, iri)
        for f in idx.facts:
            members = idx.actors(f, posts=True, units=True, keep=keep)
            stated = {via for p, via in idx.places.get(f, ()) if p in zone}
            for a in members:
                vias = set(stated)
                if any(idx.home_of(b) & zone for b in members if b != a) and not idx.home_of(a) & zone:
                    vias.add("counterpart")
                for via in vias:
                    hits[a][f].add(via)
    elif kind == "theme":
        zone = _narrower(store, iri)
        for f in idx.facts:
            if idx.themes.get(f, set()) & zone:
                for a, roles in idx.actors(f, posts=True, units=True, keep=keep).items():
                    hits[a][f] |= roles
        for a, ts in idx.themes.items():
            if a not in idx.facts and ts & zone:
                hits[idx.fold(a, posts=True, units=True, keep=keep)][a].add("own theme")
    else:
        me = idx.fold(iri, posts=True, units=True, keep=keep)
        for f in idx.facts:
            members = idx.actors(f, posts=True, units=True, keep=keep)
            if me in members:
                for a, roles in members.items():
                    if a != me:
                        hits[a][f] |= roles
    facts = {f for by in hits.values() for f in by}
    prov = provenance(store, facts, lang=lang)
    names = labels(store, set(hits) | facts, lang=lang)
    kinds = types(store, set(hits))
    for a, by in hits.items():
        out["rows"].append(
            {
                "actor": a,
                "curie": short(a),
                "label": names[a],
                "type": kinds.get(a, ""),
                "committee": a in in_committee,
                "partner": a in partners,
                "facts": [
                    {
                        "iri": f,
                        "curie": short(f),
                        "label": names[f],
                        "kind": idx.facts[f].kind if f in idx.facts else "own",
                        "via": sorted(v),
                        **prov[f],
                    }
                    for f, v in sorted(by.items())
                ],
            }
        )
    out["rows"].sort(key=lambda r: (-len(r["facts"]), not r["committee"], r["label"]))
    return out


def page(result: dict, *, limit: int, offset: int = 0, facts: int) -> dict:
    """One page of :func:`reach`'s rows (``limit`` actors from ``offset``, each with at most ``facts`` facts),
    with the counts that say what was left out: ``total`` actors, each row's ``fact_count``, ``next_offset``
    (None on the last page).

    >>> r = {"rows": [{"actor": a, "facts": list(range(n))} for a, n in (("a", 3), ("b", 2), ("c", 1))]}
    >>> p = page(r, limit=2, facts=1)
    >>> [(x["actor"], x["facts"], x["fact_count"]) for x in p["rows"]], p["total"], p["next_offset"]
    ([('a', [0], 3), ('b', [0], 2)], 3, 2)
    >>> page(r, limit=2, offset=2, facts=5)["next_offset"] is None
    True
    """
    rows = result["rows"]
    shown = [
        {**row, "facts": row["facts"][:facts], "fact_count": len(row["facts"])} for row in rows[offset : offset + limit]
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
