"""The views' JSON API on the real 2024 data (a live ``qkg serve``), and the ``qkg viz`` command."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.viz_support import MISSION_CITIES, built_store, live_server, qkg


@pytest.fixture(scope="module")
def store():
    return built_store("real")


@pytest.fixture(scope="module")
def base(store) -> str:
    return live_server(store)


def _get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=120, trust_env=False)


def test_network_json_and_its_artefact(base, store):
    r = _get(base, "/api/viz/network")
    assert r.status_code == 200
    data = r.json()
    assert data["meta"]["nodes"] == len(data["nodes"]) == data["meta"]["total"]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    ids = {n["id"] for n in data["nodes"]}
    assert {"qkgd:quebec", "qkgd:ville-de-quebec", "qkgd:ovpm", "qkgd:geneve"} <= ids
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert not any(n["id"].startswith(("qkgd:leg-", "qkgd:membership-")) for n in data["nodes"])  # collapsed
    build = data["meta"]["build"]
    assert (store / "stores" / build / "qkg-artefacts" / "network.pickle").is_file()  # made by the build
    en = _get(base, "/api/viz/network", lang="en").json()
    assert {n["id"]: n["x"] for n in en["nodes"]} == {n["id"]: n["x"] for n in data["nodes"]}  # same layout
    assert next(n.get("full", n["label"]) for n in en["nodes"] if n["id"] == "qkgd:geneve") == "Geneva"


def test_network_filters_and_ego(base):
    everything = _get(base, "/api/viz/network").json()
    missions = _get(base, "/api/viz/network", type=["mission", "city"], relation="qkg:destination").json()
    assert {n["group"] for n in missions["nodes"]} == {"mission", "city"}
    assert {n["id"].split(":")[1] for n in missions["nodes"] if n["group"] == "city"} == MISSION_CITIES
    assert len([n for n in missions["nodes"] if n["group"] == "mission"]) == 8
    ego = _get(base, "/api/viz/network", focus="ovpm", depth=1).json()
    assert ego["meta"]["focus"] == "qkgd:ovpm" and 1 < ego["meta"]["nodes"] < everything["meta"]["nodes"]
    same = _get(base, "/api/viz/network", focus="https://w3id.org/qkg/id/ovpm", depth=1).json()
    assert {n["id"] for n in same["nodes"]} == {n["id"] for n in ego["nodes"]}
    courtesy = _get(base, "/api/viz/network", category="qkgd:cat-courtesy", type="reception").json()
    assert courtesy["meta"]["nodes"] == 10


@pytest.mark.parametrize(
    "params,status",
    [
        ({"focus": "qkgd:atlantis"}, 404),
        ({"size": "closeness"}, 422),
        ({"depth": 9}, 422),
        ({"year": "soon"}, 422),
        ({"focus": "javascript:alert(1)"}, 404),
        ({"theme": "qkgd:atlantis"}, 400),
        ({"relation": "qkg:bogus"}, 400),
        ({"category": "cat-courtesy"}, 400),
    ],
)
def test_network_errors_have_the_one_shape(base, params, status):
    r = _get(base, "/api/viz/network", **params)
    assert r.status_code == status
    body = r.json()
    assert body["ok"] is False and body["status"] == status and body["error"]


def test_entity_panel_has_facts_and_provenance(base):
    data = _get(base, "/api/viz/entity", id="qkgd:reception-courtesy-01").json()
    assert data["kind"] == "reception" and data["label"]
    assert data["sources"] and data["sources"][0]["annex_item"] == "1"
    assert any(f["curie"] == "qkg:origin" for f in data["facts"])
    assert _get(base, "/api/viz/entity", id="qkgd:atlantis").status_code == 404


def test_map_and_stats_json(base):
    m = _get(base, "/api/viz/map").json()
    assert {c["id"].rsplit("/", 1)[1] for c in m["cities"] if "mission" in c["roles"]} == MISSION_CITIES
    assert len(m["missions"]) == 8 and all(len(x["path"]) >= 2 for x in m["missions"])
    assert m["home"]["label"] == "Québec" and m["unplaced"] == []
    seven = next(x for x in m["missions"] if len(x["stops"]) == 5)
    assert [s["label"] for s in seven["stops"]] == ["Cordoue", "Zurich", "Genève", "Lausanne", "Paris"]
    s = _get(base, "/api/viz/stats").json()
    assert s["totals"]["receptions"] == 21 and s["totals"]["missions"] == 8
    assert sum(s["charts"]["receptions_by_category"]["values"]) == 21
    months = [i for i in s["timeline"]["items"] if i["precision"] != "day"]
    assert all(i["start"].endswith("-01") for i in months)  # partial dates start on the 1st of their span


def test_qkg_viz_writes_one_offline_file(store, tmp_path):
    out = tmp_path / "ovpm.html"
    proc = qkg("--data-dir", str(store), "viz", "--out", str(out), "--focus", "qkgd:ovpm", "--depth", "2")
    assert "wrote" in proc.stderr
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(?!data:)", text)
    block = text.split('<script type="application/json" id="qkg-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert data["meta"]["focus"] == "qkgd:ovpm" and data["facts"]["qkgd:ovpm"]["sources"]
    assert set(data["facts"]) == {n["id"] for n in data["nodes"]}


def test_qkg_viz_refuses_a_bad_entity_base(store, tmp_path):
    proc = qkg(
        "--data-dir",
        str(store),
        "viz",
        "--out",
        str(tmp_path / "x.html"),
        "--entity-base",
        "javascript:alert(1)//",
        check=False,
    )
    assert proc.returncode != 0 and "http(s) URL" in proc.stderr and not (tmp_path / "x.html").exists()


SCHEMATHESIS_CONFIG = """
[[operations]]
include-path-regex = "^/api/viz/entity"
parameters = { id = "qkgd:geneve" }

[[operations]]
include-path-regex = "^/api/viz/(map|stats)"
checks.positive_data_acceptance.expected-statuses = ["2XX", "400"]

[[operations]]
include-path-regex = "^/api/viz/network"
checks.positive_data_acceptance.expected-statuses = ["2XX", "400", "404"]
"""
# negative_data_rejection is skipped: a query parameter fuzzed into an object is sent as plain key=value pairs,
# which are valid values here (free-text CURIEs), so "schema-violating request accepted" is a false alarm.
# A fuzzed ``year`` of the map and the charts (``report_year`` of the network) is a string the build holds no
# year for: a 400 naming its years; a fuzzed ``focus`` of the network is no node of it: a 404.


def test_schemathesis_on_the_viz_routes(base, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    exe = Path(sys.executable).with_name("schemathesis")
    if not exe.exists():
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    command = [
        str(exe),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        base + "/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        "40",
        "--seed",
        "7",
        "--request-timeout",
        "30",
        "--max-response-time",
        "15",
        "--include-path-regex",
        "^/api/viz/",
        "--exclude-checks",
        "negative_data_rejection",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-6000:]
    assert "Tested: 4" in out.replace("  ", " ") or "4 passed" in out, out[-3000:]


@pytest.mark.parametrize(
    ("lang", "title", "words"),
    [
        ("fr", "Réseau des relations internationales de Québec", ("nœuds", "liens", "construction")),
        ("en", "Québec's international network", ("nodes", "links", "build")),
    ],
)
def test_qkg_viz_titles_its_page_in_the_pages_language(store, tmp_path, lang, title, words):
    """The standalone page's title and counts come from the catalogue in ``--lang``, whatever the command line's
    own language; its counts as that language writes them."""
    out = tmp_path / f"net-{lang}.html"
    qkg("--data-dir", str(store), "viz", "--out", str(out), "--lang", lang)
    text = out.read_text(encoding="utf-8")
    meta = json.loads(text.split('<script type="application/json" id="qkg-data">', 1)[1].split("</script>", 1)[0])[
        "meta"
    ]
    head = re.search(r'<header class="viz-standalone-head"><h1>(.*?)</h1><p>(.*?)</p>', text)
    assert head, text[:2000]
    assert head[1].replace("&#39;", "'") == title
    nodes, links, build = words
    assert head[2] == f"{meta['nodes']} {nodes}, {meta['edges']} {links} · {build} {meta['build']}", head[2]


def test_a_filter_value_the_network_lacks_is_refused_with_those_it_has(base):
    """A mistyped relation, theme or category drew an empty network (200, 0 nodes): it is a 400 naming the
    parameter, the value and values the network has, in the reader's language."""
    fr = _get(base, "/api/viz/network", relation=["qkg:destination", "qkg:bogus"], lang="fr")
    en = httpx.get(base + "/api/viz/network", params={"theme": "x"}, headers={"Accept-Language": "en"}, timeout=60)
    assert fr.status_code == en.status_code == 400
    assert fr.json()["error"] == "relation : qkg:bogus n'est pas dans ce réseau", fr.json()
    two = _get(base, "/api/viz/network", relation=["qkg:bogus", "qkg:x2"], lang="fr").json()
    assert two["error"] == "relation : qkg:bogus, qkg:x2 ne sont pas dans ce réseau", two
    assert "qkg:destination" not in fr.json()["error"] and "qkg:" in fr.json()["hint"]
    assert en.json()["error"] == "theme: x is not in this network" and "leave theme out" in en.json()["hint"]


def test_a_refused_filter_value_is_said_back_cut_short(base):
    """A long or many-valued typo is a 400 whose message repeats each value cut to 60 characters, and at most 12
    of them (a 400-character value was said back whole)."""
    long = "qkg:" + "x" * 400
    one = _get(base, "/api/viz/network", theme=long, lang="en")
    assert one.status_code == 400
    said = one.json()["error"]
    assert said.startswith("theme: qkg:xxx") and "…" in said and len(said) < 120, said
    many = _get(base, "/api/viz/network", theme=[f"qkg:t{i:02d}" for i in range(30)], lang="en").json()["error"]
    assert "qkg:t11" in many and "qkg:t12" not in many and many.endswith("… are not in this network"), many


def test_every_relation_of_the_network_is_named_in_both_languages(base):
    """The relation filter showed ``foaf:member (5)``, ``org:holds (2)``: standard terms the ontology does not
    label. Each relation, theme and kind now has a name in the page's language (the standard terms' from
    ontology/labels.ttl), and the English names differ from the French where the vocabulary says so."""
    names = {}
    for lang in ("fr", "en"):
        facets = _get(base, "/api/viz/network", lang=lang).json()["facets"]
        assert facets["relations"], facets
        unnamed = [r["id"] for r in facets["relations"] if r["label"] == r["id"] or ":" in r["label"]]
        assert unnamed == [], (lang, unnamed)
        names[lang] = {r["id"]: r["label"] for r in facets["relations"]}
    assert names["fr"]["org:memberOf"] == "membre de" and names["en"]["org:memberOf"] == "member of"
    assert sum(names["fr"][r] != names["en"][r] for r in names["fr"]) > len(names["fr"]) // 2


def test_the_side_panel_names_every_property_in_the_page_language(base):
    """The network's side panel said ``skos:altLabel`` and ``org:organization`` in both languages (standard terms
    the graph does not label): every property of an entity's panel has a name, the page language's."""
    network = _get(base, "/api/viz/network").json()
    checked = 0
    for node in network["nodes"][:15]:
        for lang in ("fr", "en"):
            panel = _get(base, "/api/viz/entity", id=node["id"], lang=lang).json()
            names = [f["property"] for f in panel.get("facts", [])]
            assert not [n for n in names if re.fullmatch(r"\w+:\w+", n)], (node["id"], lang, names)
            checked += len(names)
    assert checked
