"""Canned-query pages for people: pick-lists that answer, labelled columns, folded label columns, inline errors.

Against the shared ``qkg serve`` of a real build (tests/test_api_support.py).
"""

from __future__ import annotations

import re

import pytest
from qkg.graph.pages.catalog import load_catalog

HTML = {"Accept": "text/html"}


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select id="param-{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def _headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)


@pytest.mark.parametrize("name", sorted(load_catalog()))
def test_every_result_column_and_parameter_has_labels_in_both_languages(server, name) -> None:
    query = load_catalog()[name]
    with server.client() as client:
        head = client.get(f"/queries/{name}.json").json()["head"]["vars"]
    for var in [*head, *(p.name for p in query.params)]:
        assert set(query.var_labels.get(var, {})) >= {"fr", "en"}, f"{name}: ?{var} has no '# var@fr/en:' label"


@pytest.mark.parametrize(
    ("name", "param", "expected_max"), [("receptions", "category", 3), ("missions-to-country", "country", 10)]
)
def test_pick_lists_hold_only_values_that_answer(server, name, param, expected_max) -> None:
    with server.client() as client:
        options = _options(client.get(f"/queries/{name}", headers=HTML).text, param)
        assert 1 <= len(options) <= expected_max
        for value, label in options:
            rows = client.get(f"/queries/{name}.json", params={param: value}).json()["results"]["bindings"]
            assert rows, f"{label} ({value}) is offered but gives no answer"
        # a value outside the list is refused in the form, not run
        page = client.get(f"/queries/{name}", params={param: "qkgd:atlantis"}, headers=HTML)
        assert page.status_code == 400 and 'class="field-error"' in page.text


def test_the_category_list_is_the_three_reception_categories(server) -> None:
    with server.client() as client:
        labels = [label for _, label in _options(client.get("/queries/receptions", headers=HTML).text, "category")]
        english = [
            label for _, label in _options(client.get("/queries/receptions?lang=en", headers=HTML).text, "category")
        ]
    assert len(labels) == 3 and all(label.startswith("Rencontre") for label in labels), labels
    assert all(label.endswith("meeting") for label in english), english


def test_columns_are_labelled_and_iri_columns_fold_their_label_column(server) -> None:
    with server.client() as client:
        fr = client.get("/queries/twinned-cities", headers=HTML).text
        en = client.get("/queries/twinned-cities?lang=en", headers=HTML).text
    assert _headers(fr) == ["Administration", "Ville jumelée"]
    assert _headers(en) == ["Government", "Twinned city"]
    # each cell is a link on the entity's label; no column repeats it
    first = re.search(r"<tbody>\s*<tr>(.*?)</tr>", fr, re.S).group(1)
    links = re.findall(r'<a href="(/id/[^"]+)" title="qkgd:[^"]+">([^<]+)</a>', first)
    assert len(links) == 2 and len(re.findall(r"<td>", first)) == 2
    assert "qkgd:" not in re.sub(r'title="[^"]*"', "", first)


def test_a_parameter_column_is_not_repeated_and_headers_follow_the_language(server) -> None:
    with server.client() as client:
        page = client.get("/queries/missions-to-country?country=qkgd:france", headers=HTML).text
    assert "Pays" not in _headers(page) and _headers(page)[0] == "Mission"


@pytest.mark.parametrize(("lang", "message"), [("fr", "« abc » n'est pas une année"), ("en", "“abc” is not a year")])
def test_a_bad_parameter_is_shown_in_the_form_in_the_page_language(server, lang, message) -> None:
    with server.client() as client:
        page = client.get(f"/queries/upcoming?after=abc&lang={lang}", headers=HTML)
    assert page.status_code == 400
    assert '<form class="params"' in page.text and 'aria-invalid="true"' in page.text
    assert message in page.text
    assert "<table" not in page.text  # nothing ran


# The cells that a query joins from several labels (GROUP_CONCAT), and the names it selects, in the page's
# language: what the store says each name is in English (French where it has no English label), by SPARQL.
_NAMES_IN = {
    "agreements": (
        "agreement",
        "partyNames",
        " ; ",
        "SELECT ?key ?thing ?fr ?en WHERE { ?key qkg:party ?thing . "
        '?thing rdfs:label ?fr FILTER(lang(?fr) = "fr") '
        'OPTIONAL { ?thing rdfs:label ?en FILTER(lang(?en) = "en") } }',
    ),
    "missions-leaders": (
        "mission",
        "itinerary",
        " → ",
        "SELECT ?key ?thing ?fr ?en WHERE { ?key qkg:leg ?leg . ?leg qkg:legCity ?thing . "
        '?thing rdfs:label ?fr FILTER(lang(?fr) = "fr") '
        'OPTIONAL { ?thing rdfs:label ?en FILTER(lang(?en) = "en") } }',
    ),
}


@pytest.mark.parametrize("name", sorted(_NAMES_IN))
def test_joined_label_cells_are_in_the_page_language(server, name) -> None:
    import html

    from qkg.graph.serving.store import StoreLayout, open_read_only
    from qkg.ontology import sparql_prefixes

    key, column, separator, sparql = _NAMES_IN[name]
    store = open_read_only(StoreLayout(server.data_dir).require_current())
    names: dict[str, dict[str, set[str]]] = {}
    for row in store.select(sparql_prefixes() + sparql):
        english = (row[3] or row[2]).value
        by_lang = names.setdefault(row[0].value, {"fr": set(), "en": set()})
        by_lang["fr"].add(row[2].value)
        by_lang["en"].add(english)
    with server.client() as client:
        answers = {
            lang: client.get(f"/api/queries/{name}", params={"lang": lang}).json()["results"]["bindings"]
            for lang in ("fr", "en")
        }
        page = client.get(f"/queries/{name}", params={"lang": "en"}, headers=HTML).text
    cells = {html.unescape(text) for text in re.findall(r'<td><span lang="\w+">([^<]*)</span></td>', page)}
    translated = 0
    for lang, rows in answers.items():
        assert rows
        for row in rows:
            cell = row[column]
            assert cell["xml:lang"] == lang
            assert set(cell["value"].split(separator)) <= names[row[key]["value"]][lang], (lang, cell)
            assert set(cell["value"].split(separator)) == {
                n for n in names[row[key]["value"]][lang] if n in cell["value"]
            }
            if lang == "en" and names[row[key]["value"]]["en"] != names[row[key]["value"]]["fr"]:
                translated += 1
                # the English page shows the English cell, not the French one
                assert cell["value"] in cells
                french = next(r[column]["value"] for r in answers["fr"] if r[key] == row[key])
                assert french != cell["value"] and french not in cells
    assert translated, f"no {name} row has a name with an English label: the test cannot fail"


def test_the_query_list_names_its_tags_in_the_readers_language(server) -> None:
    """The tags were shown as the catalog's keys (``standard-terms``, ``events``) on the French page."""
    with server.client() as client:
        fr = client.get("/queries", headers=HTML).text
        en = client.get("/queries?lang=en", headers=HTML).text
    shown = lambda page: set(re.findall(r'<span class="tag" data-tag="[^"]+">([^<]+)</span>', page))  # noqa: E731
    assert {"termes standard", "événements", "ententes"} <= shown(fr) and "standard-terms" not in shown(fr)
    assert {"standard terms", "events", "agreements"} <= shown(en)


@pytest.mark.parametrize(("lang", "yes", "no"), [("fr", "oui", "non"), ("en", "yes", "no")])
def test_numbers_and_booleans_are_written_as_the_page_language_writes_them(server, lang, yes, no) -> None:
    """``stated-numbers`` showed ``4066.13`` and ``true`` on the French page: its numbers now as the language
    writes them (``4 066,13``, ``4,066.13``), its booleans as yes or no; the API keeps the values."""
    from decimal import Decimal

    from qkg.graph.errors import format_number

    xsd = "http://www.w3.org/2001/XMLSchema#"
    with server.client() as client:
        rows = client.get("/api/queries/stated-numbers", params={"lang": lang}).json()["results"]["bindings"]
        page = client.get("/queries/stated-numbers", params={"lang": lang}, headers=HTML).text
    cells = re.findall(r"<td>(?:<span[^>]*>)?([^<]*)(?:</span>)?</td>", page)
    decimals = [c["value"] for r in rows for c in r.values() if c.get("datatype") == xsd + "decimal"]
    large = [
        c["value"] for r in rows for c in r.values() if c.get("datatype") == xsd + "integer" and len(c["value"]) > 3
    ]
    assert decimals and large, rows[:3]
    for value in decimals:
        assert format_number(Decimal(value), ",", lang) in cells, (value, cells[:40])
        assert value not in cells or "." not in value
    for value in large:
        assert format_number(int(value), ",", lang) in cells and value not in cells, value
    booleans = [c["value"] for r in rows for c in r.values() if c.get("datatype") == xsd + "boolean"]
    assert {"true", "false"} <= set(booleans)
    assert yes in cells and no in cells and "true" not in cells and "false" not in cells


def test_the_query_list_names_parameters_as_the_forms_do(server) -> None:
    """The list said ``Paramètres : min, year`` (the variables' names) where the query pages say ``Année``: each
    parameter by its label in the page's language, the name on hover; the API gives the same label."""
    import html

    with server.client() as client:
        for lang in ("fr", "en"):
            page = client.get("/queries", params={"lang": lang}, headers=HTML).text
            api = {q["name"]: q for q in client.get("/api/queries", params={"lang": lang}).json()}
            shown = [(n, html.unescape(t)) for n, t in re.findall(r'<span title="(\w+)">([^<]+)</span>', page)]
            assert shown and ("year", {"fr": "Année", "en": "Year"}[lang]) in shown, shown[:5]
            labels = {(p["name"], p["label"]) for q in api.values() for p in q["params"]}
            assert set(shown) <= labels and all(name != label for name, label in shown), (lang, shown, labels)
            assert not re.search(r"Param[eè]t[er]+s ?: <code>", page)
