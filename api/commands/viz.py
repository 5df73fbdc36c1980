"""``qkg viz``: write the network view as ONE self-contained HTML file that works offline, from disk.

::

    qkg viz --out reseau.html
    qkg viz --out ovpm.html --focus qkgd:ovpm --depth 2
    qkg viz --out cities.html --type city --type mission --size pagerank --lang en

The file inlines the vendored vis-network, the view's script and style sheet, and the data (escaped, in a
``<script type="application/json">`` block), so it opens without a server or a network. It carries each
entity's panel (facts and provenance), and links to the entity pages at ``--entity-base`` (the public
IRIs by default).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from qkg.api.commands import lang_option
from qkg.api.i18n import filled as _
from qkg.api.i18n import gettext, use_lang
from qkg.graph.errors import IDENTIFIER_FIELDS, N_, NP_, Message
from qkg.ontology.curies import ENTITY_NS

__all__ = ["command", "STATIC", "FACTS_MAX"]

STATIC = Path(__file__).resolve().parent.parent / "static"
_VENDOR_HINT = N_("fetch the front-end libraries first: python3 scripts/assets.py")
#: Above this many nodes the file carries no side-panel facts unless --facts is given (each costs a look-up).
FACTS_MAX = 3000


def _read(path: Path) -> str:
    from qkg.graph.errors import StoreError

    if not path.is_file():
        raise StoreError(N_("{path} is missing"), hint=_VENDOR_HINT, fields={"path": path})
    return path.read_text(encoding="utf-8")


@click.command("viz", help=N_("Write the network view as one offline HTML file (scripts and data inlined)."))
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help=N_("The HTML file to write.")
)
@click.option("--focus", default=None, help=N_("Ego network around this entity (qkgd:ovpm, ovpm or a full IRI)."))
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 4), help=N_("Ego network depth."))
@click.option("--type", "types", multiple=True, help=N_("Keep only these kinds (city, forum, mission...); repeatable."))
@click.option("--theme", "themes", multiple=True, help=N_("Keep nodes with this theme (CURIE) and their neighbours."))
@click.option("--year", "years", multiple=True, type=int, help=N_("Hide dated nodes outside these years."))
@click.option("--category", "categories", multiple=True, help=N_("Keep receptions of this category (CURIE)."))
@click.option("--relation", "relations", multiple=True, help=N_("Keep only edges of this relation (CURIE)."))
@click.option(
    "--size",
    "size_by",
    default="degree",
    show_default=True,
    type=click.Choice(["degree", "pagerank", "betweenness"]),
    help=N_("Centrality that sizes the nodes."),
)
@lang_option()
@click.option(
    "--entity-base",
    default=ENTITY_NS,
    show_default=True,
    help=N_("Where the file's links to entity pages point (http or https)."),
)
@click.option(
    "--facts/--no-facts",
    default=None,
    help=N_(
        "Embed each entity's facts and provenance for the side panel (default: up to 3,000 nodes; one look-up per node)."
    ),
)
@click.pass_context
def command(ctx, out, focus, depth, types, themes, years, categories, relations, size_by, lang, entity_base, facts):
    from qkg.api.prepared import BY_NAME
    from qkg.graph.building.artefacts import Artefacts
    from qkg.graph.building.export import atomic_write
    from qkg.graph.errors import ParameterError
    from qkg.graph.serving.store import StoreLayout, open_read_only
    from qkg.viz.source import entity_view, filtered_network
    from qkg.viz.standalone import standalone_html

    if not entity_base.startswith(("http://", "https://")) or any(c in entity_base for c in "\"'<> "):
        raise ParameterError(
            N_("--entity-base {base!r} is not an http(s) URL"),
            hint=N_("pass e.g. https://w3id.org/qkg/id/ or http://127.0.0.1:8000/id/"),
            fields={"base": entity_base},
        )
    settings = ctx.obj
    path = StoreLayout(settings.data_dir).require_current()
    store = open_read_only(path)
    from qkg.api.i18n import catalogue_json

    # the page's messages (api/i18n.py) go with the shared helpers: one script, before network.js
    common = "\n".join(
        [
            f"window.qkgMessages = {catalogue_json(lang)};",
            f"window.qkgIdentifiers = {json.dumps(sorted(IDENTIFIER_FIELDS))};",  # numbers i18n.js writes bare
            _read(STATIC / "js" / "i18n.js"),
            _read(STATIC / "js" / "viz-common.js"),
        ]
    )
    scripts = [_read(STATIC / "vendor" / "vis-network.min.js"), common, _read(STATIC / "js" / "network.js")]
    styles = [_read(STATIC / "css" / "viz.css")]
    prepared = Artefacts(path).get("network", lambda: BY_NAME["network"].make(store), fmt="pickle")
    payload = filtered_network(
        prepared,
        types=types,
        themes=themes,
        years=years,
        categories=categories,
        relations=relations,
        focus=focus,
        depth=depth,
        size_by=size_by,
        lang=lang,
        build=path.name,
    )
    payload["meta"]["entity_base"] = entity_base
    if facts or (facts is None and len(payload["nodes"]) <= FACTS_MAX):
        payload["facts"] = {n["id"]: entity_view(store, n["id"], lang=lang) for n in payload["nodes"]}
    elif facts is None:
        click.echo(
            _("{n:,} nodes: no side-panel facts embedded (pass --facts to embed them)", n=len(payload["nodes"])),
            err=True,
        )
    meta = payload["meta"]
    # the page's title and counts in the page's language (--lang), each count with its noun in the form it takes
    page_nodes = Message(NP_("{n} node", "{n} nodes"), n=meta["nodes"])
    page_links = Message(NP_("{n} link", "{n} links"), n=meta["edges"])
    with use_lang(lang):
        title = gettext(N_("Québec's international network"))
        subtitle = _("{nodes}, {links} · build {build}", nodes=page_nodes, links=page_links, build=meta["build"])
    html = standalone_html(payload, scripts=scripts, styles=styles, title=title, subtitle=subtitle, lang=lang)
    atomic_write(out, html.encode("utf-8"))
    # the counts with their nouns in the form each count takes, out of the _() call (where Babel would not find them)
    nodes_said = Message(NP_("{n} node", "{n} nodes"), n=meta["nodes"])
    edges_said = Message(NP_("{n} edge", "{n} edges"), n=meta["edges"])
    click.echo(
        _(
            "wrote {out} ({mb:.1f} MB, {nodes}, {edges})",
            out=out,
            mb=len(html) / 1e6,
            nodes=nodes_said,
            edges=edges_said,
        ),
        err=True,
    )
