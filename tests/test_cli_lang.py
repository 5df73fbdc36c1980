"""The command line speaks its reader's language, French first: its help (qkg's texts and click's own words),
its progress lines and its results' lines, from the interface's catalogue, chosen by ``QKG_LANG`` or the locale
as its errors are (tests/test_errors_i18n.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from qkg.api.cli import cli
from qkg.api.i18n import translations

ROOT = Path(__file__).resolve().parent.parent


def _qkg(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("QKG_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", *args], capture_output=True, text=True, cwd=ROOT, env=environ | env
    )


def _commands() -> list[tuple[str, ...]]:
    """Every command's path under ``qkg`` (groups and their subcommands)."""
    out, todo = [], [((), cli)]
    while todo:
        path, command = todo.pop()
        out.append(path)
        if isinstance(command, click.Group):
            todo += [((*path, name), sub) for name, sub in command.commands.items()]
    return sorted(out)


def test_every_help_text_has_its_french():
    """Each command's and each option's help is a message of the catalogue with a French translation."""
    french = translations("fr")
    missing = []
    for path in _commands():
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        texts = [command.__dict__.get("_qkg_english", {}).get("help") or command.help]
        texts += [p.__dict__.get("_qkg_english", {}).get("help") or getattr(p, "help", None) for p in command.params]
        missing += [f"qkg {' '.join(path)}: {t[:60]!r}" for t in texts if t and french.gettext(t) == t]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("path", [(), ("build",), ("query",), ("analyse",), ("analyse", "centrality"), ("diff",)])
def test_help_is_french_with_qkg_lang_fr_and_english_with_en(path):
    french = _qkg(*path, "--help", QKG_LANG="fr")
    locale = _qkg(*path, "--help", LANG="fr_CA.UTF-8")
    english = _qkg(*path, "--help", QKG_LANG="en")
    for proc in (french, locale, english):
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert french.stdout == locale.stdout
    # click's own words and qkg's texts
    assert "Usage :" in french.stdout and "Afficher ce message et quitter." in french.stdout
    assert "Usage:" in english.stdout and "Show this message and exit." in english.stdout
    assert "Show this message" not in french.stdout and "Afficher" not in english.stdout
    for line in english.stdout.splitlines():  # no sentence of the English help is left in the French one
        if len(line.split()) > 4 and not line.strip().startswith(("qkg ", "-")):
            assert line not in french.stdout, line


def test_a_usage_error_is_french_too():
    proc = _qkg("query", "--bogus", QKG_LANG="fr")
    assert proc.returncode == 2
    assert "Erreur : Aucune option '--bogus'." in proc.stderr and "Essayez 'qkg query --help'" in proc.stderr


def _text(line: str) -> str:
    """A progress line's words: its time, numbers, paths and names of builds left out."""
    line = re.sub(r"^\[\s*[\d.,]+s\]\s*", "", line)
    return re.sub(r"[\w./-]*\d[\w./-]*", "#", line)


def test_a_french_build_says_its_progress_in_french(tmp_path):
    french = _qkg("--data-dir", str(tmp_path / "fr"), "build", "--no-shacl", QKG_LANG="fr")
    english = _qkg("--data-dir", str(tmp_path / "en"), "build", "--no-shacl", LANG="C.UTF-8")
    for proc in (french, english):
        assert proc.returncode == 0, proc.stderr
    said = french.stderr.splitlines()
    for words in ("chargé", "vérifications passées", "inférence OWL 2 RL", "SHACL omis", "artefact search :", "publié"):
        assert any(words in line for line in said), (words, french.stderr)
    assert french.stdout.startswith("construit : ") and english.stdout.startswith("built ")
    # the same lines, each in its language: none of the French build's lines is an English one
    assert len(said) == len(english.stderr.splitlines())
    assert not {_text(line) for line in said} & {_text(line) for line in english.stderr.splitlines()}


def test_the_viz_help_states_the_facts_cap_it_applies():
    from qkg.api.commands.viz import FACTS_MAX, command

    facts = next(p for p in command.params if p.name == "facts")
    english = facts.__dict__.get("_qkg_english", {}).get("help") or facts.help
    assert f"up to {FACTS_MAX:,} nodes" in english


# Where the command line's lines are written: the CLI, its commands, and the build's progress (``say``).
_SAYING = [
    ROOT / "api" / "cli.py",
    *sorted((ROOT / "api" / "commands").glob("*.py")),
    *sorted((ROOT / "graph" / "building").glob("*.py")),
    ROOT / "graph" / "serving" / "backends" / "remote.py",
]


def test_no_line_the_command_line_shows_is_an_untranslatable_f_string():
    """A line for the reader (``click.echo``, a progress ``say``, a ``ClickException``) is a catalogue message
    (``_("...", field=...)`` or ``Message(N_("..."), ...)``), not an f-string or a literal with words in it."""
    import ast

    found = []
    for path in _SAYING:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ("echo", "say", "progress", "ClickException", "BadParameter"):
                continue
            first = node.args[0]
            if isinstance(first, ast.JoinedStr):
                text = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
            elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
            else:
                continue
            if re.search(r"[A-Za-z]{3,}", text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({text[:50]!r}...)")
    assert not found, "write these with _() or Message(N_(...)) and fields:\n" + "\n".join(found)
