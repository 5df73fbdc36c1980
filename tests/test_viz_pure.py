"""The pure functions of viz/: escaping, filters, layout, payloads, map and timeline data, the standalone page.

Small graphs with known answers; the XSS corpus (test 17) goes through every function that emits text.
"""

from __future__ import annotations

import html.parser
import json
import random
import time

import networkx as nx
import pytest
from qkg.graph.errors import DataError, ParameterError
from qkg.ontology.curies import local_name
from qkg.viz.escape import clean_text, entity_href, script_json
from qkg.viz.filters import NetworkFilter, ego_nodes, subgraph, visible
from qkg.viz.geo import atlas_name, great_circle, map_payload, valid_point
from qkg.viz.layout import centralities, layout_positions
from qkg.viz.network import collapse_nary, facets, network_payload, vis_options
from qkg.viz.panel import entity_summary
from qkg.viz.standalone import inline_script, inline_style, standalone_html
from qkg.viz.style import KINDS, kind_of, legend
from qkg.viz.timeline import (
    XSD,
    activity_span,
    bound_timeline,
    count_series,
    date_span,
    latest_timeline,
    timeline_payload,
)

from tests.viz_support import PAYLOADS

# ---------------------------------------------------------------------------------------------------------
# escaping
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_json_round_trips_and_cannot_leave_its_element(payload):
    text = script_json({"label": payload, "nested": [payload]})
    assert json.loads(text) == {"label": payload, "nested": [payload]}
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_entity_href_is_always_a_relative_inert_path(payload):
    href = entity_href("https://w3id.org/qkg/id/" + payload)
    assert href.startswith("/id/")
    assert not any(c in href for c in "<>\"' :\u2028")


def test_non_entity_iris_get_no_link():
    assert entity_href("javascript:alert(1)") is None
    assert entity_href("https://w3id.org/qkg/id/") is None
    assert local_name("https://w3id.org/qkg/def#City") is None


def test_clean_text_keeps_markup_as_text_but_bounds_it():
    assert clean_text(PAYLOADS[0]) == PAYLOADS[0]
    assert clean_text("a\x00b\x1bc") == "abc"
    assert len(clean_text("é" * 5000)) == 300
    assert clean_text(None) == ""


# ---------------------------------------------------------------------------------------------------------
# filters and ego networks
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture()
def small() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(vocab={"qkg:party": "partie", "qkg:origin": "provenance", "t:culture": "Culture"})
    g.add_node("quebec", kind="city", label="Québec")
    g.add_node("lyon", kind="city", label="Lyon")
    g.add_node("rec1", kind="reception", category="cat-courtesy", label="Accueil 1")
    g.add_node("rec2", kind="reception", category="cat-strategic", label="Accueil 2", themes=["t:culture"])
    g.add_node("ent", kind="agreement", years=[2023, 2024, 2025], label="Entente")
    g.add_node("old", kind="event", years=[2019], label="Vieux")
    g.add_node("ville", kind="government", label="Ville")
    g.add_edge("rec1", "lyon", rel="qkg:origin")
    g.add_edge("rec2", "lyon", rel="qkg:origin")
    g.add_edge("ent", "ville", rel="qkg:party")
    g.add_edge("old", "quebec", rel="qkg:location")
    return g


def test_each_filter_on_a_small_graph(small):
    def ids(**kw):
        return sorted(visible(small, NetworkFilter(**{k: frozenset(v) for k, v in kw.items()}))[0])

    assert ids() == sorted(small.nodes)
    assert ids(types={"city"}) == ["lyon", "quebec"]
    assert ids(themes={"t:culture"}) == ["lyon", "rec2"]  # the node and its neighbours
    assert ids(years={2024}) == ["ent", "lyon", "quebec", "rec1", "rec2", "ville"]  # undated nodes stay
    assert ids(categories={"cat-courtesy"}) == ["ent", "lyon", "old", "quebec", "rec1", "ville"]
    assert ids(relations={"qkg:origin"}) == ["lyon", "rec1", "rec2"]  # nodes keep an edge
    assert ids(types={"reception"}, relations={"qkg:origin"}) == []
    nodes, edges = visible(small, NetworkFilter(relations=frozenset({"qkg:party"})))
    assert nodes == {"ent", "ville"} and len(edges) == 1


def test_filter_from_query_parameters_ignores_junk():
    f = NetworkFilter.from_params({"type": "city", "year": ["2024", "20x4", "123456"], "theme": [""]})
    assert f.types == {"city"} and f.years == {2024} and f.themes == frozenset() and f.active


def test_ego_network_depths(small):
    assert ego_nodes(small, "rec1", 0) == {"rec1"}
    assert ego_nodes(small, "rec1", 1) == {"rec1", "lyon"}
    assert ego_nodes(small, "rec1", 2) == {"rec1", "lyon", "rec2"}
    with pytest.raises(KeyError):
        ego_nodes(small, "nowhere", 1)
    sub = subgraph(small, ego_nodes(small, "rec1", 2))
    assert sub.number_of_edges() == 2 and sub.graph["vocab"]["qkg:origin"] == "provenance"


def test_collapse_nary_turns_memberships_and_legs_into_edges():
    g = nx.MultiDiGraph()
    for n, t in [
        ("m", "Membership"),
        ("q", "LocalGovernment"),
        ("f", "CityNetwork"),
        ("mi", "Mission"),
        ("l1", "MissionLeg"),
        ("l2", "MissionLeg"),
        ("c1", "City"),
        ("c2", "City"),
        ("ev", "Event"),
        ("pe", "PartnerEntry"),
        ("o", "Organisation"),
    ]:
        g.add_node(n, type=t)
    g.add_edge("m", "q", key="org:member")
    g.add_edge("m", "f", key="org:organization")
    g.add_edge("mi", "l1", key="qkg:leg")
    g.add_edge("mi", "l2", key="qkg:leg")
    g.add_edge("l1", "c1", key="qkg:legCity")
    g.add_edge("l2", "c2", key="qkg:legCity")
    g.add_edge("l1", "ev", key="qkg:legPurpose")
    g.add_edge("pe", "o", key="qkg:partnerOrganisation")
    out = collapse_nary(g)
    assert sorted(out.edges(keys=True)) == [
        ("mi", "c1", "qkg:destination"),
        ("mi", "c2", "qkg:destination"),
        ("mi", "ev", "qkg:legPurpose"),
        ("q", "f", "org:memberOf"),
    ]
    assert "o" in out and "pe" not in out and g.has_node("m")  # the input is not modified


# ---------------------------------------------------------------------------------------------------------
# layout, centralities, payload
# ---------------------------------------------------------------------------------------------------------


def test_layout_is_deterministic_and_fast_at_5000_nodes():
    g = nx.barabasi_albert_graph(5000, 3, seed=42)
    start = time.perf_counter()
    pos = layout_positions(g)
    assert time.perf_counter() - start < 15  # about 0.5 s here; networkx spring_layout takes about 50 s
    assert len(pos) == 5000 and pos == layout_positions(g)
    xs = [p[0] for p in pos.values()]
    assert max(xs) - min(xs) > 1000  # spread in pixels, not in unit coordinates


def test_centralities_of_a_path():
    c = centralities(nx.path_graph(5))
    assert c["betweenness"] == {0: 0.0, 1: 0.75, 2: 1.0, 3: 0.75, 4: 0.0}
    assert c["degree"][2] == 1.0 and c["degree"][0] == 0.5
    assert centralities(nx.Graph()) == {"degree": {}, "pagerank": {}, "betweenness": {}}


def test_payload_has_physics_off_straight_edges_and_all_nodes(small):
    pos = layout_positions(small)
    data = network_payload(small, positions=pos, metrics=centralities(small), size_by="pagerank")
    assert data["meta"]["nodes"] == 7 and data["meta"]["edges"] == 4
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["edges"]["smooth"]["enabled"] is False
    assert {n["group"] for n in data["nodes"]} <= set(KINDS)
    assert all(n["value"] == n["m"][1] for n in data["nodes"])
    assert {r["id"] for r in data["facets"]["relations"]} == {"qkg:party", "qkg:origin", "qkg:location"}
    assert data["facets"]["years"] == [2019, 2023, 2024, 2025]
    with pytest.raises(ParameterError, match="closeness") as err:
        network_payload(small, positions=pos, size_by="closeness")
    assert "pagerank" in err.value.hint


def test_payload_carries_hostile_strings_as_data_only():
    g = nx.MultiDiGraph(vocab={PAYLOADS[1]: PAYLOADS[2]})
    for i, p in enumerate(PAYLOADS):
        g.add_node(p, label=p, kind="city", desc=p)
        if i:
            g.add_edge(PAYLOADS[0], p, rel=PAYLOADS[1])
    data = network_payload(g, positions={})
    assert {n["id"] for n in data["nodes"]} == set(PAYLOADS)
    assert all(n.get("full", n["label"]) in PAYLOADS for n in data["nodes"])
    text = script_json(data)
    assert "<" not in text and json.loads(text)["vocab"] == {PAYLOADS[1]: PAYLOADS[2]}
    assert not any("title" in n for n in data["nodes"])  # no vis tooltip string at all


def test_large_graphs_get_the_large_options():
    small, large = vis_options(50), vis_options(5000)
    assert small["edges"]["arrows"]["to"]["enabled"] and not large["edges"]["arrows"]["to"]["enabled"]
    assert large["interaction"]["hideEdgesOnDrag"] and large["interaction"]["hideEdgesOnZoom"]
    assert not large["interaction"]["hover"]


def test_kinds_and_legend():
    assert kind_of(["CourtesyReception"]) == "reception"
    assert kind_of(["Committee"]) == "organisation" and kind_of(["CityNetwork"]) == "forum"
    assert kind_of(["NetworkMeeting"]) == "event" and kind_of([""]) == "other"
    assert [e["kind"] for e in legend({"event": 2, "city": 1})] == ["city", "event"]
    f = facets(nx.MultiDiGraph())
    assert f["kinds"] == [] and f["relations"] == []


# ---------------------------------------------------------------------------------------------------------
# map and timeline data
# ---------------------------------------------------------------------------------------------------------


def test_map_payload_routes_follow_leg_order_from_home():
    places = {
        "q": {"label": "Québec", "kind": "city", "lat": 46.81, "lon": -71.21},
        "a": {"label": "Paris", "kind": "city", "lat": 48.86, "lon": 2.35, "country": "fr"},
        "b": {"label": "Genève", "kind": "city", "lat": 46.2, "lon": 6.14, "country": "ch"},
        "nowhere": {"label": "Sans coordonnées", "kind": "city"},
        "fr": {"label": "France", "kind": "country", "name_en": "France"},
        "ch": {"label": "Suisse", "kind": "country", "name_en": "Switzerland"},
        "us": {"label": "États-Unis", "kind": "country", "name_en": "United States"},
    }
    data = map_payload(
        places=places,
        missions=[{"id": "m", "label": "M", "legs": [(2, "a"), (1, "b"), (3, "nowhere")]}],
        receptions=[{"id": "r1", "label": "R1", "origin": "a"}, {"id": "r2", "label": "R2", "origin": "us"}],
        home="q",
        partners=["q", "a", "b"],
        hrefs={"a": "/id/a"},
    )
    route = data["missions"][0]
    assert [s["id"] for s in route["stops"]] == ["b", "a"]
    assert route["path"][0] == [46.81, -71.21] and route["path"][-1] == [48.86, 2.35]
    assert data["unplaced"] == ["nowhere"]
    assert {c["id"]: c["roles"] for c in data["cities"]} == {
        "a": ["mission", "partner", "reception"],
        "b": ["mission", "partner"],
    }
    assert [(c["id"], c["count"], c["atlas"]) for c in data["origins"]["countries"]] == [
        ("fr", 1, "France"),
        ("us", 1, "United States of America"),
    ]
    assert data["home"]["id"] == "q"


def test_points_and_arcs():
    assert valid_point("1e999", 0) is None and valid_point(-90, 180) == (-90.0, 180.0)
    arc = great_circle((46.81, -71.21), (-34.47, -57.84))
    assert len(arc) == 25 and all(-90 <= lat <= 90 for lat, _ in arc)
    assert atlas_name("Czech Republic") == "Czechia"


@pytest.mark.parametrize(
    "lexical,datatype,start,end,precision",
    [
        ("2024", "gYear", "2024-01-01", "2025-01-01", "year"),
        ("2024-02", "gYearMonth", "2024-02-01", "2024-03-01", "month"),
        ("2024-12", "gYearMonth", "2024-12-01", "2025-01-01", "month"),
        ("2024-05-13", "date", "2024-05-13", "2024-05-14", "day"),
        ("2024-05-13+02:00", "date", "2024-05-13", "2024-05-14", "day"),
    ],
)
def test_partial_dates_are_spans_never_invented_days(lexical, datatype, start, end, precision):
    span = date_span(lexical, XSD + datatype)
    assert (span.start.isoformat(), span.end.isoformat(), span.precision) == (start, end, precision)


def test_bad_dates_are_skipped_not_guessed():
    with pytest.raises(DataError, match="2024-13") as err:
        date_span("2024-13", XSD + "gYearMonth")
    assert err.value.hint == "write the date as xsd:gYearMonth (YYYY-MM)"
    with pytest.raises(DataError, match="before start date"):
        activity_span(("2025", XSD + "gYear"), ("2024", XSD + "gYear"))
    t = timeline_payload(
        [
            {"id": "x", "label": PAYLOADS[0], "group": "event", "start": ("2024-05", XSD + "gYearMonth")},
            {"id": "y", "label": "y", "group": "event", "start": ("soon", XSD + "date")},
        ],
        {"event": "Événements", "agreement": "Ententes"},
        "en",
    )
    assert t["skipped"] == ["y"] and t["groups"] == [{"id": "event", "label": "Événements"}]
    assert t["items"][0]["label"] == PAYLOADS[0] and t["items"][0]["when"] == "May 2024"


@pytest.mark.parametrize("limit", [1, 7, 40, 400])
def test_the_latest_timeline_is_the_bounded_whole_one(limit):
    rnd = random.Random(limit)
    forms = [("{y}", "gYear"), ("{y}-{m:02d}", "gYearMonth"), ("{y}-{m:02d}-{d:02d}", "date"), ("soon", "date")]
    acts = []
    for k in range(300):
        form, kind = rnd.choice(forms)
        start = (form.format(y=rnd.randrange(2015, 2026), m=rnd.randrange(1, 13), d=rnd.randrange(1, 29)), XSD + kind)
        end = rnd.choice([None, (f"{rnd.randrange(2026, 2028)}", XSD + "gYear"), ("2000", XSD + "gYear")])
        label = rnd.choice(["b", "a", PAYLOADS[0], "é\x00" * 80])
        acts.append(
            {
                "id": f"e{rnd.randrange(10**6)}-{k}",
                "label": label,
                "group": rnd.choice(["event", "agreement"]),
                "start": start,
                "end": end,
                "href": f"/e/{k}",
            }
        )
    groups = {"event": "Événements", "agreement": "Ententes", "mission": "Missions"}
    for lang in ("fr", "en"):
        expected = bound_timeline(timeline_payload(acts, groups, lang), limit=limit)
        assert latest_timeline(acts, groups, lang, limit=limit) == expected
        assert list(latest_timeline(acts, groups, lang, limit=limit)) == list(expected)  # keys in the same order
    twice = acts[:50] + [dict(acts[0], label="z")]  # an id twice: as the whole timeline bounds it
    assert latest_timeline(twice, groups, limit=7) == bound_timeline(timeline_payload(twice, groups), limit=7)


def test_count_series_orders_by_count():
    s = count_series(["a", "b", "b", None], {"a": "A", "b": "B"}, colours={"a": "#000"})
    assert s == {
        "ids": ["b", "a", None],
        "labels": ["B", "A", "(non précisé)"],
        "values": [2, 1, 1],
        "colours": [None, "#000", None],
    }


# ---------------------------------------------------------------------------------------------------------
# side panel and standalone page
# ---------------------------------------------------------------------------------------------------------


def test_entity_summary_keeps_provenance_and_drops_inferred_facts():
    uri = {
        "type": "uri",
        "value": "https://w3id.org/qkg/id/sec",
        "curie": "qkgd:sec",
        "id": "sec",
        "label": PAYLOADS[0],
    }
    d = {
        "iri": "https://w3id.org/qkg/id/x",
        "id": "x",
        "curie": "qkgd:x",
        "label": PAYLOADS[2],
        "labels": {"fr": PAYLOADS[2]},
        "types": [],
        "facts": [
            {
                "property": {"type": "uri", "value": "https://schema.org/description", "curie": "schema:description"},
                "values": [
                    {"value": {"type": "literal", "value": PAYLOADS[1], "lang": "fr"}, "provenance": {"kind": "report"}}
                ],
            },
            {
                "property": {"type": "uri", "value": "http://purl.org/dc/terms/subject", "curie": "dct:subject"},
                "values": [{"value": uri, "provenance": {"kind": "inferred"}}],
            },
        ],
        "incoming": [],
        "sources": [{"section": uri, "page": "9", "annex_item": "3"}],
    }
    s = entity_summary(d)
    assert s["label"] == PAYLOADS[2] and s["desc"] == PAYLOADS[1] and s["facts"] == [] and s["inferred"] == 1
    assert s["sources"] == [{"text": PAYLOADS[0], "id": "sec", "page": "9", "annex_item": "3"}]


class _Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_standalone_page_never_lets_data_become_markup(payload):
    page = standalone_html(
        {"nodes": [{"id": payload, "label": payload}]},
        scripts=["var x = '</script><!--';"],
        styles=["a::after{content:'</style>'}"],
        title=payload,
        subtitle=payload,
    )
    parser = _Collect()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert tags == [
        "html",
        "head",
        "meta",
        "meta",
        "meta",
        "title",
        "link",
        "style",
        "body",
        "header",
        "h1",
        "p",
        "main",
        "div",
        "script",
        "script",
    ]
    assert all(not name.startswith("on") for _, attrs in parser.tags for name, _ in attrs)
    block = page.split('id="qkg-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["nodes"][0]["label"] == payload


def test_inline_code_is_neutralised():
    assert "</script" not in str(inline_script("a='</SCRIPT>'")).lower()
    assert "<!--" not in str(inline_script("a='<!--'"))
    assert "</style" not in str(inline_style("x{content:'</style>'}"))


@pytest.mark.parametrize(
    "name", ["escape", "filters", "geo", "layout", "network", "panel", "standalone", "style", "timeline"]
)
def test_docstring_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module(f"viz.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    assert list(module.__all__)  # every module says what it exports
