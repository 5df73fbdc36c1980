"""Golden answers of every canned query on the 2024 graph, checked against the report.

Each expected answer below is what the 2024 report states (annexes and sections), restated as the rows the
query must return. :func:`test_every_canned_query_has_a_golden_test` fails for any canned query with no entry in GOLDEN.
"""

from __future__ import annotations

from collections import Counter

import pytest
from qkg.graph.errors import DataError
from qkg.graph.pages.catalog import bind, load_catalog
from qkg.graph.serving.results import term_text
from qkg.graph.serving.store import Store, StoreLayout, open_read_only
from qkg.ontology import sparql_prefixes


@pytest.fixture(params=["embedded", "virtuoso"])
def graph(request, graph_2024):
    """The 2024 graph on each backend: the embedded build folder, or the build published to Virtuoso."""
    return graph_2024 if request.param == "embedded" else request.getfixturevalue("virtuoso_2024")


def run(graph, name, **params):
    query = load_catalog()[name]
    store = graph if isinstance(graph, Store) else open_read_only(StoreLayout(graph).require_current())
    rows = store.select(sparql_prefixes() + "\n" + query.sparql, bindings=bind(query, params) or None)
    return [{n: term_text(row[i]) for i, n in enumerate(rows.variables)} for row in rows]


def col(rows, name):
    return [r[name] for r in rows]


MISSION_CITIES = {
    "Boston",
    "Colonia del Sacramento",
    "Buenos Aires",
    "Lausanne",
    "Porrentruy",
    "Braga",
    "Saint-Malo",
    "New York",
    "Cordoue",
    "Zurich",
    "Genève",
    "Paris",
    "Lisbonne",
}
MISSION_COUNTRIES = {"États-Unis", "Uruguay", "Argentine", "Suisse", "Portugal", "France", "Espagne"}


def check_receptions_by_category(rows):
    assert {r["category"]: r["receptions"] for r in rows} == {
        "qkgd:cat-courtesy": "10",
        "qkgd:cat-collaboration": "7",
        "qkgd:cat-strategic": "4",
    }


def check_receptions(rows):  # default category: collaboration (annex list "Rencontres de collaboration")
    assert col(rows, "item") == [str(i) for i in range(1, 8)]
    assert "Calgary@fr" in rows[0]["origins"] and "San Antonio@fr" in rows[3]["origins"]


def check_missions_leaders(rows):
    assert col(rows, "item") == [str(i) for i in range(1, 9)]
    leaders = [r["leader"] for r in rows]
    assert leaders.count("qkgd:maire-de-quebec") == 3  # missions 1, 6 and 7
    assert [leaders[i] for i in (0, 5, 6)] == ["qkgd:maire-de-quebec"] * 3
    assert rows[6]["itinerary"] == "Cordoue → Zurich → Genève → Lausanne → Paris@fr"
    assert rows[1]["itinerary"] == "Colonia del Sacramento → Buenos Aires@fr"


def check_missions_by_leader(rows):
    assert {r["leader"]: r["missions"] for r in rows} == {
        "qkgd:maire-de-quebec": "3",
        "qkgd:elue-relations-internationales": "2",
        "qkgd:elue-relations-internationales-culture": "1",
        "qkgd:elue-patrimoine": "1",
        "qkgd:elue-communications": "1",
    }


def check_mission_cities(rows):
    assert {r["label"].removesuffix("@fr") for r in rows} == MISSION_CITIES
    assert len(rows) == 13
    assert sum(int(r["missions"]) for r in rows) == 14  # 14 stops: Lausanne twice
    assert {r["label"]: r["missions"] for r in rows}["Lausanne@fr"] == "2"


def check_mission_countries(rows):
    assert {r["label"].removesuffix("@fr") for r in rows} == MISSION_COUNTRIES
    assert {r["label"]: r["cities"] for r in rows}["Suisse@fr"] == "4"


def check_missions_to_country(rows):  # default: Switzerland
    assert [(r["item"], r["order"], r["cityLabel"]) for r in rows] == [
        ("3", "1", "Lausanne@fr"),
        ("3", "2", "Porrentruy@fr"),
        ("7", "2", "Zurich@fr"),
        ("7", "3", "Genève@fr"),
        ("7", "4", "Lausanne@fr"),
    ]


def check_city_forums(rows):
    assert set(col(rows, "forum")) == {"qkgd:ovpm", "qkgd:aimf", "qkgd:rvcu", "qkgd:aivp", "qkgd:ocde-maires-champions"}


def check_ovpm_board(rows):
    cities = {r["cityLabel"].removesuffix("@fr"): r["role"] for r in rows}
    assert cities == {
        "Cordoue": "Board member@en",
        "Bruges": "Board member@en",
        "Angra do Heroísmo": "Board member@en",
        "Cracovie": "Board member@en",
        "Cuenca": "Board member@en",
        "Dubrovnik": "Board member@en",
        "San Antonio": "Board member@en",
        "Québec": "Chair@en",
    }


def check_agreements(rows):
    parties = {r["agreement"]: int(r["parties"]) for r in rows}
    assert parties["qkgd:agreement-partenariat-territorial-sante-durable"] == 3
    assert all(n >= 2 for n in parties.values())
    facilitated = [r for r in rows if r["facilitator"]]
    assert [(r["agreement"], r["facilitator"]) for r in facilitated] == [
        ("qkgd:agreement-qi-lecamp-innovaud", "Ville de Québec@fr")
    ]
    assert {r["agreement"]: r["start"] for r in rows}["qkgd:agreement-gouvernement-ville-2022"] == "2022-08-17"


def check_agreements_multiparty(rows):
    assert col(rows, "agreement") == ["qkgd:agreement-partenariat-territorial-sante-durable"]


def check_new_agreements_2024(rows):
    listed = {r["agreement"] for r in rows if r["listedInHighlights"] == "true"}
    assert listed == {
        "qkgd:agreement-rennes-metropole-2024",
        "qkgd:agreement-nantes-metropole-2024-2025",
        "qkgd:agreement-aivp-agenda-2030",
    }
    assert {r["agreement"] for r in rows} - listed == {"qkgd:agreement-partenariat-territorial-sante-durable"}


def check_twinned_cities(rows):
    assert col(rows, "cityLabel") == ["Bordeaux@fr", "Calgary@fr"]


def check_event_profile(rows):  # default: the Rendez-vous Ville-Port
    roles = Counter(r["role"] for r in rows)
    values = {(r["role"], r["value"]) for r in rows}
    assert ("start", "2024-05-13") in values
    assert {
        ("co-organiser", "qkgd:port-de-quebec"),
        ("co-organiser", "qkgd:aivp"),
        ("co-organiser", "qkgd:sodes"),
    } <= values
    assert ("funded under", "qkgd:agreement-mrif-ville-2022") in values
    assert ("visitor", "qkgd:edouard-philippe") in values
    assert roles["start"] == 1


def check_event_funders(rows):  # default: the santé durable conference
    assert set(col(rows, "funder")) == {
        "qkgd:mrif",
        "qkgd:ville-de-quebec",
        "qkgd:alliance-sante-quebec",
        "qkgd:universite-laval",
    }
    assert set(col(rows, "participants")) == {"150"} and set(col(rows, "qualifier")) == {"more-than"}


def check_committee(rows):
    members = {r["item"]: r["detail"] for r in rows if r["kind"] == "member"}
    assert members == {
        "qkgd:ville-de-quebec": "Coordinator@en",
        "qkgd:mrif": "Member@en",
        "qkgd:quebec-international": "Member@en",
        "qkgd:universite-laval": "Member@en",
    }
    assert {r["date"] for r in rows if r["kind"] == "member"} == {"2024-02"}
    assert [(r["item"], r["date"]) for r in rows if r["kind"] == "established under"] == [
        ("qkgd:agreement-gouvernement-ville-2022", "2022-08-17")
    ]
    assert [(r["item"], r["date"]) for r in rows if r["kind"] == "activity"] == [
        ("qkgd:reception-strategic-04", "2024-12-03")
    ]


def check_upcoming(rows):
    by_item = {r["item"]: r for r in rows}
    uci = by_item["qkgd:forum-uci-bike-city-2026"]
    assert (uci["start"], uci["participants"], uci["impactCAD"]) == ("2026-10", "250", "2700000")
    assert "qkgd:project-aivp-north-america-office" in by_item
    assert all(r["start"][:4] > "2024" for r in rows)


def check_partners(rows):
    assert col(rows, "item") == [str(i) for i in range(1, 28)]
    assert sum(int(r["organisations"]) for r in rows) == 28
    assert {r["item"]: r["organisations"] for r in rows}["23"] == "2"


def check_stated_numbers(rows):  # issue 11: every number the report states, by activity
    by = {(r["subject"], r["counted"]): r for r in rows}
    uci = by[("qkgd:forum-uci-bike-city-2026", "participants")]
    assert (uci["value"], uci["precision"], uci["forecast"]) == ("250", "about", "true")
    assert by[("qkgd:bordeaux-virtual-conferences-2024", "sessions")]["precision"] == "about"
    assert by[("qkgd:reception-strategic-04", "participants")]["precision"] == "more-than"
    assert by[("qkgd:aivp-world-conference-2024", "participants")]["precision"] == "exact"
    assert by[("qkgd:group-calgary-councillors", "members")]["activity"] == "qkgd:reception-collaboration-01"
    assert by[("qkgd:group-sante-durable-specialists", "members")]["activity"] == "qkgd:reception-strategic-04"
    carbon = {r["counted"]: (r["value"], r["unit"]) for r in rows if r["subject"] == "qkgd:carbon-offset-2023"}
    assert carbon == {"emissions": ("155", "t CO2e"), "cost-before-taxes": ("4066.13", "CAD")}
    deadline = by[("qkgd:rule-mission-reports", "delay")]
    assert (deadline["value"], deadline["unit"], deadline["precision"]) == ("6", "week", "at-most")
    assert by[("qkgd:figure-receptions", "receptions")]["value"] == "21"
    assert len({r["subject"] for r in rows if r["subject"].startswith("qkgd:figure-")}) == 12
    assert len(rows) == 12 + 17  # 12 headline figures, 17 stated counts


def check_offices_and_terms(rows):  # issue 11: offices and their terms
    chair = [r for r in rows if r["holder"] == "qkgd:maire-de-quebec" and r["office"] == "Chair@en"]
    assert [(r["term"], r["start"]) for r in chair] == [("1", ""), ("2", ""), ("3", "2024-09")]
    assert chair[1]["renews"] == chair[0]["record"] and chair[2]["renews"] == chair[1]["record"]
    assert chair[0]["renews"] == ""
    coordinator = [r for r in rows if r["office"] == "Coordinator@en"]
    assert [(r["holder"], r["start"]) for r in coordinator] == [("qkgd:ville-de-quebec", "2024-02")]
    assert len([r for r in rows if r["office"] == "Board member@en"]) == 7
    assert {r["office"] for r in rows if r["holder"] == "qkgd:edouard-philippe"} == {
        "President of the AIVP@en",
        "Mayor of Le Havre@en",
    }


def check_attendance_modes(rows):  # issue 11: virtual and in-person activities
    modes = Counter(r["mode"] for r in rows)
    assert [r["activity"] for r in rows if r["mode"] == "online"] == ["qkgd:bordeaux-virtual-conferences-2024"]
    assert [r["activity"] for r in rows if r["mode"] == "mixed"] == ["qkgd:figure-forum-participations"]
    assert Counter(r["kind"] for r in rows if r["mode"] == "in-person") == {
        "qkg:Reception": 21,
        "qkg:NetworkMeeting": 6,
        "qkg:Event": 3,
    }
    assert modes["in-person"] == 30


def check_representations(rows):  # issue 11: typed representations, linked to what they represent
    kinds = Counter(r["kind"] for r in rows)
    assert kinds == {
        "qkg:ConsularPost": 4,
        "qkg:Embassy": 1,
        "qkg:GeneralDelegation": 1,
        "qkg:ConsularCorps": 1,
        "qkg:QuebecGovernmentOffice": 2,
    }
    by = {r["representation"]: r for r in rows}
    assert by["qkgd:consulat-general-france-quebec"]["country"] == "qkgd:france"
    assert by["qkgd:ambassade-irlande-canada"]["country"] == "qkgd:irlande"
    assert by["qkgd:delegation-du-quebec-a-chicago"]["represents"] == "qkgd:gouvernement-du-quebec"
    assert {r["foreign"] for r in rows if r["kind"] == "qkg:QuebecGovernmentOffice"} == {"false"}
    assert by["qkgd:consulat-general-etats-unis-quebec"]["foreign"] == "true"


def check_city_status(rows):  # issue 11: the introduction's content and the claims of firsts
    designations = {r["detail"]: r["by"] for r in rows if r["kind"] == "designation"}
    assert designations == {
        "national-capital": "qkgd:charte-capitale-nationale",
        "world-heritage": "qkgd:unesco",
        "creative-city": "qkgd:unesco",
    }
    axes = [r for r in rows if r["kind"] == "vision axis"]
    assert {r["detail"] for r in axes} == {"radiate", "learn", "attract"} and {r["date"] for r in axes} == {"2022"}
    firsts = {r["item"] for r in rows if r["kind"] == "first"}
    assert firsts == {
        "qkgd:claim-uci-first-in-americas",
        "qkgd:claim-aivp-first-office-north-america",
        "qkgd:claim-first-joint-activity",
        "qkgd:claim-cradle-francophonie",
    }


GOLDEN = {
    "receptions-by-category": check_receptions_by_category,
    "receptions": check_receptions,
    "missions-leaders": check_missions_leaders,
    "missions-by-leader": check_missions_by_leader,
    "mission-cities": check_mission_cities,
    "mission-countries": check_mission_countries,
    "missions-to-country": check_missions_to_country,
    "city-forums": check_city_forums,
    "ovpm-board": check_ovpm_board,
    "agreements": check_agreements,
    "agreements-multiparty": check_agreements_multiparty,
    "new-agreements-2024": check_new_agreements_2024,
    "twinned-cities": check_twinned_cities,
    "event-profile": check_event_profile,
    "event-funders": check_event_funders,
    "committee": check_committee,
    "upcoming": check_upcoming,
    "partners": check_partners,
    "stated-numbers": check_stated_numbers,
    "offices-and-terms": check_offices_and_terms,
    "attendance-modes": check_attendance_modes,
    "representations": check_representations,
    "city-status": check_city_status,
}


def test_every_canned_query_has_a_golden_test():
    assert set(load_catalog()) == set(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_answer(graph, name):
    rows = run(graph, name)
    assert rows, f"{name} returned nothing"
    GOLDEN[name](rows)


def test_parameters_change_the_answer(graph):
    rows = run(graph, "missions-to-country", country="qkgd:portugal")
    assert {r["cityLabel"] for r in rows} == {"Braga@fr", "Lisbonne@fr"}
    rows = run(graph, "receptions", category="qkgd:cat-strategic")
    assert len(rows) == 4
    rows = run(graph, "agreements-multiparty", min="2")
    assert len(rows) == 10
    # the joined names in the language asked for (French where a name has none), on each store
    for name, column, separator in (("missions-leaders", "itinerary", " → "), ("agreements", "partyNames", " ; ")):
        french, english = run(graph, name), run(graph, name, lang="en")
        assert len(french) == len(english)
        pairs = list(zip(col(french, column), col(english, column), strict=True))
        assert all(fr.endswith("@fr") and en.endswith("@en") for fr, en in pairs)
        assert all(len(fr.split(separator)) == len(en.split(separator)) for fr, en in pairs)
        assert any(fr.removesuffix("@fr") != en.removesuffix("@en") for fr, en in pairs)


@pytest.mark.parametrize(
    ("header", "line", "fix"),
    [
        ("# title@fr: Villes\n# param: city | place | | the city\n", 2, "type one of"),
        ("# title@fr: Villes\n", 1, "title@en"),
        ("# title@fr: Villes\n# title@en: Cities\n# tags: missions, twinning\n", 3, "TAG_NAMES"),
    ],
)
def test_a_malformed_canned_query_names_its_file_line_and_fix(tmp_path, header, line, fix):
    (tmp_path / "bad.rq").write_text(header + "SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_catalog(tmp_path)
    assert (err.value.file, err.value.line) == (str(tmp_path / "bad.rq"), line)
    assert fix in err.value.hint


_VARIANTS = __import__("pathlib").Path(__file__).parent / "data" / "queries-variants"


def _answering(graph, query, param: str, cls: str) -> set[str]:
    """The values of ``param`` the query gives when run whole with the other parameters at their defaults (the
    way the pick-lists were made before: the whole answer read), that are instances of ``cls``."""
    from qkg.graph.serving import terms

    others = {terms.Variable(p.name): t for p in query.params if p.name != param and (t := p.to_term(None)) is not None}
    rows = graph.select(query.sparql, bindings=others or None)
    found = {row[param].value for row in rows if isinstance(row[param], terms.NamedNode)}
    typed = {r["x"].value for r in graph.select(f"SELECT ?x WHERE {{ ?x a <{cls}> }}")}
    return found & typed


@pytest.mark.parametrize(
    ("folder", "name", "param", "cls"),
    [
        (None, "missions-to-country", "country", "qkg:Country"),
        (None, "receptions", "category", "skos:Concept"),
        (None, "event-profile", "activity", "qkg:Activity"),
        (None, "event-funders", "activity", "qkg:Activity"),
        # written to break the wrapping (a review's): a FILTER and a HAVING on another parameter, a comment on the
        # last line with no line break after it, an ASK
        (_VARIANTS, "missions-to-country-lang", "country", "qkg:Country"),
        (_VARIANTS, "agreements-of-party", "party", "qkg:Organisation"),
        (_VARIANTS, "tencities", "country", "qkg:Country"),
        (_VARIANTS, "visited", "country", "qkg:Country"),
    ],
)
def test_a_pick_list_holds_the_values_the_query_answers_for(graph, folder, name, param, cls):
    """``answering_values`` wraps the query (one bounded query, not its whole answer): the same values as the whole
    answer gives, whatever the query's shape; an ASK offers the class's instances."""
    from qkg.graph.pages.catalog import answering_values
    from qkg.ontology.curies import expand_curie

    query = load_catalog(folder)[name] if folder else load_catalog()[name]
    graph = graph if isinstance(graph, Store) else open_read_only(StoreLayout(graph).require_current())
    got = answering_values(graph, query, param, expand_curie(cls))
    if query.form == "ASK":
        assert set(got) == {r["x"].value for r in graph.select(f"SELECT ?x WHERE {{ ?x a <{expand_curie(cls)}> }}")}
    else:
        assert set(got) == _answering(graph, query, param, expand_curie(cls)) and got, name
    assert len(got) == len(set(got))
