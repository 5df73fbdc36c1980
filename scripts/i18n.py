"""The interface's message catalogues (Babel): extract, update, check.

    python scripts/i18n.py update   # extract from api/ (babel.cfg) and merge into each api/locale/*/.po
    python scripts/i18n.py check    # exit 1, listing them, if a message has no translation

The source strings are English; ``api/locale/fr/LC_MESSAGES/messages.po`` holds the French. Only the ``.po``
files are committed: api/i18n.py compiles them in memory when the app first needs a language. The same
functions back tests/test_i18n.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "babel.cfg"
LOCALE_DIR = ROOT / "api" / "locale"
#: The functions whose arguments are messages: Babel's, and graph/errors.py's ``NP_`` (a counted message: its
#: singular and its plural, ``msgid``/``msgid_plural``).
KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": (1, 2)}
#: The catalogues to keep translated (English is the source language).
TRANSLATED = ("fr",)


def extract() -> Catalog:
    """Every message of the Python, templates and JavaScript named by babel.cfg, as a template catalogue."""
    with CONFIG.open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(CONFIG))
    template = Catalog(project="qkg", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    # the command line's own words come from click (Usage:, Options, its usage errors): its messages are
    # translated in the same catalogue, and api/cli.py has click look them up there
    import click
    from qkg.api.i18n import CLICK_MODULES

    click_dir = Path(click.__file__).parent
    for name in CLICK_MODULES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(click_dir), [(f"{name}.py", "python")], strip_comment_tags=True
        ):
            template.add(message, None, [(f"click/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="qkg")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def save(catalog: Catalog, lang: str) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=False, ignore_obsolete=True)


def untranslated(lang: str, template: Catalog | None = None) -> list[str]:
    """The source messages that have no (or only a fuzzy) translation in ``lang``."""
    template = template or extract()
    catalog = load(lang)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        ok = (
            found is not None
            and not found.fuzzy
            and (all(strings) if isinstance(strings, (tuple, list)) else bool(strings))
        )
        if not ok:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update() -> None:
    template = extract()
    for lang in TRANSLATED:
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        save(catalog, lang)
        print(
            f"[i18n] {po_path(lang).relative_to(ROOT)}: {len(template)} messages, "
            f"{len(untranslated(lang, template))} untranslated"
        )


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        return 0
    template = extract()
    bad = {lang: untranslated(lang, template) for lang in TRANSLATED}
    for lang, missing in bad.items():
        for m in missing:
            print(f"[i18n] {lang}: untranslated: {m!r}")
    return 1 if any(bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
