"""The bilingual interface in headless Chromium: the switch, the scripts' messages, no raw CURIE.

A French browser (locale fr-CA) gets French pages; one click on the header's switch gives English, and the
choice follows to the next page (cookie). The pages' scripts speak the page's language (their JSON
catalogue), and the visible text of a French page, scripts' output included, names no term by its CURIE
outside code. Screenshots at 1280 and 390 px only with ``QKG_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.api_server import ROOT
from tests.browser import assert_local_only, assert_no_console_errors, chromium_page

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots"
CURIE = re.compile(r"\b(?:qkg|qkgd|rdf|rdfs|owl|xsd|skos|schema|org|prov|gist|foaf|time|geo|dct|wdt):[A-Za-z_][\w-]*")
#: The page's visible text, without code, pre, form fields and foreign-language data.
VISIBLE = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('code, pre, kbd, script, style, textarea, .CodeMirror, [lang]:not([lang^="fr"])').forEach(e => e.remove());
  copy.style.position = 'absolute'; copy.style.left = '-99999px';
  document.documentElement.appendChild(copy);
  const text = copy.innerText;
  copy.remove();
  return text;
}"""


def _shot(page, name: str) -> None:
    if os.environ.get("QKG_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def _clean(session) -> None:
    assert_local_only(session.requests)
    assert_no_console_errors(session)
    assert session.dialogs == []


def test_switch_to_english_and_back(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/")
        assert page.get_attribute("html", "lang") == "fr"
        assert page.locator("h1").first.inner_text() == "Les relations internationales de la Ville de Québec"
        assert page.locator("#lang-switch").inner_text() == "English"
        page.click("#lang-switch")
        page.wait_for_url("**/?lang=en")
        assert page.get_attribute("html", "lang") == "en"
        assert page.locator("h1").first.inner_text() == "The City of Québec's international relations"
        assert "Ville" not in page.locator(".counts").inner_text()  # class names by their English labels
        # the cookie carries the choice: the next page, reached by a plain link, is English too
        page.click("header.site nav a[href='/queries']")
        assert page.get_attribute("html", "lang") == "en"
        assert page.locator("h1").inner_text() == "Canned queries"
        page.click("#lang-switch")
        assert page.get_attribute("html", "lang") == "fr" and page.locator("h1").inner_text() == "Requêtes"
        _clean(session)


def test_an_english_browser_gets_english(browser_env, server) -> None:
    with chromium_page(locale="en-US") as session:
        session.page.goto(server.url + "/analysis")
        assert session.page.get_attribute("html", "lang") == "en"
        assert session.page.locator("h1").inner_text() == "Network analysis"
        assert "Overlaps" in session.page.locator("#complementarity").inner_text()
        _clean(session)


@pytest.mark.parametrize(
    ("lang", "row_word", "title"), [("fr", "ligne", "Éditeur SPARQL · qkg"), ("en", "row", "SPARQL editor · qkg")]
)
def test_editor_messages_in_the_page_language(browser_env, server, lang, row_word, title) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/sparql?lang={lang}")
        assert page.title() == title
        page.wait_for_function("() => window.qkgEditor !== undefined && window.qkgEditor !== null")
        page.evaluate("() => window.qkgEditor.setValue('SELECT ?c WHERE { ?c a qkg:City } LIMIT 3')")
        page.click("#run")
        page.wait_for_selector(".results-table tbody tr")
        assert f"3 {row_word}s" in page.locator("#status").inner_text()
        _clean(session)


@pytest.mark.parametrize(
    "path",
    ["/", "/id/ville-de-quebec", "/id/geneve", "/def/Mission", "/queries/agreements", "/analysis", "/map", "/stats"],
)
def test_french_pages_show_terms_by_their_labels(browser_env, server, path) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        text = page.evaluate(VISIBLE)
        assert CURIE.findall(text) == [], path
        _clean(session)


def test_properties_by_label_with_the_curie_on_hover(browser_env, server) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + "/id/ville-de-quebec")
        assert page.locator("table.facts th a[title='rdfs:label']").inner_text() == "libellé"
        page.goto(server.url + "/id/ville-de-quebec?lang=en")
        assert page.locator("table.facts th a[title='rdfs:label']").inner_text() == "label"
        _clean(session)


def test_home_screenshots_in_both_languages(browser_env, server) -> None:
    for width, height in ((1280, 800), (390, 844)):
        with chromium_page(viewport=(width, height)) as session:
            page = session.page
            for lang in ("fr", "en"):
                page.goto(server.url + f"/?lang={lang}")
                assert page.get_attribute("html", "lang") == lang
                _shot(page, f"home-{lang}-{width}")
            _clean(session)


@pytest.mark.parametrize(
    ("lang", "rows", "filled"),
    [("fr", "1\u202f200 lignes", "1\u202f234,5 · 1234 · 2024"), ("en", "1200 rows", "1234.5 · 1234 · 2024")],
)
def test_the_scripts_write_numbers_as_the_page_language_does(browser_env, server, lang, rows, filled) -> None:
    """The pages' scripts (i18n.js's ``format``): a count of the editor's answer with French thousands on a French
    page and as before on an English one; a field that names something (a line, a year) in bare digits."""
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/sparql?lang={lang}")
        said = page.evaluate("() => format('{n} · {line} · {year}', { n: 1234.5, line: 1234, year: 2024 })")
        assert said == filled
        page.wait_for_function("() => window.qkgEditor !== undefined && window.qkgEditor !== null")
        page.evaluate("() => window.qkgEditor.setValue('SELECT ?s WHERE { ?s ?p ?o } LIMIT 1200')")
        page.click("#run")
        page.wait_for_selector(".results-table tbody tr")
        page.wait_for_function("() => /\\d/.test(document.querySelector('#status').textContent)")
        status = page.locator("#status").inner_text()
        assert status.startswith(rows), status
        _clean(session)


@pytest.mark.parametrize(
    ("lang", "zoom_in", "zoom_out", "layers"),
    [("fr", "Zoom avant", "Zoom arrière", "Couches"), ("en", "Zoom in", "Zoom out", "Layers")],
)
def test_the_maps_own_controls_speak_the_page_language(browser_env, server, lang, zoom_in, zoom_out, layers) -> None:
    """Leaflet's zoom buttons and layers toggle said English (``Zoom in``, ``Layers``) on the French map."""
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/map?lang={lang}")
        page.wait_for_selector(".leaflet-control-zoom-in")
        assert page.get_attribute(".leaflet-control-zoom-in", "title") == zoom_in
        assert page.get_attribute(".leaflet-control-zoom-out", "title") == zoom_out
        assert page.get_attribute(".leaflet-control-layers-toggle", "title") == layers
        assert page.locator(".leaflet-control-zoom-in").count() == 1  # Leaflet's own English one is gone
        _clean(session)
