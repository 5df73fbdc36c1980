"""Projections and metrics on tiny graphs with known answers, built through the real build and projection code."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from qkg.graph.analysis.metrics import brokers, centrality, communities, ego, node_lookup, summary
from qkg.graph.analysis.paths import connection_paths, k_shortest_paths
from qkg.graph.analysis.projection import (
    actor_network,
    actor_place_graph,
    actor_theme_graph,
    export_projection,
    project,
    typed_multigraph,
)
from qkg.graph.errors import ParameterError

from tests.network_fixture import CLIQUES, EXTRAS, PATH, STAR, D, build_store


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("network")
    return {
        name: build_store(tmp, ttl, name)
        for name, ttl in (("star", STAR), ("path", PATH), ("cliques", CLIQUES), ("extras", EXTRAS))
    }


def by_node(rows):
    return {r["node"].rsplit("/", 1)[-1]: r for r in rows}


# ---- the actor network ------------------------------------------------------------------------------------


def test_star_is_a_star_with_traceable_edges(stores):
    G = actor_network(stores["star"])
    assert sorted(d for _n, d in G.degree()) == [1, 1, 1, 1, 4]
    for leaf in "abcd":
        e = G.edges[D + "hub", D + leaf]
        assert e == {"weight": 1, "kinds": ["agreement"], "facts": [D + f"ag-{leaf}"]}
    assert G.nodes[D + "hub"]["label"] == "HUB" and G.nodes[D + "hub"]["type"] == "Organisation"


def test_star_centralities_are_the_hand_computed_ones(stores):
    rows = by_node(centrality(actor_network(stores["star"]))["rows"])
    assert rows["hub"]["betweenness"] == pytest.approx(1.0)
    assert rows["a"]["betweenness"] == 0.0
    d, n = 0.85, 4  # PageRank of the centre of K1,n: (1 + d n) / ((n + 1)(1 + d))
    assert rows["hub"]["pagerank"] == pytest.approx((1 + d * n) / ((n + 1) * (1 + d)), rel=1e-4)
    assert rows["b"]["pagerank"] == pytest.approx((1 - rows["hub"]["pagerank"]) / n, rel=1e-4)
    assert rows["hub"]["degree"] == 4 and rows["hub"]["weighted_degree"] == 4


def test_path_betweenness_and_kinds(stores):
    G = actor_network(stores["path"])
    assert nx.is_isomorphic(G, nx.path_graph(5))
    rows = by_node(centrality(G)["rows"])
    assert [round(rows[f"p{i}"]["betweenness"], 3) for i in range(1, 6)] == [0.0, 0.5, 0.667, 0.5, 0.0]
    assert [G.edges[D + f"p{i}", D + f"p{i + 1}"]["kinds"] for i in range(1, 5)] == [
        ["agreement"],
        ["event"],
        ["agreement"],
        ["membership"],
    ]


def test_relations_choose_which_facts_link(stores):
    G = actor_network(stores["path"], relations=["agreement"])
    assert sorted((u[-2:], v[-2:]) for u, v in G.edges) == [("p1", "p2"), ("p3", "p4")]
    assert G.graph["parameters"]["relations"] == ["agreement"]
    with pytest.raises(ParameterError, match="unknown relation 'treaty'"):
        actor_network(stores["path"], relations="treaty")


def test_folding_posts_and_units(stores):
    s = stores["extras"]
    plain = actor_network(s)
    assert plain.has_edge(D + "maire", D + "forum-board")
    posts = actor_network(s, fold_posts=True)
    assert D + "maire" not in posts and posts.edges[D + "ville-de-quebec", D + "forum-board"]["facts"] == [D + "bm1"]
    units = actor_network(s, fold_posts=True, fold_units=True)
    assert units.has_edge(D + "ville-de-quebec", D + "forum") and D + "forum-board" not in units


def test_places_and_years(stores):
    s = stores["extras"]
    G = actor_network(s, fold_posts=True, places=True)
    assert G.edges[D + "ville-de-quebec", D + "lausanne"]["kinds"] == ["mission"]
    assert G.nodes[D + "lausanne"]["kind"] == "place"
    assert actor_network(s).has_edge(D + "qi", D + "ul")  # the 2019 event
    recent = actor_network(s, year_from=2020)
    assert not recent.has_edge(D + "qi", D + "ul")
    assert recent.has_edge(D + "qi", D + "innov")  # undated: kept
    with pytest.raises(ParameterError, match="empty"):
        actor_network(s, year_from=2025, year_to=2020)


def test_theme_and_place_bipartite_graphs(stores):
    s = stores["extras"]
    T = actor_theme_graph(s)
    assert T.edges[D + "ville-de-quebec", D + "theme-sante"]["facts"] == [D + "ag-qi-innov", D + "conf"]
    assert T.edges[D + "innov", D + "theme-culture"]["via"] == ["own"]
    assert {d["bipartite"] for _n, d in T.nodes(data=True)} == {0, 1}
    P = actor_place_graph(s)
    # leg: mission-1; counterpart: the QI-Innov agreement; co-member: the Lausanne syndic on the forum board
    e = P.edges[D + "ville-de-quebec", D + "lausanne"]
    assert e["via"] == ["co-member", "counterpart", "leg"]
    assert e["facts"] == [D + "ag-qi-innov", D + "bm1", D + "bm2", D + "mission-1"]
    assert actor_place_graph(s, co_members=0).edges[D + "ville-de-quebec", D + "lausanne"]["via"] == [
        "counterpart",
        "leg",
    ]
    assert D + "quebec" not in P[D + "qi"]  # an actor's own home is not a place it reaches
    C = actor_place_graph(s, level="country")
    assert C.edges[D + "ville-de-quebec", D + "suisse"]["places"] == [D + "lausanne"]
    K = actor_place_graph(s, level="continent")
    assert K.edges[D + "ville-de-quebec", "continent:Europe"]["weight"] == 4


def test_typed_multigraph_keeps_property_graph_and_provenance(stores):
    G = typed_multigraph(stores["extras"])
    e = G.edges[D + "ag-qi-innov", D + "ville-de-quebec", "qkg:facilitator"]
    assert e["graph"] == "qkgd:graph-test-extras" and e["provenance"] == ["qkgd:sec-annex"]
    assert D + "theme-sante" not in G and D + "sec-a" not in G  # concepts and sections are not nodes
    assert D + "theme-sante" in typed_multigraph(stores["extras"], concepts=True)
    assert not any(k == "rdf:type" for *_e, k in G.edges(keys=True))


# ---- metrics ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["louvain", "multilevel"])
def test_two_cliques_joined_by_a_bridge(stores, method):
    G = actor_network(stores["cliques"])
    parts = communities(G, method=method)["communities"]
    assert sorted(sorted(x.rsplit("/", 1)[-1] for x in p) for p in parts) == [
        ["x1", "x2", "x3", "x4"],
        ["y1", "y2", "y3", "y4"],
    ]
    rows = brokers(G)["rows"]
    assert [r["node"].rsplit("/", 1)[-1] for r in rows] == ["x1", "y1"]
    assert rows[0]["participation"] == pytest.approx(1 - (3 / 4) ** 2 - (1 / 4) ** 2)
    assert rows[0]["communities_touched"] == 2 and rows[0]["ties_outside"] == 1


def test_sampled_betweenness_with_every_source_is_exact(stores):
    G = actor_network(stores["cliques"])
    exact = by_node(centrality(G, betweenness="exact")["rows"])
    sampled = centrality(G, betweenness="sample", k=G.number_of_nodes())
    assert "sampled" in sampled["methods"]["betweenness"]
    for name, row in by_node(sampled["rows"]).items():
        assert row["betweenness"] == pytest.approx(exact[name]["betweenness"])


def test_exact_betweenness_above_networkx_limit_is_igraphs_and_equals_networkx():
    from qkg.graph.analysis.metrics import NX_EXACT_LIMIT

    # a connected weighted multigraph just above the limit: igraph's exact Brandes, the values networkx computes
    G = nx.MultiGraph(nx.connected_watts_strogatz_graph(NX_EXACT_LIMIT + 60, 4, 0.2, seed=3))
    G.add_edge(0, 1, weight=5)
    answer = centrality(G, betweenness="auto")
    assert answer["methods"]["betweenness"] == "exact (igraph)"
    reference = nx.betweenness_centrality(nx.Graph(G), normalized=True)
    for row in answer["rows"]:
        assert row["betweenness"] == pytest.approx(reference[row["node"]], abs=1e-12)
    small = nx.MultiGraph(nx.path_graph(NX_EXACT_LIMIT))
    assert centrality(small)["methods"]["betweenness"] == "exact (networkx, Brandes)"


def test_ego_and_lookup(stores):
    G = actor_network(stores["path"])
    assert sorted(n[-2:] for n in ego(G, "qkgd:p3", depth=1)) == ["p2", "p3", "p4"]
    assert len(ego(G, "P1", depth=2)) == 3
    with pytest.raises(ParameterError, match="not a node"):
        node_lookup(G, "qkgd:atlantis")
    assert summary(G)["components"] == 1 and summary(G)["edge_kinds"] == {"agreement": 2, "event": 1, "membership": 1}


def test_k_shortest_paths_across_the_bridge(stores):
    G = actor_network(stores["cliques"])
    paths = k_shortest_paths(G, D + "x2", D + "y2", k=4)
    assert [n.rsplit("/", 1)[-1] for n in paths[0]["nodes"]] == ["x2", "x1", "y1", "y2"]
    assert [p["length"] for p in paths] == [3, 4, 4, 4]
    assert [s["facts"] for s in paths[0]["steps"]] == [[D + "ev-x"], [D + "ag-xy"], [D + "ev-y"]]


def test_connection_paths_cite_facts_with_provenance(stores):
    res = connection_paths(stores["cliques"], "qkgd:x2", "qkgd:y2", k=1, projection="actors")
    bridge = res["paths"][0]["steps"][1]["facts"][0]
    assert bridge["label"] == "Entente ag-xy" and bridge["sections"][0]["label"] == "Annexe : ententes"
    typed = connection_paths(stores["extras"], "qkgd:ville-de-quebec", "qkgd:innov", k=2)
    first = typed["paths"][0]
    assert [n["curie"] for n in first["nodes"]] == ["qkgd:ville-de-quebec", "qkgd:ag-qi-innov", "qkgd:innov"]
    assert [(x["property"], x["direction"]) for x in first["steps"][0]["links"]] == [("qkg:facilitator", "backward")]
    fact = first["steps"][0]["facts"][0]
    assert fact["annexItem"] == 7 and fact["sections"] == [{"iri": D + "sec-annex", "label": "Annexe : ententes"}]


def test_paths_do_not_go_through_countries_unless_asked(stores):
    s = stores["extras"]
    through = connection_paths(s, "qkgd:paris", "qkgd:quebec", k=5, avoid=())
    avoided = connection_paths(s, "qkgd:paris", "qkgd:quebec", k=5)
    assert all("qkgd:canada" not in [n["curie"] for n in p["nodes"][1:-1]] for p in avoided["paths"])
    assert len(through["paths"]) >= len(avoided["paths"])


# ---- exports ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["actors", "actor-theme", "actor-place", "typed"])
def test_exports_round_trip(stores, name):
    G = project(stores["extras"], name, fold_posts=True)
    gexf = nx.read_gexf(io.BytesIO(export_projection(G, "gexf")))
    graphml = nx.read_graphml(io.BytesIO(export_projection(G, "graphml")))
    assert gexf.number_of_nodes() == graphml.number_of_nodes() == G.number_of_nodes()
    assert graphml.number_of_edges() == G.number_of_edges()
    for _u, _v, d in graphml.edges(data=True):
        assert all(not isinstance(x, (list, set)) for x in d.values())
    lines = export_projection(G, "csv").decode().splitlines()
    assert lines[0].startswith("source,target,source_label,target_label,key,weight")
    assert len(lines) == G.number_of_edges() + 1


def test_export_joins_lists():
    G = nx.Graph()
    G.add_edge("https://w3id.org/qkg/id/a", "https://w3id.org/qkg/id/b", facts=["x", "y"], weight=2)
    H = nx.read_graphml(io.BytesIO(export_projection(G, "graphml")))
    assert H.edges["https://w3id.org/qkg/id/a", "https://w3id.org/qkg/id/b"]["facts"] == "x | y"
    with pytest.raises(ParameterError, match="unknown export format"):
        export_projection(G, "pajek")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_graphs_made_at_once_equal_networkx_own_construction(seed):
    """multidigraph/simple_graph make what add_node/add_edge (add_edges_from) make, orders included, with
    repeated links, self-loops and link ends not given as nodes; _pairs reads the edges in G.edges' order."""
    import random

    from qkg.graph.analysis.metrics import _pairs
    from qkg.graph.analysis.nxgraphs import multidigraph, same_graph, simple_graph

    rnd = random.Random(seed)
    names = [f"n{i}" for i in range(40)]
    nodes = [(n, {"label": n.upper()}) for n in rnd.sample(names, 25)]
    links = [(rnd.choice(names), rnd.choice(names), rnd.choice("abc"), {"w": rnd.randrange(3)}) for _ in range(300)]
    H = nx.MultiDiGraph(name="x")
    for n, d in nodes:
        H.add_node(n, **d)
    for u, v, k, d in links:
        H.add_edge(u, v, key=k, **d)
    G = multidigraph(nodes, [(u, v, k, dict(d)) for u, v, k, d in links], name="x")
    assert same_graph(G, H) and not same_graph(G, nx.MultiDiGraph(H))  # a copy's predecessors: another order
    S = nx.Graph()
    S.add_nodes_from(n for n, _ in nodes)
    S.add_edges_from((u, v, {"weight": d["w"]}) for u, v, _k, d in links)
    assert same_graph(simple_graph([n for n, _ in nodes], [(u, v, {"weight": d["w"]}) for u, v, _k, d in links]), S)
    for X in (G, S, nx.MultiGraph(G), nx.DiGraph(S)):
        index = {n: i for i, n in enumerate(X.nodes)}
        expected: dict = {}
        for u, v, w in X.edges(data="weight", default=1):
            if u == v and (X.is_multigraph() or X.is_directed()):
                continue
            key = tuple(sorted((index[u], index[v])))
            expected[key] = expected.get(key, 0) + w
        assert _pairs(X) == (list(X.nodes), expected) and list(_pairs(X)[1]) == list(expected)
