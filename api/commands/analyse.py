"""``qkg analyse``: who is central, who brokers, how two entities are connected, who covers what.

    qkg analyse summary          size, density, components, node types, edge kinds of a projection
    qkg analyse centrality       degree, weighted degree, betweenness, PageRank (ranked)
    qkg analyse communities      Louvain communities and their members
    qkg analyse brokers          actors bridging communities (betweenness, participation coefficient)
    qkg analyse ego NODE         the ego network of NODE at --depth
    qkg analyse paths            k shortest paths --from X --to Y, with facts and provenance
    qkg analyse complementarity  the committee's actor x theme / country / continent map (--target: reach)
    qkg analyse export           GEXF, GraphML or CSV edge list of a projection

Every command takes ``--format table|csv|json``; projection options are shared (``--projection``,
``--relations``, ``--year-from``/``--year-to``, ``--fold-posts``, ``--fold-units``, ``--places``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_

__all__ = ["command"]

_FORMATS = click.Choice(["table", "csv", "json"])


def _projection_options(f):
    options = [
        click.option(
            "--projection",
            default="actors",
            show_default=True,
            type=click.Choice(["actors", "actor-theme", "actor-place", "typed"]),
            help=N_("Which projection of the graph to analyse."),
        ),
        click.option(
            "--relations",
            default=None,
            metavar=N_("KINDS"),
            help=N_(
                "Comma-separated kinds of fact that link actors: mission, event, reception, project, "
                "agreement, membership, partner, or all (default: the first five but project)."
            ),
        ),
        click.option("--year-from", type=int, default=None, help=N_("Keep facts dated from this year (undated kept).")),
        click.option("--year-to", type=int, default=None, help=N_("Keep facts dated up to this year (undated kept).")),
        click.option("--year", default=None, help=N_("Only the facts of this report year (default: every year).")),
        click.option(
            "--fold-posts/--no-fold-posts",
            default=False,
            show_default=True,
            help=N_("Fold posts (the mayor...) into their organisation."),
        ),
        click.option(
            "--fold-units/--no-fold-units",
            default=False,
            show_default=True,
            help=N_("Fold units (the BRI, a board...) into their organisation."),
        ),
        click.option(
            "--places/--no-places",
            default=False,
            show_default=True,
            help=N_("Actor network: also make the facts' places (leg cities, locations) nodes."),
        ),
        click.option(
            "--lang", default="fr", show_default=True, type=click.Choice(["fr", "en"]), help=N_("Label language.")
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _format_option(f):
    return click.option(
        "-f", "--format", "fmt", default="table", type=_FORMATS, show_default=True, help=N_("Output format.")
    )(f)


def _store(ctx):
    from qkg.graph.serving.store import open_store

    return open_store(ctx.obj.data_dir)


def _report_year(store, year: str | None) -> str | None:
    """``--year`` if the build holds that report year (else an error naming those it holds)."""
    from qkg.graph.pages.years import build_years, check_year

    return check_year(year, build_years(store)) if year else None


def _graph(ctx, opts: dict):
    from qkg.graph.analysis.projection import project

    params = {
        k: opts.get(k) for k in ("relations", "year_from", "year_to", "fold_posts", "fold_units", "places", "lang")
    }
    store = _store(ctx)
    params["year"] = _report_year(store, opts.get("year"))
    return project(store, opts["projection"], **params)


def _curie(v):
    from qkg.ontology.curies import short

    return short(v) if isinstance(v, str) and "://" in v else v


def _emit(rows: list[dict], fmt: str, columns: list[str], *, payload: dict | None = None, footer: str = "") -> None:
    if fmt == "json":
        click.echo(json.dumps(payload if payload is not None else rows, indent=2, ensure_ascii=False, default=str))
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows(cells)
        click.echo(out.getvalue(), nl=False)
        return
    widths = [min(60, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:  # the last column is never cut
        click.echo(
            "  ".join(
                v if i == len(row) - 1 else v[:w].ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    if footer:
        click.echo(footer)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}"
    if isinstance(v, (list, tuple, set)):
        return " | ".join(str(_curie(x)) for x in v)
    return str(_curie(v))


@click.group(
    name="analyse",
    help=N_("Network analysis of the built graph: centrality, communities, brokers, paths, complementarity."),
)
def command() -> None:
    pass


@command.command(help=N_("Size, density, components, node types and edge kinds of a projection."))
@_projection_options
@_format_option
@click.pass_context
def summary(ctx, fmt, **opts):
    from qkg.graph.analysis.metrics import summary as run

    data = run(_graph(ctx, opts))
    rows = [
        {"measure": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v}
        for k, v in data.items()
    ]
    _emit(rows, fmt, ["measure", "value"], payload=data)


@command.command(
    help=N_(
        "Rank nodes by betweenness (or --sort), with degree, weighted degree and PageRank.\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  qkg analyse centrality --top 10\n"
        "  qkg analyse centrality --fold-posts --relations agreement,membership --format csv"
    )
)
@_projection_options
@click.option("--top", type=int, default=20, show_default=True, help=N_("Rows to show (0: all)."))
@click.option(
    "--sort",
    default="betweenness",
    show_default=True,
    type=click.Choice(["betweenness", "degree", "weighted_degree", "pagerank"]),
)
@click.option(
    "--betweenness",
    "mode",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "exact", "sample"]),
    help=N_("Exact, or estimated from sampled sources (auto: exact up to 3,000 nodes)."),
)
@click.option("--samples", type=int, default=None, help=N_("Sources sampled to estimate betweenness."))
@click.option("--seed", type=int, default=42, show_default=True)
@_format_option
@click.pass_context
def centrality(ctx, top, sort, mode, samples, seed, fmt, **opts):
    from qkg.graph.analysis.metrics import centrality as run

    res = run(_graph(ctx, opts), top=top or None, betweenness=mode, k=samples, seed=seed, sort=sort)
    _emit(
        res["rows"],
        fmt,
        ["label", "type", "degree", "weighted_degree", "betweenness", "pagerank", "node"],
        payload=res,
        footer="\n"
        + _(
            "{nodes} nodes, {edges} edges; betweenness: {method}",
            nodes=res["nodes"],
            edges=res["edges"],
            method=res["methods"]["betweenness"],
        ),
    )


@command.command(help=N_("Louvain communities, largest first."))
@_projection_options
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--resolution", type=float, default=1.0, show_default=True, help=N_("Louvain resolution (>1: smaller)."))
@click.option("--method", default="auto", show_default=True, type=click.Choice(["auto", "louvain", "multilevel"]))
@_format_option
@click.pass_context
def communities(ctx, seed, resolution, method, fmt, **opts):
    from qkg.graph.analysis.metrics import communities as run

    G = _graph(ctx, opts)
    res = run(G, seed=seed, resolution=resolution, method=method)
    rows = [
        {"community": i, "size": len(c), "members": [G.nodes[n].get("label", n) for n in c]}
        for i, c in enumerate(res["communities"])
    ]
    payload = {k: v for k, v in res.items() if k != "membership"}
    _emit(
        rows,
        fmt,
        ["community", "size", "members"],
        payload=payload,
        footer="\n" + _("modularity {modularity:.3f}; {method}", modularity=res["modularity"], method=res["method"]),
    )


@command.command(
    help=N_("Actors whose ties span communities: betweenness, participation coefficient, communities touched.")
)
@_projection_options
@click.option("--top", type=int, default=15, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@_format_option
@click.pass_context
def brokers(ctx, top, seed, fmt, **opts):
    from qkg.graph.analysis.metrics import brokers as run

    res = run(_graph(ctx, opts), top=top or None, seed=seed)
    _emit(
        res["rows"],
        fmt,
        ["label", "type", "betweenness", "participation", "communities_touched", "ties_outside", "degree", "node"],
        payload=res,
        footer="\n"
        + _("{n} communities (modularity {modularity:.3f})", n=res["communities"], modularity=res["modularity"]),
    )


@command.command(help=N_("The ego network of NODE (IRI, CURIE, local name or label): its edges within --depth steps."))
@click.argument("node", required=False)
@click.option("--from", "from_", default=None, help=N_("The centre (same as NODE)."))
@click.option("--depth", type=int, default=1, show_default=True, help=N_("Steps from the centre."))
@_projection_options
@_format_option
@click.pass_context
def ego(ctx, node, from_, depth, fmt, **opts):
    from qkg.graph.analysis.metrics import ego as run
    from qkg.graph.errors import ParameterError

    centre = node or from_
    if not centre:
        raise ParameterError(N_("no centre given"), hint=N_("pass NODE or --from qkgd:ville-de-quebec"))
    G = _graph(ctx, opts)
    E = run(G, centre, depth=depth)
    rows = [
        {
            "source": G.nodes[u].get("label", u),
            "target": G.nodes[v].get("label", v),
            "weight": d.get("weight", 1),
            "kinds": d.get("kinds") or d.get("property"),
            "facts": d.get("facts", []),
        }
        for u, v, d in E.edges(data=True)
    ]
    payload = {
        "centre": centre,
        "depth": depth,
        "nodes": [{"iri": n, **{k: v for k, v in d.items()}} for n, d in E.nodes(data=True)],
        "edges": [{"source": u, "target": v, **d} for u, v, d in E.edges(data=True)],
    }
    _emit(
        rows,
        fmt,
        ["source", "target", "weight", "kinds", "facts"],
        payload=payload,
        footer="\n"
        + _(
            "{nodes} nodes, {edges} edges within {depth} step(s)",
            nodes=E.number_of_nodes(),
            edges=E.number_of_edges(),
            depth=depth,
        ),
    )


@command.command(
    help=N_(
        "How is --from connected to --to? The k shortest paths, each step with its facts and provenance.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  qkg analyse paths --from qkgd:ville-de-quebec --to qkgd:innovaud"
    )
)
@click.option("--from", "from_", required=True, help=N_("Source entity (IRI, CURIE, local name or label)."))
@click.option("--to", "to", required=True, help=N_("Target entity."))
@click.option("-k", "--k", "k", type=int, default=3, show_default=True, help=N_("How many paths, shortest first."))
@click.option(
    "--projection",
    default="typed",
    show_default=True,
    type=click.Choice(["typed", "actors"]),
    help=N_("typed: every triple (facts are nodes); actors: actors linked by shared facts."),
)
@click.option("--through-countries", is_flag=True, help=N_("Allow paths to pass through countries and regions."))
@click.option("--max-length", type=int, default=None, help=N_("Longest path, in steps."))
@click.option("--lang", default="fr", type=click.Choice(["fr", "en"]))
@click.option("--year", default=None, help=N_("Only the facts of this report year (default: every year)."))
@_format_option
@click.pass_context
def paths(ctx, from_, to, k, projection, through_countries, max_length, lang, year, fmt):
    from qkg.graph.analysis.facts import cite
    from qkg.graph.analysis.paths import DEFAULT_AVOID, connection_paths
    from qkg.graph.analysis.projection import actor_network, typed_multigraph

    store = _store(ctx)
    year = _report_year(store, year)
    build = typed_multigraph if projection == "typed" else actor_network
    res = connection_paths(
        store,
        from_,
        to,
        k=k,
        projection=projection,
        graph=build(store, lang=lang, year=year) if year else None,
        lang=lang,
        max_length=max_length,
        avoid=() if through_countries else DEFAULT_AVOID,
    )
    rows = []
    for i, p in enumerate(res["paths"], start=1):
        for j, step in enumerate(p["steps"], start=1):
            links = [
                ("-> " if x["direction"] == "forward" else "<- ") + x["property"] for x in step.get("links", [])
            ] or step.get("kinds", [])
            facts = [f"{f['label']} [{cite(f)}]" for f in step["facts"]]
            rows.append(
                {
                    "path": i,
                    "step": j,
                    "from": step["from"]["label"],
                    "to": step["to"]["label"],
                    "via": links,
                    "facts (section, annex item)": facts,
                }
            )
    footer = "" if res["paths"] else "\n" + _("no path from {a} to {b}", a=from_, b=to)
    _emit(rows, fmt, ["path", "step", "from", "to", "via", "facts (section, annex item)"], payload=res, footer=footer)


@command.command(
    help=N_(
        "The complementarity map: actor x theme / country / continent, overlaps, gaps (each cell traceable).\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  qkg analyse complementarity\n"
        "  qkg analyse complementarity --dimension gaps --theme-level top\n"
        "  qkg analyse complementarity --target qkgd:lausanne"
    )
)
@click.option(
    "--actors",
    default="committee",
    show_default=True,
    help=N_("committee, partners, both, or comma-separated IRIs/CURIEs."),
)
@click.option(
    "--dimension",
    default="all",
    show_default=True,
    type=click.Choice(["all", "themes", "countries", "continents", "overlap", "gaps"]),
)
@click.option("--theme-level", default="theme", show_default=True, type=click.Choice(["theme", "top"]))
@click.option(
    "--target",
    default=None,
    help=N_("Instead of the map: who already reaches this city, country, forum or theme, and through what."),
)
@click.option("--relations", default=None, metavar=N_("KINDS"), help=N_("Kinds of fact that count."))
@click.option("--year-from", type=int, default=None)
@click.option("--year-to", type=int, default=None)
@click.option("--year", default=None, help=N_("Only the facts of this report year (default: every year)."))
@click.option("--lang", default="fr", type=click.Choice(["fr", "en"]))
@_format_option
@click.pass_context
def complementarity(ctx, actors, dimension, theme_level, target, relations, year_from, year_to, year, lang, fmt):
    from qkg.graph.analysis.complementarity import DIMENSIONS, reach
    from qkg.graph.analysis.complementarity import complementarity as run
    from qkg.graph.analysis.facts import cite

    store = _store(ctx)
    year = _report_year(store, year)
    if target:
        res = reach(store, target, relations=relations, year_from=year_from, year_to=year_to, lang=lang, year=year)
        reached = [
            {
                "actor": r["label"],
                "committee": r["committee"],
                "partner": r["partner"],
                "facts": len(r["facts"]),
                "through": [f"{f['label']} ({', '.join(f['via'])}; {cite(f, lang)})" for f in r["facts"]],
            }
            for r in res["rows"]
        ]
        _emit(
            reached,
            fmt,
            ["actor", "committee", "partner", "facts", "through"],
            payload=res,
            footer="\n"
            + _(
                "{kind} {label}: reached by {n} actor(s)",
                kind=res["kind"],
                label=res["target"]["label"],
                n=len(reached),
            ),
        )
        return
    res = run(
        store,
        actors=actors,
        theme_level=theme_level,
        relations=relations,
        year_from=year_from,
        year_to=year_to,
        lang=lang,
        year=year,
    )
    names = res["labels"]
    if fmt == "json":
        click.echo(json.dumps(res, indent=2, ensure_ascii=False, default=str))
        return
    rows: list[dict] = []
    dims = DIMENSIONS if dimension in ("all",) else (dimension,) if dimension in DIMENSIONS else ()
    for dim in dims:
        for a in res["actors"]:
            for col, cell in sorted(res["matrices"][dim]["cells"][a["iri"]].items(), key=lambda x: -x[1]["count"]):
                rows.append(
                    {
                        "dimension": dim,
                        "actor": a["label"],
                        "column": names.get(col, col),
                        "facts": cell["count"],
                        "via": cell["via"],
                        "supporting facts": [
                            f"{res['facts'][f]['label']} [{cite(res['facts'][f], lang)}]" for f in cell["facts"]
                        ],
                    }
                )
    if dimension in ("all", "gaps"):
        for dim in DIMENSIONS:
            for g in res["gaps"][dim]["only_one"]:
                rows.append(
                    {
                        "dimension": f"{dim}: only one",
                        "actor": names[g["actor"]],
                        "column": names.get(g["column"], g["column"]),
                    }
                )
            for c in res["gaps"][dim]["none"]:
                others = res["gaps"][dim]["none_but_others"].get(c, [])
                rows.append(
                    {
                        "dimension": f"{dim}: none",
                        "column": names.get(c, c),
                        "actor": ("others: " + ", ".join(names.get(a, a) for a in others[:3])) if others else "",
                    }
                )
    if dimension in ("all", "overlap"):
        for o in res["overlap"]:
            rows.append(
                {
                    "dimension": "overlap (Jaccard themes / countries / partners)",
                    "actor": f"{names[o['a']]} ~ {names[o['b']]}",
                    "column": " / ".join(
                        "-" if o[d] is None else f"{o[d]:.2f}" for d in ("themes", "countries", "partners")
                    ),
                }
            )
    _emit(
        rows,
        fmt,
        ["dimension", "actor", "column", "facts", "via", "supporting facts"],
        footer="\n" + "\n".join(res["notes"]) if res["notes"] else "",
    )


@command.command(help=N_('Write a projection for analysts\' tools (lists joined with " | ", IRIs kept as node ids).'))
@_projection_options
@click.option(
    "-f",
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["gexf", "graphml", "csv"]),
    help=N_("GEXF (Gephi), GraphML (yEd, Cytoscape) or a CSV edge list."),
)
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None, help=N_("Output file (default: stdout)."))
@click.pass_context
def export(ctx, fmt, out, **opts):
    import sys

    from qkg.graph.analysis.projection import export_projection
    from qkg.graph.building.export import atomic_write

    data = export_projection(_graph(ctx, opts), fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    atomic_write(out, data)
    click.echo(_("wrote {n} bytes to {out}", n=len(data), out=out), err=True)
