"""Activity sheets of the committee's members: each member's sheet builds, the complementarity map counts its rows
as contributed (with the member and the sheet as provenance), and a bad row gets an error naming its row and column."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.api_server import ROOT

ID = "https://w3id.org/qkg/id/"
HEADER = ["date", "activité", "intitulé", "partenaires", "lieu", "thèmes", "membre", "source"]
#: One made-up sheet per member of the committee: (file, rows).
SHEETS = {
    "ville-de-quebec": (
        "activites-ville.csv",
        [
            [
                "2024-03-12",
                "mission",
                "Mission d'essai à Bordeaux",
                "Ville de Bordeaux",
                "Bordeaux",
                "Culture",
                "Ville de Québec",
                "note interne 12",
            ],
        ],
    ),
    "mrif": (
        "activites-mrif.csv",
        [
            [
                "2024-06",
                "événement",
                "Colloque d'essai",
                "Ville de Lausanne | Nantes Métropole",
                "Lausanne",
                "Santé durable",
                "MRIF",
                "communiqué 4",
            ],
            ["2024", "projet", "", "", "", "Francophonie", "MRIF", "bilan annuel"],
        ],
    ),
    "quebec-international": (
        "activites-qi.xlsx",
        [
            [
                "2024-09-18",
                "accueil",
                "Délégation d'essai",
                "Ville de Bordeaux",
                "Québec",
                "Développement économique",
                "Québec International",
                "courriel",
            ],
        ],
    ),
    "universite-laval": (
        "activites-ul.csv",
        [
            [
                "2024-10-02",
                "rencontre",
                "Rencontre d'essai",
                "Ville de Lausanne",
                "Lausanne",
                "santé durable",
                "universite laval",
                "procès-verbal",
            ],
        ],
    ),
}


def write_sheet(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        for row in [header, *rows]:
            book.active.append(row)
        book.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture(scope="module")
def contributed(qkg, tmp_path_factory) -> Path:
    """The repository's data plus one sheet per member, built by the real CLI; returns the data dir."""
    tmp = tmp_path_factory.mktemp("activities")
    shutil.copytree(ROOT / "data", tmp / "data")
    for file, rows in SHEETS.values():
        write_sheet(tmp / "data" / "2024" / file, rows)
    qkg("--data-dir", tmp / "qkg", "build", "-q", "--data", tmp / "data")
    return tmp / "qkg"


def test_every_members_rows_count_as_contributed_in_the_complementarity_map(qkg, contributed) -> None:
    res = json.loads(qkg("--data-dir", contributed, "analyse", "complementarity", "-f", "json").stdout)
    assert "contributed" in res["parameters"]["relations"]
    contributed_facts = {iri: rec for iri, rec in res["facts"].items() if rec["kind"] == "contributed"}
    by_member: dict[str, set[str]] = {}
    for iri, rec in contributed_facts.items():
        assert rec["sections"] == [] and rec["contributed"]["sheet"].startswith(ID + "sheet-activites-")
        by_member.setdefault(rec["contributed"]["member"], set()).add(iri)
    for member, (_, rows) in SHEETS.items():
        themed = [r for r in rows if r[5]]
        facts = by_member.get(ID + member, set())
        assert len(facts) == len(themed), member
        cells = res["matrices"]["themes"]["cells"][ID + member]
        assert facts <= {f for cell in cells.values() for f in cell["facts"]}, member


def test_a_contributed_row_keeps_its_member_partners_place_theme_and_partial_date(qkg, contributed) -> None:
    query = """SELECT ?kind ?date ?place (GROUP_CONCAT(DISTINCT STR(?p); separator=" ") AS ?ps) WHERE {
      ?a a qkg:ContributedActivity ; qkg:activityKind ?kind ; schema:startDate ?date ;
         prov:wasAttributedTo qkgd:mrif ; rdfs:label "Colloque d'essai"@fr ; qkg:participant ?p ; qkg:location ?place }
      GROUP BY ?kind ?date ?place"""
    out = json.loads(qkg("--data-dir", contributed, "query", query, "--format", "json").stdout)
    (row,) = out["results"]["bindings"]
    assert row["kind"]["value"] == ID + "kind-event"
    assert (row["date"]["value"], row["date"]["datatype"]) == ("2024-06", "http://www.w3.org/2001/XMLSchema#gYearMonth")
    assert row["place"]["value"] == ID + "lausanne"
    assert set(row["ps"]["value"].split()) == {ID + "mrif", ID + "ville-de-lausanne", ID + "nantes-metropole"}


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        (["2024-13-01", "mission", "", "", "", "", "MRIF", "s"], "date", "not a valid date"),
        (["2024-02-30", "mission", "", "", "", "", "MRIF", "s"], "date", "not a valid date"),
        (["le 3 mai", "mission", "", "", "", "", "MRIF", "s"], "date", "2024-05-14"),
        (["2024", "misison", "", "", "", "", "MRIF", "s"], "activité", "did you mean 'mission'"),
        (["2024", "mission", "", "Ville de Lausane", "", "", "MRIF", "s"], "partenaires", "did you mean"),
        (["2024", "mission", "", "", "Atlantide", "", "MRIF", "s"], "lieu", "no place named 'Atlantide'"),
        (["2024", "mission", "", "", "", "", "Ville de Bordeaux", "s"], "membre", "not a member of the committee"),
        (["2024", "mission", "", "", "", "", "MRIF", ""], "source", "is empty"),
    ],
)
def test_a_bad_row_gets_an_error_naming_its_row_and_column(qkg, tmp_path, row, column, says) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    good = ["2024", "mission", "", "", "", "", "MRIF", "s"]
    sheet = write_sheet(data / "2024" / "activites-x.csv", [good, row])
    proc = qkg("--data-dir", tmp_path / "qkg", "build", "-q", "--data", data, ok=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"{sheet}:3: column '{column}'" in proc.stderr and says in proc.stderr
    assert not (tmp_path / "qkg" / "current").exists()  # nothing published


def test_a_french_speaking_member_reads_the_errors_in_french(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    good = ["2024", "mission", "", "", "", "", "MRIF", "s"]
    sheet = write_sheet(
        data / "2024" / "activites-x.csv", [good, ["2024", "mission", "", "", "Atlantide", "", "MRIF", "s"]]
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QKG_LANG", "LC_ALL", "LC_MESSAGES")}
    proc = subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(tmp_path / "qkg"), "build", "-q", "--data", str(data)],
        capture_output=True,
        text=True,
        env=env | {"LANG": "fr_CA.UTF-8"},
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"{sheet}:3 : colonne 'lieu' : aucun lieu nommé 'Atlantide' dans le graphe" in proc.stderr, proc.stderr
    assert proc.stderr.startswith("Erreur :") and "Solution : vouliez-vous dire" in proc.stderr, proc.stderr


def test_an_unknown_column_is_named(qkg, tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    sheet = write_sheet(
        data / "2024" / "activites-y.csv",
        [["2024", "mission", "MRIF", "s", "x"]],
        header=["date", "activité", "membre", "source", "budget"],
    )
    proc = qkg("--data-dir", tmp_path / "qkg", "build", "-q", "--data", data, ok=False)
    assert f"{sheet}:1: unknown column 'budget'" in proc.stderr and "the columns are" in proc.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_template_itself_builds(qkg, tmp_path, suffix) -> None:
    template = tmp_path / f"activites{suffix}"
    qkg("template", "activities", "--out", template)
    out = qkg("--data-dir", tmp_path / "qkg", "build", "--add", template).stdout
    assert "SHACL conforms" in out


def test_the_analysis_page_offers_the_template(server) -> None:
    with server.client() as client:
        page = client.get("/analysis").text
        assert 'href="/api/templates/activities.xlsx"' in page
        r = client.get("/api/templates/activities.xlsx")
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        path = Path(__import__("tempfile").mkdtemp()) / "t.xlsx"
        path.write_bytes(r.content)
        header = next(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
        assert list(header) == HEADER


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("date,activité,intitulé,membre,source\n2024,mission," + "x" * 200_000 + ",MRIF,s\n", ":2: field larger"),
        ("date;activité;membre\n2024;mission;MRIF\n", ":1: missing column(s) source"),
        ("date,activité,intitulé,lieu,source\n2024,mission,x,Lyon,s\n", ":1: missing column(s) membre"),
    ],
    ids=["huge-cell", "semicolons-missing-column", "no-member-column"],
)
def test_hostile_sheets_get_an_error_naming_the_line(qkg, tmp_path, content, says) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    sheet = data / "2024" / "activites-z.csv"
    sheet.write_text(content, encoding="utf-8")
    proc = qkg("--data-dir", tmp_path / "qkg", "build", "-q", "--data", data, ok=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"{sheet}{says}" in proc.stderr
