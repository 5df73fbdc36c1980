"""CSV sheets for analysts: they become RDF that goes through the same checks, with errors naming the cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from qkg.graph.building.pipeline import build
from qkg.graph.errors import DataError
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.sources import discover
from qkg.loaders.tabular import records_to_ntriples, sheet_to_ntriples
from qkg.ontology import sparql_prefixes

MINI = Path(__file__).parent / "data" / "mini"
SHEET = """id,type,label@fr,label@en,altLabel@fr,qkg:jurisdiction,qkg:country,schema:startDate^^xsd:gYear,qkg:theme
t-city-d,qkg:City,Ville D,City D,,,qkgd:t-country-a,,
t-gov-d,LocalGovernment,"Administration D, centre",,AD | Admin D,qkgd:t-city-d,,2019,
"""


@pytest.fixture()
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    return folder


def test_a_sheet_builds_like_turtle(data, tmp_path):
    (data / "sheet.csv").write_text(SHEET, encoding="utf-8")
    result = build(discover(data), data_dir=tmp_path / "out", shacl=True)
    store = open_read_only(StoreLayout(tmp_path / "out").require_current())
    ask = (
        sparql_prefixes()
        + """ASK { GRAPH qkgd:graph-sheet {
        qkgd:t-gov-d a qkg:LocalGovernment ; rdfs:label "Administration D, centre"@fr ;
            skos:altLabel "AD"@fr , "Admin D"@fr ; qkg:jurisdiction qkgd:t-city-d ;
            schema:startDate "2019"^^xsd:gYear } }"""
    )
    assert store.ask(ask, union=False)
    # inference applies to the sheet's facts too
    assert bool(store.ask(sparql_prefixes() + "ASK { qkgd:t-gov-d a schema:GovernmentOrganization }"))
    assert result.shacl == "conforms"


@pytest.mark.parametrize(
    "name,text,line,fragment",
    [
        ("bad.csv", "type,id\n", 1, "first column must be 'id'"),
        ("bad.csv", "id,type,label@fr,foo:bar\nx,qkg:City,X,1\n", 1, "unknown prefix 'foo'"),
        ("bad.csv", "id,type,label@fr\nx,qkg:City,X\nx,qkg:City,Y\n", 3, "already used on line 2"),
        ("bad.csv", "id,type,label@fr\nx,qkg:City,X,extra,cells\n", 2, "cells for 3 columns"),
        ("bad.csv", "id,type,label@fr,label@en\nx,qkg:City,X\n", 2, "3 cells for 4 columns"),
        ("bad.csv", "id,label@fr,label@en\nx,X,X\n", 1, "no 'type' column; the columns are: id, label@fr"),
        ("bad.csv", "id;type;label@fr\nx;qkg:City;X\n", 1, "separated by ';', not by commas"),
        ("bad.csv", "id,type,label@fr\nnot an id,qkg:City,X\n", 2, "is not a local name"),
        ("bad.yaml", "id: x\n", 1, "must be a list of records"),
        ("bad.yaml", "- id: x\n  label@fr: X\n- label@fr: Y\n", 3, "a record without id"),
        ("bad.yaml", "- id: x\n  label@fr:\n    fr: X\n", 3, "holds a nested structure"),
        ("bad.yaml", "- id: x\n  label@fr: X\n  label@fr: Y\n", 3, "repeated (first on line 2)"),
        ("bad.yaml", "- id: x\n  type: qkg:City\n  foo:bar: 1\n", 3, "unknown prefix 'foo'"),
        ("bad.yaml", "- id: x\n  type: Local Government\n", 2, "not a class name"),
        ("bad.yaml", "- id: x\n- id: y\n- id: x\n", 3, "already used on line 1"),
        ("bad.yaml", "- id: x\n  label@fr: [a, b\n", 3, "expected ',' or ']'"),
        ("bad.yaml", "- just a string\n", 1, "must be a mapping"),
    ],
)
def test_sheet_and_record_errors_name_the_line_and_the_fix(tmp_path, name, text, line, fragment):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    convert = sheet_to_ntriples if name.endswith(".csv") else records_to_ntriples
    with pytest.raises(DataError) as info:
        convert(path)
    assert info.value.line == line and info.value.file == str(path)
    assert fragment in str(info.value) and info.value.hint


def test_a_broken_reference_in_a_sheet_names_its_row(data, tmp_path):
    (data / "sheet.csv").write_text(SHEET.replace("qkgd:t-city-d,,2019", "qkgd:t-city-dd,,2019"), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=out)
    assert info.value.file.endswith("sheet.csv") and info.value.line == 3
    assert "did you mean qkgd:t-city-d" in str(info.value)
    assert StoreLayout(out).current() is None


def test_quoted_cells_keep_their_newlines_and_lines_stay_right(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text(
        'id,type,label@fr,schema:description@fr\nx,qkg:City,X,"ligne 1\nligne 2"\ny,Local Government,Y,\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:  # the bad type is on the sheet's line 4
        sheet_to_ntriples(path)
    assert info.value.line == 4 and "not a class name" in str(info.value)
    path.write_text('id,type,label@fr,schema:description@fr\nx,qkg:City,X,"ligne 1\nligne 2"\n', encoding="utf-8")
    assert "ligne 1\\nligne 2" in sheet_to_ntriples(path).decode()


# -- YAML records: the same keys as a sheet's headers, one record per entity ------------------------------------

RECORDS = """# the same two entities as SHEET
- id: t-city-d
  type: qkg:City
  label@fr: Ville D
  label@en: City D
  qkg:country: qkgd:t-country-a
- id: t-gov-d
  type: LocalGovernment
  label@fr: "Administration D, centre"
  altLabel@fr: [AD, Admin D]
  qkg:jurisdiction: qkgd:t-city-d
  schema:startDate^^xsd:gYear: 2019
  qkg:theme: ~
"""


def test_yaml_records_give_the_same_triples_as_the_sheet(tmp_path):
    sheet, records = tmp_path / "s.csv", tmp_path / "r.yaml"
    sheet.write_text(SHEET, encoding="utf-8")
    records.write_text(RECORDS, encoding="utf-8")
    assert set(records_to_ntriples(records).splitlines()) == set(sheet_to_ntriples(sheet).splitlines())


def test_yaml_values_stay_text_typed_by_their_key(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text(
        "- id: x\n  type: qkg:City\n  label@fr: yes\n  schema:description: 2019-05-01\n"
        "  schema:startDate^^xsd:date: 2019-05-01\n",
        encoding="utf-8",
    )
    lines = records_to_ntriples(path).decode()
    assert '"yes"@fr' in lines  # not a YAML boolean
    assert '<https://schema.org/description> "2019-05-01" .' in lines  # not a YAML date
    assert '"2019-05-01"^^<http://www.w3.org/2001/XMLSchema#date>' in lines


def test_yaml_records_build_and_a_broken_reference_names_the_record(data, tmp_path):
    (data / "records.yaml").write_text(RECORDS, encoding="utf-8")
    out = tmp_path / "out"
    build(discover(data), data_dir=out, shacl=True)
    store = open_read_only(StoreLayout(out).require_current())
    assert bool(
        store.ask(
            sparql_prefixes()
            + """ASK { GRAPH qkgd:graph-records {
        qkgd:t-gov-d a qkg:LocalGovernment ; skos:altLabel "AD"@fr , "Admin D"@fr ;
            schema:startDate "2019"^^xsd:gYear } }""",
            union=False,
        )
    )
    del store
    (data / "records.yaml").write_text(RECORDS.replace("qkgd:t-city-d\n", "qkgd:t-city-dd\n"), encoding="utf-8")
    before = StoreLayout(out).current()
    with pytest.raises(DataError) as info:
        build(discover(data), data_dir=out)
    assert info.value.file.endswith("records.yaml") and info.value.line == 7  # the line of `- id: t-gov-d`
    assert "did you mean qkgd:t-city-d" in str(info.value)
    assert StoreLayout(out).current() == before  # the last good graph still serves
