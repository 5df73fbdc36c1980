"""``qkg ingest REPORT --year YYYY --out FOLDER``: draft a year's data from the report's text (or PDF).

    qkg ingest ../shared/seeds/bri-2024-rapport.txt --year 2024 --out /tmp/draft-2024
    qkg build --data /tmp/draft-2024          # the draft builds on its own
    qkg diff data/2024 /tmp/draft-2024/2024   # what differs from the curated year

When the base data already has that year (as for 2024), the draft is scored against it: precision and recall of
the drafted facts per class. See :mod:`qkg.loaders.ingest`.
"""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("ingest")
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--year", type=click.IntRange(1900, 2200), required=True, help="The year the report covers.")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The draft folder to write (must be empty or new, unless --force).",
)
@click.option(
    "--base",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The data whose entities names are matched against (default: the repository's data/).",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def command(report: Path, year: int, out: Path, base: Path | None, force: bool) -> None:
    """Draft the year's receptions, missions, partners and headline figures from the report; every fact cites its
    section and item; what cannot be resolved goes to review.yaml with candidates, never into the draft."""
    from qkg.graph.errors import ParameterError
    from qkg.loaders.activities import LabelIndex
    from qkg.loaders.ingest import CLASSES, curated_facts, draft, evaluate, indicator_words, read_text, write_draft
    from qkg.loaders.sources import default_data_root
    from qkg.ontology import ontology_paths
    from rdflib import Graph

    base = base or default_data_root()
    if not base.is_dir():
        raise ParameterError(f"{base}: no such data folder", hint="pass --base DATA, the folder `qkg build` reads")
    if out.exists() and any(out.iterdir()) and not force:
        raise ParameterError(f"{out} is not empty", hint="choose a new folder, or pass --force to write into it")
    text = read_text(report)
    rdf = [*ontology_paths(), *sorted(p for p in base.rglob("*.ttl") if p.is_file())]
    graph = Graph()
    for path in rdf:
        graph.parse(path, format="turtle")
    index = LabelIndex.from_graph(graph)
    d = draft(text, year, index, indicators=indicator_words(graph))
    if not d.items:
        raise ParameterError(
            f"{report}: no annex list found",
            hint="the report needs an ANNEXES title and numbered lists under its headings",
        )
    files = write_draft(d, index, base, out, labels=index.display or {})
    click.echo(
        f"drafted {sum(len(v) for v in d.facts.values())} facts from {len(d.items)} annex items into "
        f"{out}/ ({len(files)} files); {len(d.review)} point(s) to review in {out / 'review.yaml'}"
    )
    curated = curated_facts(graph, year)
    if any(curated.values()):
        scores = evaluate(d, curated)
        click.echo(f"\nagainst the curated {year} data in {base}:")
        click.echo(
            f"{'class':<12} {'drafted':>7} {'curated':>7} {'right':>6} {'wrong':>6} {'precision':>9} {'recall':>7}"
        )
        for cls in CLASSES:
            s = scores[cls]
            click.echo(
                f"{cls:<12} {s['drafted']:>7} {s['curated']:>7} {s['right']:>6} {s['wrong']:>6} "
                f"{s['precision']:>9.2f} {s['recall']:>7.2f}"
            )
