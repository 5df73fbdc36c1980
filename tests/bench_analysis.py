"""Benchmark of the network analyses on a large synthetic graph (a script; pytest does not collect it).

    .venv/bin/python tests/bench_analysis.py                      # 1M triples into /tmp/qkg-bench-1m
    .venv/bin/python tests/bench_analysis.py --triples 200000 --data-dir /tmp/b200k
    .venv/bin/python tests/bench_analysis.py --data-dir /tmp/qkg1m --no-build   # an existing build

Without a build in ``--data-dir`` it runs ``qkg synth --triples N --seed S`` then the real ``qkg build`` on
the file (a 1M-triple build takes about 15 minutes here, mostly OWL 2 RL inference). Then it times each step on the store and prints a table: the fact index (SPARQL), the
actor-network projection, degree, weighted degree, PageRank, betweenness (estimated from sampled sources
with igraph, plus networkx's own ``k=`` estimator on fewer sources for comparison), communities (igraph
multilevel, and networkx Louvain), the typed multigraph, k shortest paths, the complementarity map of the
four busiest actors and a reach query; with peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 42  # of the sampled betweenness and the community detection
sys.path.insert(0, str(ROOT))


def _build(data_dir: Path, triples: int, seed: int) -> None:
    src = data_dir.parent / f"{data_dir.name}-src"
    src.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "qkg.api.cli",
            "synth",
            "--triples",
            str(triples),
            "--seed",
            str(seed),
            "--out",
            str(src / "synth.nq"),
        ],
        cwd=ROOT,
        check=True,
    )
    print(f"qkg synth: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(data_dir), "build", "--data", str(src), "-q"],
        cwd=ROOT,
        check=True,
    )
    print(f"qkg build: {time.perf_counter() - t:.1f} s", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/qkg-bench-1m"))
    ap.add_argument("--no-build", action="store_true", help="Use the build already in --data-dir.")
    ap.add_argument("--samples", type=int, default=300, help="Sources sampled for betweenness (igraph).")
    ap.add_argument("--nx-samples", type=int, default=20, help="Sources for networkx's k= estimator (slow).")
    ap.add_argument("--seed", type=int, default=0, help="Seed of qkg synth (0: the default graph).")
    args = ap.parse_args(argv)

    from qkg.graph.serving.store import StoreLayout, open_read_only

    layout = StoreLayout(args.data_dir)
    if layout.current() is None:
        if args.no_build:
            print(f"no build in {args.data_dir}", file=sys.stderr)
            return 1
        _build(args.data_dir, args.triples, args.seed)
    import igraph
    import networkx as nx
    from qkg.graph.analysis.complementarity import complementarity, reach
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.metrics import centrality, communities, to_igraph
    from qkg.graph.analysis.paths import connection_paths, k_shortest_paths
    from qkg.graph.analysis.projection import actor_network, typed_multigraph

    igraph.Graph(n=2, edges=[(0, 1)]).pagerank(weights=[1.0])  # igraph's one-time set-up (~1.5 s): not timed
    store = open_read_only(layout.require_current())
    triples = len(store)
    rows: list[tuple[str, float, str]] = []

    def step(name: str, fn):
        t = time.perf_counter()
        value = fn()
        dt = time.perf_counter() - t
        rows.append((name, dt, ""))
        print(f"  {name:58} {dt:8.2f} s", flush=True)
        return value

    def note(text: str) -> None:
        rows[-1] = (rows[-1][0], rows[-1][1], text)

    print(f"store: {triples:,} quads (asserted + inferred) in {layout.require_current()}", flush=True)
    idx = step("fact index (SPARQL: facts, roles, places, themes, dates)", lambda: load_facts(store))
    note(f"{len(idx.facts):,} facts, {sum(len(a) for a in idx.roles.values()):,} roles")
    G = step("projection: actor network (SPARQL -> networkx, labels, types)", lambda: actor_network(store, index=idx))
    note(f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
    step("degree (networkx)", lambda: dict(G.degree()))
    step("weighted degree (networkx)", lambda: dict(G.degree(weight="weight")))
    g, _nodes = step("to igraph", lambda: to_igraph(G))
    step("PageRank (igraph, weighted)", lambda: g.pagerank(weights="weight", directed=False))
    res = step(
        f"betweenness, k={args.samples} sampled sources (igraph)",
        lambda: centrality(G, betweenness="sample", k=args.samples, seed=SEED),
    )
    note(res["methods"]["betweenness"])
    step(
        f"betweenness, k={args.nx_samples} sampled sources (networkx)",
        lambda: nx.betweenness_centrality(G, k=args.nx_samples, seed=SEED),
    )
    note(f"about {rows[-1][1] * args.samples / args.nx_samples:.0f} s at k={args.samples}")
    full = step("centrality table (degree + PageRank + sampled betweenness)", lambda: centrality(G, seed=SEED))
    parts = step("communities: multilevel/Louvain (igraph)", lambda: communities(G, method="multilevel", seed=SEED))
    note(f"{len(parts['communities']):,} communities, modularity {parts['modularity']:.3f}")
    parts = step("communities: Louvain (networkx)", lambda: communities(G, method="louvain", seed=SEED))
    note(f"{len(parts['communities']):,} communities, modularity {parts['modularity']:.3f}")
    top = [r["node"] for r in full["rows"][:50]]
    comp = max(nx.connected_components(G), key=len)
    src, dst = next(n for n in top if n in comp), next(n for n in reversed(list(comp)) if G.degree(n) == 1)
    paths = step("k=3 shortest paths in the actor network (Yen)", lambda: k_shortest_paths(G, src, dst, k=3))
    note(f"lengths {[p['length'] for p in paths]}")
    T = step("projection: typed multigraph (every entity-entity triple)", lambda: typed_multigraph(store))
    note(f"{T.number_of_nodes():,} nodes, {T.number_of_edges():,} edges")
    res = step(
        "k=3 shortest paths with facts + provenance (typed)", lambda: connection_paths(store, src, dst, k=3, graph=T)
    )
    note(f"lengths {[p['length'] for p in res['paths']]}")
    four = [n for n in top if G.nodes[n].get("type") != "Post"][:4]
    res = step("complementarity map of the 4 busiest actors", lambda: complementarity(store, actors=four))
    note(
        f"{sum(len(r) for m in res['matrices'].values() for r in m['cells'].values()):,} non-empty cells, "
        f"{len(res['facts']):,} facts cited"
    )
    city = next(n for n, d in T.nodes(data=True) if d.get("type") == "City")
    res = step("reach: who already reaches a city", lambda: reach(store, city))
    note(f"{len(res['rows'])} actors")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{triples:,} quads; peak memory {peak:,.0f} MB; {os.cpu_count()} CPUs, load average {load}\n")
    print(f"| {'step':58} | {'seconds':>8} | notes")
    print(f"|{'-' * 60}|{'-' * 10}|{'-' * 40}")
    for name, dt, text in rows:
        print(f"| {name:58} | {dt:8.2f} | {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
