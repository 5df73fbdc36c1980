"""Benchmark the two store backends side by side: embedded Oxigraph and Virtuoso (a script, not a test).

    .venv/bin/python tests/bench_store.py [--sizes 1M,10M] [--seconds 3] [--work DIR] [--keep] [--reuse]
                                          [--skip-endpoint] [--skip-canned]

For each size: ``qkg synth`` writes the graph and ``qkg build`` builds it locally (kept in ``--work`` for the
next run), then, for the embedded store and for a private Virtuoso started by ``scripts/virtuoso.py``:

- **publish**: ``qkg publish``'s path, copying the build into Virtuoso (the embedded store needs none);
- **every canned query** (median of 3 after a warm-up), through the store seam, rows counted on both;
- **the analysis projection** (``actors``, the network the analysis pages use);
- **the endpoint's query mix** of ``tests/bench_endpoint.py`` (requests per second and p50 at 1 and 4
  concurrent clients) against ``qkg serve`` and ``qkg serve --store URL``.

It prints one table per size. Everything runs on loopback; the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bench_endpoint import _port, _run, _wait, measure, queries  # noqa: E402


def prepare(work: Path, size: str) -> Path:
    """Synthesise and build ``size`` triples under ``work/size``; return the data directory."""
    src = work / size / "src"
    data = work / size / "data"
    src.mkdir(parents=True, exist_ok=True)
    nt = src / "synth.nq"  # N-Quads: a named graph per year, so the canned queries find the activities
    qkg = [sys.executable, "-m", "qkg.api.cli"]
    if not nt.exists():
        _run(qkg + ["synth", "--triples", size, "--seed", "1", "--out", str(nt)], cwd=ROOT)
    if not (data / "current").exists():
        started = time.monotonic()
        _run(qkg + ["--data-dir", str(data), "build", "--data", str(src), "--no-shacl", "--no-diff", "-q"], cwd=ROOT)
        print(f"# build {size}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return data


def timed(fn, repeat: int = 3):
    fn()  # warm-up
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def canned(store) -> dict[str, tuple[float, int]]:
    from qkg.graph.pages.catalog import bind, load_catalog
    from qkg.ontology import sparql_prefixes

    out = {}
    for name, query in sorted(load_catalog().items()):
        text = sparql_prefixes() + "\n" + query.sparql
        bindings = bind(query, {}) or None
        seconds, rows = timed(lambda text=text, bindings=bindings: store.select(text, bindings=bindings, timeout=600))
        out[name] = (seconds, len(rows))
        print(f"#   {store.name}: {name} {seconds * 1000:.0f} ms, {len(rows)} rows", file=sys.stderr, flush=True)
    return out


def projection(store) -> tuple[float, str]:
    from qkg.graph.analysis.projection import project

    seconds, graph = timed(lambda: project(store, "actors"), repeat=1)
    return seconds, f"{graph.number_of_nodes()} nodes / {graph.number_of_edges()} edges"


def serve(args: list[str], env: dict) -> tuple[str, subprocess.Popen]:
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qkg.api.cli", *args, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    _wait(url, proc, seconds=900)
    return url, proc


def bench_size(
    size: str, work: Path, virtuoso: dict, seconds: float, endpoint: bool, canned_too: bool = True, reuse: bool = False
) -> None:
    from qkg.graph.serving.backends.remote import RemoteStore, publish_build
    from qkg.graph.serving.store import StoreLayout, open_store

    data = prepare(work, size)
    build_dir = StoreLayout(data).require_current()
    remote = RemoteStore(
        virtuoso["QKG_VIRTUOSO_URL"],
        user=virtuoso["QKG_VIRTUOSO_USER"],
        password_file=virtuoso["QKG_VIRTUOSO_PASSWORD_FILE"],
        timeout=600,
    )
    served = remote.view(refresh=True).manifest or ""
    if reuse and served.rsplit("/", 1)[-1].rsplit("-", 1)[0] == build_dir.name:
        done = {
            "triples": int(remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value),
            "graphs": len(remote.graphs()),
        }
        publish_s = None
        print(f"# {size}: the store already serves this build (--reuse): not published again", file=sys.stderr)
    else:
        started = time.monotonic()
        done = publish_build(build_dir, remote)
        publish_s = time.monotonic() - started
        print(
            f"# publish {size}: {done['triples']:,} triples, {done['graphs']} graphs in {publish_s:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    print(f"\n### {size} triples ({done['triples']:,} in the store, asserted + inferred)\n")
    if publish_s is not None:
        print(
            f"publish to Virtuoso: {publish_s:.1f} s ({done['triples'] / publish_s:,.0f} triples/s); "
            f"embedded: none (the build is the store)\n",
            flush=True,
        )
    embedded = open_store(data)
    mix = {}
    if endpoint:
        # one benchmark client: lift the per-client limits (queries at once, engine seconds per minute)
        env = {
            **os.environ,
            "QKG_WORKERS": "4",
            "QKG_QUERY_TIMEOUT": "60",
            "QKG_CLIENT_QUERIES": "8",
            "QKG_CLIENT_ENGINE_SECONDS": "1000000",
            "QKG_STORE_USER": virtuoso["QKG_VIRTUOSO_USER"],
            "QKG_STORE_PASSWORD_FILE": virtuoso["QKG_VIRTUOSO_PASSWORD_FILE"],
        }
        servers = {}
        try:
            servers["embedded"] = serve(["--data-dir", str(data)], env)
            servers["virtuoso"] = serve(["--data-dir", str(data)], {**env, "QKG_STORE": virtuoso["QKG_VIRTUOSO_URL"]})
            qs = queries(servers["embedded"][0])
            for name, text in qs.items():
                for conc in (1, 4):
                    for label, (url, _) in servers.items():
                        mix[(name, conc, label)] = measure(url, text, conc, seconds)
        finally:
            for _, proc in servers.values():
                proc.terminate()
                proc.wait(30)
        print("\n| endpoint query | clients | embedded req/s | p50 | Virtuoso req/s | p50 | Virtuoso / embedded |")
        print("|---|---|---|---|---|---|---|")
        for (name, conc, label), m in mix.items():
            if label != "embedded":
                continue
            r = mix[(name, conc, "virtuoso")]
            print(
                f"| {name} | {conc} | {m['rps']:.1f} | {m['p50']:.0f} ms | {r['rps']:.1f} | {r['p50']:.0f} ms | "
                f"{r['rps'] / m['rps']:.2f}x |",
                flush=True,
            )
    if not canned_too:
        return
    rows = {}
    for label, store in (("embedded", embedded), ("virtuoso", remote)):
        rows[label] = {"canned": canned(store), "projection": projection(store)}
        print(f"# {label}: canned queries and projection done", file=sys.stderr, flush=True)
    print("\n| step | embedded | Virtuoso | Virtuoso / embedded | rows |")
    print("|---|---|---|---|---|")
    for name in rows["embedded"]["canned"]:
        e, n_e = rows["embedded"]["canned"][name]
        v, n_v = rows["virtuoso"]["canned"][name]
        same = str(n_e) if n_e == n_v else f"{n_e} vs {n_v}"
        print(f"| query `{name}` | {e * 1000:.0f} ms | {v * 1000:.0f} ms | {v / e:.1f}x | {same} |")
    e, what_e = rows["embedded"]["projection"]
    v, what_v = rows["virtuoso"]["projection"]
    print(
        f"| projection `actors` | {e:.1f} s | {v:.1f} s | {v / e:.1f}x | {what_e}"
        f"{'' if what_e == what_v else ' vs ' + what_v} |"
    )
    embedded.close()
    remote.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M", help="Comma-separated sizes (qkg synth --triples), e.g. 1M,10M")
    parser.add_argument("--seconds", type=float, default=3.0, help="Seconds per endpoint measurement cell.")
    parser.add_argument("--work", type=Path, default=None, help="Working folder, reused between runs.")
    parser.add_argument("--keep", action="store_true", help="Keep the working folder.")
    parser.add_argument("--skip-endpoint", action="store_true", help="Leave out the endpoint's query mix.")
    parser.add_argument("--skip-canned", action="store_true", help="Leave out the canned queries and the projection.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Do not publish again when the store already serves this build (a --work of a past run).",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="qkg-bench-store-"))
    vdir = work / "virtuoso"
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "virtuoso.py"), "start", "--dir", str(vdir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    virtuoso = dict(
        line.removeprefix("export ").split("=", 1) for line in out.splitlines() if line.startswith("export")
    )
    try:
        for size in args.sizes.split(","):
            bench_size(
                size.strip(), work, virtuoso, args.seconds, not args.skip_endpoint, not args.skip_canned, args.reuse
            )
    finally:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "virtuoso.py"), "stop", "--dir", str(vdir)])
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
