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
