"""``/api/analysis/...`` over HTTP on a real ``qkg serve``, the ``/analysis`` page's HTML, and ``qkg analyse``."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner
from qkg.api.cli import cli

D = "https://w3id.org/qkg/id/"


@pytest.fixture(scope="module")
def http(server):
    with server.client() as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        "/api/analysis/summary",
        "/api/analysis/summary?projection=typed",
        "/api/analysis/centrality?top=5&sort=pagerank&fold_posts=true",
        "/api/analysis/communities?relations=agreement,membership",
        "/api/analysis/brokers?top=3",
        "/api/analysis/ego?node=qkgd:ovpm-board&fold_posts=true",
        "/api/analysis/complementarity?theme_level=top",
        "/api/analysis/complementarity?actors=partners",
        "/api/analysis/reach?target=qkgd:lausanne",
        "/api/analysis/reach?target=theme-sante-durable",
    ],
)
def test_routes_answer_json(http, url):
    r = http.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()


def test_centrality_ranks_the_city_first(http):
    body = http.get("/api/analysis/centrality", params={"top": 3, "fold_posts": "true"}).json()
    assert body["rows"][0]["node"] == D + "ville-de-quebec" and len(body["rows"]) == 3
    assert body["methods"]["betweenness"].startswith("exact")


def test_paths_route(http):
    body = http.get("/api/analysis/paths", params={"from": "ville-de-quebec", "to": "qkgd:innovaud", "k": 2}).json()
    assert [n["curie"] for n in body["paths"][0]["nodes"]][1] == "qkgd:agreement-qi-lecamp-innovaud"
    assert body["paths"][0]["steps"][0]["facts"][0]["sections"][0]["label"] == "Québec attire"


def test_cell_route_gives_facts_with_provenance(http):
    body = http.get(
        "/api/analysis/complementarity/cell",
        params={"dimension": "themes", "actor": D + "universite-laval", "column": D + "theme-sante-durable"},
    ).json()
    assert body["facts"] and all(f["sections"] for f in body["facts"])
    assert body["column"]["label"] == "Santé durable"


def test_ego_is_vis_ready(http):
    body = http.get("/api/analysis/ego", params={"node": "qkgd:ovpm-board", "fold_posts": "true"}).json()
    assert len(body["nodes"]) == 9 and {"from", "to", "facts"} <= set(body["edges"][0])


@pytest.mark.parametrize("fmt,reader", [("gexf", nx.read_gexf), ("graphml", nx.read_graphml)])
def test_export_route(http, fmt, reader):
    r = http.get("/api/analysis/export", params={"format": fmt, "projection": "actors"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert reader(io.BytesIO(r.content)).number_of_nodes() > 50


@pytest.mark.parametrize(
    "url,status,words",
    [
        ("/api/analysis/centrality?relations=treaty", 422, "relations"),
        ("/api/analysis/paths?from=ville-de-quebec&to=atlantis", 404, "not a node"),
        ("/api/analysis/ego?node=qkgd:ovpm-board&depth=9", 422, "invalid request"),
        ("/api/analysis/complementarity?actors=qkgd:atlantis", 404, "actors: 'qkgd:atlantis'"),
    ],
)
def test_errors_have_the_one_shape(http, url, status, words):
    r = http.get(url)
    assert r.status_code == status
    if status != 200:
        _assert_error(r, status, words)


def _assert_error(r, status: int, words: str = "") -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status and words in body["error"], body
    assert isinstance(body["hint"], str)


# Inputs found by schemathesis (tests/test_api_schemathesis.py) on /api/analysis: each was a 500, or a 4xx to a
# value the OpenAPI schema allowed. Now the schema says what the server accepts (a 422 before any work), a
# name that is no node or entity is a documented 404, and nothing is a 500.
@pytest.mark.parametrize(
    "url,status,words",
    [
        # 500: expand_curie's ValueError on an odd actor list
        (
            "/api/analysis/complementarity?lang=fr&actors=%C3%99%C3%8D%F1%8D%B1%9C%2A%0A1.1%08%E2%96%85E%C3%BE",
            422,
            "actors",
        ),
        ("/api/analysis/complementarity?actors=Ville%20de%20Qu%C3%A9bec", 422, "actors"),
        ("/api/analysis/complementarity?actors=committee,qkgd:innovaud", 422, "actors"),
        ("/api/analysis/complementarity?actors=nope:x", 422, "actors"),
        ("/api/analysis/complementarity/cell?dimension=themes&actor=qkgd:qi&column=qkgd:x&actors=%2A", 422, "actors"),
        # 500: expand_curie("") on an empty column (and actor)
        ("/api/analysis/complementarity/cell?actor=&column=&dimension=themes", 422, "actor"),
        ("/api/analysis/complementarity/cell?actor=qkgd:universite-laval&column=&dimension=themes", 422, "column"),
        # 400 to schema-valid relations: the names are now a pattern of the schema
        ("/api/analysis/summary?relations=" + "0" * 200, 422, "relations"),
        ("/api/analysis/brokers?relations=mission,,event", 422, "relations"),
        ("/api/analysis/complementarity?relations=treaty", 422, "relations"),
        ("/api/analysis/complementarity/cell?dimension=themes&actor=0&column=0&relations=treaty", 422, "relations"),
        ("/api/analysis/reach?target=qkgd:lausanne&relations=treaty", 422, "relations"),
        # the year bounds of the projection routes now hold for the complementarity and reach routes too
        ("/api/analysis/complementarity?year_from=1800", 422, "year_from"),
        ("/api/analysis/reach?target=qkgd:lausanne&year_to=2500", 422, "year_to"),
        # 400 to a schema-valid name that is no node: now a documented 404
        ("/api/analysis/paths?from=" + "0" * 300 + "&to=" + "0" * 300, 404, "not a node"),
        ("/api/analysis/ego?node=" + "0" * 300, 404, "not a node"),
        ("/api/analysis/ego?node=", 422, "node"),
        ("/api/analysis/paths?from=&to=qkgd:innovaud", 422, "from"),
        # undocumented 404 on an empty target: now refused by the schema; a malformed target is a documented 404
        ("/api/analysis/reach?relations=&target=", 422, "target"),
        ("/api/analysis/reach?target=%3F%3F", 404, "names no entity"),
        ("/api/analysis/reach?target=http://a%20b", 404, "not a valid IRI"),
        # a well-formed name of nothing: a 200 with a note, though the route promised a 404 (a review)
        ("/api/analysis/reach?target=qkgd:nowhere", 404, "no entity named 'qkgd:nowhere'"),
    ],
)
def test_schemathesis_findings_answer_the_one_error_shape(http, url, status, words):
    http.cookies.clear()  # an earlier ?lang=fr left its cookie: these messages are checked in English
    _assert_error(http.get(url), status, words)


@pytest.mark.parametrize(
    "route",
    [
        "summary",
        "centrality",
        "communities",
        "brokers",
        "export",
        "ego?node=qkgd:ovpm-board",
        "complementarity",
        "complementarity/cell?dimension=themes&actor=qkgd:qi&column=qkgd:x",
        "reach?target=qkgd:lausanne",
    ],
)
def test_an_inverted_year_range_is_a_400(http, route):
    """``year_from > year_to`` binds two parameters, which the schema cannot state (the fuzzer's hook skips it)."""
    sep = "&" if "?" in route else "?"
    _assert_error(
        http.get(f"/api/analysis/{route}{sep}year_from=2099&year_to=1900"), 400, "year range 2099-1900 is empty"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/analysis/summary?relations=",  # empty: the default kinds
        "/api/analysis/summary?relations=mission,%20event",
        "/api/analysis/centrality?top=3&relations=all",
        "/api/analysis/complementarity?relations=",
        "/api/analysis/complementarity?actors=qkgd:universite-laval,%20" + D.replace(":", "%3A") + "ville-de-quebec",
        "/api/analysis/complementarity?actors=qkgd:universite-laval,https://w3id.org/qkg/id/ville-de-quebec",
        "/api/analysis/reach?target=qkgd:lausanne&relations=",
        "/api/analysis/summary?year_from=2020&year_to=2020",
    ],
)
def test_schema_valid_values_are_accepted(http, url):
    r = http.get(url)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "actor,column,field",
    [
        ("0", "0", "actor: '0'"),
        ("qkgd:zzz", "zzz", "actor: 'qkgd:zzz'"),
        ("qkgd:universite-laval", "zzz", "column: 'zzz'"),
        ("Université Laval", "x:y", "actor: 'Université Laval'"),
        ("qkgd:universite-laval", "continent:Atlantide", "column: 'continent:Atlantide'"),
        ("qkgd:universite-laval", "x" * 300, "column: '" + "x" * 59 + "…'"),  # said back cut to 60 characters
    ],
)
def test_a_cell_outside_the_map_is_a_404_naming_its_row_or_column(http, actor, column, field):
    """It was a 200 with no facts, as an empty cell of the map."""
    r = http.get("/api/analysis/complementarity/cell", params={"dimension": "themes", "actor": actor, "column": column})
    _assert_error(r, 404, field)
    assert r.json()["hint"]


def test_an_empty_cell_of_the_map_has_no_facts(http):
    themes = http.get("/api/analysis/complementarity").json()["matrices"]["themes"]
    empty = next(c["iri"] for c in themes["columns"] if c["iri"] not in themes["cells"][D + "universite-laval"])
    r = http.get(
        "/api/analysis/complementarity/cell",
        params={"dimension": "themes", "actor": "qkgd:universite-laval", "column": empty},
    )
    assert r.status_code == 200 and r.json()["facts"] == [] and r.json()["total"] == 0


def test_an_actor_the_graph_does_not_hold_is_a_404_in_the_readers_language(server):
    """``actors=qkgd:zzz`` was a 200 with zzz as a row of empty cells."""
    with server.client() as http:  # its own cookies: a ?lang= is remembered
        en = http.get(
            "/api/analysis/complementarity", params={"actors": "qkgd:universite-laval,qkgd:zzz", "lang": "en"}
        )
        _assert_error(en, 404, "actors: 'qkgd:zzz' names no entity of the graph")
        assert "/search?q=zzz" in en.json()["hint"]
        fr = http.get("/api/analysis/complementarity", params={"actors": "qkgd:zzz", "lang": "fr"})
        _assert_error(fr, 404, "actors : 'qkgd:zzz' ne nomme aucune entité du graphe")
        page = http.get("/analysis", params={"actors": "qkgd:zzz"})  # the page says so instead of a row of nothing
        assert page.status_code == 200 and "ne nomme aucune entité du graphe" in page.text


def test_the_map_is_bounded_and_its_cells_come_a_page_at_a_time(http):
    """Each cell carries its count and at most ``cell_facts`` facts (38 MB for 109 actors at 1M triples when
    every cell listed them all); ``/cell`` pages a cell's facts, and its pages add up to the count."""
    whole = http.get("/api/analysis/complementarity", params={"cell_facts": 100}).json()
    body = http.get("/api/analysis/complementarity", params={"cell_facts": 1}).json()
    cells = [
        (dim, actor, col, cell)
        for dim, m in body["matrices"].items()
        for actor, row in m["cells"].items()
        for col, cell in row.items()
    ]
    assert cells and all(len(c["facts"]) <= 1 and len(c["places"]) <= 1 for *_, c in cells)
    assert all(c["truncated"] == (c["count"] > 1) for *_, c in cells)
    assert set(body["facts"]) == {f for *_, c in cells for f in c["facts"]}  # only the facts it cites
    assert all(
        len(p["themes_shared"]) <= 1 and p["themes_shared_count"] >= len(p["themes_shared"]) for p in body["overlap"]
    )
    assert len(json.dumps(body)) < len(json.dumps(whole))
    dim, actor, col, cell = max(cells, key=lambda x: x[3]["count"])
    assert cell["count"] >= 3 and cell["count"] == whole["matrices"][dim]["cells"][actor][col]["count"]
    seen, offset = [], 0
    while offset is not None:
        page = http.get(
            "/api/analysis/complementarity/cell",
            params={"dimension": dim, "actor": actor, "column": col, "limit": 2, "offset": offset},
        ).json()
        assert page["total"] == cell["count"] and len(page["facts"]) <= 2
        seen += [f["iri"] for f in page["facts"]]
        offset = page["next_offset"]
    assert seen == whole["matrices"][dim]["cells"][actor][col]["facts"]


def test_the_map_compares_at_most_50_actors(server):
    with server.client() as http:  # its own cookies: a ?lang= is remembered
        many = ",".join(f"qkgd:actor-{i}" for i in range(51))
        r = http.get("/api/analysis/complementarity", params={"actors": many, "lang": "en"})
        _assert_error(r, 400, "actors: 51 actors asked, more than the 50 one map compares")
        assert "qkg analyse complementarity" in r.json()["hint"]
        fr = http.get("/api/analysis/complementarity", params={"actors": many, "lang": "fr"})
        _assert_error(fr, 400, "actors : 51 acteurs demandés, plus que les 50 qu'une carte compare")


def test_the_methods_are_in_the_answers_language(server):
    """The JSON answers said their methods in English whatever ``lang`` (only the page translated them)."""
    with server.client() as http:  # its own cookies: a ?lang= is remembered
        fr = http.get("/api/analysis/centrality", params={"lang": "fr", "top": 1}).json()["methods"]
        assert fr["betweenness"].startswith("exacte") and fr["pagerank"].startswith("PageRank d'igraph (pondéré")
        assert fr["degree"].startswith("nombre de voisins distincts")
        en = http.get("/api/analysis/centrality", params={"lang": "en", "top": 1}).json()["methods"]
        assert en["pagerank"] == "igraph PageRank (weighted, damping 0.85)"
        for route in ("communities", "brokers"):
            said = http.get(f"/api/analysis/{route}", params={"lang": "fr", "top": 1}).json()["method"]
            assert said.startswith("Louvain (networkx, graine 42, résolution"), (route, said)
            said = http.get(f"/api/analysis/{route}", params={"lang": "en", "top": 1}).json()["method"]
            assert said.startswith("Louvain (networkx, seed 42, resolution"), (route, said)


def test_duplicate_actors_are_compared_once(http):
    body = http.get(
        "/api/analysis/complementarity", params={"actors": "qkgd:universite-laval,qkgd:universite-laval"}
    ).json()
    assert [a["curie"] for a in body["actors"]] == ["qkgd:universite-laval"] and body["overlap"] == []


def test_openapi_documents_the_answers(http):
    paths = http.get("/openapi.json").json()["paths"]
    for route in ("ego", "paths", "reach", "complementarity", "complementarity/cell"):
        assert "404" in paths[f"/api/analysis/{route}"]["get"]["responses"], route
    export = paths["/api/analysis/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/gexf+xml", "application/graphml+xml", "text/csv"}
    params = {p["name"]: p["schema"] for p in paths["/api/analysis/complementarity"]["get"]["parameters"]}
    assert "pattern" in params["actors"] and "pattern" in params["relations"].get("anyOf", [params["relations"]])[0]


def test_page_with_bad_actors_says_so(http):
    r = http.get("/analysis", params={"actors": "Ville de Québec"})  # the page has no schema pattern: the graph says no
    assert r.status_code == 200 and "n&#39;est ni un IRI ni un CURIE" in r.text  # in the page's language
    en = http.get("/analysis", params={"actors": "Ville de Québec", "lang": "en"})
    assert "is not an IRI or a CURIE" in en.text and "?actors=" in en.text


def test_reach_and_communities_answer_a_page_at_a_time(http):
    """Bounded answers: reach lists ``limit`` actors from ``offset`` (each with at most ``facts`` facts, counted
    in full), and the pages add up to the whole answer; communities list their most connected members."""
    whole = http.get("/api/analysis/reach", params={"target": "qkgd:lausanne", "limit": 1000, "facts": 500}).json()
    assert whole["total"] == len(whole["rows"]) >= 3 and whole["next_offset"] is None
    pages, offset = [], 0
    while offset is not None:
        got = http.get("/api/analysis/reach", params={"target": "qkgd:lausanne", "limit": 2, "offset": offset}).json()
        assert len(got["rows"]) <= 2 and got["total"] == whole["total"]
        pages += got["rows"]
        offset = got["next_offset"]
    assert [r["actor"] for r in pages] == [r["actor"] for r in whole["rows"]]
    one = http.get("/api/analysis/reach", params={"target": "qkgd:lausanne", "facts": 1}).json()
    assert all(
        len(r["facts"]) == 1 and r["fact_count"] == len(w["facts"])
        for r, w in zip(one["rows"], whole["rows"], strict=False)
    )
    assert one["rows"][0]["facts"][0] == whole["rows"][0]["facts"][0]
    full = http.get("/api/analysis/communities", params={"members": 1000}).json()
    capped = http.get("/api/analysis/communities", params={"members": 2, "top": 1}).json()
    assert capped["count"] == full["count"] and len(capped["communities"]) == 1
    assert capped["truncated"] == (full["count"] > 1)
    biggest = full["communities"][0]
    assert capped["communities"][0]["size"] == biggest["size"] == len(biggest["members"]) > 2
    assert len(capped["communities"][0]["members"]) == 2 and capped["communities"][0]["truncated"]
    assert {m["id"] for m in capped["communities"][0]["members"]} <= {m["id"] for m in biggest["members"]}


def test_reach_of_a_target_that_is_no_place_theme_or_organisation_says_so_in_french(http):
    target = "qkgd:agreement-aivp-agenda-2030"  # an agreement: no actor "reaches" it
    fr = http.get("/api/analysis/reach", params={"target": target, "lang": "fr"}).json()
    en = http.get("/api/analysis/reach", params={"target": target, "lang": "en"}).json()
    assert fr["kind"] == en["kind"] == "unknown" and fr["rows"] == [] and fr["total"] == 0
    assert fr["note"] == f"{target} n'est ni un lieu, ni un thème, ni une organisation de ce graphe"
    assert en["note"] == f"{target} is not a place, a theme or an organisation of this graph"


def test_page_html(http):
    r = http.get("/analysis")
    assert r.status_code == 200
    html = r.text
    assert "table" in html and 'class="heatmap"' in html and 'id="path-form"' in html
    # no inline script (CSP); JSON data blocks (type="application/json", never run) are allowed
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html) == []
    assert "/static/vendor/vis-network.min.js" in html and "https://" not in re.sub(
        r'https://w3id\.org[^"<\s]*', "", html
    )


def test_cli(built_data):
    run = CliRunner().invoke
    base = ["--data-dir", str(built_data), "analyse"]
    # the tests' language is English (QKG_LANG=en, tests/conftest.py): the labels are asked in French
    r = run(cli, base + ["centrality", "--top", "3", "--format", "json", "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["rows"][0]["label"] == "Ville de Québec"
    r = run(cli, base + ["paths", "--from", "qkgd:ville-de-quebec", "--to", "qkgd:innovaud", "-k", "1", "--lang", "fr"])
    assert r.exit_code == 0 and "qkg:facilitator" in r.output and "Québec attire" in r.output
    r = run(cli, base + ["complementarity", "--format", "csv", "--dimension", "gaps"])
    assert r.exit_code == 0 and r.output.startswith("dimension,actor,column") and "themes: none" in r.output
    r = run(cli, base + ["complementarity", "--target", "qkgd:lausanne", "--lang", "fr"])
    assert r.exit_code == 0 and "Ville de Québec" in r.output
    r = run(cli, base + ["communities", "--fold-posts"])
    assert r.exit_code == 0 and "modularity" in r.output
    r = run(cli, base + ["ego", "qkgd:ovpm-board", "--fold-posts", "--format", "csv"])
    assert r.exit_code == 0 and r.output.count("\n") == 10
    r = run(cli, base + ["centrality", "--relations", "treaty"])
    assert r.exit_code == 1 and "unknown relation 'treaty'" in r.output and "Fix:" in r.output


def test_cli_export(built_data, tmp_path):
    out = tmp_path / "actors.graphml"
    r = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(built_data),
            "analyse",
            "export",
            "--format",
            "graphml",
            "--projection",
            "actors",
            "--fold-posts",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    G = nx.read_graphml(out)
    assert G.has_edge(D + "ville-de-quebec", D + "ovpm-board")


def test_the_prepared_summary_communities_and_brokers_are_what_the_server_would_compute(server, http):
    """Default options are read from the build (artefact ``analysis-actors``); naming the default relations
    explicitly makes the server compute them on the same projection: the answers are the same."""
    import json

    from qkg.graph.building.artefacts import ARTEFACT_DIR
    from qkg.graph.serving.store import StoreLayout

    manifest = StoreLayout(server.data_dir).require_current() / ARTEFACT_DIR / "manifest.json"
    assert "analysis-actors" in json.loads(manifest.read_text())["artefacts"]  # made by the build
    relations = "agreement,contributed,event,membership,mission,reception"
    for route, extra in (("summary", {}), ("communities", {"members": 1000, "top": 1000}), ("brokers", {"top": 50})):
        prepared = http.get(f"/api/analysis/{route}", params=extra).json()
        computed = http.get(f"/api/analysis/{route}", params={**extra, "relations": relations}).json()
        prepared.pop("parameters", None)  # the summary's options as asked: none, or the relations named
        computed.pop("parameters", None)
        assert prepared == computed and prepared, route


def test_the_ranking_names_types_and_its_method_in_the_pages_language(http):
    """The ranking's type column gives the class's label (not its local name such as ``LocalGovernment``), and
    the betweenness method its words, in French and in English."""
    import re

    for lang, method in (("fr", "exacte"), ("en", "exact")):
        page = http.get("/analysis", params={"lang": lang}).text
        table = page[page.index('id="ranking-table"') : page.index("</table>", page.index('id="ranking-table"'))]
        types = [
            re.sub(r"<[^>]+>", "", t).strip()
            for t in re.findall(r"<tr data-rank.*?</td><td>.*?</td>\s*<td>(.*?)</td>", table, re.S)
        ]
        assert types and not [t for t in types if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+", t)], types
        hint = page[page.index('id="ranking-title"') :]
        assert f"betweenness: {method}" in hint or f"intermédiarité : {method}" in hint, hint[:600]


def test_the_continents_are_named_in_the_answers_language(server) -> None:
    """The English map named its continents in French (``Amérique du Nord``): each column's label is the
    continent's name in the answer's language, its identifier unchanged."""
    from qkg.graph.analysis.regions import CONTINENTS, ENGLISH

    with server.client() as client:
        for lang in ("fr", "en"):
            columns = client.get("/api/analysis/complementarity", params={"lang": lang}).json()["matrices"][
                "continents"
            ]["columns"]
            assert {c["iri"] for c in columns} <= {"continent:" + c for c in CONTINENTS}
            for c in columns:
                name = c["iri"].split(":", 1)[1]
                assert c["label"] == (ENGLISH[name] if lang == "en" else name), (lang, c)
            assert lang == "fr" or any(c["label"] == "North America" for c in columns), columns
