"""Hostile build inputs (issue 14): every one gets an error naming the file and the line, never a traceback.

Deep YAML nesting (flow and block), YAML alias bombs, over-long values and tokens, an ill-typed date in a CSV
(no rdflib traceback on the way), a symbolic link leaving the data folder (refused, its target's content never
shown), a stale ``.current-*`` link left by a killed publish, a ``javascript:`` IRI that must not become a
link; and a careless author's Turtle: ill-typed literals (no rdflib traceback), a year folder with a stray space
or suffix, a byte order mark (accepted), Latin-1 text, a file with no triples, a ``@prefix`` line missing its '/'
(IRIs outside qkg's namespaces) and one id given to two entities (two labels in one language).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from qkg.api.cli import cli
from qkg.graph.building.pipeline import build
from qkg.graph.errors import DataError
from qkg.graph.serving.store import StoreLayout
from qkg.loaders.sources import default_data_root, discover
from qkg.loaders.tabular import MAX_ALIAS_CHARS, MAX_VALUE_CHARS, records_to_ntriples, sheet_to_ntriples

from tests.api_server import start_server

MINI = Path(__file__).parent / "data" / "mini"
RECORD = "- id: ville-x\n  type: qkg:LocalGovernment\n  label@fr: Ville X\n"


@pytest.mark.parametrize(
    "name, text, line, words",
    [
        ("flow nesting", RECORD + "  altLabel@fr: " + "[" * 1000 + "]" * 1000 + "\n", 4, "nested"),
        (
            "block nesting",
            RECORD + "  altLabel@fr:\n" + "".join("  " * i + "- \n" for i in range(2, 1200)),
            None,
            "nested",
        ),
        (
            "alias bomb",
            "- id: a\n  type: qkg:LocalGovernment\n  label@fr: &big " + "b" * 200_000 + "\n"
            "- id: b\n  type: qkg:LocalGovernment\n  label@fr: B\n  altLabel@fr: [" + ", ".join(["*big"] * 100) + "]\n",
            7,
            "aliases",
        ),
        ("huge scalar", RECORD + "  schema:description@fr: " + "x" * (MAX_VALUE_CHARS + 1) + "\n", 4, "characters"),
    ],
)
def test_hostile_yaml_is_refused_with_file_and_line(tmp_path, name, text, line, words) -> None:
    path = tmp_path / "records.yaml"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        records_to_ntriples(path)
    exc = info.value
    assert exc.file == str(path) and words in exc.message, exc.message
    if line is not None:
        assert exc.line == line and f"records.yaml:{line}:" in exc.message
    else:
        assert exc.line is not None and exc.line > 2
    assert exc.hint


def test_alias_budget_leaves_ordinary_aliases_alone(tmp_path) -> None:
    path = tmp_path / "records.yaml"
    path.write_text(
        "- id: a\n  type: qkg:LocalGovernment\n  label@fr: &name Ville A\n"
        "- id: b\n  type: qkg:LocalGovernment\n  label@fr: *name\n"
    )
    assert records_to_ntriples(path).decode().count('"Ville A"@fr') == 2
    assert MAX_ALIAS_CHARS >= 10_000


def _build_cli(data: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(out), "build", "--data", str(data)])
    return result.exit_code, result.output


def test_bad_date_in_a_sheet_gets_one_error_and_no_traceback(tmp_path, capfd) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sheet.csv").write_text(
        "id,type,label@fr,schema:startDate^^xsd:date\nville-x,qkg:LocalGovernment,Ville X,2024-13-45\n"
    )
    code, output = _build_cli(data, tmp_path / "out")
    captured = capfd.readouterr()
    assert code != 0
    assert "sheet.csv:2:" in output and "2024-13-45" in output
    assert "Traceback" not in output + captured.err + captured.out


ILL_TYPED = """@prefix qkgd: <https://w3id.org/qkg/id/> .
@prefix qkg: <https://w3id.org/qkg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

qkgd:evenement-a a qkg:Event ; rdfs:label "Événement A"@fr ; schema:startDate "17/11/2025"^^xsd:date .
qkgd:evenement-b a qkg:Event ; rdfs:label "Événement B"@fr ; schema:startDate "2025-02-30"^^xsd:date .
qkgd:evenement-c a qkg:Event ; rdfs:label "Événement C"@fr ; schema:maximumAttendeeCapacity "dix"^^xsd:integer .
"""


def test_ill_typed_literals_in_turtle_get_errors_and_no_traceback(qkg, tmp_path) -> None:
    # an activity sheet makes the build read the Turtle files with rdflib too (to find the sheet's names)
    data = tmp_path / "data"
    shutil.copytree(default_data_root(), data)
    (data / "2025").mkdir()
    (data / "2025" / "events.ttl").write_text(ILL_TYPED, encoding="utf-8")
    sheet = tmp_path / "activites.csv"
    qkg("template", "activities", "--out", sheet)
    proc = qkg("--data-dir", tmp_path / "out", "build", "-q", "--data", data, "--add", sheet, ok=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "Failed to convert" not in proc.stderr, proc.stderr
    for line, value in ((7, "17/11/2025"), (8, "2025-02-30"), (9, "dix")):
        assert f"events.ttl:{line}:" in proc.stderr and f'"{value}"' in proc.stderr, proc.stderr


@pytest.mark.parametrize("name", ["2025 ", " 2025", "2025-final", "2025 (copie)"])
def test_a_folder_named_almost_like_a_year_is_refused(tmp_path, name) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data / "background")
    (data / name).mkdir()
    (data / name / "facts.ttl").write_text((MINI / "facts.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        discover(data)
    assert info.value.file == str(data / name) and repr(str(data / name)) in info.value.message
    assert "'2025'" in info.value.hint
    (data / name).rename(data / "2025")  # the year itself, and a folder of no year, are fine
    assert {s.year for s in discover(data)} == {"2025", None}


def test_a_turtle_file_with_a_byte_order_mark_builds(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    facts = data / "facts.ttl"
    facts.write_bytes(b"\xef\xbb\xbf" + facts.read_bytes())  # Notepad's "UTF-8 with BOM"
    result = build(discover(data), data_dir=tmp_path / "out", shacl=False)
    assert result.asserted == build(discover(MINI), data_dir=tmp_path / "plain", shacl=False).asserted


def test_a_latin1_turtle_file_is_told_to_be_saved_as_utf8(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "latin1.ttl").write_bytes(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        '<https://w3id.org/qkg/id/x> rdfs:label "Québec"@fr .\n'.encode("latin-1")
    )
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=tmp_path / "out", shacl=False)
    assert info.value.line == 3 and "latin1.ttl:3: not UTF-8 text" in info.value.message
    assert "UTF-8" in info.value.hint and "' .'" not in info.value.hint


@pytest.mark.parametrize(
    "text",
    ["", "  \n\n", "@prefix qkgd: <https://w3id.org/qkg/id/> .\n# nothing yet\n"],
    ids=["0 bytes", "blank", "prefixes"],
)
def test_an_empty_turtle_file_is_refused(tmp_path, text) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "vide.ttl").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=out, shacl=False)
    assert info.value.file == str(data / "vide.ttl") and "no triples" in info.value.message
    assert StoreLayout(out).current() is None


def test_huge_literal_in_turtle_names_its_line(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "big.ttl").write_text(
        '<http://e/a> <http://e/p> "ok" .\n\n<http://e/a> <http://e/q> """' + "word and\n" * 2_000_000 + '""" .\n'
    )
    code, output = _build_cli(data, tmp_path / "out")
    assert code != 0
    assert "big.ttl:3:" in output and "Traceback" not in output


def test_huge_cell_in_a_sheet_names_its_line(tmp_path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        "id,type,label@fr\nville-x,qkg:LocalGovernment,Ville X\nville-y,qkg:LocalGovernment," + "y" * 200_000 + "\n"
    )
    with pytest.raises(DataError) as info:
        sheet_to_ntriples(path)
    assert info.value.line == 3 and "sheet.csv:3:" in info.value.message


def test_symlink_out_of_the_data_folder_is_refused_without_its_content(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the-secret-line:/root:/bin/bash\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "passwd.ttl").symlink_to(secret)
    with pytest.raises(DataError) as info:
        discover(data)
    assert "passwd.ttl" in info.value.message and "outside" in info.value.message
    code, output = _build_cli(data, tmp_path / "out")
    assert code != 0 and "the-secret-line" not in output and "secret.txt" not in output
    # a folder linked from outside is refused the same way
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "facts.ttl").write_text("<http://e/a> <http://e/p> 'private-fact' .\n")
    (data / "passwd.ttl").unlink()
    (data / "linked").symlink_to(outside)
    code, output = _build_cli(data, tmp_path / "out")
    assert code != 0 and "private-fact" not in output and "outside the data folder" in output


def test_a_link_inside_the_data_folder_is_fine(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_root() / "2024", data / "2024")
    os.symlink(data / "2024" / "actors.ttl", data / "actors-again.ttl")
    assert any(s.path.name == "actors-again.ttl" for s in discover(data))


def test_stale_current_links_are_removed_by_the_next_build(tmp_path) -> None:
    out = tmp_path / "out"
    build(discover(default_data_root()), data_dir=out, shacl=False)
    stale = out / ".current-dead01"  # what a kill between symlink() and replace() leaves
    os.symlink("stores/nothing", stale)
    build(discover(default_data_root()), data_dir=out, shacl=False)
    assert not stale.is_symlink()
    assert StoreLayout(out).current() is not None


def test_javascript_iri_is_not_a_link(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_root(), data)
    (data / "links.csv").write_text(
        "id,type,label@fr,rdfs:seeAlso\n"
        "lien-x,qkg:Organisation,Organisme X,<javascript:alert(4)> | <https://example.org/x>\n"
    )
    out = tmp_path / "out"
    code, output = _build_cli(data, out)
    assert code == 0, output
    server = start_server(out)
    try:
        page = httpx.get(server.url + "/id/lien-x", headers={"Accept": "text/html"}, timeout=30).text
        assert "javascript:alert(4)" in page  # shown as text
        assert 'href="javascript:' not in page.lower()
        assert 'href="https://example.org/x"' in page
    finally:
        server.stop()


JAPON = """@prefix qkg:    <https://w3id.org/qkg/def#> .
@prefix qkgd:   <https://w3id.org/qkg/id> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .

qkgd:japon a qkg:Country ; rdfs:label "Japon"@fr , "Japan"@en ;
    prov:wasDerivedFrom qkgd:t-section .
qkgd:t-reception qkg:origin qkgd:japon .
"""


def test_a_prefix_line_missing_its_slash_is_refused_at_that_line(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "japon.ttl").write_text(JAPON, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=out, shacl=False)
    message = str(info.value)
    # one problem for the prefix (not one per IRI it made), at a line that writes one of its IRIs
    assert message.count("outside qkg's namespaces") == 1, message
    assert (
        f"{data / 'japon.ttl'}:" in message
        and "line 2 declares the prefix qkgd: as <https://w3id.org/qkg/id>" in message
    )
    assert "check that @prefix line" in message and "<https://w3id.org/qkg/id/>" in message
    assert StoreLayout(out).current() is None


def test_an_iri_written_in_full_outside_the_namespaces_is_refused_with_its_line(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "extra.ttl").write_text(
        "@prefix qkg: <https://w3id.org/qkg/def#> .\n\n"
        "<https://w3id.org/qkg/id/t-reception> qkg:origin <https://w3id.org/qkg/idjapon> .\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=tmp_path / "out", shacl=False)
    assert f"{data / 'extra.ttl'}:3: <https://w3id.org/qkg/idjapon>: outside qkg's namespaces" in str(info.value)
    assert "check the @prefix lines and any IRI written in full" in str(info.value)


def test_one_id_with_two_labels_in_one_language_is_refused_naming_both_files(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data / "2024")
    (data / "2025").mkdir()
    header = "@prefix qkgd: <https://w3id.org/qkg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    # restating the same label in another year is fine
    (data / "2025" / "restated.ttl").write_text(header + 'qkgd:t-city-a rdfs:label "Ville A"@fr .\n', encoding="utf-8")
    build(discover(data), data_dir=tmp_path / "ok", shacl=False)
    (data / "2025" / "restated.ttl").unlink()
    # a block copied into next year's file with its id unchanged: two French labels on one entity
    (data / "2025" / "copied.ttl").write_text(
        header + "\n" + 'qkgd:t-city-a rdfs:label "Ville A (2026)"@fr , "City A"@en .\n', encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=tmp_path / "out", shacl=False)
    message = str(info.value)
    first, second = data / "2024" / "facts.ttl", data / "2025" / "copied.ttl"
    assert 'has two labels in @fr: "Ville A" (' + str(first) + ":16) and " in message, message
    assert '"Ville A (2026)" (' + str(second) + ":4)" in message
    assert "give one of them another id" in message and "skos:altLabel" in message
    assert message.count("has two labels") == 1  # the English label is the entity's only one
    # the same in a sheet and a record of one folder (case b of the report)
    shutil.rmtree(data / "2025")
    (data / "2025").mkdir()
    (data / "2025" / "organisations.csv").write_text(
        "id,type,label@fr,label@en\nville-de-kyoto,qkg:LocalGovernment,Ville de Kyoto,City of Kyoto\n",
        encoding="utf-8",
    )
    (data / "2025" / "nagoya.yaml").write_text(
        "- id: ville-de-kyoto\n  type: qkg:LocalGovernment\n  label@fr: Kyoto (ville)\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=tmp_path / "out", shacl=False)
    assert "nagoya.yaml:1)" in str(info.value) and "organisations.csv:2)" in str(info.value), str(info.value)
