"""Every answer is bounded by design, not by the size of the graph: checked on a small synthetic graph.

The bounds, not timings: the entity page's incoming links come a page at a time (and the pages together are
all of them), the neighbourhood is paged, and the network of a large graph opens on an overview of at most
``OVERVIEW_NODES + 1`` nodes, each expansion at most ``NETWORK_MAX_NODES``.
"""

from __future__ import annotations

import re

import httpx
import pytest
from qkg.graph.pages.entity import ENTITY_NS, FACTS_PAGE, INCOMING_PAGE, TERM_NS
from qkg.graph.pages.years import build_years
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.viz.source import NETWORK_MAX_NODES, OVERVIEW_NODES, network_view, prepare_network

from tests.viz_support import built_store, live_server

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def data_dir():
    return built_store("synth-20k")


@pytest.fixture(scope="module")
def store(data_dir):
    return open_read_only(StoreLayout(data_dir).require_current())


@pytest.fixture(scope="module")
def base(data_dir) -> str:
    return live_server(data_dir)


def _most(store, counted: str) -> str:
    """The IRI of the first row of ``counted`` (a query of an IRI and its count ``?n``) by the largest count."""
    return next(iter(store.select(f"{counted} ORDER BY DESC(?n) LIMIT 1")))[0].value


@pytest.fixture(scope="module")
def hub(store) -> tuple[str, set[tuple[str, str]]]:
    """The place with the most incoming links, and those links (subject, property), read from the store."""
    iri = _most(
        store,
        f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . ?o a <{TERM_NS}Place> "
        f"FILTER(?p != <{RDF_TYPE}> && STRSTARTS(STR(?o), '{ENTITY_NS}')) }} GROUP BY ?o",
    )
    links = {
        (r["s"].value, r["p"].value)
        for r in store.select(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(?p != <{RDF_TYPE}>) }}")
    }
    assert len(links) > INCOMING_PAGE, "the synthetic graph should have a place with more than a page of links"
    return iri, links


def _get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=120, trust_env=False)


def test_incoming_links_come_a_page_at_a_time_and_add_up(base, hub):
    iri, links = hub
    name = iri[len(ENTITY_NS) :]
    seen, offset, pages = set(), 0, 0
    while offset is not None:
        data = _get(base, f"/api/entities/{name}", offset=offset).json()
        assert len(data["incoming"]) <= INCOMING_PAGE
        seen |= {(link["subject"]["value"], link["property"]["value"]) for link in data["incoming"]}
        offset, pages = data["incoming_page"]["next"], pages + 1
    assert seen == links and pages >= -(-len(links) // INCOMING_PAGE)


def test_entity_page_shows_one_page_and_a_more_link(base, hub):
    iri, links = hub
    name = iri[len(ENTITY_NS) :]
    page = _get(base, f"/id/{name}", lang="fr")
    assert page.status_code == 200
    rows = re.search(r'id="incoming-title".*?<tbody>(.*?)</tbody>', page.text, re.S).group(1).count("<tr>")
    assert rows == INCOMING_PAGE
    more = re.search(r'<a rel="next" class="more" href="([^"]+)"', page.text)
    assert more and more.group(1) == f"/id/{name}?offset={INCOMING_PAGE}"
    last = _get(base, f"/id/{name}", offset=len(links) - 1)
    assert last.status_code == 200 and 'rel="next"' not in last.text and 'rel="prev"' in last.text


def test_neighbourhood_is_paged(base, hub):
    name = hub[0][len(ENTITY_NS) :]
    first = _get(base, f"/api/entities/{name}/neighbours", limit=10).json()
    assert len(first["nodes"]) == 11 and first["next"] == 10  # the entity and ten neighbours
    second = _get(base, f"/api/entities/{name}/neighbours", limit=10, offset=10).json()
    ids = lambda page: {n["iri"] for n in page["nodes"] if n["depth"] > 0}  # noqa: E731
    assert ids(first).isdisjoint(ids(second))


@pytest.mark.parametrize("sorted_up_to", [10_000, 7])
def test_neighbourhood_pages_together_are_the_whole_ring(store, hub, monkeypatch, sorted_up_to):
    """Page after page, the hub's neighbours are each listed once, in the order of the one-page answer: by IRI
    when the ring is small, in the store's order when it holds more than ``RING_SORTED`` (here 7)."""
    from qkg.graph.pages import entity

    monkeypatch.setattr(entity, "RING_SORTED", sorted_up_to)
    iri = hub[0]
    whole = [n["iri"] for n in entity.store_neighbourhood(store, iri, max_nodes=1000)["nodes"][1:]]
    assert len(whole) > 20 and len(set(whole)) == len(whole)
    paged: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = entity.store_neighbourhood(store, iri, max_nodes=6, offset=offset)
        paged += [n["iri"] for n in page["nodes"][1:]]
        offset = page["next"]
    assert paged == whole
    neighbours = {s for s, _ in hub[1]}
    assert neighbours <= set(whole)  # every subject of an incoming link is a neighbour
    assert (whole == sorted(whole)) == (sorted_up_to > len(whole))


def test_network_overview_holds_at_most_n_nodes(store):
    prepared = prepare_network(store)
    total = prepared.graph.number_of_nodes()
    assert total > OVERVIEW_NODES + 1
    whole = network_view(prepared, full_view_max=total)
    assert whole["meta"]["nodes"] == total and "overview" not in whole["meta"]
    overview = network_view(prepared, full_view_max=OVERVIEW_NODES)
    assert overview["meta"]["overview"] is True and overview["meta"]["hidden"] >= 0
    assert 1 < len(overview["nodes"]) <= OVERVIEW_NODES + 1
    centre = overview["meta"]["focus"]
    assert centre in {n["id"] for n in overview["nodes"]}
    # a click expands a node: its own ego network, bounded too
    other = next(n["id"] for n in overview["nodes"] if n["id"] != centre)
    expanded = network_view(prepared, focus=other, depth=2, full_view_max=OVERVIEW_NODES)
    assert expanded["meta"]["focus"] == other and len(expanded["nodes"]) <= NETWORK_MAX_NODES
    ids = {n["id"] for n in expanded["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in expanded["edges"])


def test_canned_answers_come_a_page_at_a_time(base):
    whole = _get(base, "/api/queries/mission-cities", limit=5000).json()["results"]["bindings"]
    assert len(whole) > 4
    first = _get(base, "/api/queries/mission-cities", limit=3)
    assert len(first.json()["results"]["bindings"]) == 3
    following = first.headers["X-QKG-Next"]
    assert first.headers["Link"] == f'<{following}>; rel="next"' and "offset=3" in following
    second = httpx.get(base + following, timeout=120, trust_env=False).json()["results"]["bindings"]
    assert first.json()["results"]["bindings"] + second == whole[:6]
    last = _get(base, "/api/queries/mission-cities", limit=5000)
    assert "Link" not in last.headers
    assert _get(base, "/api/queries/mission-cities", limit=0).status_code == 400
    page = _get(base, "/queries/mission-cities", limit=3)
    assert page.status_code == 200 and 'rel="next"' in page.text


@pytest.mark.parametrize("name", ["upcoming", "agreements", "mission-cities", "mission-countries"])
def test_canned_pages_are_slices_of_the_whole_answer(base, name):
    """The queries that pick their page first (by their sort keys up to the page's end, ``# page-end``, or by
    short label prefixes) give, page after page, the whole answer's rows in its order, ties included."""
    whole = _get(base, f"/api/queries/{name}", limit=5000).json()["results"]["bindings"]
    assert len(whole) > 14, name
    pages: list = []
    for offset in range(0, min(len(whole), 49), 7):
        pages += _get(base, f"/api/queries/{name}", limit=7, offset=offset).json()["results"]["bindings"]
    assert pages == whole[: len(pages)]


def test_prepared_canned_queries_are_read_from_the_build(base, store):
    """``mission-cities`` keeps its whole answer in the build (``# prepared: yes``): its pages, JSON and CSV,
    come from there with the query's headers; ``upcoming`` is read from there for its default year (``after``
    2024), and runs in the pool for another."""
    page = _get(base, "/api/queries/mission-cities", limit=7, offset=7)
    assert page.headers["X-QKG-Prepared"] == "true" and page.headers["X-QKG-Rows"] == "7"
    assert page.headers["ETag"] and "offset=14" in page.headers["X-QKG-Next"]
    again = httpx.get(
        base + "/api/queries/mission-cities?limit=7&offset=7",
        headers={"If-None-Match": page.headers["ETag"]},
        timeout=120,
        trust_env=False,
    )
    assert again.status_code == 304
    csv = _get(base, "/queries/mission-cities.csv", limit=7, offset=7)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "year,city,label,countryLabel,missions" and len(lines) == 8
    cities = [b["city"]["value"] for b in page.json()["results"]["bindings"]]
    assert [line.split(",")[1] for line in lines[1:]] == cities
    assert _get(base, "/api/queries/upcoming", limit=7).headers["X-QKG-Prepared"] == "true"
    assert _get(base, "/api/queries/upcoming", limit=7, after=2024).headers["X-QKG-Prepared"] == "true"
    other = _get(base, "/api/queries/upcoming", limit=7, after=2023)
    assert other.status_code == 200 and "X-QKG-Prepared" not in other.headers
    # two parameters bound (a year, and after's default): its ETag orders them by name
    year = _get(base, "/api/queries/upcoming", limit=7, year=build_years(store)[-1])
    assert year.status_code == 200 and year.headers["X-QKG-Prepared"] == "true" and year.headers["ETag"]
    both = _get(base, "/api/queries/upcoming", limit=7, year=build_years(store)[-1], after=2023)
    assert (
        both.status_code == 200
        and "X-QKG-Prepared" not in both.headers
        and both.headers["ETag"] != year.headers["ETag"]
    )


def test_paths_search_a_capped_frontier_and_find_the_shortest(store, hub):
    """The path search reads at most ``frontier`` new nodes per side and ring; uncapped, it finds the same
    shortest length as the whole link graph."""
    import networkx as nx
    from qkg.graph.pages.entity import link_graph, store_shortest_paths

    iri, links = hub
    far = sorted(s for s, _ in links)[0]
    whole = link_graph(store).to_undirected(as_view=True)
    other = max(nx.single_source_shortest_path_length(whole, far, cutoff=4).items(), key=lambda kv: (kv[1], kv[0]))
    target, length = other
    assert length >= 2
    found = store_shortest_paths(store, far, target, max_paths=3)
    assert not found["truncated"] and found["paths"]
    assert {p["length"] for p in found["paths"]} == {length}
    for p in found["paths"]:
        assert next(n["iri"] for n in p["nodes"]) == far and p["nodes"][-1]["iri"] == target
        assert len(p["edges"]) == length
    capped = store_shortest_paths(store, iri, target, frontier=5, max_length=4)
    assert capped["explored"] <= 2 + 4 * 5  # two ends, then at most 5 new nodes per ring
    assert capped["truncated"]  # the hub has more than 5 neighbours


def test_paths_route_answers_from_the_store(base, store, hub):
    iri, links = hub
    a = sorted(s for s, _ in links)[0]
    body = _get(base, "/api/paths", **{"from": a, "to": iri, "max": 2}).json()
    assert body["paths"][0]["length"] == 1 and body["truncated"] is False


def test_the_analysis_page_of_a_graph_without_the_committee_says_why_in_the_readers_language(base):
    """A graph whose committee has no members (a synthetic one, a partner city's): the page says so in French
    unasked (and in English when asked), with the fix that works on the page (an address, not the CLI's option)."""
    fr = _get(base, "/analysis")
    en = _get(base, "/analysis", lang="en")
    assert fr.status_code == en.status_code == 200
    assert "n&#39;a aucun membre dans ce graphe" in fr.text and "has no members" not in fr.text
    assert "?actors=partners" in fr.text and "--actors" not in fr.text
    assert "has no members in this graph" in en.text and "--actors" not in en.text
    assert _get(base, "/analysis", actors="partners").status_code == 200


def test_the_complementarity_api_of_a_graph_without_the_committee_names_its_own_parameter(base):
    """The API's hint named the command line's ``--actors``; a client of the API sets ``actors=``."""
    for lang, words in (("en", "has no members in this graph"), ("fr", "n'a aucun membre dans ce graphe")):
        r = _get(base, "/api/analysis/complementarity", lang=lang)
        assert r.status_code == 400 and words in r.json()["error"], r.text
        assert "?actors=" in r.json()["hint"] and "--actors" not in r.json()["hint"], r.text


def test_a_canned_query_for_every_year_keeps_its_year_column(base):
    """``year`` left empty (every year): the rows of different years keep their year (the column was hidden as a
    parameter's, and the rows of two years looked alike); one year asked: the form says it, the column goes."""
    every = _get(base, "/queries/receptions-by-category", lang="fr")
    one = _get(base, "/queries/receptions-by-category", lang="fr", year="2024")
    assert every.status_code == one.status_code == 200

    def headers(page: str) -> list[str]:
        import re

        table = page[page.index("<table") :]
        return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]

    assert "Année" in headers(every.text), headers(every.text)
    assert "Année" not in headers(one.text), headers(one.text)


def _field(page: str, name: str) -> str:
    """The value the form holds for ``name`` (a text field, or a pick-list's selected option)."""
    found = re.search(rf'<input id="param-{name}" name="{name}" value="([^"]*)"', page) or re.search(
        rf'<select id="param-{name}".*?<option value="([^"]*)" selected>', page, re.S
    )
    assert found, f"no field {name}"
    return found.group(1)


def _rows(base: str, name: str, **params) -> list[dict]:
    return _get(base, f"/api/queries/{name}", **params).json()["results"]["bindings"]


def test_a_canned_query_whose_default_gives_no_answer_opens_on_a_value_that_does(base):
    """The 2024 report's default (an activity of 2024) is not in this graph (next year's report, a partner
    city's): the page opens on the first value that answers, says so, and shows its rows; not a 400. More
    values answer than the list holds: it offers ``PICK_MAX`` of them, each one answering, and says the rest
    can be typed."""
    from qkg.graph.pages.catalog import PICK_MAX, load_catalog

    default = next(p.default for p in load_catalog()["event-profile"].params if p.name == "activity")
    assert not _rows(base, "event-profile", activity=default)  # the API keeps its documented default: 0 rows
    fr = _get(base, "/queries/event-profile")
    assert fr.status_code == 200, fr.text[:300]
    assert f"{default} ne donne aucune réponse dans ce graphe" in fr.text
    chosen = _field(fr.text, "activity")
    assert chosen != default and _rows(base, "event-profile", activity=chosen)
    assert "<tbody>" in fr.text
    offered = re.findall(r'<option value="(qkgd:[^"]+)">', fr.text[fr.text.index('<datalist id="choices-activity"') :])
    assert len(offered) == PICK_MAX and chosen in offered
    for value in offered[:5]:
        assert _rows(base, "event-profile", activity=value), value
    assert f"Plus de {PICK_MAX} valeurs" in fr.text
    en = _get(base, "/queries/event-profile", lang="en")
    assert f"{default} gives no answer in this graph" in en.text and "ne donne" not in en.text


def test_a_value_past_the_pick_list_is_checked_on_its_own(base, store):
    """A typed value the list does not offer (it is cut at ``PICK_MAX``) is run when it answers, and refused
    next to its field when it does not."""
    page = _get(base, "/queries/event-profile").text
    offered = set(re.findall(r'<option value="qkgd:([^"]+)">', page))
    others = [
        r["a"].value.removeprefix(ENTITY_NS)
        for r in store.select(f"SELECT ?a WHERE {{ ?a a <{TERM_NS}Activity> }} ORDER BY DESC(?a) LIMIT 50")
    ]
    other = next(a for a in others if a not in offered and _rows(base, "event-profile", activity=f"qkgd:{a}"))
    shown = _get(base, "/queries/event-profile", activity=f"qkgd:{other}")
    assert shown.status_code == 200 and _field(shown.text, "activity") == f"qkgd:{other}" and "<tbody>" in shown.text
    refused = _get(base, "/queries/event-profile", activity="qkgd:quebec")
    assert refused.status_code == 400 and 'class="field-error"' in refused.text


@pytest.mark.parametrize(("name", "param"), [("receptions", "Catégorie"), ("missions-to-country", "Pays")])
def test_a_canned_query_none_of_whose_values_answers_says_so(base, name, param):
    """No value of the parameter answers in this graph (the synthetic receptions have no annex number): the page
    says so in its language, with no table and no error."""
    fr = _get(base, f"/queries/{name}")
    en = _get(base, f"/queries/{name}", lang="en")
    assert fr.status_code == en.status_code == 200
    assert f"Aucune valeur pour « {param} » ne donne de réponse à cette requête dans ce graphe" in fr.text.replace(
        "&nbsp;", " "
    )
    assert "gives an answer to this query in this graph" in en.text
    assert "<tbody>" not in fr.text and 'class="field-error"' not in fr.text


@pytest.fixture(scope="module")
def talker(store) -> tuple[str, set[tuple[str, str]]]:
    """The entity with the most statements of its own, and those (property, value), read from the store."""
    iri = _most(
        store, f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ENTITY_NS}')) }} GROUP BY ?s"
    )
    return iri, {(r["p"].value, r["o"].value) for r in store.select(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}")}


def test_an_entitys_own_facts_come_a_page_at_a_time_and_add_up(base, talker):
    """The entity's own statements are paged like its incoming links (a network lists thousands of members: at
    1M triples its page was capped at 2,000 of them, the rest out of reach): page after page they are all of
    them, and every page names the entity's types."""
    iri, facts = talker
    name, limit = iri[len(ENTITY_NS) :], 7
    seen: set[tuple[str, str]] = set()
    offset, pages, types = 0, 0, []
    while offset is not None:
        data = _get(base, f"/api/entities/{name}", facts_offset=offset, facts_limit=limit).json()
        shown = [(f["property"]["value"], v["value"]["value"]) for f in data["facts"] for v in f["values"]]
        assert 0 < len(shown) <= limit and data["facts_page"]["shown"] >= len(shown)
        seen |= set(shown)
        types.append(sorted(t["value"] for t in data["types"]))
        offset, pages = data["facts_page"]["next"], pages + 1
    assert seen == facts and pages >= -(-len(facts) // limit)
    assert types[0] and all(t == types[0] for t in types)


def test_an_entity_page_past_its_first_facts_links_back_and_keeps_its_place(base, talker):
    iri, facts = talker
    name = iri[len(ENTITY_NS) :]
    first = _get(base, f"/id/{name}", lang="fr").text
    later = _get(base, f"/id/{name}", lang="fr", facts_offset=3, offset=0, year="")
    assert later.status_code == 200
    assert re.search(r'<h2 id="facts-title">Faits <small>4–\d+</small>', later.text)
    prev = re.search(r'<nav class="pager" aria-label="Pages des faits">\s*<a rel="prev" href="([^"]+)"', later.text)
    assert prev and prev.group(1) == f"/id/{name}"
    if len(facts) <= FACTS_PAGE:  # one page holds them all: no pager
        assert 'aria-label="Pages des faits"' not in first


def test_the_substitute_value_is_the_same_in_both_languages_and_answers_in_the_year_asked(base):
    """The value a page opens on when its default gives nothing is chosen by identifier (French and English opened
    on different activities, each language's first by label) and answers in the year the reader asked."""
    fr, en = _get(base, "/queries/event-profile"), _get(base, "/queries/event-profile", lang="en")
    assert _field(fr.text, "activity") == _field(en.text, "activity")
    years = re.findall(r'<option value="(\d{4})"', fr.text)
    for year in (years[0], years[-1]):
        page = _get(base, "/queries/event-profile", year=year)
        chosen = _field(page.text, "activity")
        assert page.status_code == 200 and _rows(base, "event-profile", activity=chosen, year=year), (year, chosen)


@pytest.mark.parametrize("value", ["qkgd:a b", "qkgd:a>b", "<http://x y>"])
def test_a_malformed_value_past_the_pick_list_is_refused_next_to_its_field(base, value):
    """Past 200 values the typed value was looked up even when refused already: a 500 for a space or a '>'."""
    page = _get(base, "/queries/event-profile", activity=value)
    assert page.status_code == 400 and 'class="field-error"' in page.text, page.text[:300]


def test_an_entitys_facts_pages_stay_reachable_under_a_year_and_past_their_end(base, talker, store):
    """The pages are cut before the year's filter (the next page was lost when the filter emptied this one), and a
    page past the end of an entity that is there is an empty page linking to the first (it was a 404 "no entity"
    for an entity with no incoming link)."""
    iri, facts = talker
    name = iri[len(ENTITY_NS) :]
    assert len(facts) > 3  # more than one page of 3
    every = _get(base, f"/api/entities/{name}", facts_limit=3).json()["facts_page"]
    years = build_years(store)
    for year in years:
        page = _get(base, f"/api/entities/{name}", facts_limit=3, year=year).json()["facts_page"]
        assert page["next"] == every["next"] and page["shown"] <= 3
    lone = next(  # an entity nothing links to, with facts of its own
        r["s"].value
        for r in store.select(
            f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ENTITY_NS}')) "
            f"FILTER NOT EXISTS {{ ?x ?q ?s }} }} LIMIT 1"
        )
    )
    for who in (name, lone[len(ENTITY_NS) :]):
        past = _get(base, f"/id/{who}", lang="fr", facts_offset=100_000)
        assert past.status_code == 200, (who, past.status_code)
        assert "Faits <small>" not in past.text and f'<a rel="first" href="/id/{who}">' in past.text
        assert _get(base, f"/api/entities/{who}", facts_offset=100_000).json()["facts_page"]["shown"] == 0
