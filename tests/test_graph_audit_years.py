"""The audit keeps the years apart: each headline figure is measured against the details of its own report year.

A second year is made up at test time (never committed): ``data/2025/`` is ``data/2024/`` with "2024" turned
into "2025" in every name (so the missions, meetings and two of the agreements get their own IRIs, as a drafted
year's do, while the receptions, partner entries and figures keep theirs), those two agreements starting in 2025,
and the last courtesy reception left out. Before
years were audited apart, this build measured "Missions: stated 8, measured 16" for both figures, the 2025
"new agreements" with 2024's agreements, and no finding said its year.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict

import pytest
from qkg.graph.building.audit import audit
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.sources import default_data_root

YEARS = ("2024", "2025")


@pytest.fixture(scope="module")
def audit_years(tmp_path_factory) -> dict:
    """data/2024, a made-up data/2025 and the background, built together (the real build and its artefacts)."""
    from qkg.api.prepared import ARTEFACTS
    from qkg.graph.building.pipeline import build
    from qkg.loaders.sources import discover

    root = tmp_path_factory.mktemp("audit-years")
    data = root / "data"
    shutil.copytree(default_data_root() / "2024", data / "2024")
    shutil.copytree(default_data_root() / "background", data / "background")
    (data / "2025").mkdir()
    for path in (data / "2024").glob("*.ttl"):
        # the year's own names (its graphs, sections, missions, meetings, agreements...), not its literals
        text = re.sub(r"(qkgd:[\w-]*?)2024", r"\g<1>2025", path.read_text(encoding="utf-8"))
        # the agreements renamed for 2025 start in 2025 (the others, shared by both years, keep their dates)
        text = re.sub(r'(qkgd:agreement-[\w-]*2025[\w-]* a [^.]*?startDate )"2024"', r'\1"2025"', text)
        # a term of office is a blank-node interval: 2025 restates the memberships without theirs (SHACL)
        text = re.sub(r"^\s*org:memberDuring \[.*\] ;\n", "", text, flags=re.M)
        (data / "2025" / path.name).write_text(text, encoding="utf-8")
    receptions = data / "2025" / "receptions.ttl"
    text = receptions.read_text(encoding="utf-8")
    last = max(int(n) for n in re.findall(r"^qkgd:reception-courtesy-(\d+) a", text, re.M))
    block = re.search(rf"^qkgd:reception-courtesy-{last:02d} a .*?\.\n", text, re.S | re.M)
    receptions.write_text(text.replace(block.group(0), ""), encoding="utf-8")
    out = root / "built"
    build(discover(data), data_dir=out, shacl=True, artefacts=ARTEFACTS)
    return {"data": data, "built": out}


def _store(path):
    return open_read_only(StoreLayout(path).require_current())


def _by_year(findings) -> dict:
    return {(f["year"], f["indicator"]): f for f in findings}


def test_each_figure_is_measured_against_its_own_year(audit_years) -> None:
    findings = [asdict(f) for f in audit(_store(audit_years["built"]))]
    assert {f["year"] for f in findings} == set(YEARS)
    got = _by_year(findings)
    assert len(got) == len(findings) == 24  # the twelve figures of each year, each once
    for year in YEARS:
        missions = got[(year, "missions")]
        assert (missions["stated"], missions["measured"], missions["verdict"]) == (8, 8, "agrees"), year
        for key in ("receptions-collaboration", "receptions-strategic", "mission-countries", "forums"):
            assert got[(year, key)]["verdict"] == "agrees", (year, key)
        partners = got[(year, "external-partners")]
        assert (partners["measured"], partners["details"]["organisations"]) == (27, 28), year
        cities = got[(year, "mission-cities")]
        assert (cities["measured"], cities["details"]["stops"]) == (13, 14), year
        # each year's figure lists its own three agreements, and is measured by the agreements of its year
        agreements = got[(year, "new-agreements")]
        assert agreements["details"]["listed_with_the_figure"] == 3, year
        assert f"entered in {year}" in agreements["reason"] and agreements["params"]["year"] == year
    # 2024: four agreements entered in 2024, one not listed; 2025: the two renamed ones (the others start in 2024)
    agreements = got[("2024", "new-agreements")]
    assert (agreements["measured"], agreements["verdict"]) == (4, "ambiguous")
    assert agreements["details"]["not_in_the_list"] == [
        "Partenariat territorial Québec–Lausanne–Nantes Métropole sur la santé durable"
    ]
    agreements = got[("2025", "new-agreements")]
    assert (agreements["measured"], agreements["verdict"]) == (2, "ambiguous")
    assert agreements["details"]["city_agreements_starting_2025"] == 2 and not agreements["details"]["not_in_the_list"]
    # 2025 left out its last courtesy reception: its figure disagrees, 2024's still agrees
    assert [got[("2024", key)]["verdict"] for key in ("receptions", "receptions-courtesy")] == ["agrees", "agrees"]
    courtesy = got[("2025", "receptions-courtesy")]
    assert (courtesy["stated"], courtesy["measured"], courtesy["verdict"]) == (10, 9, "disagrees")
    receptions = got[("2025", "receptions")]
    assert (receptions["stated"], receptions["measured"], receptions["verdict"]) == (21, 20, "disagrees")


def test_a_second_year_leaves_the_first_years_findings_as_they_were(audit_years, graph_2024) -> None:
    alone = [asdict(f) for f in audit(_store(graph_2024))]
    assert {f["year"] for f in alone} == {"2024"}
    assert [asdict(f) for f in audit(_store(audit_years["built"]), year="2024")] == alone


def test_the_cli_names_each_findings_year(audit_years, qkg) -> None:
    built = audit_years["built"]
    lines = [line for line in qkg("--data-dir", built, "audit").stdout.splitlines() if line[:1].isupper()]
    assert len(lines) == 24
    for year in YEARS:
        assert sum(f" {year} Missions: stated 8, measured 8" in line for line in lines) == 1, year
    assert not any("measured 16" in line for line in lines)
    data = json.loads(qkg("--data-dir", built, "audit", "--format", "json", "--year", "2025").stdout)
    assert {f["year"] for f in data} == {"2025"} and len(data) == 12
    bad = qkg("--data-dir", built, "audit", "--year", "1800", ok=False)
    assert bad.returncode != 0 and "1800" in bad.stderr and "2024, 2025" in bad.stderr


@pytest.fixture
def client(audit_years, monkeypatch):
    import qkg.api.app
    from fastapi.testclient import TestClient
    from qkg.api.app import create_app
    from qkg.api.config import Settings

    # the app ends its process after a shutdown that leaves a thread running: not this test session's
    monkeypatch.setattr(qkg.api.app, "_exit_after", lambda seconds: None)
    with TestClient(create_app(Settings(data_dir=audit_years["built"])), base_url="http://127.0.0.1") as c:
        yield c


def test_the_api_and_the_home_page_give_each_findings_year(client) -> None:
    every = client.get("/api/audit").json()
    assert len(every) == 24 and {f["year"] for f in every} == set(YEARS)
    assert _by_year(every)[("2025", "missions")]["measured"] == 8
    one = client.get("/api/audit", params={"year": "2025"}).json()
    assert one == [f for f in every if f["year"] == "2025"] and len(one) == 12
    bad = client.get("/api/audit", params={"year": "1800"})
    assert bad.status_code == 400 and "2024, 2025" in bad.json()["hint"]

    page = client.get("/", params={"lang": "en"}).text
    table = page[page.index('id="audit"') :]
    assert '<th scope="col">Report year</th>' in table
    rows = re.findall(r'<tr data-year="(\d{4})"><td>([^<]*)</td><td class="num">(\d{4})</td>', table)
    assert len(rows) == 24 and all(a == b for a, _, b in rows)
    assert {(y, label) for y, label, _ in rows if label == "Missions"} == {("2024", "Missions"), ("2025", "Missions")}

    page = client.get("/", params={"lang": "fr", "year": "2025"}).text
    table = page[page.index('id="audit"') :]
    assert set(re.findall(r'<tr data-year="(\d{4})"', table)) == {"2025"}
    assert len(re.findall(r"<tr data-year=", table)) == 12
    assert "Chaque chiffre clé du rapport de 2025" in table and "Année du rapport</th>" not in table
