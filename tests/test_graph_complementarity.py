"""The complementarity map and reach, on a tiny fixture with known answers."""

from __future__ import annotations

import pytest
from qkg.graph.analysis.complementarity import cell_facts, complementarity, jaccard, reach, scope_actors, theme_tops
from qkg.graph.errors import ParameterError

from tests.network_fixture import EXTRAS, D, build_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(
        tmp_path_factory.mktemp("comp"),
        EXTRAS.replace("qkgd:comite", "qkgd:comite-quebec-capitale-internationale"),
        "comp",
    )


@pytest.fixture(scope="module")
def result(store):
    return complementarity(store)


def test_scope(store):
    assert scope_actors(store, "committee") == [D + x for x in ("mrif", "qi", "ul", "ville-de-quebec")]
    assert scope_actors(store, "partners") == [D + "innov", D + "qi"]
    assert scope_actors(store, "qkgd:qi, qkgd:ul") == [D + "qi", D + "ul"]
    with pytest.raises(ParameterError, match="no members"):
        scope_actors(store, "committee", committee=D + "nothing")


def test_theme_cells_list_their_facts(result):
    cells = result["matrices"]["themes"]["cells"]
    assert cells[D + "mrif"] == {D + "theme-sante": {"facts": [D + "conf"], "via": ["fact"], "places": [], "count": 1}}
    assert cells[D + "ville-de-quebec"][D + "theme-sante"]["facts"] == [D + "ag-qi-innov", D + "conf"]
    assert D + "theme-culture" in cells[D + "qi"] and D + "theme-culture" in cells[D + "ul"]  # the 2019 event


def test_region_cells(result):
    countries = result["matrices"]["countries"]["cells"]
    assert countries[D + "ville-de-quebec"][D + "suisse"]["via"] == ["co-member", "counterpart", "leg"]
    assert countries[D + "ville-de-quebec"][D + "suisse"]["places"] == [D + "lausanne"]
    assert set(result["matrices"]["continents"]["cells"][D + "qi"]) == {"continent:Europe"}
    # QI is based in Québec: its Québec counterparts are domestic ties, not a reach into Canada
    assert D + "canada" not in countries[D + "qi"] and D + "canada" in countries[D + "mrif"]


def test_every_cell_is_traceable(result):
    for dim, m in result["matrices"].items():
        for actor, row in m["cells"].items():
            for col, cell in row.items():
                assert cell["count"] == len(cell["facts"]) > 0
                for f in cell["facts"]:
                    assert result["facts"][f]["sections"], (dim, actor, col, f)
    facts = cell_facts(result, "themes", "qkgd:ville-de-quebec", "qkgd:theme-sante")
    assert [(f["curie"], f["annexItem"], f["sections"][0]["label"]) for f in facts] == [
        ("qkgd:ag-qi-innov", 7, "Annexe : ententes"),
        ("qkgd:conf", None, "Section A"),
    ]
    assert cell_facts(result, "themes", "qkgd:mrif", "qkgd:theme-culture") == []


def test_gaps_overlap_and_thin_signal(result):
    names = result["labels"]
    themes = result["gaps"]["themes"]
    assert themes["only_one"] == []  # both fixture themes are covered by two actors or more
    assert D + "theme-patrimoine" in themes["none"]  # the scheme's themes (ontology/themes.ttl): none here
    covered = {names[c["iri"]]: c["covered_by"] for c in result["matrices"]["countries"]["columns"]}
    assert covered["Suisse"] == 2 and covered["Canada"] == 3 and covered["France"] == 3
    assert result["gaps"]["countries"]["only_one"] == []
    assert result["gaps"]["continents"]["none"] == [
        "continent:Amérique du Sud",
        "continent:Afrique",
        "continent:Asie",
        "continent:Océanie",
    ]
    pair = next(o for o in result["overlap"] if o["a"] == D + "qi" and o["b"] == D + "ul")
    assert pair["themes"] == pytest.approx(1.0) and pair["themes_shared"] == [D + "theme-culture", D + "theme-sante"]
    thin = {a["curie"]: a["thin"] for a in result["actors"]}
    assert thin == {"qkgd:mrif": True, "qkgd:qi": True, "qkgd:ul": True, "qkgd:ville-de-quebec": False}
    assert {a["curie"]: a["facts"] for a in result["actors"]}["qkgd:qi"] == 2  # membership, partner list left out
    assert any("MRIF" in n and "thin signal" in n for n in result["notes"])
    assert jaccard(set(), set()) is None


def test_reach_a_place_a_theme_an_organisation(store):
    lausanne = {r["curie"]: r for r in reach(store, "qkgd:lausanne")["rows"]}
    assert lausanne["qkgd:ville-de-quebec"]["committee"] is True
    assert {f["curie"] for f in lausanne["qkgd:ville-de-quebec"]["facts"]} == {"qkgd:mission-1", "qkgd:ag-qi-innov"}
    suisse = reach(store, "qkgd:suisse")
    assert suisse["kind"] == "place" and "qkgd:qi" in {r["curie"] for r in suisse["rows"]}
    theme = reach(store, "qkgd:theme-culture")
    assert {r["curie"] for r in theme["rows"]} == {"qkgd:qi", "qkgd:ul", "qkgd:innov"}
    forum = reach(store, "qkgd:forum")
    assert {r["curie"] for r in forum["rows"]} == {"qkgd:ville-de-quebec", "qkgd:ville-de-lausanne"}
    assert reach(store, "qkgd:atlantis")["kind"] == "unknown"


def test_theme_levels(store):
    tops = theme_tops(store)
    assert tops[D + "theme-art-public"] == D + "theme-culture-et-patrimoine"  # via theme-culture
    assert tops[D + "theme-francophonie"] == D + "theme-francophonie"
    top = complementarity(store, theme_level="top")
    # the fixture's qkgd:theme-culture is the scheme's, under culture-et-patrimoine; the other five tops are empty
    assert len(top["gaps"]["themes"]["none"]) == 5
    assert top["matrices"]["themes"]["cells"][D + "qi"][D + "theme-culture-et-patrimoine"]["facts"] == [D + "old"]
    with pytest.raises(ParameterError):
        complementarity(store, theme_level="leaf")


# Known answers of each option on the fixture (which facts count, and so which cells exist).


def test_relations_keep_only_the_kinds_asked(store):
    agreements = complementarity(store, relations=["agreement"])
    themes = agreements["matrices"]["themes"]["cells"]
    assert themes[D + "qi"] == {
        D + "theme-sante": {"facts": [D + "ag-qi-innov"], "via": ["fact"], "places": [], "count": 1}
    }  # the 2019 event is gone
    assert themes[D + "mrif"] == {} and themes[D + "ul"] == {}  # they only fund or attend events
    assert agreements["parameters"]["relations"] == ["agreement"]


def test_years_keep_the_dated_facts_in_range(store):
    before = complementarity(store, year_to=2020)["matrices"]["themes"]["cells"]
    assert D + "theme-sante" not in before[D + "mrif"]  # the 2024 conference is out
    assert before[D + "ul"][D + "theme-culture"]["facts"] == [D + "old"]  # the 2019 event is in
    after = complementarity(store, year_from=2020)["matrices"]["themes"]["cells"]
    assert D + "theme-culture" not in after[D + "ul"]
    assert after[D + "mrif"][D + "theme-sante"]["facts"] == [D + "conf"]


def test_overlap_is_the_jaccard_of_the_cells(result):
    cells = result["matrices"]["themes"]["cells"]
    for pair in result["overlap"]:
        a, b = set(cells[pair["a"]]), set(cells[pair["b"]])
        assert pair["themes"] == jaccard(a, b) and pair["themes_shared"] == sorted(a & b)
    mrif_city = next(o for o in result["overlap"] if {o["a"], o["b"]} == {D + "mrif", D + "ville-de-quebec"})
    assert mrif_city["themes"] == 1.0  # both: santé only


@pytest.mark.parametrize(
    "target", ["qkgd:lausanne", "qkgd:suisse", "qkgd:theme-culture", "qkgd:forum", "qkgd:ville-de-quebec"]
)
def test_reach_from_the_builds_facts_is_reach_from_the_store(store, target):
    """The server answers ``reach`` from the build's ``reach-facts`` (every kind, every year) and the tables it
    derives from them once (the facts near each place, each actor's homes): the same rows as read from the
    store, for the first target and the next ones; and a page described alone as the whole answer describes it."""
    from qkg.graph.analysis.facts import load_facts
    from qkg.graph.analysis.reach import describe_rows, page

    index = load_facts(store, relations="all")
    reach(store, "qkgd:suisse", index=index)  # tables made by another target first
    expected = reach(store, target)
    assert reach(store, target, index=index) == expected
    bare = reach(store, target, index=index, described=False)
    shown = page(bare, limit=2, offset=0, facts=1)
    describe_rows(store, shown["rows"])
    assert shown["rows"] == [
        {**r, "facts": r["facts"][:1], "fact_count": len(r["facts"])} for r in expected["rows"][:2]
    ]
    assert "label" not in str(bare["rows"][:1])  # the bare answer stays bare: the page described its own copies


def test_reach_of_a_post_or_unit_keeps_no_table_of_its_own_with_the_builds_facts(store):
    """A target that is a post or a unit keeps itself from folding, so its table of folded actors is its own:
    kept with the shared index, each such target added one (40-48 MB at 1M; 8,106 posts), never freed."""
    from qkg.graph.analysis.facts import load_facts
    from qkg.ontology.curies import short

    index = load_facts(store, relations="all")
    reach(store, "qkgd:forum", index=index)  # the shared tables
    kept = set(index.derived)
    folded = sorted(index.parent)
    assert folded, "the fixture should have a post or a unit"
    for target in folded:
        assert reach(store, short(target), index=index) == reach(store, short(target))
    assert set(index.derived) == kept
