"""Projections of the RDF graph into networkx, built with SPARQL on the store (never a full rdflib copy).

Four projections, each a function of the store and keyword parameters (the *projection choices*):

``actors`` -- :func:`actor_network`, an undirected weighted :class:`networkx.Graph`.
    Nodes are actors: organisations, local governments, posts, groups, people (and, with ``places=True``,
    the places attached to the facts: a mission leg's city, an event's location, a reception's origin).
    Two actors are linked when they are attached to the same *fact*: an event or a meeting (organiser,
    co-organiser, host, funder, participant), a reception (host, visitor), a mission (leader, participants),
    an agreement (parties, facilitator) or a membership (member and organisation). So co-members of a
    forum are two steps apart, through the forum. Edge ``weight`` = number of facts shared; ``kinds`` =
    the kinds of those facts; ``facts`` = their IRIs (every edge is traceable). Posts (``org:postIn``) and
    units (``org:unitOf``) may be folded into their organisation.
``actor-theme`` -- :func:`actor_theme_graph`, bipartite actor x ``qkg:theme`` (through the facts the actor
    takes part in, and the actor's own themes).
``actor-place`` -- :func:`actor_place_graph`, bipartite actor x place: the places of the actor's facts
    (``via`` location, origin, leg) and the home places of its counterparts on those facts (``via``
    counterpart: an agreement with Rennes Métropole reaches Rennes). ``level`` rolls places up to their
    country or continent.
``typed`` -- :func:`typed_multigraph`, a :class:`networkx.MultiDiGraph` of every entity-to-entity triple
    (``property``, named ``graph``, ``provenance`` = report sections of the fact at either end), for paths.

Every graph carries ``G.graph["projection"]`` and ``G.graph["parameters"]``; nodes carry ``label``, ``type``
and ``kind`` (``actor``, ``place``, ``theme`` or ``entity``). :func:`export_projection` writes GEXF,
GraphML or CSV edge lists.

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from qkg.graph.serving import terms
>>> G = actor_network(OxigraphStore())
>>> G.number_of_nodes(), G.graph["projection"]
(0, 'actors')
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations

import networkx as nx
from qkg.graph.analysis.exports import EXPORT_FORMATS, export_projection
from qkg.graph.analysis.facts import DEFAULT_RELATIONS, RDFS, RELATIONS, SKOS, FactIndex, Q, labels, load_facts, types
from qkg.graph.analysis.nxgraphs import multidigraph, simple_graph
from qkg.graph.analysis.regions import continent_of
from qkg.graph.errors import N_, ParameterError
from qkg.graph.named_graphs import INFERRED_GRAPH, ONTOLOGY_GRAPH, RESERVED_GRAPHS
from qkg.graph.pages.years import graphs_by_year
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology import QKGD
from qkg.ontology.curies import short

__all__ = [
    "PROJECTIONS",
    "RELATIONS",
    "DEFAULT_RELATIONS",
    "actor_network",
    "actor_theme_graph",
    "actor_place_graph",
    "typed_multigraph",
    "typed_links",
    "project",
    "export_projection",
    "EXPORT_FORMATS",
    "place_levels",
]

PROJECTIONS = ("actors", "actor-theme", "actor-place", "typed")
_LEVELS = ("place", "country", "continent")


def _decorate(store: Store, G: nx.Graph, *, lang: str, kind: dict[str, str] | None = None) -> None:
    nodes = [n for n in G.nodes if not str(n).startswith("continent:")]
    names, classes = labels(store, nodes, lang=lang), types(store, nodes)
    for n, data in G._node.items():
        data.setdefault("label", names.get(n, str(n).split(":", 1)[-1]))
        data.setdefault("type", classes.get(n, "Continent"))
        if kind:
            data.setdefault("kind", kind.get(n, "actor"))


def _params(**kw) -> dict:
    return {k: (sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in kw.items()}


def _index(store, index, relations, year_from, year_to, year=None, *, whole: bool = True) -> FactIndex:
    """``index``, or the facts read from ``store``; with ``whole``, an index with its places, themes and homes."""
    if index is None:
        return load_facts(store, relations=relations, year_from=year_from, year_to=year_to, year=year)
    if whole and index.actors_only:
        raise ValueError("this projection needs the facts' places, themes and homes: pass an index read whole")
    return index


def actor_network(
    store: Store,
    *,
    relations=None,
    year_from: int | None = None,
    year_to: int | None = None,
    year: str | None = None,
    fold_posts: bool = False,
    fold_units: bool = False,
    places: bool = False,
    lang: str = "fr",
    index: FactIndex | None = None,
    keep=frozenset(),
) -> nx.Graph:
    """The actor network: actors linked when they share a fact (see the module docstring).

    Parameters
    ----------
    store : Store
        A built store.
    relations : iterable of str, optional
        Kinds of fact that count (:data:`RELATIONS`; default :data:`DEFAULT_RELATIONS`).
    year_from, year_to : int, optional
        Keep facts dated in this range (undated facts are kept).
    year : str, optional
        Keep the facts of one report year (see :func:`~qkg.graph.analysis.facts.load_facts`); default every year.
    fold_posts : bool
        Replace each post (``qkgd:maire-de-quebec``) by its organisation (``org:postIn``).
    fold_units : bool
        Replace each unit (``qkgd:ovpm-board``) by its organisation (``org:unitOf``).
    places : bool
        Also make the places attached to facts (leg cities, locations, origins) nodes of the network.
    lang : str
        Preferred label language.
    index : FactIndex, optional
        A prebuilt index (its filters then apply, not ``relations``/years).
    keep : set of str
        Actors never folded into their parent (see :meth:`FactIndex.fold`).

    Returns
    -------
    networkx.Graph
        Edge attributes ``weight`` (int), ``kinds`` (list), ``facts`` (list of IRIs).
    """
    idx = _index(store, index, relations, year_from, year_to, year, whole=places)
    parameters = _params(
        relations=idx.kinds_selected,
        year_from=year_from,
        year_to=year_to,
        year=year,
        fold_posts=fold_posts,
        fold_units=fold_units,
        places=places,
    )
    # Nodes and edges are gathered in plain dicts, then made a graph at once (networkx's has_edge/add_edge per
    # pair cost most of the loop at 1M triples); insertion orders are those of the fact-by-fact additions.
    kind: dict[str, str] = {}
    nodes: dict[str, None] = {}
    pairs: dict[tuple[str, str], dict] = {}
    folded: dict[str, str] = {}  # each actor folded once, not once per fact (the keys of idx.actors(f))
    for f, fact in sorted(idx.facts.items()):
        members = []
        for a in idx.roles.get(f, ()):
            m = folded.get(a)
            if m is None:
                m = folded[a] = idx.fold(a, posts=fold_posts, units=fold_units, keep=keep)
            members.append(m)
        members = sorted(set(members))
        for a in members:
            kind[a] = "actor"
        if places:
            for p, _via in sorted(idx.places.get(f, ())):
                if p not in kind:
                    kind[p] = "place"
                members.append(p)
            members = sorted(set(members))
        nodes.update(dict.fromkeys(members))
        for pair in combinations(members, 2):  # sorted members: each pair comes as (u, v) with u < v
            e = pairs.get(pair)
            if e is None:
                pairs[pair] = {"weight": 1, "facts": [f], "kinds": [fact.kind]}
            else:
                e["weight"] += 1
                e["facts"].append(f)
                if fact.kind not in e["kinds"]:
                    e["kinds"].append(fact.kind)
    for e in pairs.values():
        e["kinds"].sort()
    G = simple_graph(nodes, ((u, v, e) for (u, v), e in pairs.items()), projection="actors", parameters=parameters)
    _decorate(store, G, lang=lang, kind=kind)
    return G


def actor_theme_graph(
    store: Store,
    *,
    relations=None,
    year_from: int | None = None,
    year_to: int | None = None,
    year: str | None = None,
    fold_posts: bool = True,
    fold_units: bool = True,
    own_themes: bool = True,
    lang: str = "fr",
    index: FactIndex | None = None,
    keep=frozenset(),
    only=None,
) -> nx.Graph:
    """Bipartite actor x theme graph: an actor reaches a theme through the facts it takes part in.

    Edge attributes: ``weight`` (number of supporting facts), ``facts`` (IRIs; an actor's own ``qkg:theme``
    triple is listed as the actor's IRI), ``via`` (``fact`` and/or ``own``). Nodes have ``bipartite`` 0
    (actors) or 1 (themes). Posts and units are folded by default: a mayor's theme is the City's.
    ``only`` (a set of IRIs) keeps only those actors' rows (faster on large graphs).
    """
    idx = _index(store, index, relations, year_from, year_to, year)
    G = nx.Graph(
        projection="actor-theme",
        parameters=_params(
            relations=idx.kinds_selected,
            year_from=year_from,
            year_to=year_to,
            year=year,
            fold_posts=fold_posts,
            fold_units=fold_units,
            own_themes=own_themes,
        ),
    )
    kind: dict[str, str] = {}

    def link(a: str, t: str, fact: str, via: str) -> None:
        kind[a], kind[t] = "actor", "theme"
        if not G.has_edge(a, t):
            G.add_node(a, bipartite=0)
            G.add_node(t, bipartite=1)
            G.add_edge(a, t, weight=0, facts=[], via=[])
        e = G.edges[a, t]
        if fact not in e["facts"]:
            e["facts"].append(fact)
            e["weight"] += 1
        if via not in e["via"]:
            e["via"].append(via)

    seen_actors = set()
    for f in sorted(idx.facts):
        for a in sorted(idx.actors(f, posts=fold_posts, units=fold_units, keep=keep)):
            if only is not None and a not in only:
                continue
            seen_actors.add(a)
            for t in sorted(idx.themes.get(f, ())):
                link(a, t, f, "fact")
    if own_themes:
        for a in sorted(seen_actors):
            for t in sorted(idx.themes.get(a, ())):
                link(a, t, a, "own")
    _decorate(store, G, lang=lang, kind=kind)
    return G


def place_levels(store: Store, places) -> dict[str, dict[str, str | None]]:
    """For each place IRI: ``{"country": IRI or None, "continent": name or None}``.

    A country is its own country; a city or region uses ``qkg:country`` (else ``qkg:locatedIn`` a country).
    """
    places = set(places)
    country_of: dict[str, str] = {}
    countries = {r["c"].value for r in store.select(f"SELECT ?c WHERE {{ ?c a <{Q}Country> }}")}
    for row in store.select(f"SELECT ?p ?c WHERE {{ ?p <{Q}country>|<{Q}locatedIn> ?c . ?c a <{Q}Country> }}"):
        if row["p"].value in places:
            country_of.setdefault(row["p"].value, row["c"].value)
    all_countries = {p for p in places if p in countries} | set(country_of.values())
    names = labels(store, all_countries, lang="fr")
    en = labels(store, all_countries, lang="en")
    out = {}
    for p in places:
        c = p if p in countries else country_of.get(p)
        out[p] = {"country": c, "continent": continent_of(c, labels=(names[c], en[c])) if c else None}
    return out


def actor_place_graph(
    store: Store,
    *,
    relations=None,
    year_from: int | None = None,
    year_to: int | None = None,
    year: str | None = None,
    fold_posts: bool = True,
    fold_units: bool = True,
    counterparts: bool = True,
    co_members: int = 12,
    level: str = "place",
    lang: str = "fr",
    index: FactIndex | None = None,
    keep=frozenset(),
    only=None,
) -> nx.Graph:
    """Bipartite actor x place graph: where each actor's facts happen, and where its counterparts are from.

    Parameters
    ----------
    counterparts : bool
        Also count the home places (``qkg:jurisdiction``/``qkg:basedIn``) of the other actors on the same
        fact (``via`` = ``counterpart``), except those in the actor's own home country (domestic ties: the
        Québec partners of a Québec actor do not make it "reach" Canada). Stated places always count.
    co_members : int
        With ``counterparts``, members of the same small organisation (at most ``co_members`` members: a
        board, a committee) are counterparts of each other too (``via`` = ``co-member``; both memberships
        are cited): the mayor of Québec on the OVPM board reaches Dubrovnik. 0 turns it off; large forums
        never count, sharing a 300-city network is not a tie to each city.
    level : {"place", "country", "continent"}
        Keep the places as stated, or roll them up (a place of unknown country is dropped at those levels).
    only : set of str, optional
        Keep only these actors' rows (faster on large graphs).

    Edge attributes: ``weight`` (number of facts), ``facts`` (IRIs), ``via`` (location, origin, leg,
    counterpart), ``places`` (the stated places behind a rolled-up node).
    """
    if level not in _LEVELS:
        raise ParameterError(
            N_("unknown level {value!r}"),
            hint=N_("use one of {choices}"),
            fields={"value": level, "choices": ", ".join(_LEVELS)},
        )
    idx = _index(store, index, relations, year_from, year_to, year)
    G = nx.Graph(
        projection="actor-place",
        parameters=_params(
            relations=idx.kinds_selected,
            year_from=year_from,
            year_to=year_to,
            year=year,
            fold_posts=fold_posts,
            fold_units=fold_units,
            counterparts=counterparts,
            level=level,
        ),
    )
    raw: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"facts": set(), "via": set()})
    homes = _Homes(idx)
    for f in idx.facts:
        members = idx.actors(f, posts=fold_posts, units=fold_units, keep=keep)
        stated = idx.places.get(f, set())
        for a in members:
            if only is not None and a not in only:
                continue
            for p, via in stated:
                raw[a, p]["facts"].add(f)
                raw[a, p]["via"].add(via)
            if counterparts:
                for b in members:
                    if b != a:
                        for p in homes.abroad(a, b):
                            raw[a, p]["facts"].add(f)
                            raw[a, p]["via"].add("counterpart")
    if counterparts and co_members:
        _co_members(idx, raw, homes, cap=co_members, posts=fold_posts, units=fold_units, keep=keep, only=only)
    up = place_levels(store, {p for _a, p in raw}) if level != "place" else {}
    kind: dict[str, str] = {}
    for (a, p), rec in sorted(raw.items()):
        node: str | None = p
        if level == "country":
            node = up[p]["country"]
        elif level == "continent":
            continent = up[p]["continent"]
            node = "continent:" + continent if continent else None
        if node is None:
            continue
        kind[a], kind[node] = "actor", "place"
        if not G.has_edge(a, node):
            G.add_node(a, bipartite=0)
            G.add_node(node, bipartite=1)
            G.add_edge(a, node, facts=set(), via=set(), places=set())
        e = G.edges[a, node]
        e["facts"] |= rec["facts"]
        e["via"] |= rec["via"]
        e["places"].add(p)
    for _a, _p, e in G.edges(data=True):
        e["facts"], e["via"], e["places"] = sorted(e["facts"]), sorted(e["via"]), sorted(e["places"])
        e["weight"] = len(e["facts"])
    _decorate(store, G, lang=lang, kind=kind)
    return G


class _Homes:
    """Memoised home places of actors, and the counterpart places that count as reached abroad."""

    def __init__(self, idx: FactIndex) -> None:
        self.idx = idx
        self.home: dict[str, set[str]] = {}
        self.countries: dict[str, set[str]] = {}

    def _own(self, a: str):
        if a not in self.home:
            self.home[a] = self.idx.home_of(a)
            self.countries[a] = {c for x in self.home[a] if (c := self.idx.country.get(x)) is not None}
        return self.home[a], self.countries[a]

    def abroad(self, a: str, b: str) -> list[str]:
        """The homes of ``b`` outside ``a``'s own places and home countries (a domestic tie is not a reach)."""
        own, countries = self._own(a)
        theirs, _ = self._own(b)
        return [p for p in theirs if p not in own and self.idx.country.get(p) not in countries]


def _co_members(idx: FactIndex, raw, homes: _Homes, *, cap: int, posts: bool, units: bool, keep, only) -> None:
    """Add the homes of fellow members of small organisations to ``raw`` (see :func:`actor_place_graph`)."""
    by_org: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f, fact in idx.facts.items():
        if fact.kind != "membership":
            continue
        roles = idx.actors(f, posts=posts, units=units, keep=keep)
        orgs = [x for x, r in roles.items() if "organisation" in r]
        for o in orgs:
            by_org[o] += [(f, x) for x, r in roles.items() if "member" in r and x != o]
    for pairs in by_org.values():
        if len({m for _f, m in pairs}) > cap:
            continue
        for f, a in pairs:
            if only is not None and a not in only:
                continue
            for f2, b in pairs:
                if b != a:
                    for p in homes.abroad(a, b):
                        raw[a, p]["facts"] |= {f, f2}
                        raw[a, p]["via"].add("co-member")


_NOT_LINKS = {
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    Q + "section",
    "http://purl.org/dc/terms/isPartOf",
    Q + "enumerates",
}
#: Most excluded nodes :func:`typed_links` names in its queries (more are left out after, as they are read).
_MINUS_MAX = 5000
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OWL = "http://www.w3.org/2002/07/owl#"
#: Literal-valued properties the ontology does not declare (see :func:`typed_links`).
_LITERAL_PROPERTIES = (RDFS + "label", RDFS + "comment", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition")
_NOT_ENTITIES = (SKOS + "Concept", SKOS + "ConceptScheme", Q + "ReportSection", Q + "Report", Q + "DeclaredFigure")


def typed_multigraph(
    store: Store, *, inferred: bool = False, concepts: bool = False, lang: str = "fr", year: str | None = None
) -> nx.MultiDiGraph:
    """Every entity-to-entity triple as a typed edge ``s -[property]-> o`` (key = property CURIE).

    Parameters
    ----------
    inferred : bool
        Include the inferred graph (super-properties, inverses, chains): off by default, since each
        inferred triple repeats an asserted path.
    concepts : bool
        Keep SKOS concepts (themes, categories, roles) as nodes; off by default, since "both about culture"
        is not a connection between two actors.
    year : str, optional
        A report year: the triples of that year's named graphs and of the graphs that belong to no year
        (background, added sheets); the other years' graphs are left out. Default: every year.

    Edge attributes: ``property`` and ``graph`` (CURIEs; the first graph stating the triple), ``years`` (the
    report years whose graphs state it, sorted; empty when only graphs of no year do), ``provenance`` (CURIEs
    of the report sections the fact node at either end is derived from). Report sections and declared figures
    are never nodes.
    """
    edges = typed_links(store, inferred=inferred, concepts=concepts, year=year)
    G = multidigraph(
        (),
        ((s, o, key, data) for (s, o, key), data in edges.items()),
        projection="typed",
        parameters={"inferred": inferred, "concepts": concepts, **({"year": year} if year else {})},
    )
    del edges
    _decorate(store, G, lang=lang)
    for data in G._node.values():
        data["kind"] = "entity"
    return G


def typed_links(
    store: Store, *, inferred: bool = False, concepts: bool = False, year: str | None = None, details: bool = True
) -> dict[tuple[str, str, str], dict]:
    """The edges of :func:`typed_multigraph` (same parameters), ``(s, o, key) -> attributes``, in the order
    first seen. With ``details`` False, each edge's attributes are its relation (``rel``, the key) and its
    ``years`` alone (the network view's need: no report sections read)."""
    skip_graphs = {g for g in RESERVED_GRAPHS if inferred is False or g != INFERRED_GRAPH}
    skip_types = _NOT_ENTITIES if not concepts else _NOT_ENTITIES[2:]
    values = " ".join(f"<{c}>" for c in skip_types)
    excluded = {r[0].value for r in store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }}")}
    sections: dict[str, set[str]] = defaultdict(set)
    if details:
        for r in store.select(
            f"SELECT ?f ?s WHERE {{ ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . ?s a <{Q}ReportSection> }}"
        ):
            sections[r[0].value].add(short(r[1].value))
    base = str(QKGD)
    # What the store leaves out, rather than answering it to be dropped here (each answer's terms are decoded
    # from disk; MINUS keeps the other rows in their order): the properties that are not links, and those whose
    # values are literals (the ontology's datatype and annotation properties, labels); a test of the value
    # itself (isIRI) decodes every value in the store (0.3 s of the 90k-row graph at 1M triples). The links to or
    # from the few excluded nodes (themes, categories, roles: 549 concepts, 29% of the rows at 1M triples) too.
    # A literal or blank value of another property is dropped below.
    not_links = {*_NOT_LINKS, _RDF_TYPE, *_LITERAL_PROPERTIES}
    for r in store.select(
        f"SELECT ?p WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ VALUES ?t {{ <{_OWL}DatatypeProperty> <{_OWL}AnnotationProperty> }} "
        "?p a ?t } }",
        union=False,
    ):
        if isinstance(r[0], terms.NamedNode):
            not_links.add(r[0].value)
    listed_props = " ".join(f"<{x}>" for x in sorted(not_links))
    if not getattr(store, "values_minus", True):  # a remote store: the excluded nodes are dropped as read
        not_excluded = "FILTER(?p NOT IN (%s))" % listed_props.replace("> <", ">, <")
    else:
        not_excluded = f"MINUS {{ VALUES ?p {{ {listed_props} }} }}"
    minus = sorted(x for x in excluded if x.startswith(base))
    if minus and len(minus) <= _MINUS_MAX and getattr(store, "values_minus", True):
        listed = " ".join(f"<{x}>" for x in minus)
        not_excluded += f" MINUS {{ VALUES ?o {{ {listed} }} }} MINUS {{ VALUES ?s {{ {listed} }} }}"
    # one query per named graph: a fixed GRAPH is about twice as fast as GRAPH ?g with a filter on ?g
    graphs = sorted(g for g in store.graphs() if g not in skip_graphs)
    tags = graphs_by_year(store)
    if year is not None:
        graphs = [g for g in graphs if tags.get(g, year) == year]
    select = getattr(store, "select_once", store.select)  # a build's reader need not keep these rows
    curies: dict[str, str] = {}  # the few properties and graphs, shortened once
    # Edges are gathered in a dict, then made a graph in the order first seen (networkx's has_edge/add_edge
    # per row cost twice as much at 1M triples).
    edges: dict[tuple[str, str, str], dict] = {}
    for g in graphs:
        tag = tags.get(g)
        graph = curies.get(g) or curies.setdefault(g, short(g))
        for r in select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} {not_excluded} }}", union=False):
            if not isinstance(r[2], terms.NamedNode):
                continue
            s, o = r[0].value, r[2].value
            if not (s.startswith(base) and o.startswith(base)) or s in excluded or o in excluded or s == o:
                continue
            p = r[1].value
            key = curies.get(p) or curies.setdefault(p, short(p))
            found = edges.get((s, o, key))
            if found is not None:
                stated = found["years"]
                if tag is not None and tag not in stated:
                    stated.append(tag)
                    stated.sort()
            elif details:
                prov = sorted(sections.get(s) or sections.get(o) or ())
                edges[s, o, key] = {"property": key, "graph": graph, "years": [tag] if tag else [], "provenance": prov}
            else:
                edges[s, o, key] = {"rel": key, "years": [tag] if tag else []}
    return edges


def project(store: Store, name: str = "actors", **params) -> nx.Graph:
    """Build the projection called ``name`` (:data:`PROJECTIONS`) with keyword parameters.

    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> project(OxigraphStore(), "actor-theme").graph["projection"]
    'actor-theme'
    >>> project(OxigraphStore(), "cliques")
    Traceback (most recent call last):
    ...
    qkg.graph.errors.ParameterError: unknown projection 'cliques'
    """
    builders: dict[str, Callable[..., nx.Graph]] = {
        "actors": actor_network,
        "actor-theme": actor_theme_graph,
        "actor-place": actor_place_graph,
        "typed": typed_multigraph,
    }
    if name not in builders:
        raise ParameterError(
            N_("unknown projection {value!r}"),
            hint=N_("use one of {choices}"),
            fields={"value": name, "choices": ", ".join(PROJECTIONS)},
        )
    builder = builders[name]
    accepted = inspect.signature(builder).parameters
    return builder(store, **{k: v for k, v in params.items() if v is not None and k in accepted})
