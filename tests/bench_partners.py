"""Benchmark of the partner ranking (a script, not collected by pytest) on a built data dir.

    qkg synth --triples 1M --seed 1 --out S/s.nt && qkg --data-dir D build --data S --no-shacl
    .venv/bin/python tests/bench_partners.py D            # the City, and the 5 nodes of highest degree

For each actor: **ours** is :func:`qkg.viz.source.partners_view` on the build's ``network`` artefact (what the
home page and the ego panel call per request, capped at ``PARTNER_FACTS_MAX`` facts); the **baseline** is the
same count as one SPARQL aggregate on the store (the query tests/test_viz_partners_browser.py checks against),
top 15. Wall time and CPU time (user+sys of this process: the store runs in it) side by side; the artefact's
load time once.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qkg.graph.building.artefacts import Artefacts  # noqa: E402
from qkg.graph.serving.store import open_read_only  # noqa: E402
from qkg.ontology.curies import expand_curie  # noqa: E402
from qkg.viz.partners import FACT_KINDS  # noqa: E402
from qkg.viz.source import CITY, partners_view  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn):
    w, c = time.perf_counter(), cpu()
    value = fn()
    return value, time.perf_counter() - w, cpu() - c


def sparql_top(store, node: str, top: int = 15) -> list:
    iri = expand_curie(node)
    kinds = "qkg:Mission qkg:Reception qkg:Event qkg:NetworkMeeting qkg:Agreement qkg:Project"
    q = f"""PREFIX qkg: <https://w3id.org/qkg/def#> PREFIX org: <http://www.w3.org/ns/org#>
    SELECT ?them (COUNT(DISTINCT ?fact) AS ?n) WHERE {{
      {{ SELECT ?me WHERE {{ {{ BIND(<{iri}> AS ?me) }} UNION {{ ?me org:postIn|org:unitOf <{iri}> }} }} }}
      {{ VALUES ?kind {{ {kinds} }} ?fact a ?kind ; ?p1 ?me ; ?p2 ?them . FILTER(?them != ?me) }}
    }} GROUP BY ?them ORDER BY DESC(?n) LIMIT {top}"""
    return list(store.select(q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--nodes", type=int, default=5, help="also the N nodes of highest degree")
    args = parser.parse_args()
    current = (args.data_dir / "current").resolve()
    prepared, w, c = timed(lambda: Artefacts(current).read("network"))
    G = prepared.graph
    print(
        f"network artefact: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges; load {w:.2f} s wall, {c:.2f} s CPU"
    )
    store = open_read_only(current)
    actors = [n for n, k in G.nodes(data="kind") if k not in FACT_KINDS]
    chosen = ([CITY] if CITY in G else []) + sorted(actors, key=lambda n: -G.degree(n))[: args.nodes]
    print(
        f"{'actor':40} {'degree':>7} {'partners':>9} {'ours wall':>10} {'ours CPU':>9} {'SPARQL wall':>12} {'SPARQL CPU':>11}"
    )
    for node in dict.fromkeys(chosen):
        ours, ow, oc = timed(lambda n=node: partners_view(prepared, n))
        _, sw, sc = timed(lambda n=node: sparql_top(store, n))
        found = ours["total"] if ours else 0
        flag = " (capped)" if ours and ours["partial"] else ""
        print(
            f"{node[:40]:40} {G.degree(node):>7} {found:>9} {ow * 1000:>8.1f}ms {oc * 1000:>7.1f}ms {sw * 1000:>10.1f}ms {sc * 1000:>9.1f}ms{flag}"
        )


if __name__ == "__main__":
    main()
