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
from qkg.api.i18n import current_lang, gettext
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_, NP_, Message, format_number

__all__ = ["command"]


@click.command(
    "ingest",
    help=N_(
        "Draft the year's receptions, missions, partners and headline figures from the report; every fact cites its\n"
        "section and item; what cannot be resolved goes to review.yaml with candidates, never into the draft."
    ),
)
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--year", type=click.IntRange(1900, 2200), required=True, help=N_("The year the report covers."))
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help=N_("The draft folder to write (must be empty or new, unless --force)."),
)
@click.option(
    "--base",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_("The data whose entities names are matched against (default: the repository's data/)."),
)
@click.option("--force", is_flag=True, help=N_("Write into a folder that is not empty."))
def command(report: Path, year: int, out: Path, base: Path | None, force: bool) -> None:
    from qkg.graph.errors import ParameterError
    from qkg.loaders.activities import LabelIndex
    from qkg.loaders.ingest import (
        CLASS_NAMES,
        CLASSES,
        curated_facts,
        draft,
        evaluate,
        indicator_words,
        read_text,
        write_draft,
    )
    from qkg.loaders.sources import default_data_root
    from qkg.ontology import ontology_paths
    from rdflib import Graph

    base = base or default_data_root()
    if not base.is_dir():
        raise ParameterError(
            N_("{folder}: no such data folder"),
            hint=N_("pass --base DATA, the folder `qkg build` reads"),
            fields={"folder": base},
        )
    if out.exists() and any(out.iterdir()) and not force:
        raise ParameterError(
            N_("{folder} is not empty"),
            hint=N_("choose a new folder, or pass --force to write into it"),
            fields={"folder": out},
        )
    text = read_text(report)
    rdf = [*ontology_paths(), *sorted(p for p in base.rglob("*.ttl") if p.is_file())]
    graph = Graph()
    for path in rdf:
        graph.parse(path, format="turtle")
    index = LabelIndex.from_graph(graph)
    d = draft(text, year, index, indicators=indicator_words(graph))
    if not d.items:
        raise ParameterError(
            N_("{report}: no annex list found"),
            hint=N_("the report needs an ANNEXES title and numbered lists under its headings"),
            fields={"report": report},
        )
    files = write_draft(d, index, base, out, labels=index.display or {})
    # each count with its noun in the form the count takes, out of the _() call (where Babel would not find it)
    review = Message(NP_("{n} point to review", "{n} points to review"), n=len(d.review))
    drafted = Message(NP_("{n} fact", "{n} facts"), n=sum(len(v) for v in d.facts.values()))
    items = Message(NP_("{n} annex item", "{n} annex items"), n=len(d.items))
    written = Message(NP_("{n} file", "{n} files"), n=len(files))
    click.echo(
        _(
            "drafted {facts} from {items} into {out}/ ({files}); {review} in {review_file}",
            facts=drafted,
            items=items,
            out=out,
            files=written,
            review=review,
            review_file=out / "review.yaml",
        )
    )
    curated = curated_facts(graph, year)
    if any(curated.values()):
        scores = evaluate(d, curated)
        click.echo("\n" + _("against the curated {year} data in {base}:", year=year, base=base))
        lang = current_lang()  # the figures as the reader's language writes them (0,59 in French)
        heads = [_("class"), _("drafted"), _("curated"), _("right"), _("wrong"), _("precision"), _("recall")]
        widths = [max(len(h), 7) for h in heads[1:]]
        names = {cls: gettext(CLASS_NAMES[cls]) for cls in CLASSES}  # the rows' names in the reader's language
        first = max(12, len(heads[0]), *(len(name) for name in names.values()))
        click.echo(f"{heads[0]:<{first}} " + " ".join(f"{h:>{w}}" for h, w in zip(heads[1:], widths, strict=True)))
        for cls in CLASSES:
            s = scores[cls]
            counts = [format_number(s[k], "", lang) for k in ("drafted", "curated", "right", "wrong")]
            cells = [*counts, *(format_number(s[k], ".2f", lang) for k in ("precision", "recall"))]
            click.echo(f"{names[cls]:<{first}} " + " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
