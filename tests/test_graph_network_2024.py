"""Analyses of the 2024 report graph, checked against what the report says."""

from __future__ import annotations

import pytest
from qkg.graph.analysis.complementarity import complementarity, reach
from qkg.graph.analysis.facts import load_facts
from qkg.graph.analysis.metrics import centrality
from qkg.graph.analysis.paths import connection_paths
from qkg.graph.analysis.projection import actor_network
from qkg.graph.serving.store import StoreLayout, open_read_only

D = "https://w3id.org/qkg/id/"
BOARD_CITIES = {"cordoue", "bruges", "angra-do-heroismo", "cracovie", "cuenca", "dubrovnik", "san-antonio"}
FUNDERS = {D + "mrif", D + "ville-de-quebec", D + "alliance-sante-quebec", D + "universite-laval"}
COMMITTEE = [D + "mrif", D + "quebec-international", D + "universite-laval", D + "ville-de-quebec"]


@pytest.fixture(scope="module")
def store(graph_2024):
    return open_read_only(StoreLayout(graph_2024).require_current())


def _jurisdictions(store, iris):
    rows = store.select("SELECT ?g ?c WHERE { ?g <https://w3id.org/qkg/def#jurisdiction> ?c }")
    where = {r["g"].value: r["c"].value for r in rows}
    return {where[i].rsplit("/", 1)[-1] for i in iris if i in where}


def test_ovpm_board_links_the_mayor_to_the_seven_board_cities(store):
    posts = actor_network(store)
    assert posts.has_edge(D + "maire-de-quebec", D + "ovpm-board")
    G = actor_network(store, fold_posts=True)
    board = set(G[D + "ovpm-board"]) - {D + "ville-de-quebec"}
    assert G.has_edge(D + "ville-de-quebec", D + "ovpm-board")
    assert _jurisdictions(store, board) == BOARD_CITIES
    for gov in board:
        (fact,) = G.edges[D + "ovpm-board", gov]["facts"]
        assert G.edges[D + "ovpm-board", gov]["kinds"] == ["membership"] and "ovpm-board" in fact
    # and the path from the mayor to each board mayor goes through the board
    for post in ("maire-de-cordoue", "maire-de-dubrovnik"):
        res = connection_paths(store, "qkgd:maire-de-quebec", "qkgd:" + post, k=1, projection="actors")
        assert [n["curie"] for n in res["paths"][0]["nodes"]] == [
            "qkgd:maire-de-quebec",
            "qkgd:ovpm-board",
            "qkgd:" + post,
        ]
        assert res["paths"][0]["steps"][0]["facts"][0]["sections"][0]["label"] == "Québec rayonne"
    # with units folded, the OVPM itself reaches the seven cities' governments
    ovpm = {r["actor"] for r in reach(store, "qkgd:ovpm")["rows"]}
    assert _jurisdictions(store, ovpm) >= BOARD_CITIES


def test_sante_durable_conference_links_its_four_funders(store):
    idx = load_facts(store)
    (conference,) = [
        f for f, actors in idx.roles.items() if {a for a, roles in actors.items() if "funder" in roles} == FUNDERS
    ]
    assert D + "theme-sante-durable" in idx.themes[conference]
    G = actor_network(store)
    for a in FUNDERS:
        for b in FUNDERS - {a}:
            assert conference in G.edges[a, b]["facts"]


def test_ville_de_quebec_to_innovaud_through_the_agreement_it_facilitated(store):
    res = connection_paths(store, "qkgd:ville-de-quebec", "qkgd:innovaud", k=3)
    first = res["paths"][0]
    assert [n["curie"] for n in first["nodes"]] == [
        "qkgd:ville-de-quebec",
        "qkgd:agreement-qi-lecamp-innovaud",
        "qkgd:innovaud",
    ]
    assert [(x["property"], x["direction"]) for x in first["steps"][0]["links"]] == [("qkg:facilitator", "backward")]
    assert first["steps"][1]["links"][0]["property"] == "qkg:party"
    fact = first["steps"][0]["facts"][0]
    assert fact["sections"][0]["label"] == "Québec attire" and fact["graph"] == "qkgd:graph-2024-agreements"
    assert [p["length"] for p in res["paths"]] == sorted(p["length"] for p in res["paths"])


def test_the_city_is_the_most_central_actor(store):
    rows = centrality(actor_network(store, fold_posts=True))["rows"]
    assert rows[0]["node"] == D + "ville-de-quebec" and rows[0]["betweenness"] > 0.5


def test_committee_complementarity_map(store):
    res = complementarity(store)
    assert [a["iri"] for a in res["actors"]] == COMMITTEE
    cells = 0
    for dim, m in res["matrices"].items():
        for actor, row in m["cells"].items():
            for col, cell in row.items():
                cells += 1
                assert cell["count"] == len(cell["facts"]) > 0
                for f in cell["facts"]:
                    rec = res["facts"][f]
                    assert rec["label"] and rec["sections"] and all(s["label"] for s in rec["sections"]), (
                        dim,
                        actor,
                        col,
                        f,
                    )
    assert cells > 50
    themes = res["matrices"]["themes"]["cells"]
    for member in COMMITTEE:  # all four fund or run the santé durable conference
        assert D + "theme-sante-durable" in themes[member]
    # the report says little about Université Laval: flagged, not invented
    assert any("Université Laval" in n for n in res["notes"])
    assert next(a for a in res["actors"] if a["iri"] == D + "universite-laval")["thin"]
    assert D + "theme-patrimoine" in res["gaps"]["themes"]["none"]
    assert any(g["actor"] == D + "ville-de-quebec" for g in res["gaps"]["themes"]["only_one"])


@pytest.mark.parametrize("fold_posts", [False, True])
def test_centrality_of_the_2024_actors_equals_networkx(store, fold_posts):
    """The igraph path (no networkx copy of the graph) gives networkx's own degree, weighted degree and
    exact betweenness on the 2024 actor networks, and PageRank summing to 1."""
    import networkx as nx

    G = actor_network(store, fold_posts=fold_posts)
    res = centrality(G)
    rows = {r["node"]: r for r in res["rows"]}
    assert res["nodes"] == G.number_of_nodes() and res["edges"] == G.number_of_edges()
    btw = nx.betweenness_centrality(G, normalized=True)
    for n in G.nodes:
        assert rows[n]["degree"] == G.degree(n)
        assert rows[n]["weighted_degree"] == G.degree(n, weight="weight")
        assert rows[n]["betweenness"] == pytest.approx(btw[n], abs=1e-12)
    assert sum(r["pagerank"] for r in rows.values()) == pytest.approx(1.0)


def test_centrality_of_the_2024_network_view_equals_networkx(store):
    """The network view's multigraph (parallel and both-way links) is taken as simple and undirected: the
    degree is the number of distinct neighbours, the sampled-with-every-source betweenness is the exact one."""
    import networkx as nx
    from qkg.viz.source import network_graph

    G = network_graph(store)
    H = nx.Graph(G.to_undirected())
    H.remove_edges_from(nx.selfloop_edges(H))
    rows = {r["node"]: r for r in centrality(G, betweenness="sample", k=G.number_of_nodes(), seed=1)["rows"]}
    btw = nx.betweenness_centrality(H, normalized=True)
    assert len(rows) == H.number_of_nodes() > 200
    for n in H.nodes:
        assert rows[n]["degree"] == H.degree(n)
        assert rows[n]["betweenness"] == pytest.approx(btw[n], abs=1e-12)


def _reference_network(store):
    """The network view's graph made the plain way: the typed multigraph (IRIs, every detail), its n-ary
    nodes collapsed in a copy, then copied node by node and link by link with networkx's add_node/add_edge;
    the filters' attributes read by one query of their four properties."""
    import networkx as nx
    from qkg.graph.analysis.projection import typed_multigraph
    from qkg.graph.serving import terms
    from qkg.ontology import PREFIXES
    from qkg.ontology.curies import short
    from qkg.viz.network import collapse_nary
    from qkg.viz.source import _years
    from qkg.viz.style import kind_of

    q, schema = PREFIXES["qkg"], PREFIXES["schema"]
    typed = collapse_nary(typed_multigraph(store))
    attrs: dict = {}
    names = {q + "theme": "theme", q + "category": "category"}
    names |= {schema + "startDate": "startDate", schema + "endDate": "endDate"}
    values = " ".join(f"<{p}>" for p in names)
    for r in store.select(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}"):
        a, p, o = attrs.setdefault(r["s"].value, {}), names[r["p"].value], r["o"]
        if p == "theme":
            a.setdefault("themes", set()).add(short(o.value))
        elif p == "category":
            a["category"] = short(o.value)
        elif isinstance(o, terms.Literal):
            a[p] = (o.value, o.datatype.value)
    G = nx.MultiDiGraph()
    for iri, d in typed.nodes(data=True):
        a = attrs.get(iri, {})
        G.add_node(
            short(iri),
            label=d["label"] or short(iri),
            kind=kind_of([d["type"]]),
            themes=sorted(a.get("themes", ())),
            years=_years(a),
            category=a.get("category"),
        )
    for u, v, k, d in typed.edges(keys=True, data=True):
        G.add_edge(short(u), short(v), key=k, rel=d["rel"], years=d["years"])
    return G


def test_the_network_view_graph_equals_the_plain_networkx_construction(store):
    """The network artefact's graph, made in place (typed links once, CURIE ids, collapsed, attributes set),
    is the graph the plain construction makes: the same nodes, attributes, links and orders (node, successor,
    predecessor: the sampled betweenness numbers the nodes in that order), and its centralities are those
    of centrality()'s rows, each divided by its maximum."""
    from qkg.graph.analysis.nxgraphs import same_graph
    from qkg.viz.source import network_graph, prepare_network

    G, H = network_graph(store), _reference_network(store)
    G.graph.clear()  # the report years and the vocabulary: not made here
    assert G.number_of_nodes() > 200 and G.number_of_edges() > 500
    assert same_graph(G, H)
    prepared = prepare_network(store)
    rows = centrality(prepared.graph, betweenness="sample", k=prepared.graph.number_of_nodes(), seed=1)["rows"]
    for name in ("degree", "pagerank", "betweenness"):
        top = max(float(r[name]) for r in rows)
        assert list(prepared.metrics[name].items()) == [(r["node"], round(float(r[name]) / top, 4)) for r in rows]
    assert "edges" not in vars(prepared.graph)  # no cached view referring back to the graph


def test_the_actor_index_read_for_actors_only_makes_the_same_networks(store):
    """The centrality artefacts read the facts' actors alone (no places, themes, homes): the same actor
    networks as from the whole index; a projection that needs places refuses such an index."""
    from qkg.graph.analysis.nxgraphs import same_graph

    whole, actors = load_facts(store), load_facts(store, actors_only=True)
    assert actors.actors_only and not actors.places and whole.places
    assert (actors.facts, actors.roles, actors.parent) == (whole.facts, whole.roles, whole.parent)
    for fold in (False, True):
        assert same_graph(actor_network(store, fold_posts=fold, index=actors), actor_network(store, fold_posts=fold))
    with pytest.raises(ValueError, match="places"):
        actor_network(store, places=True, index=actors)
