"""The commands of ``qkg`` written apart from :mod:`qkg.api.cli`, and the options they share."""

from __future__ import annotations

import click
from qkg.api.i18n import LANGS, output_lang
from qkg.graph.errors import N_

#: ``--lang``'s help where a command says nothing more of it.
LANG_HELP = N_("Language of the labels: QKG_LANG, else the locale when it is French or English, else fr.")


def lang_option(help: str = LANG_HELP):
    """The ``--lang`` of a command that writes labels or a report: when not given, the language the reader asked
    for (:func:`~qkg.api.i18n.output_lang`), not always French (an English locale got French labels under
    English messages)."""
    return click.option("--lang", type=click.Choice(list(LANGS)), default=output_lang, help=help)
