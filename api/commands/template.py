"""``qkg template activities``: the activity sheet a committee member fills in (CSV or XLSX, French headers).

    qkg template activities -o activites-universite-laval.xlsx
    qkg --data-dir .qkg build --add activites-universite-laval.xlsx

See :mod:`qkg.loaders.activities` for the columns and how each row becomes data.
"""

from __future__ import annotations

from pathlib import Path

import click
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_

__all__ = ["command"]


@click.command(
    "template", help=N_("Write a template to fill in: `activities` is the committee members' activity sheet.")
)
@click.argument("kind", type=click.Choice(["activities"]))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("activites.csv"),
    show_default=True,
    help=N_("The file to write: .csv (UTF-8) or .xlsx; written atomically."),
)
def command(kind: str, out: Path) -> None:
    from qkg.graph.errors import ParameterError
    from qkg.loaders.activities import write_template

    if out.suffix not in (".csv", ".xlsx"):
        raise ParameterError(
            N_("{out}: a template is a .csv or .xlsx file"),
            hint=N_("name it activites.csv or .xlsx"),
            fields={"out": out},
        )
    write_template(out)
    click.echo(
        _("wrote {out}: one row per activity; add it to a build with `qkg build --add {out}`", out=out),
        err=True,
    )
