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
from babel.numbers import format_decimal
from click.testing import CliRunner
from qkg.api.cli import cli
from qkg.api.i18n import translations

from tests.report_text import REPORT, needs_report

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


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """The repository's data (the 2024 report) built by the real ``qkg build``, in French and in English."""
    tmp_path = tmp_path_factory.mktemp("builds")
    french = _qkg("--data-dir", str(tmp_path / "fr"), "build", "--no-shacl", QKG_LANG="fr")
    english = _qkg("--data-dir", str(tmp_path / "en"), "build", "--no-shacl", LANG="C.UTF-8")
    for proc in (french, english):
        assert proc.returncode == 0, proc.stderr
    return french, english


def test_a_french_build_says_its_progress_in_french(builds):
    french, english = builds
    said = french.stderr.splitlines()
    for words in ("chargé", "vérifications passées", "inférence OWL 2 RL", "SHACL omis", "artefact search :", "publié"):
        assert any(words in line for line in said), (words, french.stderr)
    assert french.stdout.startswith("construit : ") and english.stdout.startswith("built ")
    # the same lines, each in its language: none of the French build's lines is an English one
    assert len(said) == len(english.stderr.splitlines())
    assert not {_text(line) for line in said} & {_text(line) for line in english.stderr.splitlines()}


def _fr(n: int) -> str:
    """``n`` as French writes it, from Babel (CLDR): ``4 883`` with a narrow no-break space."""
    return format_decimal(n, locale="fr")


def test_a_french_build_writes_its_numbers_the_french_way(builds):
    """Counts grouped with a narrow no-break space, a decimal comma in times, in the progress and result lines;
    the English build's lines unchanged (bare counts, a decimal point)."""
    french, english = builds
    loaded = re.search(r"ontology: (\d+) triples \(\d+\.\d\d s, CPU \d+\.\d\d s\)", english.stderr)
    assert loaded, english.stderr
    assert int(loaded[1]) >= 1000  # a count that French groups
    assert re.search(rf"l'ontologie : {_fr(int(loaded[1]))} triplets \(\d+,\d\d s, CPU \d+,\d\d s\)", french.stderr)
    built = re.match(
        r"built (\d+) asserted \+ (\d+) inferred triples in (\d+) graphs \(\d+\.\d s, SHACL", english.stdout
    )
    assert built, english.stdout
    asserted, inferred, graphs = (int(n) for n in built.groups())
    assert french.stdout.startswith(
        f"construit : {_fr(asserted)} triplets affirmés + {_fr(inferred)} inférés dans {_fr(graphs)} graphes ("
    ), french.stdout
    assert re.search(r"\(\d+,\d s, SHACL omis\)", french.stdout), french.stdout
    assert re.search(r"mémoire maximale : build [\d\u202f]+ Mo \(", french.stderr), french.stderr
    assert re.search(r"peak memory: build [\d,]+ MB \(", english.stderr), english.stderr
    for line in [*french.stderr.splitlines(), french.stdout]:
        words = " ".join(w for w in line.split() if "/" not in w)  # its paths left out
        assert not re.search(r"\d[.,]\d{3}(?!\d)|\d\.\d", words), line  # neither 1,234 nor 1.5
        assert re.match(r"\[\s*\d+,\d\ds\] ", line) or line is french.stdout, line


def test_a_french_error_writes_a_count_the_french_way_and_a_year_bare(tmp_path, built_data):
    """In a command's error: the counts grouped, the years (identifiers) as they are."""
    args = ("synth", "-n", "1", "-o", str(tmp_path / "s.nq"))
    from qkg.loaders.synth import MIN_TRIPLES

    french, english = _qkg(*args, QKG_LANG="fr"), _qkg(*args, QKG_LANG="en")
    assert french.returncode == english.returncode == 2
    assert f"au moins {_fr(MIN_TRIPLES)} triplets" in french.stderr, french.stderr
    assert f"at least {MIN_TRIPLES} triples" in english.stderr, english.stderr
    years = ("--data-dir", str(built_data), "analyse", "summary", "--year-from", "2025", "--year-to", "2024")
    french, english = _qkg(*years, QKG_LANG="fr"), _qkg(*years, QKG_LANG="en")
    assert "la période 2025-2024 est vide" in french.stderr, french.stderr
    assert "year range 2025-2024 is empty" in english.stderr, english.stderr


#: Metavariables that French writes as English does.
_SAME_IN_FRENCH = {"[OPTIONS]", "URL", "A", "B"}


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _english_metavariables(path: tuple[str, ...]) -> set[str]:
    """The words click writes for ``qkg PATH``'s usage line and options in English (``PATH``, ``[QUERY]``,
    ``COMMAND [ARGS]...``), but the lists of choices (values) and the words French shares."""
    from qkg.api.cli import _speak
    from qkg.api.i18n import use_lang

    with use_lang("en"):
        _speak(cli)  # the English, if the command line ran in French in this process
    command = _command(path)
    ctx = click.Context(command, info_name=command.name)
    found = set(command.collect_usage_pieces(ctx))
    found |= {p.make_metavar(ctx) for p in command.params if not getattr(p, "is_flag", False)}
    return {m for m in found if re.search(r"[A-Z]{2,}|^[A-Z]$", m) and m not in _SAME_IN_FRENCH}


def _left(metavariables: set[str], text: str) -> list[str]:
    return [m for m in metavariables if re.search(rf"(?<![\w\[]){re.escape(m)}(?!\w)", text)]


@pytest.mark.parametrize("path", [(), ("build",)])
def test_the_french_help_names_its_metavariables_in_french(path):
    """The real ``qkg --help`` and ``qkg build --help``: the usage line and the options' values in French words."""
    french, english = _qkg(*path, "--help", QKG_LANG="fr"), _qkg(*path, "--help", QKG_LANG="en")
    metavariables = _english_metavariables(path)
    assert metavariables and sorted(_left(metavariables, english.stdout)) == sorted(metavariables)  # found in English
    assert not _left(metavariables, french.stdout), french.stdout
    if path == ():
        assert "Usage : qkg [OPTIONS] COMMANDE [ARGUMENTS]..." in french.stdout
        assert "Usage: qkg [OPTIONS] COMMAND [ARGS]..." in english.stdout
        assert "\nOptions :\n" in french.stdout and "\nCommandes :\n" in french.stdout  # French spacing
        assert "\nOptions:\n" in english.stdout and "\nCommands:\n" in english.stdout
    else:
        assert "--data CHEMIN" in french.stdout and "--data PATH" in english.stdout


def test_no_command_help_keeps_an_english_metavariable():
    """Every command's help, in one process: no metavariable of its English help is left in its French one."""
    runner, left = CliRunner(), {}
    for path in _commands():
        english = _english_metavariables(path)
        french = runner.invoke(cli, [*path, "--help"], env={"QKG_LANG": "fr"}, prog_name="qkg")
        assert french.exit_code == 0, french.output
        if _left(english, french.output):
            left[" ".join(path)] = _left(english, french.output)
    assert not left, left
    english = runner.invoke(cli, ["query", "--help"], env={"QKG_LANG": "en"}, prog_name="qkg")
    assert "Usage: qkg query [OPTIONS] [QUERY]" in english.output and "NAME=VALUE" in english.output


def test_synths_summary_line_is_french(tmp_path):
    """``qkg synth``'s line in French words and numbers; the file is the same in both languages."""
    french = _qkg("synth", "-n", "12k", "--seed", "3", "-o", str(tmp_path / "fr.nq"), QKG_LANG="fr")
    english = _qkg("synth", "-n", "12k", "--seed", "3", "-o", str(tmp_path / "en.nq"), QKG_LANG="en")
    assert french.returncode == english.returncode == 0, french.stderr
    said = re.fullmatch(r"wrote \S+: ([\d,]+) triples: (.+) \(\d+\.\d\d s\)\n", english.stdout)
    assert said, english.stdout
    counts = [re.fullmatch(r"([\d,]+) (.+)", part).groups() for part in said[2].split(", ")]  # type: ignore[union-attr]
    fr = translations("fr")
    kinds = ", ".join(fr.gettext("{n:,} " + kind).replace("{n:,}", _fr(int(n.replace(",", "")))) for n, kind in counts)
    triples = _fr(int(said[1].replace(",", "")))
    assert re.fullmatch(rf"écrit \S+ : {triples} triplets : {re.escape(kinds)} \(\d+,\d\d s\)\n", french.stdout), (
        french.stdout
    )
    english_words = {kind for _, kind in counts if fr.gettext("{n:,} " + kind) != "{n:,} " + kind}  # not "missions"
    assert len(english_words) >= len(counts) - 2 and not any(word in french.stdout for word in english_words)
    assert (tmp_path / "fr.nq").read_bytes() == (tmp_path / "en.nq").read_bytes()


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


#: Bad lines for tests/data/mini/facts.ttl: (the good text, the bad one), each one problem the build's checks find.
_BAD = {
    "reference": ("qkg:legCity qkgd:t-city-c ;", "qkg:legCity qkgd:t-city-cc ;"),
    "label": ('qkgd:t-network a qkg:CityNetwork ; rdfs:label "Réseau test"@fr .', "qkgd:t-network a qkg:CityNetwork ."),
    "date": ('"2024-05"^^xsd:gYearMonth', '"2024-13-45"^^xsd:date'),
    "party": ("qkg:party qkgd:t-gov-a , qkgd:t-gov-b", "qkg:party qkgd:t-gov-a"),  # a SHACL shape's violation
}


def _bad_build(
    tmp_path: Path, *cases: str, shacl: bool = False
) -> tuple[Path, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """The real ``qkg build`` of tests/data/mini with the ``cases`` of :data:`_BAD` written in, in French and in
    English: its facts file, and the two runs."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "tests" / "data" / "mini", data)
    facts = data / "facts.ttl"
    text = facts.read_text(encoding="utf-8")
    for case in cases:
        good, bad = _BAD[case]
        assert good in text
        text = text.replace(good, bad, 1)
    facts.write_text(text, encoding="utf-8")
    args = ("build", "--shacl" if shacl else "--no-shacl", "--data", str(data))
    french = _qkg("--data-dir", str(tmp_path / "fr"), *args, QKG_LANG="fr")
    english = _qkg("--data-dir", str(tmp_path / "en"), *args, LANG="C.UTF-8")
    for proc in (french, english):
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    return facts, french, english


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_the_data_problems_a_build_gathers_are_listed_in_french_each_with_its_file_line_and_fix(tmp_path):
    """Three problems in one file: the French build lists them in French, each with its file, line, entity and
    fix; the English build's error is as it was."""
    facts, french, english = _bad_build(tmp_path, "reference", "label", "date")
    leg, network, reception = (
        _line(facts, "qkgd:t-mission-leg-2 a"),
        _line(facts, "qkgd:t-network a"),
        _line(facts, "qkgd:t-reception a"),
    )
    assert "Erreur : 3 problèmes dans les données ; rien n'a été publié" in french.stderr, french.stderr
    for said in (
        f"  - {facts}:{leg} : qkgd:t-mission-leg-2 : renvoie à <https://w3id.org/qkg/id/t-city-cc> (qkg:legCity), "
        "qu'aucun fichier ne définit ; vouliez-vous dire qkgd:t-city-c ?",
        f"  - {facts}:{network} : qkgd:t-network : n'a pas de libellé : ajoutez rdfs:label",
        f"  - {facts}:{reception} : qkgd:t-reception : schema:startDate a la valeur mal formée « 2024-13-45 » pour "
        "xsd:date ; écrivez un vrai jour en AAAA-MM-JJ",
        "Solution : corrigez chaque fichier et chaque entité de la liste, puis relancez `qkg build`",
    ):
        assert said in french.stderr, (said, french.stderr)
    assert "Error: 3 problems in the data; nothing was published" in english.stderr, english.stderr
    for said in (
        f"  - {facts}:{leg}: qkgd:t-mission-leg-2: refers to <https://w3id.org/qkg/id/t-city-cc> (qkg:legCity), "
        "which no file defines; did you mean qkgd:t-city-c?",
        f"  - {facts}:{network}: qkgd:t-network: has no label: add rdfs:label",
        f'  - {facts}:{reception}: qkgd:t-reception: schema:startDate has the malformed value "2024-13-45" for '
        "xsd:date; write a real day as YYYY-MM-DD",
        "Fix: fix each file and entity listed, then run `qkg build` again",
    ):
        assert said in english.stderr, (said, english.stderr)
    for words in ("refers to", "has no label", "malformed", "problems", "nothing was published"):
        assert words not in french.stderr.replace(str(tmp_path), ""), words  # its paths left out


def test_a_count_of_one_takes_the_singular_in_both_languages(tmp_path):
    """One file, one problem: ``1 fichier``, ``1 problème`` (``1 file``, ``1 problem``), never ``1 fichiers``."""
    _facts, french, english = _bad_build(tmp_path, "label")
    assert "construction à partir de 1 fichier dans " in french.stderr, french.stderr
    assert "chargé 1 fichier de données + l'ontologie" in french.stderr
    assert "Erreur : 1 problème dans les données ;" in french.stderr
    assert "building from 1 file into " in english.stderr and "loaded 1 data file + ontology" in english.stderr
    assert "Error: 1 problem in the data;" in english.stderr, english.stderr
    assert not re.search(r"(?<![\d\u202f,.])1 (fichiers|problèmes|files|problems)\b", french.stderr + english.stderr)


#: The nouns the build's lines count, in their plural forms.
_PLURALS = {"fr": ("triplets", "requêtes", "fichiers", "graphes", "faits", "règles"), "en": ("files", "graphs")}


def test_the_builds_lines_agree_with_their_counts(builds):
    """French writes the singular for 0 and 1 (``1 requête, +0 triplet``), English for 1 only (``1 query, +0
    triples``): no count of 0 or 1 in the French build's lines is followed by a plural noun, nor 1 in English."""
    french, english = builds
    zero_or_one = re.compile(r"(?<![\d\u202f,.])[+]?([01]) (\w+)")
    counted = [m.groups() for m in zero_or_one.finditer(french.stderr + french.stdout)]
    assert counted, french.stderr  # the last property round: 1 query, +0 triple
    assert not [(n, w) for n, w in counted if w in _PLURALS["fr"]], counted
    assert any(w in ("triplet", "requête") for _n, w in counted), counted
    said = english.stderr + english.stdout
    assert not re.search(r"(?<![\d,.])1 (triples|queries|files|graphs|facts)\b", said), said
    assert re.search(r"(?<![\d,.])[+]?0 (triples|queries)\b", said) or "+0 " not in said


def test_analyses_tables_are_read_in_french_and_their_csv_stays_data(built_data):
    """``qkg analyse centrality``'s table: French headings and decimals, node types by their labels; English
    headings as words; the CSV keeps the columns' names and Python's decimals in both languages."""
    args = ("--data-dir", str(built_data), "analyse", "centrality", "--top", "3")
    french, english = _qkg(*args, QKG_LANG="fr"), _qkg(*args, QKG_LANG="en")
    assert french.returncode == english.returncode == 0, french.stderr
    head = french.stdout.splitlines()[0].split()
    assert head[:3] == ["libellé", "type", "degré"] and "intermédiarité" in head and "pondéré" in head, head
    assert english.stdout.splitlines()[0].split()[:5] == ["label", "type", "degree", "weighted", "degree"]
    first = french.stdout.splitlines()[2]
    assert first.startswith("Ville de Québec") and "Administration municipale" in first, first
    scores = re.findall(r"\b0[.,]\d{4}\b", first)
    assert len(scores) == 2 and all("," in s for s in scores), first  # betweenness and PageRank: 0,5481
    english_scores = re.findall(r"\b0[.,]\d{4}\b", english.stdout.splitlines()[2])
    assert english_scores == [s.replace(",", ".") for s in scores]  # the same scores, the English way
    assert "nœuds" in french.stdout and "arêtes ; intermédiarité" in french.stdout
    for lang in ("fr", "en"):
        csv_out = _qkg(*args, "--format", "csv", QKG_LANG=lang).stdout
        assert csv_out.startswith("label,type,degree,weighted_degree,betweenness,pagerank,node\n"), csv_out
        assert f",LocalGovernment,60,103,{english_scores[0]},{english_scores[1]}," in csv_out, csv_out


def test_the_labels_language_follows_the_readers_when_lang_is_not_given(built_data):
    """``analyse``'s labels without ``--lang``: English under an English locale, French under a French one, and
    French when the locale says neither (C): they were French whatever the reader's language, under English
    headings. ``--lang`` still decides when given."""
    args = ("--data-dir", str(built_data), "analyse", "centrality", "--top", "1")
    first = {
        env: _qkg(*args, **dict([env])).stdout.splitlines()[2]
        for env in (("LANG", "en_CA.UTF-8"), ("LANG", "fr_CA.UTF-8"), ("LANG", "C.UTF-8"), ("QKG_LANG", "en"))
    }
    assert first[("LANG", "en_CA.UTF-8")].startswith("City of Québec"), first
    assert first[("QKG_LANG", "en")] == first[("LANG", "en_CA.UTF-8")]
    assert first[("LANG", "fr_CA.UTF-8")].startswith("Ville de Québec"), first
    assert first[("LANG", "C.UTF-8")].startswith("Ville de Québec"), first
    given = _qkg(*args, "--lang", "fr", LANG="en_CA.UTF-8").stdout.splitlines()
    assert given[0].split()[0] == "label" and given[2].startswith("Ville de Québec"), given


def test_a_query_tables_count_line_is_french(built_data):
    """``qkg query``'s table ends with its count of rows in the reader's language (was "(7 rows)" in French)."""
    args = ("--data-dir", str(built_data), "query", "receptions")
    french, english = _qkg(*args, QKG_LANG="fr"), _qkg(*args, QKG_LANG="en")
    assert french.returncode == english.returncode == 0, french.stderr
    rows = len(english.stdout.strip().splitlines()) - 4  # header, rule, blank line, the count
    assert rows == 7  # the 2024 report's collaboration receptions (its default category)
    assert french.stdout.rstrip().endswith("(7 lignes)") and english.stdout.rstrip().endswith("(7 rows)")
    one = ("--data-dir", str(built_data), "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert _qkg(*one, QKG_LANG="fr").stdout.rstrip().endswith("(1 ligne)")


@needs_report
def test_ingests_score_table_names_its_rows_in_french(tmp_path):
    """``qkg ingest``'s score table: each row's class by its French name, its figures French (``0,59``)."""
    from qkg.loaders.ingest import CLASSES

    proc = _qkg("ingest", str(REPORT), "--year", "2024", "--out", str(tmp_path / "draft"), QKG_LANG="fr")
    assert proc.returncode == 0, proc.stderr
    fr = translations("fr")
    names = [fr.gettext(n) for n in ("receptions", "leg kinds", "leaders", "agreements")]
    assert names == ["accueils", "types d'étapes", "chefs de mission", "ententes"]
    rows = [line for line in proc.stdout.splitlines() if line.startswith(tuple(names))]
    assert len(rows) == 4 and all(re.search(r"\d,\d\d$", r) for r in rows), proc.stdout
    assert not any(line.startswith(CLASSES) for line in proc.stdout.splitlines()), proc.stdout
    assert re.match(r"ébauche de [\d\u202f]+ faits à partir de \d+ éléments d'annexe", proc.stdout), proc.stdout


def test_a_shapes_violation_is_said_in_french_with_the_shapes_own_fix(tmp_path):
    """A SHACL shape's message (its ``sh:message`` in ontology/shapes.ttl, a message of the catalogue) in the
    French build's error, with its file, line, entity and path; the English build's as the shape writes it."""
    facts, french, english = _bad_build(tmp_path, "party", shacl=True)
    line = _line(facts, "qkgd:t-twinning a")
    assert "Erreur : 1 problème dans les données ;" in french.stderr, french.stderr
    assert (
        f"  - {facts}:{line} : qkgd:t-twinning : qkg:party : une entente a besoin d'au moins deux qkg:party, "
        "chacune un agent" in french.stderr
    ), french.stderr
    assert (
        f"  - {facts}:{line}: qkgd:t-twinning: qkg:party: an agreement needs at least two qkg:party, each an agent"
        in english.stderr
    ), english.stderr


def test_a_missing_report_is_said_in_french(tmp_path):
    """The report that ``qkg ingest`` reads, missing: its error and fix in the reader's language."""
    args = ("ingest", str(tmp_path / "rapport.txt"), "--year", "2024", "--out", str(tmp_path / "draft"))
    french, english = _qkg(*args, QKG_LANG="fr"), _qkg(*args, QKG_LANG="en")
    assert french.returncode == english.returncode == 1, french.stderr
    assert f"Erreur : {tmp_path / 'rapport.txt'} : aucun fichier de rapport de ce nom" in french.stderr, french.stderr
    assert "Solution : passez le fichier texte ou PDF du rapport" in french.stderr
    assert f"Error: {tmp_path / 'rapport.txt'}: no such report file" in english.stderr, english.stderr


@pytest.mark.parametrize("installed", [False, True])
def test_serve_warns_in_french_when_the_front_end_libraries_are_missing(tmp_path, monkeypatch, built_data, installed):
    """`qkg serve` from a clone whose assets were not fetched: the pages would draw nothing, so it says so, with
    the command that fetches them; not a word when they are there."""
    import uvicorn
    from qkg.api import app as app_module
    from qkg.api.cli import cli

    static = tmp_path / "static"
    (static / "vendor").mkdir(parents=True)
    if installed:
        (static / "vendor" / "manifest.json").write_text("{}")
    monkeypatch.setattr(app_module, "STATIC_DIR", static)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # the warning is said before it serves
    monkeypatch.setattr(app_module, "create_app", lambda settings: None)
    monkeypatch.setenv("QKG_LANG", "fr")
    result = CliRunner().invoke(cli, ["--data-dir", str(built_data), "serve", "--port", "8999"])
    assert result.exit_code == 0, result.output
    said = result.output  # stderr mixed in (click's CliRunner default)
    if installed:
        assert "bibliothèques" not in said
    else:
        assert "les bibliothèques de l'interface manquent" in said and "scripts/dev.py run" in said, said


def test_a_canned_querys_table_heads_its_columns_as_its_page_does(built_data):
    """``qkg query partners`` headed its table with the variables (``year entry item``) in French too: the table
    names them as the query's page does, in the reader's language; CSV keeps the variables (data)."""
    from qkg.graph.pages.catalog import load_catalog

    query = load_catalog()["partners"]
    args = ("--data-dir", str(built_data), "query", "partners")
    for lang in ("fr", "en"):
        head = _qkg(*args, QKG_LANG=lang).stdout.splitlines()[0].split("  ")
        assert [h.strip() for h in head if h.strip()][:2] == [
            query.var_label("year", lang),
            query.var_label("entry", lang),
        ]
    assert query.var_label("year", "fr") == "Année"
    assert _qkg(*args, "--format", "csv", QKG_LANG="fr").stdout.startswith("year,entry,")
