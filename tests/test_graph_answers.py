"""The canned queries whose whole answer the build keeps (``# prepared: yes``, :mod:`qkg.graph.pages.answers`):
each page read from the build's ``canned-answers`` artefact is the page the query itself gives, on the 2024
graph and on a synthetic graph of twelve years, for every year, each language and pages of several sizes."""

from __future__ import annotations

import json

import pytest
from qkg.graph.pages.answers import PreparedAnswers, prepared_queries, tsv_to
from qkg.graph.pages.catalog import bind, load_catalog, paged
from qkg.graph.pages.years import build_years
from qkg.graph.serving import terms
from qkg.graph.serving.store import StoreLayout, open_read_only

from tests.viz_support import built_store


def _bindings(doc: dict) -> list[dict]:
    """The rows of a SPARQL JSON answer; a cell joining several names (``GROUP_CONCAT``, whose order SPARQL
    leaves open) as the sorted list of its names."""
    rows = doc["results"]["bindings"]
    for row in rows:
        if "partyNames" in row:
            row["partyNames"]["value"] = sorted(row["partyNames"]["value"].split(" ; "))
    return rows


@pytest.fixture(scope="module", params=["2024", "synth-20k"])
def built(request, graph_2024):
    data_dir = graph_2024 if request.param == "2024" else built_store("synth-20k")
    path = StoreLayout(data_dir).require_current()
    return open_read_only(path), PreparedAnswers.open(path / "qkg-artefacts" / "canned-answers.sqlite")


def test_the_slow_sorted_queries_are_prepared():
    assert {q.name for q in prepared_queries(load_catalog())} == set(PREPARED)


#: The queries the build prepares: the four that sort every row before their first page (made from their facts),
#: and five whose whole answer took 0.9-1.9 s of CPU at 1M (run whole by the build).
PREPARED = [
    "mission-cities",
    "mission-countries",
    "agreements",
    "upcoming",
    "offices-and-terms",
    "agreements-multiparty",
    "city-status",
    "missions-by-leader",
    "receptions-by-category",
]


@pytest.mark.parametrize("name", PREPARED)
def test_prepared_pages_are_the_query_pages(request, built, name):
    store, answers = built
    query = load_catalog()[name]
    years = build_years(store)
    langs = ["fr", "en"] if any(p.type == "lang" for p in query.params) else [None]
    for lang in langs:
        counts = {}
        for year in [None, years[0], years[-1]]:
            values = {k: v for k, v in {"year": year, "lang": lang}.items() if v}
            bindings = bind(query, values, years=years)
            whole = answers.page(name, bindings, limit=5000, offset=0)
            assert whole is not None, (name, values)
            counts[year] = whole[1]
            for limit, offset in [(5000, 0), (7, 0), (7, 7), (3, max(whole[1] - 2, 0)), (5, whole[1] + 1)]:
                rows = store.select(paged(query.sparql, limit, offset), bindings=bindings)
                want = json.loads(terms.solutions_bytes(list(rows.variables), rows, terms.QueryResultsFormat.JSON))
                body, count = answers.page(name, bindings, limit=limit, offset=offset)
                got = json.loads(tsv_to(body, "json"))
                assert got["head"] == want["head"]
                assert _bindings(got) == _bindings(want), (name, values, limit, offset)
                assert count == len(want["results"]["bindings"])
        # the every-year answer has rows, and so does one year at least (the first year of the synthetic graph
        # plans nothing after 2024; it states no designation, policy or first: city-status is empty there)
        if name == "city-status" and request.node.callspec.params["built"] != "2024":
            assert counts[None] == 0
            continue
        assert counts[None] > 0 and max(counts[years[0]], counts[years[-1]]) > 0, (name, counts)


def test_an_answer_the_build_did_not_prepare_is_not_made_up(built):
    _store, answers = built
    other_lang = {terms.Variable("lang"): terms.Literal("de")}
    assert answers.page("agreements", other_lang, limit=5, offset=0) is None
    # upcoming is prepared for its default (after 2024), not for another year
    upcoming = load_catalog()["upcoming"]
    assert answers.page("upcoming", bind(upcoming, {}), limit=5, offset=0) is not None
    assert answers.page("upcoming", bind(upcoming, {"after": "2023"}), limit=5, offset=0) is None
    assert answers.page("twinned-cities", {}, limit=5, offset=0) is None


# A graph of the cases the prepared answers must get as the queries do (each named in a comment): two report
# years, a fact restated in both, unbound and multiple values, names missing in a language, start dates of
# three datatypes, and nodes that lack a type or a French name.
_EDGE_CASES = """
@prefix qkg: <https://w3id.org/qkg/def#> . @prefix qkgd: <https://w3id.org/qkg/id/> .
@prefix schema: <https://schema.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix gist: <https://w3id.org/semanticarts/ns/ontology/gist/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
qkgd:g24 dct:temporal "2024"^^xsd:gYear . qkgd:g25 dct:temporal "2025"^^xsd:gYear .
qkgd:g24 {
  # an agreement of both years (restated below), a type, a facilitator, a party with no English name
  qkgd:a1 a gist:Agreement ; rdfs:label "Entente un"@fr, "Agreement one"@en ; schema:startDate "2015"^^xsd:gYear ;
    qkg:agreementType qkgd:type1 ; qkg:facilitator qkgd:f1 ; qkg:party qkgd:p1, qkgd:p2 .
  # no label, a full date; its only other party has no French name (not counted)
  qkgd:a2 a gist:Agreement ; schema:startDate "2015-03-01"^^xsd:date ; qkg:party qkgd:p2, qkgd:p3 .
  # only parties without a French name: no row
  qkgd:a3 a gist:Agreement ; rdfs:label "Entente trois"@fr ; qkg:party qkgd:p3 .
  # two French labels and two starts (one row each), an end
  qkgd:a4 a gist:Agreement ; rdfs:label "Entente quatre"@fr, "Autre nom"@fr ;
    schema:startDate "2015"^^xsd:gYear, "2015-01-01"^^xsd:date ; schema:endDate "2020"^^xsd:gYear ;
    qkg:party qkgd:p4, qkgd:p5 .
  # no start; a party's English name reads as another's French one (two names, not one)
  qkgd:a5 a gist:Agreement ; rdfs:label "Entente cinq"@fr ; qkg:party qkgd:p5, qkgd:p6 .
  # a start of year and month; the label of another agreement (the IRI breaks the tie)
  qkgd:a6 a gist:Agreement ; rdfs:label "Entente un"@fr ; schema:startDate "2015-03"^^xsd:gYearMonth ;
    qkg:party qkgd:p1 .
  # not a gist:Agreement: no row
  qkgd:x1 rdfs:label "Pas une entente"@fr ; qkg:party qkgd:p1 .
  # trips: t1 and t2 count, t3 is no schema:Event
  qkgd:t1 a schema:Trip, schema:Event ; prov:wasDerivedFrom qkgd:s1 ; schema:itinerary qkgd:c1, qkgd:c2, qkgd:c3 .
  qkgd:t2 a schema:Trip, schema:Event ; prov:wasDerivedFrom qkgd:s1 ; schema:itinerary qkgd:c1, _:c5 .
  # a city that is a blank node, named as another (SPARQL orders blank nodes before IRIs)
  _:c5 a schema:City ; rdfs:label "Annecy"@fr ; schema:containedInPlace qkgd:k1 .
  qkgd:t3 a schema:Trip ; prov:wasDerivedFrom qkgd:s1 ; schema:itinerary qkgd:c1 .
  # upcoming: after 2024 in three datatypes, one start shared by two items (the label decides, then the IRI),
  # an item without a French name, one with two French names, counts and impacts; one of 2024 (not after)
  qkgd:u1 schema:startDate "2026-05-01"^^xsd:date ; rdfs:label "Congrès"@fr ; qkg:participantCount 300 ;
    qkg:economicImpactCAD 1500000 .
  qkgd:u2 schema:startDate "2026-05-01"^^xsd:date ; rdfs:label "Biennale"@fr, "Biennial"@en .
  qkgd:u3 schema:startDate "2025"^^xsd:gYear ; rdfs:label "Sommet"@en .
  qkgd:u4 schema:startDate "2025-09"^^xsd:gYearMonth ; rdfs:label "Forum"@fr, "Assises"@fr .
  qkgd:u5 schema:startDate "2024-11-01"^^xsd:date ; rdfs:label "Passé"@fr .
  qkgd:u6 schema:startDate "2026-05-01"^^xsd:date ; rdfs:label "Biennale"@fr .
}
qkgd:g25 {
  qkgd:a1 qkg:party qkgd:p1 .
  qkgd:t2 prov:wasDerivedFrom qkgd:s2 .
  qkgd:p1 rdfs:label "Ville de Un"@fr .
  # upcoming: restated in the second year's files (a row for each year), and one of that year alone
  qkgd:u1 schema:startDate "2026-05-01"^^xsd:date .
  qkgd:u7 schema:startDate "2027-01-15"^^xsd:date ; rdfs:label "Jeux"@fr ; qkg:participantCount 5000 .
}
# a trip stated in no year's file: not counted
qkgd:t4 a schema:Trip, schema:Event ; prov:wasDerivedFrom qkgd:s3 ; schema:itinerary qkgd:c1 .
qkgd:p1 rdfs:label "Ville de Un"@fr, "City of One"@en . qkgd:p2 rdfs:label "Deux inc."@fr .
qkgd:p3 rdfs:label "Three"@en . qkgd:p4 rdfs:label "Quatre"@fr, "Four"@en .
qkgd:p5 rdfs:label "Cinq"@fr, "Same"@en . qkgd:p6 rdfs:label "Same"@fr .
qkgd:f1 rdfs:label "Facilitateur"@fr . qkgd:type1 skos:prefLabel "Twinning"@en, "Jumelage"@fr .
# cities: c1 and c2 are cities of a country; c2 also in a region (not a country); c3 is in a country but is
# no schema:City (counted by country only); c4 has no French name
qkgd:c1 a schema:City ; rdfs:label "Lyon"@fr, "Lyons"@en ; schema:containedInPlace qkgd:k1 .
qkgd:c2 a schema:City ; rdfs:label "Annecy"@fr ; schema:containedInPlace qkgd:k1, qkgd:r1 .
qkgd:c3 rdfs:label "Aoste"@fr ; schema:containedInPlace qkgd:k2 .
qkgd:k1 a schema:Country ; rdfs:label "France"@fr, "France"@en . qkgd:k2 a schema:Country ; rdfs:label "Italie"@fr .
qkgd:r1 a schema:AdministrativeArea ; rdfs:label "Savoie"@fr .
"""


def test_prepared_answers_on_edge_cases():
    """Each prepared answer made from the facts (:mod:`qkg.graph.pages.whole_answers`) is the query's own
    whole answer on a graph of the cases that split them: every row, in its order, in each language."""
    from qkg.graph.pages.catalog import whole
    from qkg.graph.serving.backends.oxigraph import OxigraphStore

    store = OxigraphStore()
    store.load(_EDGE_CASES.encode(), format="trig", graph=None)
    queries = prepared_queries(load_catalog())
    answers = PreparedAnswers.from_store(store, queries, langs=("fr", "en"))
    seen = {}
    for query in queries:
        for lang in ["fr", "en"] if any(p.type == "lang" for p in query.params) else [None]:
            bindings = bind(query, {"lang": lang} if lang else {})
            rows = store.select(whole(query.sparql), bindings=bindings)
            want = json.loads(terms.solutions_bytes(list(rows.variables), rows, terms.QueryResultsFormat.JSON))
            body, count = answers.page(query.name, bindings, limit=1000, offset=0)
            got = json.loads(tsv_to(body, "json"))
            assert (got["head"], _bindings(got)) == (want["head"], _bindings(want)), (query.name, lang)
            assert count == len(want["results"]["bindings"])
            # the graph holds cases of the four made from their facts (the others are run whole)
            assert count > 0 or query.name not in PREPARED[:4], query.name
            seen[query.name, lang] = want["results"]["bindings"]
    # the graph does hold the cases: rows of both years, a row without a label, a type, a facilitator, the
    # three datatypes of a start, two names that read alike, a count by city and by country
    agreements = seen["agreements", "en"]
    assert {r["year"]["value"] for r in agreements} == {"2024", "2025"}
    assert any("label" not in r for r in agreements)
    assert {r["type"]["value"] for r in agreements if "type" in r} == {"Twinning"}
    assert {r["facilitator"]["value"] for r in agreements if "facilitator" in r} == {"Facilitateur"}
    assert {r["start"]["datatype"].rsplit("#")[1] for r in agreements if "start" in r} == {
        "gYear",
        "date",
        "gYearMonth",
    }
    assert any(r["partyNames"]["value"] == ["Same", "Same"] for r in agreements)
    cities = [(r["year"]["value"], r["label"]["value"], r["missions"]["value"]) for r in seen["mission-cities", None]]
    assert cities == [
        ("2024", "Lyon", "2"),
        ("2024", "Annecy", "1"),
        ("2024", "Annecy", "1"),
        ("2025", "Annecy", "1"),
        ("2025", "Lyon", "1"),
    ]
    assert seen["mission-cities", None][1]["city"]["type"] == "bnode"
    upcoming = [
        (r["year"]["value"], r["item"]["value"].rsplit("/", 1)[1], r.get("label", {}).get("value"))
        for r in seen["upcoming", None]
    ]
    assert upcoming == [
        ("2024", "u3", None),
        ("2024", "u4", "Assises"),
        ("2024", "u4", "Forum"),
        ("2024", "u2", "Biennale"),
        ("2024", "u6", "Biennale"),
        ("2024", "u1", "Congrès"),
        ("2025", "u1", "Congrès"),
        ("2025", "u7", "Jeux"),
    ]
    countries = seen["mission-countries", None]
    assert [(r["label"]["value"], r["missions"]["value"], r["cities"]["value"]) for r in countries] == [
        ("France", "2", "3"),
        ("Italie", "1", "1"),
        ("France", "1", "2"),
    ]
