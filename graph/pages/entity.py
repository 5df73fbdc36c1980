"""What the graph says about one entity: labels, types, facts with their provenance, links, neighbourhood.

Pure functions over a read-only store (the default graph is queried as the union of the named
graphs). Every fact is returned with the named graph it comes from, turned into provenance:

==============  ==================================================================================
graph           provenance
==============  ==================================================================================
report data     ``kind="report"``: the report sections the fact's subject is ``prov:wasDerivedFrom``
                (label, page) and its ``qkg:annexItem`` number, if any
graph-inferred  ``kind="inferred"``: materialised by the OWL 2 RL rules at build time
background      ``kind="background"``: coordinates, Wikidata ids... never attributed to the report
graph-ontology  ``kind="ontology"``: the ontology and its vocabularies
==============  ==================================================================================

Links between entities (an IRI object under ``https://w3id.org/qkg/id/``) form the *link graph* used
for neighbourhoods and paths; report sections, SKOS concepts, roles and declared figures are left out
of it because they connect almost everything and would make every path two hops long.

Examples
--------
>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> s = OxigraphStore()
>>> Q, D = "https://w3id.org/qkg/def#", "https://w3id.org/qkg/id/"
>>> def add(a, p, b, g="graph-2024-x"):
...     s.add([terms.Quad(terms.NamedNode(D + a), terms.NamedNode(p), b, terms.NamedNode(D + g))])
>>> RDFS = "http://www.w3.org/2000/01/rdf-schema#label"
>>> add("lausanne", RDFS, terms.Literal("Lausanne", language="fr"))
>>> add("suisse", RDFS, terms.Literal("Suisse", language="fr"))
>>> add("lausanne", Q + "country", terms.NamedNode(D + "suisse"))
>>> facts = describe(s, D + "lausanne")
>>> facts["label"], [f["property"]["curie"] for f in facts["facts"]]
('Lausanne', ['qkg:country', 'rdfs:label'])
>>> facts["facts"][0]["values"][0]["value"]["label"]
'Suisse'
>>> [p["edges"] for p in shortest_paths(link_graph(s), D + "suisse", D + "lausanne")]
[[{'source': 'https://w3id.org/qkg/id/lausanne', 'target': 'https://w3id.org/qkg/id/suisse', 'property': 'qkg:country'}]]
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict, deque
from typing import Any

import networkx as nx
from qkg.graph.errors import N_, EntityNotFound
from qkg.graph.named_graphs import ONTOLOGY_GRAPH
from qkg.graph.pages.years import graphs_by_year
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology import PREFIXES, standard_labels
from qkg.ontology.curies import ENTITY_NS, expand_curie, local_name, short

__all__ = [
    "ENTITY_NS",
    "TERM_NS",
    "resolve",
    "describe",
    "entity_triples",
    "RDF_TRIPLES",
    "labels_of",
    "pick_label",
    "instances_of",
    "link_graph",
    "store_shortest_paths",
    "PATH_FRONTIER",
    "neighbourhood",
    "shortest_paths",
    "provenance_kind",
    "term_json",
    "MAX_DEPTH",
    "INCOMING_PAGE",
    "FACTS_PAGE",
    "TYPES_MAX",
    "NEIGHBOURS_PAGE",
    "has_links",
    "appears",
    "store_neighbourhood",
]

TERM_NS = PREFIXES["qkg"]
MAX_DEPTH = 3
#: Incoming links shown per page of an entity (the page and the API link to the next page).
INCOMING_PAGE = 100
#: An entity's own statements shown per page (the page and the API link to the next page; a hub such as a
#: network lists thousands of members).
FACTS_PAGE = 500
#: An entity's types, and its other names, listed at most (each page lists them all, read on their own).
TYPES_MAX = 100
#: Neighbours returned per page by :func:`store_neighbourhood`.
NEIGHBOURS_PAGE = 200
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS, _SKOS = PREFIXES["rdfs"], PREFIXES["skos"]
_PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_LABELS = (_RDFS + "label", _SKOS + "prefLabel", "https://schema.org/name")
_HUB_TYPES = (
    TERM_NS + "ReportSection",
    TERM_NS + "Report",
    TERM_NS + "DeclaredFigure",
    _SKOS + "Concept",
    _SKOS + "ConceptScheme",
    "http://www.w3.org/ns/org#Role",
)
_GRAPH_KINDS = (
    ("graph-inferred", "inferred"),
    ("graph-ontology", "ontology"),
    ("graph-build", "build"),
    ("graph-background", "background"),
)


def _q(text: str) -> str:
    return json.dumps(text)


def provenance_kind(graph: str | None) -> str:
    """Classify a named graph IRI: ``report``, ``inferred``, ``background``, ``ontology`` or ``build``.

    >>> provenance_kind("https://w3id.org/qkg/id/graph-background-places")
    'background'
    """
    name = (graph or "")[len(ENTITY_NS) :] if (graph or "").startswith(ENTITY_NS) else ""
    for prefix, kind in _GRAPH_KINDS:
        if name.startswith(prefix):
            return kind
    return "report"


def labels_of(store: Store, iris, *, langs: tuple[str, ...] = ("fr", "en")) -> dict[str, dict[str, str]]:
    """Labels of many IRIs at once: ``{iri: {lang: label}}`` (``""`` for untagged labels).

    ``rdfs:label`` wins over ``skos:prefLabel`` and ``schema:name`` for the same language.
    """
    iris = sorted({i for i in iris if i})
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for chunk in range(0, len(iris), 400):
        values = " ".join(f"<{i}>" for i in iris[chunk : chunk + 400])
        props = ", ".join(f"<{p}>" for p in _LABELS)
        # FILTER IN, not a second VALUES: Oxigraph joins two VALUES blocks after scanning ?x ?p ?l (2.5 s at 1M)
        rows = store.select(f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?l FILTER(?p IN ({props})) }}")
        ranked = sorted(rows, key=lambda r: _LABELS.index(r["p"].value), reverse=True)
        for row in ranked:
            label = row["l"]
            if isinstance(label, terms.Literal):
                out[row["x"].value][label.language or ""] = label.value
    return dict(out)


#: Most distinct literals one call of :func:`translations` looks up (a page's table holds fewer).
TRANSLATIONS_MAX = 2000


def translations(store: Store, literals, lang: str) -> dict[tuple[str, str], str]:
    """The label in ``lang`` of whatever each ``(value, language)`` literal labels, when it labels one thing.

    For a table whose cells hold labels in another language than the page (``"Member"@en`` on a French page),
    one bounded look-up: the subjects having the literal as ``rdfs:label``, ``skos:prefLabel`` or
    ``schema:name``, and their label in ``lang``. A literal already in ``lang``, untagged, or labelling
    several things with different translations is left out. At most :data:`TRANSLATIONS_MAX` literals.
    """
    wanted = sorted({(v, t) for v, t in literals if t and t != lang})[:TRANSLATIONS_MAX]
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    props = ", ".join(f"<{p}>" for p in _LABELS)
    for chunk in range(0, len(wanted), 200):
        values = " ".join(str(terms.Literal(v, language=t)) for v, t in wanted[chunk : chunk + 200])
        rows = store.select(
            f"SELECT ?l ?t WHERE {{ VALUES ?l {{ {values} }} ?x ?p ?l . ?x ?q ?t "
            f'FILTER(?p IN ({props}) && ?q IN ({props}) && lang(?t) = "{lang}") }}'
        )
        for row in rows:
            out[(row["l"].value, row["l"].language or "")].add(row["t"].value)
    return {key: next(iter(found)) for key, found in out.items() if len(found) == 1}


def pick_label(labels: dict[str, str], langs: tuple[str, ...] = ("fr", "en")) -> str | None:
    """One label of ``{lang: label}`` (as :func:`labels_of` gives them): the first of ``langs``, then an
    untagged one, then any.

    >>> pick_label({"en": "Québec City", "fr": "Québec"}), pick_label({"de": "Quebec"}), pick_label({})
    ('Québec', 'Quebec', None)
    """
    for lang in (*langs, ""):
        if lang in labels:
            return labels[lang]
    return next(iter(labels.values()), None)


def reading_order(lang: str) -> tuple[str, ...]:
    """The languages whose labels a page in ``lang`` shows, best first: its own, then the other one.

    >>> reading_order("en"), reading_order("fr"), reading_order("de")
    (('en', 'fr'), ('fr', 'en'), ('fr', 'en'))
    """
    return (lang, *(other for other in ("fr", "en") if other != lang)) if lang in ("fr", "en") else ("fr", "en")


def term_json(term, labels: dict[str, dict[str, str]] | None = None, langs: tuple[str, ...] = ("fr", "en")) -> dict:
    """A JSON-ready description of an RDF term (with its display label, the first of ``langs`` it has, and its
    CURIE for IRIs).

    >>> term_json(terms.NamedNode("https://w3id.org/qkg/id/quebec"))["curie"]
    'qkgd:quebec'
    >>> term_json(terms.Literal("Québec", language="fr"))
    {'type': 'literal', 'value': 'Québec', 'lang': 'fr'}
    """
    if isinstance(term, terms.NamedNode):
        data = {"type": "uri", "value": term.value, "curie": short(term.value)}
        if term.value.startswith(ENTITY_NS):
            data["id"] = term.value[len(ENTITY_NS) :]
        label = pick_label((labels or {}).get(term.value, {}), langs)
        if label:
            data["label"] = label
        return data
    if isinstance(term, terms.BlankNode):
        return {"type": "bnode", "value": term.value}
    data = {"type": "literal", "value": term.value}
    if term.language:
        data["lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        data["datatype"] = short(term.datatype.value)
    return data


def describe(
    store: Store,
    iri: str,
    *,
    max_facts: int = FACTS_PAGE,
    max_incoming: int = INCOMING_PAGE,
    offset: int = 0,
    facts_offset: int = 0,
    year: str | None = None,
    lang: str = "fr",
) -> dict | None:
    """Everything the graph states about ``iri``, grouped by property, with provenance; None if unknown.

    Every label (the entity's, its types', the linked entities', properties' and sources') is the one in ``lang``
    where the graph has it, else the other language's (:func:`reading_order`).

    Bounded whatever the graph's size: one page of outgoing statements (``max_facts`` from ``facts_offset``)
    and one page of incoming links (``max_incoming`` from ``offset``), each in the store's order, which is
    stable for a build. The types and other names come from queries of their own (at most
    :data:`TYPES_MAX` each), so every page has them.

    Each fact's provenance names the report year of its graph (``"year"``, None for background, inferred and
    ontology facts), and ``facts_by_year`` groups the facts by year (oldest first, then the facts tied to no
    year). With ``year``, the report facts of the other years are left out (those tied to no year stay).

    Returns
    -------
    dict or None
        ``{"iri", "id", "curie", "label", "labels": {lang: label}, "alt_labels": [..], "types": [term],
        "facts": [{"property": term, "values": [{"value": term, "graph", "provenance"}]}],
        "facts_by_year": [{"year": str or None, "facts": [as in facts]}], "years": [str],
        "incoming": [{"subject": term, "property": term, "graph", "provenance"}],
        "incoming_page": {"offset", "limit", "next"}, "facts_page": {"offset", "limit", "next"},
        "sources": [{"section": term, "page", "annex_item"}], "truncated": bool}``; each page's ``"next"`` is
        the offset of the next page, or None (``truncated``: one of them is not None);
        ``None`` when the IRI appears in no triple.
    """
    node = terms.NamedNode(iri)
    offset, max_incoming = max(0, int(offset)), max(1, int(max_incoming))
    facts_offset, max_facts = max(0, int(facts_offset)), max(1, int(max_facts))
    # LIMIT/OFFSET without ORDER BY: the store's own order, stable for a build, and no sort of a hub's links
    outgoing = [
        terms.Quad(node, r["p"], r["o"], r["g"])
        for r in store.select(
            f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} LIMIT {max_facts + 1} OFFSET {facts_offset}",
            union=False,
        )
    ]
    incoming = [
        terms.Quad(r["s"], r["p"], node, r["g"])
        for r in store.select(
            f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} FILTER(?p != <{_RDF_TYPE}>) }} "
            f"LIMIT {max_incoming + 1} OFFSET {offset}",
            union=False,
        )
    ]
    if (
        not outgoing and not incoming and (offset + facts_offset == 0 or not appears(store, iri))
    ):  # a page past the end of an entity that is there is an empty page, not "no such entity"
        return None
    year_of = graphs_by_year(store)

    def in_year(q: terms.Quad) -> bool:
        g = q.graph_name.value if isinstance(q.graph_name, terms.NamedNode) else None
        return year is None or year_of.get(g or "") in (None, year)

    # the pages are cut before the year's filter: a page may show fewer, the next ones are still there
    more, more_facts = len(incoming) > max_incoming, len(outgoing) > max_facts
    outgoing, incoming = outgoing[:max_facts], incoming[:max_incoming]
    outgoing, incoming = [q for q in outgoing if in_year(q)], [q for q in incoming if in_year(q)]
    type_iris = [
        r["t"].value
        for r in store.select(f"SELECT DISTINCT ?t WHERE {{ <{iri}> a ?t }} LIMIT {TYPES_MAX}")
        if isinstance(r["t"], terms.NamedNode)
    ]
    other_names = [
        r["l"]
        for r in store.select(f"SELECT DISTINCT ?l WHERE {{ <{iri}> <{_SKOS}altLabel> ?l }} LIMIT {TYPES_MAX}")
        if isinstance(r["l"], terms.Literal)
    ]
    subjects = {iri} | {q.subject.value for q in incoming if isinstance(q.subject, terms.NamedNode)}
    origin = _origins(store, subjects)
    mentioned = {iri, *type_iris} | {q.predicate.value for q in outgoing + incoming}
    mentioned |= {q.object.value for q in outgoing if isinstance(q.object, terms.NamedNode)}
    mentioned |= {q.subject.value for q in incoming if isinstance(q.subject, terms.NamedNode)}
    mentioned |= {s for o in origin.values() for s in o["sections"]}
    mentioned |= {q.graph_name.value for q in outgoing + incoming if isinstance(q.graph_name, terms.NamedNode)}
    labels = labels_of(store, mentioned)
    standard = standard_labels()  # the standard terms the ontology does not label (skos:altLabel, org:holds...)
    for term in mentioned:
        if not labels.get(term) and short(term) in standard:
            labels[term] = standard[short(term)]
    langs = reading_order(lang)
    pages = _pages(store, {s for o in origin.values() for s in o["sections"]})

    def provenance(subject: str, graph) -> dict:
        g = graph.value if isinstance(graph, terms.NamedNode) else None
        kind = provenance_kind(g)
        data: dict[str, Any] = {"kind": kind, "graph": short(g) if g else None, "year": year_of.get(g or "")}
        if g and pick_label(labels.get(g, {}), langs):
            data["graph_label"] = pick_label(labels[g], langs)
        if kind == "report":
            found = origin.get(subject, {"sections": [], "items": [], "by_graph": {}})
            # the sections and item that the fact's own source file cites for the subject, else all of them
            here = found["by_graph"].get(g)
            cited = here if here and (here["sections"] or here["items"]) else found
            data["sections"] = [
                dict(term_json(terms.NamedNode(s), labels, langs), page=pages.get(s)) for s in cited["sections"]
            ]
            data["annex_item"] = cited["items"][0] if cited["items"] else None
        return data

    groups: dict[str, list] = defaultdict(list)
    types = [term_json(terms.NamedNode(t), labels, langs) for t in type_iris]
    alt = [term_json(name) for name in other_names]
    for q in outgoing:
        groups[q.predicate.value].append(
            {"value": term_json(q.object, labels, langs), "provenance": provenance(iri, q.graph_name)}
        )

    def order(item) -> tuple:  # stated facts first, then types, then what inference alone added
        p, values = item
        only_inferred = all(v["provenance"]["kind"] == "inferred" for v in values)
        return (only_inferred, p == _RDF_TYPE, short(p))

    facts = [
        {"property": term_json(terms.NamedNode(p), labels, langs), "values": _dedupe(v)}
        for p, v in sorted(groups.items(), key=order)
    ]
    by_year: dict[str | None, list] = {}
    for fact in facts:
        for value in fact["values"]:
            rows = by_year.setdefault(value["provenance"].get("year"), [])
            if not rows or rows[-1]["property"] is not fact["property"]:
                rows.append({"property": fact["property"], "values": []})
            rows[-1]["values"].append(value)
    years = sorted(y for y in by_year if y is not None)
    links = [
        {
            "subject": term_json(q.subject, labels, langs),
            "property": term_json(q.predicate, labels, langs),
            "provenance": provenance(q.subject.value if isinstance(q.subject, terms.NamedNode) else "", q.graph_name),
        }
        for q in incoming
    ]
    links.sort(key=lambda link: (link["property"]["curie"], link["subject"].get("label") or link["subject"]["value"]))
    own = origin.get(iri, {"sections": [], "items": [], "by_graph": {}})
    return {
        "iri": iri,
        "id": local_name(iri),
        "curie": short(iri),
        "label": pick_label(labels.get(iri, {}), langs) or short(iri),
        "labels": labels.get(iri, {}),
        "alt_labels": alt,
        "types": types,
        "facts": facts,
        "facts_by_year": [{"year": y, "facts": by_year[y]} for y in [*years, None] if y in by_year],
        "years": years,
        "incoming": links,
        "incoming_page": {"offset": offset, "limit": max_incoming, "next": offset + max_incoming if more else None},
        "facts_page": {
            "offset": facts_offset,
            "limit": max_facts,
            "next": facts_offset + max_facts if more_facts else None,
            "shown": len(outgoing),
        },
        "sources": [
            {
                "section": term_json(terms.NamedNode(s), labels, langs),
                "page": pages.get(s),
                "annex_item": own["items"][0] if own["items"] else None,
            }
            for s in own["sections"]
        ],
        "truncated": more_facts or more,
    }


def appears(store: Store, iri: str) -> bool:
    """Whether ``iri`` is in any statement of the graph, as subject or object (one bounded look-up).

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> appears(OxigraphStore(), ENTITY_NS + "x")
    False
    """
    return store.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


def has_links(store: Store, iri: str, *, any_link: bool = False) -> bool:
    """Whether ``iri`` links to, or is linked from, another entity, as :func:`link_graph` counts links
    (one bounded look-up).

    With ``any_link``, any statement whose object is ``iri`` counts.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> has_links(OxigraphStore(), ENTITY_NS + "x")
    False
    """
    if any_link:
        return store.ask(f"ASK {{ ?s ?p <{iri}> }}")
    return bool(_entity_links(store, [iri], limit=1))


def _dedupe(values: list[dict]) -> list[dict]:
    """One row per value and report year; the asserted statement wins over the same one inferred."""
    best: dict[tuple, dict] = {}
    asserted: set[str] = set()
    for item in values:
        value = json.dumps(item["value"], sort_keys=True)
        key = (value, item["provenance"].get("year"))
        if key not in best or best[key]["provenance"]["kind"] == "inferred":
            best[key] = item
        if item["provenance"]["kind"] != "inferred":
            asserted.add(value)
    return [
        item
        for (value, _year), item in best.items()
        if item["provenance"]["kind"] != "inferred" or value not in asserted
    ]


def _origins(store: Store, subjects: set[str]) -> dict[str, dict]:
    """Per subject: the report sections it is derived from and its annex items, overall and per source graph."""
    out: dict[str, dict] = {s: {"sections": [], "items": [], "by_graph": {}} for s in subjects}
    names = sorted(s for s in subjects if s)
    for chunk in range(0, len(names), 400):
        values = " ".join(f"<{s}>" for s in names[chunk : chunk + 400])
        for row in store.select(
            f"SELECT ?x ?g ?sec ?item WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g "
            f"{{ {{ ?x <{_PROV_DERIVED}> ?sec }} UNION {{ ?x <{TERM_NS}annexItem> ?item }} }} }}",
            union=False,
        ):
            found = out[row["x"].value]
            here = found["by_graph"].setdefault(row["g"].value, {"sections": [], "items": []})
            for key, term in (("sections", row["sec"]), ("items", row["item"])):
                if term is not None:
                    for bucket in (found, here):
                        if term.value not in bucket[key]:
                            bucket[key].append(term.value)
    return out


def _pages(store: Store, sections: set[str]) -> dict[str, str]:
    if not sections:
        return {}
    values = " ".join(f"<{s}>" for s in sorted(sections))
    return {
        r["s"].value: r["p"].value
        for r in store.select(f"SELECT ?s ?p WHERE {{ VALUES ?s {{ {values} }} ?s <{TERM_NS}page> ?p }}")
    }


def instances_of(store: Store, class_iri: str, *, limit: int = 1000, lang: str = "fr") -> list[tuple[str, str]]:
    """``(iri, display label)`` of the instances of a class (inferred types included), sorted by label; the label
    in ``lang`` where the graph has it.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> instances_of(OxigraphStore(), "https://w3id.org/qkg/def#Country")
    []
    """
    rows = store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a <{class_iri}> }} LIMIT {int(limit)}")
    iris = [r["x"].value for r in rows if isinstance(r["x"], terms.NamedNode)]
    labels = labels_of(store, iris)
    pairs = [(i, pick_label(labels.get(i, {}), reading_order(lang)) or short(i)) for i in iris]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def link_graph(store: Store) -> nx.MultiDiGraph:
    """The entity-to-entity links of ``store`` as a directed multigraph (edge key: property CURIE).

    Nodes carry ``label`` and ``types``; hubs (report sections, concepts, roles, figures) and the
    ontology graph are left out; an inferred link duplicating an asserted one is kept once.
    """
    hubs = " ".join(f"<{t}>" for t in _HUB_TYPES)
    excluded = {r["x"].value for r in store.select(f"SELECT DISTINCT ?x WHERE {{ VALUES ?t {{ {hubs} }} ?x a ?t }}")}
    g = nx.MultiDiGraph()
    for row in store.select(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_GRAPH}> && isIRI(?o) "
        f"&& ?p NOT IN (<{_RDF_TYPE}>, <{_PROV_DERIVED}>) && STRSTARTS(STR(?s), {_q(ENTITY_NS)}) "
        f"&& STRSTARTS(STR(?o), {_q(ENTITY_NS)})) }}",
        union=False,
    ):
        s, o = row["s"].value, row["o"].value
        if s == o or s in excluded or o in excluded:
            continue
        g.add_edge(s, o, key=short(row["p"].value))
    types: dict[str, list[str]] = defaultdict(list)
    for row in store.select(f"SELECT ?x ?t WHERE {{ ?x a ?t FILTER(STRSTARTS(STR(?t), {_q(TERM_NS)})) }}"):
        if row["x"].value in g:
            types[row["x"].value].append(short(row["t"].value))
    labels = labels_of(store, list(g.nodes))
    for n in g.nodes:
        g.nodes[n]["label"] = pick_label(labels.get(n, {})) or short(n)
        g.nodes[n]["types"] = sorted(types.get(n, []))
    return g


def _node(g: nx.MultiDiGraph, n: str) -> dict:
    data = g.nodes[n] if n in g else {}
    return {"id": local_name(n) or n, "iri": n, "label": data.get("label", short(n)), "types": data.get("types", [])}


def neighbourhood(g: nx.MultiDiGraph, iri: str, *, depth: int = 1, max_nodes: int = 200) -> dict:
    """Nodes within ``depth`` links of ``iri`` (either direction; capped at :data:`MAX_DEPTH`).

    Returns ``{"nodes": [{id, iri, label, types, depth}], "edges": [{source, target, property}],
    "truncated": bool}``.
    """
    depth = max(0, min(int(depth), MAX_DEPTH))
    seen = {iri: 0}
    queue = deque([iri])
    truncated = False
    while queue:
        n = queue.popleft()
        if seen[n] >= depth or n not in g:
            continue
        for m in sorted(set(g.successors(n)) | set(g.predecessors(n))):
            if m in seen:
                continue
            if len(seen) >= max_nodes:
                truncated = True
                break
            seen[m] = seen[n] + 1
            queue.append(m)
    nodes = [dict(_node(g, n), depth=d) for n, d in seen.items()]
    edges = [{"source": s, "target": t, "property": k} for s, t, k in g.subgraph(seen).edges(keys=True)]
    return {"nodes": nodes, "edges": edges, "truncated": truncated}


def _link_filter() -> str:
    hubs = ", ".join(f"<{t}>" for t in _HUB_TYPES)
    return (
        f"FILTER(?g != <{ONTOLOGY_GRAPH}> && isIRI(?s) && isIRI(?o) && ?s != ?o "
        f"&& ?p NOT IN (<{_RDF_TYPE}>, <{_PROV_DERIVED}>) && STRSTARTS(STR(?s), {_q(ENTITY_NS)}) "
        f"&& STRSTARTS(STR(?o), {_q(ENTITY_NS)})) "
        f"FILTER NOT EXISTS {{ {{ ?s a ?t }} UNION {{ ?o a ?t }} FILTER(?t IN ({hubs})) }}"
    )


def _entity_links(
    store: Store, nodes: list[str], limit: int, *, outgoing_only: bool = False
) -> list[tuple[str, str, str]]:
    """Up to ``limit`` entity-to-entity links ``(s, property CURIE, o)`` touching ``nodes`` (either end).

    The same links as :func:`link_graph` (hubs, the ontology graph, types and provenance left out), read
    from the store for these nodes only, so the cost follows the answer, not the graph.
    """
    values = " ".join(f"<{n}>" for n in nodes)
    out: list[tuple[str, str, str]] = []
    # VALUES inside each side, on the pattern's own variable, so the store looks the nodes up (no scan)
    sides = ("?s",) if outgoing_only else ("?s", "?o")
    for side in sides:
        if len(out) >= limit:
            break
        rows = store.select(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES {side} {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
            f"{_link_filter()} }} LIMIT {int(limit - len(out))}"
        )
        out += [(r["s"].value, short(r["p"].value), r["o"].value) for r in rows]
    return out


#: Most entities of a ring listed by IRI (:func:`_ring`); a larger ring is listed in the store's order.
RING_SORTED = 1000


def _ring(store: Store, nodes: list[str], exclude: set[str], limit: int) -> list[str]:
    """The first ``limit`` entities linked to ``nodes`` (either way), leaving out ``exclude``: by IRI when the
    ring holds at most :data:`RING_SORTED` of them, else in the order the store reads them (the same order
    at every call on a build, so the pages of a hub neither overlap nor skip).

    The store does not sort: its ORDER BY decodes both IRIs at each comparison (0.35 s of CPU for the 2,794
    neighbours of a synthetic country at 1M triples, 0.7 s with the link filter, where reading them unsorted
    takes 0.28 s and the first 1,001 about 0.11 s). Reading at most ``RING_SORTED + 1`` of a hub's rows, not
    all of them, keeps a page's cost bounded whatever the hub's degree."""
    values = " ".join(f"<{n}>" for n in nodes)
    rows = store.select(
        f"SELECT DISTINCT ?m WHERE {{ "
        f"{{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {_link_filter()} BIND(?o AS ?m) }} UNION "
        f"{{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {_link_filter()} BIND(?s AS ?m) }} }} "
        f"LIMIT {int(max(RING_SORTED + 1, limit) + len(exclude))}"
    )
    read = [r["m"].value for r in rows]
    if len(read) <= RING_SORTED + len(exclude):  # the whole ring: by IRI
        read.sort()
    return [m for m in read if m not in exclude][:limit]


def store_neighbourhood(
    store: Store, iri: str, *, depth: int = 1, max_nodes: int = NEIGHBOURS_PAGE, offset: int = 0, lang: str = "fr"
) -> dict:
    """Like :func:`neighbourhood`, read from the store around ``iri`` only, and paged; its labels in ``lang``
    where the graph has them.

    The neighbours (every node but ``iri``) are listed ring by ring, each ring by IRI (a ring of more than
    :data:`RING_SORTED`: in the store's order, see :func:`_ring`); one call returns
    ``max_nodes`` of them from ``offset``, with ``iri`` itself and the links among the returned nodes. It
    reads at most ``offset + max_nodes + 1`` neighbours, so a hub with a hundred thousand partners costs one
    page, not the hub.

    Returns
    -------
    dict
        ``{"nodes": [{id, iri, label, types, depth}], "edges": [{source, target, property}],
        "truncated": bool, "offset": int, "next": int or None}`` (``next``: the offset of the next page).

    Examples
    --------
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> s, D, P, N = OxigraphStore(), ENTITY_NS, TERM_NS + "partner", terms.NamedNode
    >>> s.add([terms.Quad(N(D + "hub"), N(P), N(D + f"c{i}"), N(D + "g")) for i in range(5)])
    >>> page = store_neighbourhood(s, D + "hub", max_nodes=2)
    >>> [n["id"] for n in page["nodes"]], page["next"], store_neighbourhood(s, D + "hub", max_nodes=2, offset=4)["next"]
    (['hub', 'c0', 'c1'], 2, None)
    """
    depth = max(0, min(int(depth), MAX_DEPTH))
    offset, max_nodes = max(0, int(offset)), max(1, int(max_nodes))
    budget = offset + max_nodes + 1  # one more than the page says whether there is a next page
    seen: dict[str, int] = {iri: 0}
    order: list[str] = []
    frontier = [iri]
    for ring in range(1, depth + 1):
        if not frontier or len(order) >= budget:
            break
        found: list[str] = []
        for chunk in range(0, len(frontier), 200):
            found += _ring(store, frontier[chunk : chunk + 200], set(seen), budget - len(order))
        frontier = list(dict.fromkeys(found))[: budget - len(order)]  # each ring's order kept (see _ring)
        for m in frontier:
            seen[m] = ring
        order += frontier
    page = order[offset : offset + max_nodes]
    more = len(order) > offset + max_nodes
    kept = {iri, *page}
    edges = [
        (s, p, o)
        for s, p, o in _entity_links(store, sorted(kept), limit=20 * len(kept), outgoing_only=True)
        if s in kept and o in kept
    ]
    types: dict[str, list[str]] = defaultdict(list)
    values = " ".join(f"<{n}>" for n in kept)
    for row in store.select(
        f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {values} }} ?x a ?t FILTER(STRSTARTS(STR(?t), {_q(TERM_NS)})) }}"
    ):
        types[row["x"].value].append(short(row["t"].value))
    labels = labels_of(store, kept)
    nodes = [
        {
            "id": n[len(ENTITY_NS) :] if n.startswith(ENTITY_NS) else n,
            "iri": n,
            "label": pick_label(labels.get(n, {}), reading_order(lang)) or short(n),
            "types": sorted(set(types.get(n, []))),
            "depth": seen[n],
        }
        for n in (iri, *page)
    ]
    links = [{"source": s, "target": o, "property": p} for s, p, o in sorted(set(edges))]
    return {
        "nodes": nodes,
        "edges": links,
        "truncated": more,
        "offset": offset,
        "next": offset + max_nodes if more else None,
    }


def shortest_paths(
    g: nx.MultiDiGraph, source: str, target: str, *, max_paths: int = 5, max_length: int = 8
) -> list[dict]:
    """Up to ``max_paths`` shortest paths between two entities, links followed in either direction.

    Each path is ``{"length", "nodes": [node], "edges": [{source, target, property}]}``; an edge keeps
    its real direction (``source`` states ``property`` of ``target``). Empty when not connected within
    ``max_length`` links.
    """
    if source not in g or target not in g:
        return []
    undirected = g.to_undirected(as_view=True)
    out = []
    try:
        for path in nx.all_shortest_paths(undirected, source, target):
            if len(path) - 1 > max_length:
                break
            edges = []
            for a, b in itertools.pairwise(path):
                if g.has_edge(a, b):
                    edges.append({"source": a, "target": b, "property": sorted(g[a][b])[0]})
                else:
                    edges.append({"source": b, "target": a, "property": sorted(g[b][a])[0]})
            out.append({"length": len(path) - 1, "nodes": [_node(g, n) for n in path], "edges": edges})
            if len(out) >= max_paths:
                break
    except nx.NetworkXNoPath:
        return []
    return out


#: Most nodes a side of :func:`store_shortest_paths` carries into its next step (the frontier cap).
PATH_FRONTIER = 2000


def store_shortest_paths(
    store: Store,
    source: str,
    target: str,
    *,
    max_paths: int = 5,
    max_length: int = 6,
    frontier: int = PATH_FRONTIER,
) -> dict:
    """Like :func:`shortest_paths`, read from the store around the two entities only: a bidirectional
    breadth-first search whose frontiers hold at most ``frontier`` nodes each.

    Each step expands the smaller side by one ring of links (either direction; the links of
    :func:`link_graph`); the search ends at the first ring where the sides meet, or after ``max_length``
    links. Its cost follows the frontiers, not the graph: at most ``max_length`` rings of ``frontier``
    nodes. When a frontier was cut, ``truncated`` is True and a shorter path may have been missed.

    Returns ``{"paths": [{"length", "nodes", "edges"}], "truncated": bool, "explored": int}``.

    Examples
    --------
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> s, D, P, N = OxigraphStore(), ENTITY_NS, TERM_NS + "partner", terms.NamedNode
    >>> chain = ["a", "b", "c", "d"]
    >>> s.add([terms.Quad(N(D + x), N(P), N(D + y), N(D + "g")) for x, y in zip(chain, chain[1:])])
    >>> found = store_shortest_paths(s, D + "a", D + "d")
    >>> [n["id"] for n in found["paths"][0]["nodes"]], found["truncated"]
    (['a', 'b', 'c', 'd'], False)
    >>> store_shortest_paths(s, D + "a", D + "d", max_length=2)["paths"]
    []
    """
    if source == target:
        return {"paths": [], "truncated": False, "explored": 1}
    # per side: node -> distance, node -> [(previous node, link)] on a shortest way from that side's end
    dist: tuple[dict[str, int], dict[str, int]] = ({source: 0}, {target: 0})
    parents: tuple[dict, dict] = ({source: []}, {target: []})
    fronts = [[source], [target]]
    truncated = False
    meet: list[str] = []
    while fronts[0] and fronts[1] and not meet:
        if max(dist[0].values()) + max(dist[1].values()) >= max_length:
            break
        side = 0 if len(fronts[0]) <= len(fronts[1]) else 1
        here, there = dist[side], dist[1 - side]
        level = max(here[n] for n in fronts[side]) + 1
        current = set(fronts[side])
        found: dict[str, None] = {}
        for chunk in range(0, len(fronts[side]), 200):
            nodes = fronts[side][chunk : chunk + 200]
            for s, p, o in _entity_links(store, nodes, limit=20 * frontier):
                for near, far in ((s, o), (o, s)):
                    if near not in current or far == near:
                        continue
                    if far not in here:
                        if len(found) >= frontier:
                            truncated = True
                            continue
                        here[far] = level
                        parents[side][far] = []
                        found[far] = None
                    if here[far] == level:
                        parents[side][far].append((near, {"source": s, "target": o, "property": p}))
        fronts[side] = sorted(found)
        meet = sorted(n for n in found if n in there)
    if not meet:
        return {"paths": [], "truncated": truncated, "explored": len(dist[0]) + len(dist[1])}
    best = min(dist[0][m] + dist[1][m] for m in meet)
    meet = [m for m in meet if dist[0][m] + dist[1][m] == best]

    def ways(side: int, node: str, budget: int) -> list[tuple[list[str], list[dict]]]:
        """Up to ``budget`` shortest ways from this side's end to ``node``: (nodes from the end, links)."""
        if not parents[side][node]:
            return [([node], [])]
        out: list[tuple[list[str], list[dict]]] = []
        for previous, link in parents[side][node]:
            for nodes, links in ways(side, previous, budget - len(out)):
                out.append((nodes + [node], links + [link]))
                if len(out) >= budget:
                    return out
        return out

    paths: list[tuple[list[str], list[dict]]] = []
    for m in meet:
        for head_nodes, head_links in ways(0, m, max_paths):
            for tail_nodes, tail_links in ways(1, m, max_paths):
                paths.append((head_nodes + tail_nodes[::-1][1:], head_links + tail_links[::-1]))
                if len(paths) >= max_paths:
                    break
            if len(paths) >= max_paths:
                break
        if len(paths) >= max_paths:
            break
    on_paths = sorted({n for nodes, _ in paths for n in nodes})
    labels = labels_of(store, on_paths)
    types: dict[str, list[str]] = defaultdict(list)
    values = " ".join(f"<{n}>" for n in on_paths)
    for row in store.select(
        f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {values} }} ?x a ?t FILTER(STRSTARTS(STR(?t), {_q(TERM_NS)})) }}"
    ):
        types[row["x"].value].append(short(row["t"].value))

    def node(n: str) -> dict:
        return {
            "id": local_name(n) or n,
            "iri": n,
            "label": pick_label(labels.get(n, {})) or short(n),
            "types": sorted(set(types.get(n, []))),
        }

    return {
        "paths": [{"length": len(links), "nodes": [node(n) for n in nodes], "edges": links} for nodes, links in paths],
        "truncated": truncated,
        "explored": len(dist[0]) + len(dist[1]),
    }


_NAME = re.compile(r"^[A-Za-z0-9][\w.~-]*$")


def resolve(value: str) -> str:
    """An entity given as a local name (``geneve``), a CURIE (``qkgd:geneve``) or a full IRI -> its IRI."""
    value = value.strip()
    if _NAME.match(value) and ":" not in value:
        return ENTITY_NS + value
    try:
        iri = expand_curie(value)
    except ValueError:
        iri = None
    if iri is not None:
        try:
            terms.NamedNode(iri)  # bad percent-encoding, spaces, '>'...
            return iri
        except ValueError:
            raise EntityNotFound(
                N_("{value!r} is not a valid IRI, so it names no entity"),
                hint=N_(
                    "percent-encode spaces and reserved characters, or use a name such as "
                    "geneve; /api/search?q=... finds names"
                ),
                fields={"value": value[:80]},
            ) from None
    raise EntityNotFound(
        N_("{value!r} names no entity: it is not a known name, CURIE or IRI"),
        hint=N_(
            "write a name such as geneve, a CURIE such as qkgd:geneve, or a full IRI; /api/search?q=... finds names"
        ),
        fields={"value": value[:80]},
    )


#: The most triples an entity's RDF (``/id/NAME.ttl``, ``.jsonld``, ``.nt``) holds: its facts first, then its
#: incoming links (a class's instances at 1M triples: 6.1 MB of JSON-LD for ``/def/Activity``).
RDF_TRIPLES = 5_000


def entity_triples(store, iri: str, *, limit: int = RDF_TRIPLES) -> tuple[list, bool]:
    """The distinct triples about ``iri`` (as subject, then as object), at most ``limit``, and whether some
    were left out (the SPARQL endpoint gives them all: ``CONSTRUCT { ?s ?p <iri> } WHERE { ?s ?p <iri> }``).

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> from qkg.graph.serving import terms
    >>> s, a = OxigraphStore(), terms.NamedNode("http://e/a")
    >>> s.add([terms.Quad(terms.NamedNode(f"http://e/{i}"), terms.NamedNode("http://e/p"), a) for i in range(3)])
    >>> [len(t) for t in entity_triples(s, "http://e/a", limit=2)[:1]], entity_triples(s, "http://e/a", limit=2)[1]
    ([2], True)
    >>> entity_triples(s, "http://e/a", limit=3)[1]
    False
    """
    from qkg.graph.serving import terms

    node = terms.NamedNode(iri)
    found: dict = {}
    for quads in (store.quads(node, None, None, None), store.quads(None, None, node, None)):
        for q in quads:
            found.setdefault(q.triple, None)
            if len(found) > limit:
                return list(found)[:limit], True
    return list(found), False
