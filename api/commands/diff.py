"""``qkg diff A B``: what changed between two builds, two data folders or two years of data.

    qkg diff previous current                      # the last two builds of --data-dir
    qkg diff data/2024 /tmp/draft-2025 --format json
    qkg diff 2023 2024 --lang en                   # data/2023 against data/2024
    qkg diff previous current --format turtle -o changes.ttl   # an RDF changeset

Each side is read as its asserted triples (inferred triples follow from them, so they are left out); see
:mod:`qkg.graph.building.diff` for what counts as an added, removed or changed fact.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click
from qkg.api.commands import lang_option
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_, NP_, Message

if TYPE_CHECKING:
    from qkg.graph.building.diff import Changes

__all__ = ["command", "snapshot", "as_text"]


def snapshot(spec: str, *, data_dir: Path, data_root: Path | None = None) -> tuple[str, set[str]]:
    """Resolve a side of the diff to its name and canonical triple lines.

    ``current`` / ``previous``: the served build and the one before it in ``data_dir``; a build folder (an
    Oxigraph store); a data folder (``.ttl``, ``.csv``, ``.yaml``... as ``qkg build --data`` reads them); a year
    (``2024`` -> the ``2024`` folder of ``data_root``, by default the repository's data).
    """
    from qkg.graph.building.diff import canonical_lines
    from qkg.graph.errors import ParameterError
    from qkg.loaders.sources import default_data_root

    path = Path(spec)
    if spec in ("current", "previous"):
        return spec, _build_lines(_build_path(spec, data_dir))
    if spec.isdigit() and len(spec) == 4 and not path.exists():
        path = Path(data_root or default_data_root()) / spec
        if not path.is_dir():
            raise ParameterError(
                N_("no data for the year {year}: {path} does not exist"),
                hint=N_("give a data folder or a build folder, or add data/<year>/"),
                fields={"year": spec, "path": path},
            )
    if not path.exists():
        _refuse_removed_build(path, data_dir)
        raise ParameterError(
            N_("{spec}: no such build, data folder or year"),
            hint=N_("use current, previous, a build folder, a data folder or a year such as 2024"),
            fields={"spec": spec},
        )
    if _is_store(path):
        return str(path), _build_lines(path)
    if path.is_dir():
        return str(path), canonical_lines(_folder_lines(path))
    raise ParameterError(
        N_("{spec} is a file, not a build or a data folder"),
        hint=N_("give the folder that holds it"),
        fields={"spec": spec},
    )


#: A build folder's name (``stores/20261205T214028-384205``), as :meth:`StoreLayout.new_staging` makes it.
_BUILD_NAME = re.compile(r"\d{8}T\d{6}-[0-9a-f]{6}")


def _refuse_removed_build(path: Path, data_dir: Path) -> None:
    """A build folder that no longer exists, named like one or under a ``stores`` folder: a build removes the
    older builds, so say so, with the builds kept (the message would otherwise only say "no such build")."""
    from qkg.graph.errors import ParameterError
    from qkg.graph.serving.store import KEEP_BUILDS, StoreLayout

    if not (_BUILD_NAME.fullmatch(path.name) or path.parent.name == "stores"):
        return
    stores = path.parent if path.parent.name == "stores" and path.parent.is_dir() else StoreLayout(data_dir).stores
    kept = sorted(p.name for p in stores.iterdir() if _is_store(p)) if stores.is_dir() else []
    raise ParameterError(
        NP_(
            "{spec}: no such build; each build removes the older ones (only the last {keep} is kept)",
            "{spec}: no such build; each build removes the older ones (only the last {keep} are kept)",
            "keep",
        ),
        hint=N_("the builds kept in {folder}: {kept}; compare one of them (or current, previous), or a data folder"),
        fields={
            "spec": str(path),
            "keep": KEEP_BUILDS,
            "folder": stores,
            "kept": ", ".join(kept) if kept else "-",
        },
    )


def _is_store(path: Path) -> bool:
    return path.is_dir() and (path / "CURRENT").is_file()


def _build_path(which: str, data_dir: Path) -> Path:
    from qkg.graph.errors import ParameterError
    from qkg.graph.serving.store import StoreLayout

    layout = StoreLayout(data_dir)
    current = layout.require_current()
    if which == "current":
        return current
    builds = sorted(
        p
        for p in layout.stores.iterdir()
        if p.is_dir() and not p.name.endswith(".partial") and p != current and p.name < current.name
    )
    if not builds:
        raise ParameterError(
            N_("no build before the current one in {folder}"),
            hint=N_("build again (`qkg build`) to compare with this build, or name two folders"),
            fields={"folder": data_dir},
        )
    return builds[-1]


def _build_lines(path: Path) -> set[str]:
    from qkg.graph.building.diff import build_snapshot

    return build_snapshot(path)


def _folder_lines(folder: Path) -> list[str]:
    """Every source of a data folder as N-Triples lines (rdflib reads Turtle, TriG, N-Quads; sheets are converted)."""
    from qkg.graph.errors import DataError
    from qkg.loaders.sources import discover
    from rdflib import Dataset

    lines: list[str] = []
    formats = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads"}
    for src in discover(folder):
        ds = Dataset()
        try:
            if src.data is not None:
                ds.parse(data=src.data, format="nt")
            else:
                ds.parse(src.path, format=formats[src.path.suffix])
        except Exception as exc:  # rdflib raises many types; the user needs the file and the cause
            raise DataError(
                N_("{file}: cannot be read ({problem})"),
                file=str(src.path),
                hint=N_("fix the file (`qkg build --data` names the line)"),
                fields={"file": src.path, "problem": exc},
            ) from None
        lines.extend(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o, _ in ds.quads((None, None, None, None)))
    return lines


def as_text(ch: Changes, lang: str) -> str:
    """The changes for people, in ``lang`` (messages from the interface's catalogue, api/locale)."""
    from qkg.api.i18n import gettext, use_lang

    counts = ch.counts
    # each count with its noun in the form the count takes (French: 0 and 1 singular); made out of the _() call
    # below, as Babel does not find a message marked inside another's call
    counted = {
        "entities_added": Message(NP_("{n} entity added", "{n} entities added"), n=counts["entities_added"]),
        "entities_removed": Message(NP_("{n} entity removed", "{n} entities removed"), n=counts["entities_removed"]),
        "facts_added": Message(NP_("{n} fact added", "{n} facts added"), n=counts["facts_added"]),
        "facts_removed": Message(NP_("{n} fact removed", "{n} facts removed"), n=counts["facts_removed"]),
        "facts_changed": Message(NP_("of which {n} changed", "of which {n} changed"), n=counts["facts_changed"]),
    }
    with use_lang(lang):  # _ fills the fields, numbers written as ``lang`` writes them
        lines = [
            _("Changes from {a} to {b}", a=ch.a, b=ch.b),
            _(
                "{entities_added}, {entities_removed}; {facts_added}, {facts_removed}, {facts_changed} "
                "({triples_a} -> {triples_b} triples)",
                **{**counts, **counted},
            ),
        ]
        if ch.empty:
            return "\n".join([*lines, gettext("No change.")]) + "\n"
        for title, entities in (
            (gettext("Entities added"), ch.entities_added),
            (gettext("Entities removed"), ch.entities_removed),
        ):
            if entities:
                lines.append(f"\n{title}")
                lines += [f"  [{e.cls}] {e.label} ({e.iri})" for e in entities]
        for title, facts, show in (
            (gettext("Facts changed"), ch.changed, lambda f: f"{f.old} -> {f.new}"),
            (gettext("Facts added"), ch.added, lambda f: f"+ {f.new}"),
            (gettext("Facts removed"), ch.removed, lambda f: f"- {f.old}"),
        ):
            if facts:
                lines.append(f"\n{title}")
                lines += [f"  [{f.cls}] {f.subject_label} · {f.property}: {show(f)}" for f in facts]
        if ch.figures:
            lines.append("\n" + gettext("Headline figures"))
            for f in ch.figures:
                mark = " *" if f.old != f.new else ""
                old, new = f.old if f.old is not None else "—", f.new if f.new is not None else "—"
                lines.append("  " + _("{label}: {old} | {new}", label=f.label, old=old, new=new) + mark)
        if ch.truncated:
            lines.append("\n" + gettext("(lists truncated: counts are exact; use --limit to see more)"))
    return "\n".join(lines) + "\n"


@click.command(
    "diff",
    help=N_(
        "What changed from A to B: entities, facts and headline figures, grouped by class.\n"
        "\n"
        "A and B are each `current` or `previous` (builds of --data-dir), a build folder, a data folder, or a year."
    ),
)
@click.argument("a")
@click.argument("b")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help=N_("text (for people), json, or turtle (an RDF changeset)."),
)
@lang_option(
    N_(
        "Language of the text output and of the labels: QKG_LANG, else the locale when it is French or English, "
        "else fr."
    )
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help=N_("At most this many listed items per class and kind (counts stay exact)."),
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Write to this file (atomically) instead of standard output."),
)
@click.option(
    "--data",
    "data_root",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("The data folder whose <year>/ folders a year names (default: the repository's data/)."),
)
@click.pass_context
def command(
    ctx: click.Context, a: str, b: str, fmt: str, lang: str, limit: int, out: Path | None, data_root: Path | None
) -> None:
    from qkg.graph.building.diff import compare, render
    from qkg.graph.building.export import atomic_write

    data_dir = Path(ctx.obj.data_dir)  # the Settings the `qkg` group made (--data-dir)
    name_a, lines_a = snapshot(a, data_dir=data_dir, data_root=data_root)
    name_b, lines_b = snapshot(b, data_dir=data_dir, data_root=data_root)
    changes = compare(lines_a, lines_b, a_name=name_a, b_name=name_b, limit=limit, lang=lang)
    if fmt == "text":
        data = as_text(changes, lang).encode("utf-8")
    else:
        data = render(changes, fmt, a_lines=lines_a, b_lines=lines_b)
    if out is not None:
        atomic_write(out, data)
        click.echo(_("wrote {out}", out=out), err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)
