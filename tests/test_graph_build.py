"""The build: known inferences on a tiny graph, clear errors on bad data, and the last good graph kept."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from qkg.graph.building.pipeline import Source, build
from qkg.graph.errors import DataError
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.sources import discover
from qkg.ontology import sparql_prefixes

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture()
def mini(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    return data


def _ask(path: Path, where: str) -> bool:
    store = open_read_only(path)
    return store.ask(sparql_prefixes() + f"\nASK {{ {where} }}")


def _count(path: Path) -> int:
    return len(open_read_only(path))


def test_build_publishes_and_infers(mini, tmp_path):
    result = build(discover(mini), data_dir=tmp_path / "out", shacl=True)
    assert result.shacl == "conforms"
    current = StoreLayout(tmp_path / "out").current()
    assert current == result.path
    # property chain: legs -> destinations -> countries; standard terms only
    assert _ask(current, "qkgd:t-mission schema:itinerary qkgd:t-city-b , qkgd:t-city-c")
    assert _ask(current, "qkgd:t-mission qkg:countryVisited qkgd:t-country-b")
    assert not _ask(current, "qkgd:t-mission qkg:countryVisited qkgd:t-country-a")
    assert _ask(current, "qkgd:t-mission a schema:Trip , schema:Event")
    assert _ask(current, "qkgd:t-city-b schema:containedInPlace qkgd:t-country-b . qkgd:t-city-b a schema:City")
    # defined class by hasValue
    assert _ask(current, "qkgd:t-reception a qkg:CourtesyReception")
    assert not _ask(current, "qkgd:t-reception a qkg:StrategicReception")
    # twinning is symmetric and never reflexive; memberships give the shortcut
    assert _ask(current, "qkgd:t-gov-b qkg:twinnedWith qkgd:t-gov-a . qkgd:t-gov-a qkg:twinnedWith qkgd:t-gov-b")
    assert not _ask(current, "qkgd:t-gov-a qkg:twinnedWith qkgd:t-gov-a")
    assert _ask(current, "qkgd:t-gov-a qkg:memberOf qkgd:t-network ; org:memberOf qkgd:t-network")
    assert _ask(current, "qkgd:t-twinning a gist:Agreement ; gist:hasParty qkgd:t-gov-a")
    # partial dates keep their precision in OWL-Time
    assert _ask(
        current, 'qkgd:t-reception time:hasTime/time:hasBeginning/time:inXSDgYearMonth "2024-05"^^xsd:gYearMonth'
    )
    # asserted facts stay in their file's graph; inferred ones in their own
    assert _ask(current, "GRAPH qkgd:graph-facts { qkgd:t-mission qkg:leg qkgd:t-mission-leg-1 }")
    assert _ask(current, "GRAPH qkgd:graph-inferred { qkgd:t-mission qkg:destination qkgd:t-city-b }")
    assert not _ask(current, "GRAPH qkgd:graph-facts { qkgd:t-mission qkg:destination ?c }")


BAD_CASES = {
    "broken reference": (
        "qkg:legCity qkgd:t-city-c ;",
        "qkg:legCity qkgd:t-city-cc ;",
        ["refers to <https://w3id.org/qkg/id/t-city-cc>", "did you mean qkgd:t-city-c"],
    ),
    "missing label": (
        'qkgd:t-network a qkg:CityNetwork ; rdfs:label "Réseau test"@fr .',
        "qkgd:t-network a qkg:CityNetwork .",
        ["qkgd:t-network", "has no label"],
    ),
    "malformed date": (
        '"2024-05"^^xsd:gYearMonth',
        '"2024-13-45"^^xsd:date',
        ['malformed value "2024-13-45"', "YYYY-MM-DD"],
    ),
    "syntax error": ("qkgd:t-city-c a qkg:City ;", "qkgd:t-city-c a qkg:City ;;; ]", ["syntax error"]),
    "unknown term": (
        "qkg:agreementType qkgd:type-twinning",
        "qkg:agreementKind qkgd:type-twinning",
        ["qkg:agreementKind", "does not declare"],
    ),
    # the provenance is a reference like any other: a section's name mistyped gets the same "did you mean"
    "broken provenance": (
        "qkg:leg qkgd:t-mission-leg-1 , qkgd:t-mission-leg-2 , qkgd:t-mission-leg-3 ; prov:wasDerivedFrom qkgd:t-section .",
        "qkg:leg qkgd:t-mission-leg-1 , qkgd:t-mission-leg-2 , qkgd:t-mission-leg-3 ; prov:wasDerivedFrom qkgd:t-sectoin .",
        ["refers to <https://w3id.org/qkg/id/t-sectoin> (prov:wasDerivedFrom)", "did you mean qkgd:t-section"],
    ),
    # a standard vocabulary's term mistyped: the event would silently lose its date
    "standard term typo": (
        'schema:startDate "2020"^^xsd:gYear',
        'schema:strtDate "2020"^^xsd:gYear',
        ["schema:strtDate", "does not know", "did you mean schema:startDate"],
    ),
    "shape violation": (
        "qkg:party qkgd:t-gov-a , qkgd:t-gov-b",
        "qkg:party qkgd:t-gov-a",
        ["qkgd:t-twinning", "at least two qkg:party"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_data_is_refused_clearly_and_the_last_good_graph_keeps_serving(mini, tmp_path, case):
    out = tmp_path / "out"
    good = build(discover(mini), data_dir=out)
    before = _count(good.path)
    old, new, expected = BAD_CASES[case]
    facts = mini / "facts.ttl"
    text = facts.read_text(encoding="utf-8")
    assert old in text
    facts.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        build(discover(mini), data_dir=out)
    message = str(info.value)
    assert str(facts) in message or info.value.file == str(facts)
    for fragment in expected:
        assert fragment in message, message
    if case != "syntax error":
        assert info.value.line is not None
        # the line named is the entity's own line in the file
        entity_line = facts.read_text(encoding="utf-8").splitlines()[info.value.line - 1]
        assert info.value.entity.split(":")[-1] in entity_line
    assert StoreLayout(out).current() == good.path
    assert _count(good.path) == before
    assert not list((out / "stores").glob("*.partial"))


def test_a_killed_build_leaves_the_previous_graph(mini, tmp_path):
    out = tmp_path / "out"
    good = build(discover(mini), data_dir=out)
    before = _count(good.path)
    big = mini / "big.nt"
    with big.open("w") as fh:
        for i in range(300_000):
            fh.write(f'<https://w3id.org/qkg/id/x{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "{i}" .\n')
    code = (
        "import sys; from qkg.graph.building.pipeline import build; from qkg.loaders.sources import discover; "
        f"build(discover({str(mini)!r}), data_dir={str(out)!r}, progress=lambda m: print(m, flush=True))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent
    )
    first = proc.stdout.readline()  # the load finished; checks/inference are running
    assert "loaded" in first
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert StoreLayout(out).current() == good.path
    assert _count(good.path) == before
    assert _ask(good.path, "qkgd:t-mission a qkg:Mission")


def test_unsupported_file_type(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n")
    with pytest.raises(DataError, match="unsupported file type"):
        build([Source(bad, "https://w3id.org/qkg/id/graph-x")], data_dir=tmp_path / "out")


TRIG_HEAD = (
    "@prefix qkgd: <https://w3id.org/qkg/id/> . @prefix qkg: <https://w3id.org/qkg/def#> . "
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


@pytest.mark.parametrize(
    "body,fragment",
    [
        ('qkgd:ghost a qkg:Organisation ; rdfs:label "Ghost"@fr .', "outside any GRAPH block"),
        ('GRAPH qkgd:graph-inferred { qkgd:ghost a qkg:Organisation ; rdfs:label "Ghost"@fr . }', "reserved graph"),
        ("GRAPH qkgd:graph-ontology { qkg:Ghost a <http://www.w3.org/2002/07/owl#Class> . }", "reserved graph"),
    ],
)
def test_dataset_files_cannot_slip_past_the_checks(mini, tmp_path, body, fragment):
    (mini / "extra.trig").write_text(TRIG_HEAD + body + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=fragment):
        build(discover(mini), data_dir=tmp_path / "out")


def test_one_build_at_a_time(mini, tmp_path):
    from qkg.graph.errors import BuildError

    out = tmp_path / "out"
    with StoreLayout(out).build_lock(), pytest.raises(BuildError, match="another build is running"):
        build(discover(mini), data_dir=out)
    assert build(discover(mini), data_dir=out).path.exists()


def test_the_checks_read_the_data_as_loaded_whatever_the_inference_has_written(mini):
    """The checks run beside the inference: they leave out the graphs it writes. Here an untyped subject of
    org:memberOf becomes an object of the inferred inverse (org:hasMember), which the reference check would
    report as undefined if it read the inferred graph; the problems are the same before and after."""
    from qkg.graph.building import inference, pipeline
    from qkg.graph.named_graphs import INFERRED_GRAPH
    from qkg.graph.serving import terms
    from qkg.graph.serving.backends.oxigraph import OxigraphStore
    from qkg.ontology import load_ontology

    (mini / "extra.ttl").write_text(
        "@prefix org: <http://www.w3.org/ns/org#> . @prefix qkgd: <https://w3id.org/qkg/id/> .\n"
        "qkgd:t-untyped org:memberOf qkgd:t-network .\n",
        encoding="utf-8",
    )
    sources = discover(mini)
    store = OxigraphStore()
    for src in pipeline._ontology_sources() + sources:
        pipeline._load(store, src)
    before = pipeline.check(store, sources)
    # the store holds the inference's graphs as the checks may find them: the inferred one and a round's delta
    inference.materialise(store, inference.compile_rules(load_ontology()))
    store.load(
        b"<https://w3id.org/qkg/id/t-network> <https://w3id.org/qkg/def#oddity> <https://w3id.org/qkg/id/t-nowhere> .",
        format="ntriples",
        graph=inference.DELTA_GRAPH,
    )
    untyped, network = (
        terms.NamedNode("https://w3id.org/qkg/id/t-untyped"),
        terms.NamedNode("https://w3id.org/qkg/id/t-network"),
    )
    member = terms.NamedNode("http://www.w3.org/ns/org#hasMember")
    assert list(store.quads(network, member, untyped, INFERRED_GRAPH))  # what a check reading it would report
    after = pipeline.check(store, sources)
    assert [str(p) for p in after] == [str(p) for p in before] == []


@pytest.mark.parametrize("bad", [False, True])
def test_the_checks_beside_the_inference_on_a_store_on_disk(mini, tmp_path, monkeypatch, bad):
    """A graph too big to hold in memory is checked and inferred on disk: the checks read it in their thread while
    the inference writes to it; good data publish, a broken reference is refused and names its file and line."""
    from qkg.graph.building import pipeline

    monkeypatch.setattr(pipeline, "HOLD_MAX_QUADS", 100)  # the ontology alone is more: on disk from the start
    if bad:
        facts = mini / "facts.ttl"
        facts.write_text(
            facts.read_text(encoding="utf-8").replace("qkg:legCity qkgd:t-city-c ;", "qkg:legCity qkgd:t-city-cc ;", 1),
            encoding="utf-8",
        )
        with pytest.raises(DataError) as info:
            build(discover(mini), data_dir=tmp_path / "out")
        assert "did you mean qkgd:t-city-c" in str(info.value) and info.value.line is not None
        assert StoreLayout(tmp_path / "out").current() is None
    else:
        result = build(discover(mini), data_dir=tmp_path / "out", shacl=True)
        assert result.shacl == "conforms"
        assert _ask(result.path, "qkgd:t-mission qkg:countryVisited qkgd:t-country-b")
