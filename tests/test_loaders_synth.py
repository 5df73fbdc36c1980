"""The synthetic graph generator: deterministic, sized as asked, well-formed, and accepted by the build (SHACL on)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from qkg.api.cli import cli
from qkg.graph.building.pipeline import Source, build
from qkg.graph.serving.store import open_read_only
from qkg.loaders.sources import graph_for
from qkg.loaders.synth import COUNTRIES, KINDS, MIN_TRIPLES, YEARS, Summary, generate, parse_size, write
from qkg.ontology import GEO, PROV, QKG, QKGD, SKOS, load_ontology, sparql_prefixes
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

_ID = str(QKGD)
#: The size the brief asks the build (SHACL on) to accept; SHACL dominates this file's run time (see test_builds_with_shacl).
BUILD_SIZE = 20_000
_LINE = re.compile(r'^<[^>\s]+> <[^>\s]+> (<[^>\s]+>|"(?:[^"\\]|\\.)*"(?:@[a-z]+|\^\^<[^>\s]+>)) \.$')


# ---- fixtures: one 20k graph, parsed once and built once -----------------------------------------------


@pytest.fixture(scope="module")
def synth20k(tmp_path_factory) -> tuple[Path, Summary]:
    folder = tmp_path_factory.mktemp("synth") / "data"
    path = folder / "s.nt"
    return path, write(path, BUILD_SIZE, seed=1)


@pytest.fixture(scope="module")
def graph20k(synth20k) -> Graph:
    return Graph().parse(synth20k[0], format="nt")


@pytest.fixture(scope="module")
def built20k(synth20k, tmp_path_factory):
    path, _summary = synth20k
    result = build([Source(path, graph_for(path, path.parent))], data_dir=tmp_path_factory.mktemp("built"), shacl=True)
    return result


def _count(store, where: str) -> int:
    rows = list(store.select(sparql_prefixes() + f"\nSELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
    return int(rows[0]["n"].value)


# ---- determinism and size ----------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    write(tmp_path / "a.nt", 3_000, seed=5)
    write(tmp_path / "b.nt", 3_000, seed=5)
    write(tmp_path / "c.nt", 3_000, seed=6)
    a, b, c = ((tmp_path / f"{x}.nt").read_bytes() for x in "abc")
    assert a == b
    assert a != c
    assert "".join(generate(3_000, seed=5)).encode("utf-8") == a


@pytest.mark.parametrize("size", [1_000, 10_000, 50_000])
def test_size_within_two_percent(size):
    summary = Summary()
    lines = list(generate(size, seed=size, summary=summary))
    assert abs(len(lines) - size) <= 0.02 * size
    assert summary.triples == len(lines)
    assert len(set(lines)) == len(lines), "a triple was emitted twice: the store would count fewer"


def test_too_small_is_refused():
    with pytest.raises(ValueError, match="at least"):
        list(generate(MIN_TRIPLES - 1))


def test_sizes_grow_proportionally():
    small, large = Summary(), Summary()
    for _ in generate(10_000, seed=2, summary=small):
        pass
    for _ in generate(40_000, seed=2, summary=large):
        pass
    for kind in ("cities", "receptions", "missions", "agreements", "memberships"):
        assert 3 <= large.entities[kind] / small.entities[kind] <= 5, kind


def test_parse_size():
    assert parse_size("100k") == 100_000
    assert parse_size("1M") == 1_000_000
    assert parse_size(" 2.5m ") == 2_500_000
    assert parse_size("20_000") == 20_000
    with pytest.raises(ValueError):
        parse_size("1T")


# ---- well-formed N-Triples in qkg's ontology -----------------------------------------------------------


def test_every_line_is_ntriples(synth20k):
    text = synth20k[0].read_text(encoding="utf-8")
    assert text.endswith(" .\n")
    bad = [line for line in text.splitlines() if not _LINE.match(line)]
    assert bad == []


def test_only_declared_terms(graph20k):
    ontology = load_ontology()
    declared = set(ontology.subjects(RDF.type, None))
    used = {p for p in graph20k.predicates()} | set(graph20k.objects(None, RDF.type))
    undeclared = sorted(str(t) for t in used if t not in declared and t not in (RDF.type, RDFS.label))
    assert undeclared == []


def test_iris_are_flat_and_defined(graph20k):
    typed = set(graph20k.subjects(RDF.type, None))
    ontology_ids = {s for s in load_ontology().subjects(RDF.type, None) if str(s).startswith(_ID)}
    for s, _p, o in graph20k:
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(_ID):
                assert "/" not in str(term)[len(_ID) :], term
                assert term in typed or term in ontology_ids, f"{term} is used but never typed"


def test_every_entity_has_french_and_english_labels(graph20k):
    missing = []
    for s in set(graph20k.subjects(RDF.type, None)):
        if (s, RDF.type, SKOS.Concept) in graph20k or (s, RDF.type, SKOS.ConceptScheme) in graph20k:
            langs = {o.language for o in graph20k.objects(s, SKOS.prefLabel)}
        else:
            langs = {o.language for o in graph20k.objects(s, RDFS.label)}
        if not {"fr", "en"} <= langs:
            missing.append(s)
    assert missing == []


def test_labels_carry_accents(graph20k):
    labels = [str(o) for o in graph20k.objects(None, RDFS.label)]
    for accent in "éèçô":
        assert any(accent in label for label in labels), accent


def test_fact_bearing_nodes_cite_a_report_section(graph20k):
    sections = set(graph20k.subjects(RDF.type, QKG.ReportSection))
    assert len(sections) == len(YEARS)
    for cls in (
        QKG.Reception,
        QKG.Mission,
        QKG.MissionLeg,
        QKG.NetworkMeeting,
        QKG.Event,
        QKG.Agreement,
        URIRef("http://www.w3.org/ns/org#Membership"),
    ):
        nodes = list(graph20k.subjects(RDF.type, cls))
        assert nodes, cls
        for node in nodes:
            sources = list(graph20k.objects(node, PROV.wasDerivedFrom))
            assert len(sources) == 1 and sources[0] in sections, node


def test_coordinates_fall_in_the_country(graph20k):
    boxes = {QKGD[f"synth-country-{i}"]: box for i, box in enumerate(COUNTRIES)}
    cities = list(graph20k.subjects(RDF.type, QKG.City))
    assert cities
    for city in cities:
        box = boxes[graph20k.value(city, QKG.country)]
        lat, long = float(graph20k.value(city, GEO.lat)), float(graph20k.value(city, GEO.long))
        assert box[2] <= lat <= box[3] and box[4] <= long <= box[5], city


def test_degrees_are_skewed(graph20k):
    """A few hub cities host most receptions: the top 5 % of hosts hold at least a quarter of them."""
    hosts = Counter(graph20k.objects(None, QKG.host))
    counts = sorted(hosts.values(), reverse=True)
    top = counts[: max(1, len(counts) // 20)]
    assert sum(top) >= 0.25 * sum(counts)
    assert counts[0] >= 10 * counts[len(counts) // 2]


def test_mission_legs_are_ordered_from_one(graph20k):
    for mission in graph20k.subjects(RDF.type, QKG.Mission):
        orders = sorted(int(graph20k.value(leg, QKG.legOrder)) for leg in graph20k.objects(mission, QKG.leg))
        assert orders == list(range(1, len(orders) + 1)) and 1 <= len(orders) <= 5, mission


def test_summary_matches_the_file(graph20k, synth20k):
    _path, summary = synth20k
    classes = {
        "cities": QKG.City,
        "local_governments": QKG.LocalGovernment,
        "networks": QKG.CityNetwork,
        "posts": QKG.Post,
        "receptions": QKG.Reception,
        "missions": QKG.Mission,
        "legs": QKG.MissionLeg,
        "meetings": QKG.NetworkMeeting,
        "events": QKG.Event,
        "agreements": QKG.Agreement,
        "memberships": URIRef("http://www.w3.org/ns/org#Membership"),
        "themes": SKOS.Concept,
    }
    for kind, cls in classes.items():
        assert len(set(graph20k.subjects(RDF.type, cls))) == summary.entities[kind], kind
    assert len(graph20k) == summary.triples
    assert list(summary.entities) == list(KINDS)


# ---- the build accepts it, SHACL included ------------------------------------------------------------


def test_builds_with_shacl(built20k, synth20k):
    _path, summary = synth20k
    assert built20k.shacl == "conforms"
    assert built20k.inferred > 0
    store = open_read_only(built20k.path)
    assert _count(store, "?m a qkg:Mission") == summary.entities["missions"]
    assert _count(store, "?r a qkg:Reception") == summary.entities["receptions"]
    assert _count(store, "?l a qkg:MissionLeg") == summary.entities["legs"]
    assert _count(store, "?a a qkg:Agreement") == summary.entities["agreements"]
    # every mission has a leg, every agreement two parties (counted in the built store)
    assert _count(store, "?m a qkg:Mission FILTER NOT EXISTS { ?m qkg:leg ?l }") == 0
    assert (
        _count(
            store,
            """{ SELECT ?a (COUNT(DISTINCT ?p) AS ?n) WHERE { ?a a qkg:Agreement ; qkg:party ?p }
                              GROUP BY ?a } FILTER(?n < 2)""",
        )
        == 0
    )
    assert _count(store, "?a a qkg:Agreement FILTER NOT EXISTS { ?a qkg:party ?p }") == 0
    # inference reached the synthetic facts: destinations from legs, twinnings from agreements
    assert _count(store, "?m qkg:destination ?c") > 0
    assert _count(store, "?a qkg:twinnedWith ?b") > 0


# ---- the command ---------------------------------------------------------------------------------------


def test_command_writes_atomically_and_summarises(tmp_path):
    out = tmp_path / "out" / "s.nt"
    result = CliRunner().invoke(cli, ["synth", "--triples", "2k", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1
    assert re.search(r"wrote .*s\.nt: [\d,]+ triples: .*\d+ cities.*\d+ missions.*\(\d+\.\d+ s\)", result.output)
    assert out.read_bytes() == "".join(generate(2_000, seed=3)).encode("utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["s.nt"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--triples", "lots"], "not a size"),
        (["--triples", "10"], "at least"),
        (["--out", "x.ttl"], ".nt"),
    ],
)
def test_command_errors_name_the_fix(tmp_path, args, message):
    base = {"--triples": "1k", "--out": str(tmp_path / "s.nt")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    argv = ["synth"] + [x for pair in base.items() for x in pair]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code != 0
    assert message in result.output
    assert not any(tmp_path.iterdir())


def test_quads_put_each_activity_in_its_year_and_the_build_tags_the_years(tmp_path):
    from qkg.graph.pages.years import build_years, graphs_by_year

    folder = tmp_path / "src"
    path = folder / "s.nq"
    write(path, 4_000, seed=2)
    quads = path.read_text(encoding="utf-8").splitlines()
    assert [q.rsplit(" ", 2)[0] for q in quads] == [t[:-3] for t in generate(4_000, seed=2)]  # same statements
    graph_of = {}
    for q in quads:
        graph_of.setdefault(q.split(" ", 1)[0], set()).add(q.rsplit(" ", 2)[-2])
    # a mission's statements sit in the graph of the year of the section it cites
    mission = f"<{_ID}synth-mission-0>"
    cited = next(q for q in quads if q.startswith(mission) and str(PROV.wasDerivedFrom) in q)
    year = re.search(r"synth-section-(\d{4})>", cited).group(1)
    assert graph_of[mission] == {f"<{_ID}graph-{year}-synth>"}
    assert graph_of[f"<{_ID}synth-report>"] == {f"<{_ID}graph-background-synth>"}
    result = build([Source(path, None)], data_dir=tmp_path / "built", shacl=False, artefacts=())
    store = open_read_only(result.path)
    tagged = graphs_by_year(store)
    assert tagged[f"{_ID}graph-{year}-synth"] == year and f"{_ID}graph-background-synth" not in tagged
    assert set(build_years(store)) <= {str(y) for y in YEARS} and len(build_years(store)) > 5
    # the year-reading canned queries find the synthetic missions of that year
    rows = list(
        store.select(
            sparql_prefixes()
            + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH ?g { ?m prov:wasDerivedFrom ?s } "
            + f'?g dct:temporal "{year}"^^xsd:gYear . ?m a schema:Trip }}'
        )
    )
    assert int(rows[0]["n"].value) > 0
