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
from qkg.api.commands import lang_option
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_, NP_, Message, format_number

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
        lang_option(),
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


def _counted_nodes_and_edges(nodes: int, edges: int) -> tuple[Message, Message]:
    """``{n} nodes`` and ``{n} edges`` in the form their counts take (out of a ``_()`` call: Babel does not find
    a message marked inside another's call)."""
    return Message(NP_("{n} node", "{n} nodes"), n=nodes), Message(NP_("{n} edge", "{n} edges"), n=edges)


def _said(line) -> str:
    """A line of a result (a :class:`~qkg.graph.errors.Message`) in the reader's language."""
    from qkg.api.i18n import current_lang, gettext

    return line.localized(gettext, current_lang()) if isinstance(line, Message) else str(line)


def _curie(v):
    from qkg.ontology.curies import short

    return short(v) if isinstance(v, str) and "://" in v else v


#: The tables' columns as a person reads them in the terminal, in the reader's language; the CSV and JSON outputs
#: keep the columns' names, which are data.
_HEADINGS = {
    "measure": N_("measure"),
    "value": N_("value"),
    "label": N_("label"),
    "type": N_("type"),
    "degree": N_("degree"),
    "weighted_degree": N_("weighted degree"),
    "betweenness": N_("betweenness"),
    "pagerank": N_("PageRank"),
    "node": N_("node"),
    "participation": N_("participation"),
    "communities_touched": N_("communities touched"),
    "ties_outside": N_("ties outside"),
    "community": N_("community"),
    "size": N_("size"),
    "members": N_("members"),
    "source": N_("source"),
    "target": N_("target"),
    "weight": N_("weight"),
    "kinds": N_("kinds"),
    "facts": N_("facts"),
    "path": N_("path"),
    "step": N_("step"),
    "from": N_("from"),
    "to": N_("to"),
    "via": N_("via"),
    "facts (section, annex item)": N_("facts (section, annex item)"),
    "dimension": N_("dimension"),
    "actor": N_("actor"),
    "column": N_("column"),
    "supporting facts": N_("supporting facts"),
    "committee": N_("committee"),
    "partner": N_("partner"),
    "through": N_("through"),
}
#: ``qkg analyse summary``'s measures as a person reads them (the ``measure`` column's values, in the table only).
_MEASURES = {
    "projection": N_("projection"),
    "parameters": N_("parameters"),
    "nodes": N_("nodes"),
    "edges": N_("edges"),
    "density": N_("density"),
    "components": N_("components"),
    "largest_component": N_("largest component"),
    "types": N_("types"),
    "edge_kinds": N_("edge kinds"),
}
#: The complementarity table's dimensions and gaps (the ``dimension`` column's values, in the table only).
_DIMENSIONS = {
    "themes": N_("themes"),
    "countries": N_("countries"),
    "continents": N_("continents"),
    "only one": N_("only one"),
    "none": N_("none"),
    "overlap (Jaccard themes / countries / partners)": N_("overlap (Jaccard themes / countries / partners)"),
}
#: Kinds of fact that link actors (the ``kinds`` column's values), as the pages name them.
_KINDS = {
    "mission": N_("mission"),
    "event": N_("event"),
    "reception": N_("reception"),
    "project": N_("project"),
    "agreement": N_("agreement"),
    "membership": N_("membership"),
    "partner": N_("partner list"),
    "contributed": N_("contributed activity"),
}
#: Columns whose whole numbers name a row (a path's, a step's, a community's number): bare digits.
_NUMBERING = frozenset({"path", "step", "community"})


class _Jaccard(tuple):
    """The overlap of two actors (themes, countries, partners: None where undefined), written ``0.33 / 1.00 / -``
    in the CSV and with the reader's decimals in the table."""

    def written(self, lang: str | None = None) -> str:
        return " / ".join("-" if v is None else format_number(v, ".2f", lang) for v in self)


def _emit(rows: list[dict], fmt: str, columns: list[str], *, payload: dict | None = None, footer: str = "") -> None:
    if fmt == "json":
        click.echo(json.dumps(payload if payload is not None else rows, indent=2, ensure_ascii=False, default=str))
        return
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows([_cell(r.get(c)) for c in columns] for r in rows)
        click.echo(out.getvalue(), nl=False)
        return
    from qkg.api.i18n import current_lang, gettext

    lang = current_lang()
    heads = [gettext(_HEADINGS[c]) if c in _HEADINGS else c for c in columns]
    cells = [[_shown(c, r.get(c), lang) for c in columns] for r in rows]
    widths = [min(60, max([len(h)] + [len(row[i]) for row in cells])) for i, h in enumerate(heads)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip())
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
    """``v`` as the CSV writes it (data: a decimal point, Python's ``True``, the names as they are)."""
    if v is None:
        return ""
    if isinstance(v, _Jaccard):
        return v.written()
    if isinstance(v, float):
        return f"{v:.4f}"
    if isinstance(v, (list, tuple, set)):
        return " | ".join(str(_curie(x)) for x in v)
    return str(_curie(v))


def _shown(column: str, v, lang: str) -> str:
    """``v``, in ``column``, as a person reads it in the terminal's table, in ``lang``: numbers as the language
    writes them (``0,5481``, ``1 234``; a row's number bare), yes/no, a node type by its label (``Administration
    municipale``), the kinds of fact, measures and dimensions by their names.

    >>> from qkg.api.i18n import use_lang
    >>> with use_lang("fr"):
    ...     [_shown(c, v, "fr") for c, v in [("betweenness", 0.54812), ("degree", 1234), ("community", 1234),
    ...      ("committee", True), ("type", "LocalGovernment"), ("kinds", ["event", "agreement"]),
    ...      ("dimension", "themes: only one"), ("measure", "largest_component")]]
    ['0,5481', '1\u202f234', '1234', 'oui', 'Administration municipale', 'événement | entente', 'thèmes : un seul', 'plus grande composante']
    >>> with use_lang("en"):
    ...     [_shown(c, v, "en") for c, v in [("betweenness", 0.54812), ("degree", 1234), ("committee", False),
    ...      ("type", "LocalGovernment"), ("dimension", "themes: none")]]
    ['0.5481', '1234', 'no', 'Local government', 'themes: none']
    """
    from qkg.api.i18n import gettext, term_label

    if v is None:
        return ""
    if isinstance(v, _Jaccard):
        return v.written(lang)
    if isinstance(v, bool):
        return gettext(N_("yes")) if v else gettext(N_("no"))
    if isinstance(v, float):
        return format_number(v, ".4f", lang)
    if isinstance(v, int):
        return format_number(v, "", lang, identifier=column in _NUMBERING)
    if column == "kinds" and isinstance(v, (list, tuple, set)):
        return " | ".join(gettext(_KINDS[k]) if k in _KINDS else str(_curie(k)) for k in v)
    if isinstance(v, (list, tuple, set)):
        return " | ".join(str(_curie(x)) for x in v)
    if column == "type" and isinstance(v, str) and v.isidentifier():
        label = term_label(f"qkg:{v}", lang)
        return v if label == f"qkg:{v}" else label
    if column == "measure" and v in _MEASURES:
        return gettext(_MEASURES[v])
    if column == "dimension" and isinstance(v, str):
        dimension, _sep, gap = v.partition(": ")
        if dimension in _DIMENSIONS and (not gap or gap in _DIMENSIONS):
            said = gettext(_DIMENSIONS[dimension])
            return _("{dimension}: {gap}", dimension=said, gap=gettext(_DIMENSIONS[gap])) if gap else said
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
    nodes, edges = _counted_nodes_and_edges(res["nodes"], res["edges"])
    _emit(
        res["rows"],
        fmt,
        ["label", "type", "degree", "weighted_degree", "betweenness", "pagerank", "node"],
        payload=res,
        footer="\n"
        + _("{nodes}, {edges}; betweenness: {method}", nodes=nodes, edges=edges, method=res["methods"]["betweenness"]),
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
        + _(
            NP_("{n} community (modularity {modularity:.3f})", "{n} communities (modularity {modularity:.3f})"),
            n=res["communities"],
            modularity=res["modularity"],
        ),
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
    nodes, edges = _counted_nodes_and_edges(E.number_of_nodes(), E.number_of_edges())
    steps = Message(NP_("{n} step", "{n} steps"), n=depth)
    _emit(
        rows,
        fmt,
        ["source", "target", "weight", "kinds", "facts"],
        payload=payload,
        footer="\n" + _("{nodes}, {edges} within {steps}", nodes=nodes, edges=edges, steps=steps),
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
@lang_option()
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
@lang_option()
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
                NP_("{kind} {label}: reached by {n} actor", "{kind} {label}: reached by {n} actors"),
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
                    "column": _Jaccard(o[d] for d in ("themes", "countries", "partners")),
                }
            )
    _emit(
        rows,
        fmt,
        ["dimension", "actor", "column", "facts", "via", "supporting facts"],
        footer="\n" + "\n".join(_said(note) for note in res["notes"]) if res["notes"] else "",
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
    click.echo(_(NP_("wrote {n} byte to {out}", "wrote {n} bytes to {out}"), n=len(data), out=out), err=True)
