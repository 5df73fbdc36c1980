"""Issue 11: every number, term of office, attendance mode, representation and section of the report as data.

Known-answer tests read the report's text at test time (it is never stored in the repository; set QKG_REPORT
when it is not at /work/shared/seeds/) and check each figure of the graph against it, then SPARQL over the
built graph answers each class of question from structured data. ``qkg audit --facts`` is tested on the 2024
graph (it passes) and on a copy with planted faults (it fails and names them).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.report import parse_annexes
from qkg.ontology import PREFIXES, sparql_prefixes

from tests.report_text import REPORT

ROOT = Path(__file__).resolve().parent.parent
WORDS = {
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "une dizaine": 10,
    "deuxième": 2,
    "troisième": 3,
}
MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        start=1,
    )
}


@pytest.fixture(scope="module")
def store(graph_2024):
    return open_read_only(StoreLayout(graph_2024).require_current())


@pytest.fixture(scope="module")
def text():
    if REPORT is None:
        pytest.skip("the 2024 report's text is not on this machine (set QKG_REPORT)")
    return " ".join(REPORT.read_text(encoding="utf-8").replace("**", "").split())  # no markdown bold


def select(store, query: str) -> list[dict]:
    rows = store.select(sparql_prefixes() + "\n" + query)
    return [{n: (row[i].value if row[i] is not None else None) for i, n in enumerate(rows.variables)} for row in rows]


def number(token: str) -> Decimal:
    token = token.strip().lower()
    if token in WORDS:
        return Decimal(WORDS[token])
    return Decimal(token.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))


def qkgd(iri: str) -> str:
    return PREFIXES["qkgd"] + iri


# ---- numbers --------------------------------------------------------------------------------------------
# Each stated count of the graph: the pattern that finds its number in the report, a multiplier for
# "millions", and the precision the report's wording gives it.
KNOWN_COUNTS = {
    "count-calgary-councillors": (r"Accueil de (deux) élus de Calgary", 1, "exact"),
    "count-winteractive-artworks": (r"exposition de (\d+) œuvres d'art public", 1, "exact"),
    "count-rdv-quebec-port-authorities": (None, 1, "exact"),  # the five names, checked below
    "count-rdv-foreign-port-countries": (None, 1, "exact"),  # the seven countries, checked below
    "count-bordeaux-sessions": (r"(une dizaine) de conférences virtuelles", 1, "about"),
    "count-uci-participants": (r"Quelque (\d+) participantes et participants internationaux sont attendus", 1, "about"),
    "count-uci-duration": (r"sur près d'(une) semaine", 1, "about"),
    "count-uci-impact": (r"estimées à ([\d,]+) millions de dollars", 1_000_000, "exact"),
    "count-boston-executives": (r"avec (six) hauts représentants d'entreprises", 1, "exact"),
    "count-aivp-conference-participants": (r"devant les (\d+) congressistes", 1, "exact"),
    "count-sante-durable-participants": (r"réuni plus de (\d+) décideuses", 1, "more-than"),
    "count-sante-durable-specialists": (r"accueilli (six) spécialistes internationaux", 1, "exact"),
    "count-sante-durable-specialist-countries": (None, 1, "exact"),  # the three countries, checked below
    "count-comite-objectives": (r"poursuivre essentiellement (trois) objectifs", 1, "exact"),
    "count-mission-report-deadline": (r"tout au plus, (six) semaines après la fin", 1, "at-most"),
    "count-carbon-2023-emissions": (r"l'équivalent de (\d+) tonnes de CO", 1, "exact"),
    "count-carbon-2023-cost": (r"frais de ([\d \u202f\xa0]+,\d\d) \\?\$ avant taxes", 1, "exact"),
}
PRECISION_WORDS = {
    "about": ("une dizaine", "quelque", "près d'"),
    "more-than": ("plus de",),
    "at-most": ("tout au plus",),
}


def graph_counts(store) -> dict[str, dict]:
    rows = select(
        store,
        """SELECT ?c ?value ?precision ?forecast WHERE {
        ?c a qkg:Count ; qkg:countValue ?value ; qkg:precision/skos:notation ?precision .
        OPTIONAL { ?c qkg:forecast ?forecast } }""",
    )
    return {r["c"].rsplit("/", 1)[-1]: r for r in rows}


def test_every_stated_count_has_a_known_answer(store):
    assert set(graph_counts(store)) == set(KNOWN_COUNTS)


@pytest.mark.parametrize("name", sorted(KNOWN_COUNTS))
def test_count_matches_the_report(store, text, name):
    pattern, scale, precision = KNOWN_COUNTS[name]
    row = graph_counts(store)[name]
    assert row["precision"] == precision
    if pattern is None:
        pytest.skip("checked by the list test below")
    m = re.search(pattern, text)
    assert m, f"the report no longer says {pattern!r}"
    assert Decimal(row["value"]) == number(m.group(1)) * scale
    phrase = m.group(0).lower()
    for other, words in PRECISION_WORDS.items():  # the wording and the precision agree
        assert any(w in phrase for w in words) == (other == precision), (other, phrase)


def _named_list(text: str, pattern: str) -> list[str]:
    body = re.search(pattern, text).group(1)
    return [p.strip() for p in re.split(r",\s*|\s+et\s+", body) if p.strip()]


def test_group_members_and_origins_match_the_report(store, text):
    ports = _named_list(text, r"autorités portuaires du Québec \(([^)]*)\)")
    members = select(
        store,
        """SELECT ?label WHERE { qkgd:group-rdv-quebec-port-authorities foaf:member ?m .
        ?m rdfs:label ?label . FILTER(lang(?label) = 'fr') }""",
    )
    assert len(members) == len(ports) == int(graph_counts(store)["count-rdv-quebec-port-authorities"]["value"])
    flat = " ".join(r["label"] for r in members).replace(" et de la ", " ").replace(" du ", " ")
    assert all(p.replace(" Gaspésie", "") in flat for p in ports)
    foreign = _named_list(text, r"portuaires du Québec \([^)]*\), (de l'Australie.*?du Maroc)")
    origins = select(store, "SELECT ?c WHERE { qkgd:group-rdv-foreign-port-authorities qkg:origin ?c }")
    assert len(foreign) == len(origins) == int(graph_counts(store)["count-rdv-foreign-port-countries"]["value"]) == 7
    specialists = _named_list(text, r"spécialistes internationaux (de Belgique, de France et de Suisse)")
    origins = select(store, "SELECT ?c WHERE { qkgd:group-sante-durable-specialists qkg:origin ?c }")
    assert (
        len(specialists)
        == len(origins)
        == int(graph_counts(store)["count-sante-durable-specialist-countries"]["value"])
    )


def test_counts_answer_by_sparql(store):
    rows = select(
        store,
        """SELECT ?activity ?value WHERE { ?activity a qkg:Activity ; qkg:count ?c .
        ?c qkg:counted qkgd:counted-participants ; qkg:countValue ?value } ORDER BY DESC(?value)""",
    )
    assert [(r["activity"].rsplit("/", 1)[-1], int(Decimal(r["value"]))) for r in rows] == [
        ("aivp-world-conference-2024", 400),
        ("forum-uci-bike-city-2026", 250),
        ("reception-strategic-04", 150),
    ]
    total = select(
        store,
        """SELECT (SUM(?v) AS ?t) WHERE { ?p qkg:count ?c . ?c qkg:counted qkgd:counted-members ;
        qkg:unit qkgd:unit-person ; qkg:countValue ?v }""",
    )
    assert Decimal(total[0]["t"]) == 2 + 6 + 6  # Calgary officials, Boston executives, santé durable specialists


def test_exact_figures_are_not_described_as_approximate(store):
    rows = select(
        store,
        """SELECT ?s ?value ?text WHERE { ?s qkg:count ?c . ?c qkg:precision qkgd:precision-exact ;
        qkg:countValue ?value . ?s schema:description ?text }""",
    )
    assert rows
    for r in rows:
        v = str(int(Decimal(r["value"]))) if Decimal(r["value"]) == int(Decimal(r["value"])) else r["value"]
        assert not re.search(rf"\b(quelque|environ|près de|about|some|nearly|around) {v}\b", r["text"]), r


# ---- terms of office ------------------------------------------------------------------------------------
def test_ovpm_chair_terms_match_the_report(store, text):
    m = re.search(r"réélu pour la (\w+) fois en tant que président de l'OVPM en (\w+) (\d{4})", text)
    assert m
    term = WORDS[m.group(1)] + 1  # re-elected for the n-th time: term n + 1
    start = f"{m.group(3)}-{MONTHS[m.group(2)]:02d}"
    rows = select(
        store,
        """SELECT ?m ?order ?start ?renews WHERE {
        ?m org:member qkgd:maire-de-quebec ; org:organization qkgd:ovpm-board ; org:role qkgd:role-chair ; qkg:termOrder ?order .
        OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDgYearMonth ?start }
        OPTIONAL { ?m qkg:renews ?renews } } ORDER BY ?order""",
    )
    assert [int(r["order"]) for r in rows] == list(range(1, term + 1))
    assert rows[-1]["start"] == start and all(r["start"] is None for r in rows[:-1])
    assert rows[0]["renews"] is None  # only the first term is a first start
    assert [r["renews"] for r in rows[1:]] == [r["m"] for r in rows[:-1]]
    since = select(
        store,
        """SELECT ?start WHERE { ?m org:organization qkgd:ovpm-board ; org:role qkgd:role-chair ;
        org:memberDuring/time:hasBeginning/time:inXSDgYearMonth ?start . FILTER NOT EXISTS { ?later qkg:renews ?m } }""",
    )
    assert [r["start"] for r in since] == [start]


def test_committee_coordination_starts_when_the_report_says(store, text):
    m = re.search(r"la Ville coordonne depuis (\w+) (\d{4})", text)
    rows = select(
        store,
        """SELECT ?start WHERE { ?m org:member qkgd:ville-de-quebec ; org:role qkgd:role-coordinator ;
        org:memberDuring/time:hasBeginning/time:inXSDgYearMonth ?start }""",
    )
    assert [r["start"] for r in rows] == [f"{m.group(2)}-{MONTHS[m.group(1)]:02d}"]


# ---- attendance modes -----------------------------------------------------------------------------------
def test_attendance_modes_match_the_report(store, text):
    modes = {
        r["a"].rsplit("/", 1)[-1]: r["mode"].rsplit("/", 1)[-1]
        for r in select(store, "SELECT ?a ?mode WHERE { ?a schema:eventAttendanceMode ?mode }")
    }
    assert "conférences virtuelles entre les équipes de Québec" in text
    assert modes["bordeaux-virtual-conferences-2024"] == "OnlineEventAttendanceMode"
    assert re.search(r"est membre, en personne ou en virtuel", text)
    assert modes["figure-forum-participations"] == "MixedEventAttendanceMode"
    receptions = int(re.search(r"(\d+) accueils à Québec", text).group(1))
    offline = select(
        store,
        """SELECT (COUNT(?r) AS ?n) WHERE { ?r a qkg:Reception ;
        schema:eventAttendanceMode schema:OfflineEventAttendanceMode }""",
    )
    assert int(offline[0]["n"]) == receptions
    # every forum meeting a mission travelled to was attended in person
    missed = select(
        store,
        """SELECT ?x WHERE { ?l qkg:legPurpose ?x . ?x a qkg:NetworkMeeting .
        FILTER NOT EXISTS { ?x schema:eventAttendanceMode schema:OfflineEventAttendanceMode } }""",
    )
    assert missed == []
    # where the report says nothing, nothing is stated
    assert "boston-business-meetings-2024" not in modes and "aimf-urbanism-colloquium-2024" not in modes


# ---- representations ------------------------------------------------------------------------------------
def test_representations_in_the_partners_list_are_typed(store):
    if REPORT is None:
        pytest.skip("the 2024 report's text is not on this machine (set QKG_REPORT)")
    items = [i for i in parse_annexes(REPORT.read_text(encoding="utf-8")) if i.annex == "partners"]
    rows = select(
        store,
        """SELECT ?item ?o ?kind ?foreign ?represents WHERE {
        ?e a qkg:PartnerEntry ; qkg:annexItem ?item ; qkg:partnerOrganisation ?o .
        OPTIONAL { ?o a ?kind . VALUES ?kind { qkg:ConsularPost qkg:Embassy qkg:GeneralDelegation qkg:ConsularCorps
                                              qkg:QuebecGovernmentOffice } }
        BIND(EXISTS { ?o a qkg:ForeignRepresentation } AS ?foreign)
        OPTIONAL { ?o qkg:represents ?represents } }""",
    )
    by_item = {}
    for r in rows:
        by_item.setdefault(int(r["item"]), []).append(r)
    expected = {
        r"^Consulat général": "ConsularPost",
        r"^Délégation générale": "GeneralDelegation",
        r"^Corps consulaire": "ConsularCorps",
        r"^Délégation du Québec": "QuebecGovernmentOffice",
    }
    seen = 0
    for item in items:
        for pattern, kind in expected.items():
            if re.search(pattern, item.text):
                seen += 1
                (row,) = by_item[item.number]
                assert row["kind"] == PREFIXES["qkg"] + kind, item.text
                assert (row["foreign"] == "true") == (kind != "QuebecGovernmentOffice"), item.text
                if kind == "QuebecGovernmentOffice":
                    assert row["represents"] == qkgd("gouvernement-du-quebec")
                elif kind != "ConsularCorps":
                    assert row["represents"], item.text
    assert seen == 6  # 2 consulates general, 1 general delegation, 1 consular corps, 2 Québec offices


def test_each_consulate_represents_the_government_of_the_country_it_names(store):
    rows = select(
        store,
        """SELECT ?o ?label ?country WHERE { ?o a qkg:ConsularPost ; rdfs:label ?label ;
        qkg:represents/qkg:jurisdiction ?c . ?c a qkg:Country ; rdfs:label ?country .
        FILTER(lang(?label) = 'fr' && lang(?country) = 'fr') }""",
    )
    assert len(rows) == 4
    for r in rows:  # "Consulat général du Canada à São Paulo" names Canada, etc.
        name = unicodedata.normalize("NFC", r["label"])
        assert re.search(rf"\b(de |du |des |d')(la |l')?{re.escape(r['country'])}", name), r


def test_every_actor_reaches_a_country(store):
    rows = select(
        store,
        """SELECT ?a WHERE { ?a a ?t . VALUES ?t { qkg:Organisation qkg:Group qkg:Post qkg:Person }
        FILTER NOT EXISTS { ?a (qkg:jurisdiction|qkg:basedIn|org:unitOf|org:postIn|qkg:origin|qkg:represents|org:holds
                                |foaf:member|org:memberOf)+/qkg:country* ?c . ?c a qkg:Country } }""",
    )
    # the companies and organisations that went with the mayor to Boston: the report says nothing of where they are
    assert [r["a"] for r in rows] == [qkgd("group-mission-01-delegation")]


# ---- the introduction, rules, objectives, firsts --------------------------------------------------------
def test_introduction_matches_the_report(store, text):
    assert "capitale nationale du Québec" in text
    functions = re.search(r"lieu privilégié et prioritaire pour : (.*?) En adoptant", text).group(1)
    rows = select(
        store,
        """SELECT ?kind (COUNT(DISTINCT ?f) AS ?functions) WHERE { ?d a qkg:Designation ;
        qkg:designee qkgd:quebec ; qkg:designationKind/skos:notation ?kind . OPTIONAL { ?d qkg:privilegedFor ?f } }
        GROUP BY ?kind""",
    )
    kinds = {r["kind"]: int(r["functions"]) for r in rows}
    assert kinds == {
        "national-capital": functions.count(";") + 1 - functions.endswith(";"),
        "world-heritage": 0,
        "creative-city": 0,
    }
    assert kinds["national-capital"] == 3
    unesco = select(store, "SELECT ?d WHERE { ?d qkg:designatedBy qkgd:unesco }")
    assert len(unesco) == ("site du patrimoine mondial" in text) + ("ville créative de l'UNESCO" in text)
    year = re.search(r"vision présentée à l'automne (\d{4})", text).group(1)
    vision = select(
        store,
        """SELECT ?issued ?axis WHERE { ?v a qkg:Policy ; qkg:adoptedBy qkgd:ville-de-quebec ;
        dct:issued ?issued ; qkg:hasAxis/skos:prefLabel ?axis . FILTER(lang(?axis) = 'fr') }""",
    )
    assert {r["issued"] for r in vision} == {year}
    cover = re.search(r"Rapport des actions internationales de 2024 (\w+) (\w+) (\w+)", text).groups()
    assert {r["axis"].upper() for r in vision} == set(cover)
    # the report dates the Vision, not the office's relaunch
    assert select(store, "SELECT ?d WHERE { qkgd:bri schema:startDate ?d }") == []
    assert not any(
        "2022" in r["t"]
        for r in select(store, "SELECT ?t WHERE { qkgd:bri schema:description ?t }")
        if "Vision" not in r["t"]
    )


def test_rules_match_the_report(store, text):
    rules = {
        r["kind"]: r
        for r in select(
            store,
            """SELECT ?kind ?frequency ?by (COUNT(?out) AS ?outside) WHERE {
        ?r a qkg:Rule ; qkg:ruleKind/skos:notation ?kind . OPTIONAL { ?r qkg:frequency ?frequency }
        OPTIONAL { ?r qkg:authorisedBy ?by } OPTIONAL { ?r qkg:appliesOutside ?out } } GROUP BY ?kind ?frequency ?by""",
        )
    }
    assert "publication trimestrielle des dépenses" in text and rules["expense-publication"]["frequency"] == "P3M"
    assert "sommaire décisionnel autorisé par le comité exécutif" in text
    assert rules["travel-authorisation"]["by"] == qkgd("comite-executif")
    assert int(rules["travel-authorisation"]["outside"]) == len(
        re.search(r"déplacements à l'extérieur (du Québec et du Canada)", text).group(1).split(" et ")
    )
    year = re.search(r"les déplacements de (\d{4}) ont entraîné", text).group(1)
    assert select(store, "SELECT ?y WHERE { qkgd:carbon-offset-2023 qkg:referenceYear ?y }") == [{"y": year}]
    assert set(rules) == {"expense-publication", "mission-report", "travel-authorisation", "carbon-offset"}


def test_committee_objectives_match_the_report(store, text):
    block = re.search(r"trois objectifs : (.*?) Première activité", text).group(1)
    rows = select(
        store,
        """SELECT ?rank WHERE { qkgd:comite-quebec-capitale-internationale qkg:objective ?o .
        ?o qkg:rank ?rank } ORDER BY ?rank""",
    )
    assert [int(r["rank"]) for r in rows] == list(range(1, block.count("- ") + 1)) == [1, 2, 3]


CLAIMS = {  # claim -> (the report's wording, the scope the graph must give)
    "claim-uci-first-in-americas": (r"comme première ville des Amériques", "ameriques"),
    "claim-aivp-first-office-north-america": (
        r"première représentation permanente de l'AIVP pour l'Amérique",
        "amerique-du-nord",
    ),
    "claim-first-joint-activity": (r"première activité conjointe du comité", "comite-quebec-capitale-internationale"),
    "claim-cradle-francophonie": (r"berceau de la francophonie en Amérique du Nord", "amerique-du-nord"),
}


def test_claims_of_firsts_match_the_report(store, text):
    rows = select(store, "SELECT ?c ?scope WHERE { ?c a qkg:FirstClaim ; qkg:claimScope ?scope }")
    scopes = {}
    for r in rows:
        scopes.setdefault(r["c"].rsplit("/", 1)[-1], set()).add(r["scope"].rsplit("/", 1)[-1])
    assert set(scopes) == set(CLAIMS)
    for name, (pattern, scope) in CLAIMS.items():
        assert re.search(pattern, text), pattern
        assert scope in scopes[name]


def test_fixed_facts_stay_fixed(store):
    # the report names no participant in the Boston and Massachusetts learning visits: they were observed
    rows = select(
        store,
        """SELECT ?a ?who WHERE { VALUES ?a { qkgd:learning-visit-boston-2024 qkgd:learning-visit-massachusetts-2024 }
        ?a qkg:participant ?who . FILTER(?who != qkgd:ville-de-quebec) }""",
    )
    assert rows == []
    # what an office abroad is lives in the background graph only
    rows = select(
        store, """SELECT ?g WHERE { GRAPH ?g { qkgd:delegation-du-quebec-a-chicago schema:description ?d } }"""
    )
    assert {r["g"].rsplit("/", 1)[-1] for r in rows} == {"graph-background-organisations"}


# ---- SHACL and the fact audit ---------------------------------------------------------------------------
def qkg_cli(data_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", "--data-dir", str(data_dir), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fact_audit_passes_on_the_2024_graph(graph_2024):
    proc = qkg_cli(graph_2024, "audit", "--facts", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["counts"] == {"no-section": 0, "background-subject": 0} and out["problems"] == []
    assert len(out["report_graphs"]) >= 12


def test_fact_audit_finds_planted_faults(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with open(data / "2024" / "events.ttl", "a", encoding="utf-8") as f:
        f.write(
            "\nqkgd:mission-2024-03 qkg:theme qkgd:theme-culture .\n"
            'qkgd:allemagne qkg:wikidata "Q183" ; prov:wasDerivedFrom qkgd:bri-2024-radiate .\n'
        )
    store_dir = tmp_path / "store"
    built = qkg_cli(store_dir, "build", "--data", data, "--no-shacl", "--no-diff", "-q")
    assert built.returncode == 0, built.stderr
    proc = qkg_cli(store_dir, "audit", "--facts")
    assert proc.returncode == 1
    assert "qkgd:graph-2024-events: qkgd:mission-2024-03 qkg:theme qkgd:theme-culture" in proc.stdout
    assert "background-subject" in proc.stdout and "qkgd:allemagne qkg:wikidata Q183" in proc.stdout
    assert "prov:wasDerivedFrom" in proc.stderr  # the fix is named


def test_shapes_reject_malformed_issue_11_facts(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        """@prefix qkg: <https://w3id.org/qkg/def#> . @prefix qkgd: <https://w3id.org/qkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> . @prefix schema: <https://schema.org/> .
qkgd:bad-count a qkg:Count ; rdfs:label "x"@fr ; qkg:countValue 3 ; qkg:counted qkgd:counted-members ;
    qkg:unit qkgd:unit-person ; prov:wasDerivedFrom qkgd:bri-2024-radiate .
qkgd:bad-term a org:Membership ; rdfs:label "x"@fr ; org:member qkgd:maire-de-quebec ; org:organization qkgd:ovpm ;
    org:role qkgd:role-chair ; qkg:termOrder 1 ; qkg:renews qkgd:membership-ovpm ; prov:wasDerivedFrom qkgd:bri-2024-radiate .
qkgd:bad-office a qkg:QuebecGovernmentOffice ; rdfs:label "x"@fr ; qkg:basedIn qkgd:chicago ;
    prov:wasDerivedFrom qkgd:bri-2024-annex-partners .
qkgd:reception-courtesy-01 schema:eventAttendanceMode qkgd:cat-courtesy .
""",
        encoding="utf-8",
    )
    proc = qkg_cli(tmp_path / "store", "build", "--add", bad, "--shacl", "--no-diff", "-q")
    assert proc.returncode != 0
    for message in (
        "needs exactly one qkg:precision",
        "cannot be a first term",
        "represents qkgd:gouvernement-du-quebec",
        "schema:eventAttendanceMode must be one of",
    ):
        assert message in proc.stderr, message
