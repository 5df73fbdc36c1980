"""The network by report year at size: the ``network`` artefact made on a built store (its links' years), its
pickled size, then ``/api/viz/network``'s answer (:func:`qkg.viz.source.filtered_network`) for every year and
each report year, as the overview and as the ego network of the overview's centre; wall and CPU time.

    .venv/bin/python tests/bench_network_years.py STORE     # STORE: a built store, D/stores/<id> (read only)

The artefact's own time side by side with a baseline: ``tests/bench_build.py --artefacts STORE --names network
--baseline REF``.
"""

from __future__ import annotations

import pickle
import resource
import sys
import time


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(store_dir: str) -> None:
    from qkg.graph.serving.store import open_read_only
    from qkg.viz.source import filtered_network, prepare_network

    wall, cpu = time.perf_counter(), _cpu()
    prepared = prepare_network(open_read_only(store_dir))
    print(f"network artefact: wall {time.perf_counter() - wall:.1f} s, CPU {_cpu() - cpu:.1f} s")
    G = prepared.graph
    years = G.graph["report_years"]
    with_years = sum(1 for *_, d in G.edges(data=True) if d["years"])
    print(f"report years {years[0]}-{years[-1]}; {G.number_of_edges()} links, {with_years} with years")
    print(f"pickled: {len(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6:.1f} MB")
    home = filtered_network(prepared)["meta"]["focus"]
    print(f"{'report_year':>12} {'view':>10} {'nodes':>6} {'edges':>6} {'wall s':>7} {'CPU s':>6}")
    for year in (None, *years):
        for focus in (None, home):
            wall, cpu = time.perf_counter(), _cpu()
            out = filtered_network(prepared, report_year=year, focus=focus)
            print(
                f"{year or 'every':>12} {'ego' if focus else 'overview':>10} {len(out['nodes']):>6} "
                f"{len(out['edges']):>6} {time.perf_counter() - wall:>7.2f} {_cpu() - cpu:>6.2f}"
            )


if __name__ == "__main__":
    main(sys.argv[1])
