"""``qkg diff`` and ``/changes`` on a real edit of the data: a figure corrected, a city added, a label renamed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from tests.api_server import ROOT, start_server

CS = Namespace("http://purl.org/vocab/changeset/schema#")
ID = "https://w3id.org/qkg/id/"


def _edit(folder: Path) -> None:
    """The edit an analyst would make for next year's figures: a corrected count, a new city, a renamed label."""
    highlights = folder / "2024" / "highlights.ttl"
    text = highlights.read_text(encoding="utf-8")
    assert "qkg:statedValue 21 ;" in text
    highlights.write_text(text.replace("qkg:statedValue 21 ;", "qkg:statedValue 22 ;"), encoding="utf-8")
    geography = folder / "2024" / "geography.ttl"
    text = geography.read_text(encoding="utf-8")
    assert '"Lausanne"@en' in text
    text = text.replace('"Lausanne"@en', '"Lausanne (Vaud)"@en')
    text += (
        '\nqkgd:montpellier a qkg:City ; rdfs:label "Montpellier"@fr , "Montpellier"@en ; '
        "qkg:country qkgd:france ; prov:wasDerivedFrom qkgd:bri-2024-highlights .\n"
    )
    geography.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def two_builds(qkg, tmp_path_factory) -> tuple[Path, Path, Path]:
    """Two data folders (the repository's and an edited copy) and a data dir that built one, then the other."""
    tmp = tmp_path_factory.mktemp("diff")
    before, after = tmp / "before", tmp / "after"
    shutil.copytree(ROOT / "data", before)
    shutil.copytree(ROOT / "data", after)
    _edit(after)
    data_dir = tmp / "qkg"
    qkg("--data-dir", data_dir, "build", "-q", "--data", before)
    out = qkg("--data-dir", data_dir, "build", "--data", after)
    assert "changes since the previous build" in out.stderr
    return before, after, data_dir


def _check(changes: dict) -> None:
    assert changes["counts"]["entities_added"] == 1 and changes["counts"]["entities_removed"] == 0
    (city,) = changes["entities_added"]
    assert (city["iri"], city["label"], city["cls"]) == ("qkgd:montpellier", "Montpellier", "qkg:City")
    changed = {(f["subject"], f["property"]): (f["old"], f["new"]) for f in changes["changed"]}
    assert changed == {
        ("qkgd:figure-receptions", "qkg:statedValue"): ("21", "22"),
        ("qkgd:lausanne", "rdfs:label"): ("Lausanne", "Lausanne (Vaud)"),
    }
    assert changes["counts"]["facts_changed"] == 2
    # the new city's five triples, and the two replaced values
    assert changes["counts"]["facts_added"] == 5 + 2 and changes["counts"]["facts_removed"] == 2
    figures = {f["iri"]: (f["old"], f["new"]) for f in changes["figures"]}
    assert figures["qkgd:figure-receptions"] == ("21", "22")
    assert figures["qkgd:figure-missions"] == ("8", "8")


def test_diff_of_two_builds_as_json(qkg, two_builds) -> None:
    _, _, data_dir = two_builds
    _check(json.loads(qkg("--data-dir", data_dir, "diff", "previous", "current", "--format", "json").stdout))


def test_diff_of_two_data_folders_gives_the_same_changes(qkg, two_builds) -> None:
    before, after, _ = two_builds
    _check(json.loads(qkg("diff", before, after, "--format", "json").stdout))


def test_diff_as_text_in_french_and_english(qkg, two_builds) -> None:
    _, _, data_dir = two_builds
    fr = qkg("--data-dir", data_dir, "diff", "previous", "current", "--lang", "fr").stdout
    assert "Entités ajoutées" in fr and "[qkg:City] Montpellier" in fr and "statedValue: 21 -> 22" in fr
    en = qkg("--data-dir", data_dir, "diff", "previous", "current", "--lang", "en").stdout
    assert "Entities added" in en and "Facts changed" in en and "Lausanne -> Lausanne (Vaud)" in en
    # the counts as each language writes them: 4 844 (a narrow no-break space) in French, 4844 in English
    assert re.search(r"retirées? ; .* \(\d\u202f\d{3} -> \d\u202f\d{3} triplets\)", fr), fr
    # each count agrees with its noun: French's singular for 0 and 1, English's for 1
    assert "1 entité ajoutée, 0 entité retirée ; 7 faits ajoutés, 2 faits retirés, dont 2 modifiés (" in fr, fr
    assert "1 entity added, 0 entities removed; 7 facts added, 2 facts removed, of which 2 changed (" in en, en
    assert re.search(r"removed; .* \(\d{4} -> \d{4} triples\)", en), en


def test_diff_as_an_rdf_changeset(qkg, two_builds, tmp_path) -> None:
    _, _, data_dir = two_builds
    out = tmp_path / "changes.ttl"
    qkg("--data-dir", data_dir, "diff", "previous", "current", "--format", "turtle", "--out", out)
    g = Graph().parse(out, format="turtle")
    additions = {
        (
            g.value(st, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")),
            g.value(st, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object")),
        )
        for st in g.objects(None, CS.addition)
    }
    removals = {
        g.value(st, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object")) for st in g.objects(None, CS.removal)
    }
    assert (URIRef(ID + "figure-receptions"), Literal(22)) in additions
    assert (URIRef(ID + "montpellier"), Literal("Montpellier", lang="fr")) in additions
    assert Literal(21) in removals and len(removals) == 2


def test_changes_page_and_api_show_the_publish(two_builds) -> None:
    _, _, data_dir = two_builds
    server = start_server(data_dir)
    try:
        with server.client() as client:
            api = client.get("/api/changes").json()
            assert api["build"] == (data_dir / "current").resolve().name
            _check(api["changes"])
            page = client.get("/changes")
            assert page.status_code == 200
            assert "Montpellier" in page.text and 'href="/id/montpellier"' in page.text
            assert "Entités ajoutées" in page.text and "Entities added" not in page.text
            english = client.get("/changes?lang=en").text
            assert "Entities added" in english
            # each count agrees with its noun (French: the singular for 0 and 1), its numbers as the page writes them
            assert "1 entité ajoutée, 0 entité retirée" in page.text, page.text
            assert "7 faits ajoutés, 2 faits retirés, dont 2 modifiés" in page.text
            assert re.search(r"\d\u202f\d{3} → \d\u202f\d{3} triplets affirmés", page.text), page.text
            assert "1 entity added, 0 entities removed" in english
            assert "7 facts added, 2 facts removed, of which 2 changed" in english
            assert re.search(r"\d{4} → \d{4} asserted triples", english), english
    finally:
        server.stop()


def test_a_first_build_has_no_changes_to_show(qkg, tmp_path) -> None:
    qkg("--data-dir", tmp_path, "build", "-q")
    server = start_server(tmp_path)
    try:
        with server.client() as client:
            assert client.get("/api/changes").json()["changes"] is None
            assert "Aucun changement enregistré" in client.get("/changes").text
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("nowhere", "current"), "nowhere"),
        (("1999", "current"), "1999"),
        (("previous", "current"), "no build before the current one"),
    ],
)
def test_bad_sides_get_one_line_errors(qkg, tmp_path, args, named) -> None:
    qkg("--data-dir", tmp_path, "build", "-q")
    proc = qkg("--data-dir", tmp_path, "diff", *args, ok=False)
    assert proc.returncode != 0
    assert named in proc.stderr and "Traceback" not in proc.stderr


def test_a_removed_build_is_said_to_be_removed_with_the_builds_kept(qkg, tmp_path) -> None:
    for _ in range(3):
        qkg("--data-dir", tmp_path, "build", "-q", "--no-shacl")
    stores = tmp_path / "stores"
    kept = sorted(p.name for p in stores.iterdir())
    assert len(kept) == 2
    gone = stores / "20200101T000000-abcdef"  # a build's name, removed by the builds after it
    for spec in (str(gone), gone.name):
        proc = qkg("--data-dir", tmp_path, "diff", spec, "current", ok=False)
        assert proc.returncode != 0 and "Traceback" not in proc.stderr
        assert "each build removes the older ones (only the last 2 are kept)" in proc.stderr, proc.stderr
        assert ", ".join(kept) in proc.stderr
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    proc = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(tmp_path), "diff", gone.name, "current"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ | {"QKG_LANG": "fr"},
    )
    assert "seules les 2 dernières sont gardées" in proc.stderr and "les constructions gardées" in proc.stderr
