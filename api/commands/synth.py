"""``qkg synth``: write a synthetic partnership graph of a given size, for load tests and demos.

    qkg synth --triples 1M --seed 1 --out /tmp/synth/s.nq
    qkg --data-dir /tmp/sd build --data /tmp/synth

``.nq`` (N-Quads) puts each activity in the named graph of its year, ``qkgd:graph-<year>-synth``, which the build
tags with that year, as it tags the files of ``data/<year>/``: the canned queries and pages, which read a year's
facts (every year by default), then find the synthetic activities. ``.nt`` (N-Triples) writes the same statements
in one graph with no year: the entity pages, the network and SPARQL see them, the year-based canned queries do not.

The file is streamed to a temporary name in the same folder and renamed once complete, so a build never reads
half of it. See :mod:`qkg.loaders.synth` for what the graph contains.

>>> from click.testing import CliRunner
>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "s.nt"
>>> result = CliRunner().invoke(command, ["--triples", "1k", "--out", str(out)])
>>> result.exit_code, result.output.startswith("wrote ")
(0, True)
"""

from __future__ import annotations

from pathlib import Path

import click
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_

__all__ = ["command", "SizeType"]


class SizeType(click.ParamType):
    """A number of triples: ``20000``, ``20_000``, ``100k``, ``1M``, ``2.5m``.

    >>> SizeType().convert("100k", None, None)
    100000
    """

    name = "size"

    def convert(self, value, param, ctx):
        from qkg.loaders.synth import parse_size

        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command(
    "synth",
    help=N_(
        "Write a deterministic synthetic partnership graph in qkg's ontology to OUT (.nq or .nt).\n"
        "\n"
        "Countries, regions, cities, local governments, networks with memberships, organisations, posts,\n"
        "receptions, missions with legs, meetings, events and agreements, all with provenance and fr/en labels.\n"
        "Put the file alone in a folder and build it: `qkg --data-dir DIR build --data FOLDER`."
    ),
)
@click.option(
    "--triples",
    "-n",
    type=SizeType(),
    default="20k",
    show_default=True,
    help=N_("Size of the graph in triples (within 2 %); accepts 100k, 1M."),
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help=N_("Random seed: the same seed and size give a byte-identical file."),
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=N_("Output file: .nq (N-Quads, a named graph per year) or .nt (N-Triples, no year); written atomically."),
)
def command(triples: int, seed: int, out: Path) -> None:
    from qkg.loaders.synth import MIN_TRIPLES, write

    if out.suffix not in (".nq", ".nt"):
        raise click.BadParameter(
            _(
                "{out} does not end in .nq or .nt: name it FILE.nq (N-Quads, a graph per year) or FILE.nt (N-Triples)",
                out=out,
            ),
            param_hint="--out",
        )
    if triples < MIN_TRIPLES:
        raise click.BadParameter(
            _("{n} is too small: ask for at least {least} triples", n=triples, least=MIN_TRIPLES),
            param_hint="--triples",
        )
    summary = write(out, triples, seed=seed)
    click.echo(_("wrote {out}: {summary}", out=out, summary=summary.line()))
