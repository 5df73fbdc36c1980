"""The City's main partners ranked by shared facts, on the home page and in the network's ego panel (headless
Chromium, French and English); the ranking checked against an independent SPARQL count on the endpoint."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page
from tests.report_text import REPORT
from tests.viz_support import built_store, live_server

pytestmark = pytest.mark.browser

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CITY = "qkgd:ville-de-quebec"


@pytest.fixture(scope="module")
def real(browser_env) -> str:
    return live_server(built_store("real"))


def _shared_by_sparql(base: str, partner: str) -> int:
    """Facts the City (or one of its posts and units) shares with ``partner`` (or one of its posts and units):
    activities, agreements and projects linked to both, plus one for any direct link, counted by the endpoint."""
    query = f"""
    PREFIX qkg: <https://w3id.org/qkg/def#>
    PREFIX qkgd: <https://w3id.org/qkg/id/>
    PREFIX org: <http://www.w3.org/ns/org#>
    SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE {{
      {{ SELECT ?me WHERE {{ {{ BIND({CITY} AS ?me) }} UNION {{ ?me org:postIn|org:unitOf {CITY} }} }} }}
      {{ SELECT ?them WHERE {{ {{ BIND({partner} AS ?them) }} UNION {{ ?them org:postIn|org:unitOf {partner} }} }} }}
      {{ VALUES ?kind {{ qkg:Mission qkg:Reception qkg:Event qkg:NetworkMeeting qkg:Agreement qkg:Project }}
        ?fact a ?kind ; ?p1 ?me ; ?p2 ?them }}
      UNION {{ ?me ?p ?them FILTER(?p NOT IN (org:postIn, org:unitOf)) BIND("direct link" AS ?fact) }}
      UNION {{ ?them ?p ?me FILTER(?p NOT IN (org:postIn, org:unitOf)) BIND("direct link" AS ?fact) }}
    }}"""
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with _OPENER.open(req) as resp:
        return int(json.load(resp)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    ("lang", "title", "word"),
    [("fr", "principaux partenaires", "faits partagés"), ("en", "main partners", "shared facts")],
)
def test_home_ranks_the_citys_partners_by_shared_facts(real, lang, title, word) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(real + f"/?lang={lang}")
        assert title in page.locator("#partners-title").inner_text()
        rows = page.evaluate("""() => Array.from(document.querySelectorAll('#home-partners > li')).map(li => [
          li.dataset.id, li.querySelector('a').getAttribute('href'), parseInt(li.querySelector('small').textContent.match(/\\d+/)[0], 10),
          li.querySelector('small').textContent])""")
        assert len(rows) == 10
        counts = [r[2] for r in rows]
        assert counts == sorted(counts, reverse=True) and counts[0] >= 3
        assert all(word in r[3] for r in rows if r[2] > 1)
        assert all(r[1].startswith("/id/") for r in rows)
        # the counts are those an independent SPARQL count gives
        for partner, _href, shown, _text in rows[:4]:
            assert _shared_by_sparql(real, partner) == shown, partner
        # Bordeaux, which the report calls a twin city with a 2023-2025 cooperation programme, is among them
        if REPORT is not None:
            text = REPORT.read_text(encoding="utf-8")
            sentence = next(line for line in text.split("\n") if "villes jumelles" in line)
            assert "Bordeaux" in sentence and "2023-2025" in sentence
            assert "qkgd:ville-de-bordeaux" in [r[0] for r in rows]
        assert_local_only(session.requests)
        assert_no_console_errors(session)


@pytest.mark.parametrize(
    ("lang", "heading", "centre"), [("fr", "Principaux partenaires", "centrer"), ("en", "Main partners", "centre")]
)
def test_the_ego_panel_ranks_partners_and_recentres_on_one(real, lang, heading, centre) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(real + f"/network?focus={CITY}&lang={lang}")
        page.wait_for_selector("#viz-partners li")
        assert heading in page.locator("#viz-partners-title").inner_text()
        shared = page.evaluate("() => window.qkgViz.data.meta.partners.partners.map(p => p.shared)")
        assert shared == sorted(shared, reverse=True) and len(shared) >= 10
        first = page.locator("#viz-partners li").first
        partner = first.get_attribute("data-id")
        assert first.locator("a").first.get_attribute("href").startswith("/id/")
        link = first.locator(".viz-partner-focus")
        assert link.inner_text() == centre
        link.click()
        page.wait_for_function(f"() => window.qkgViz.data && window.qkgViz.data.meta.focus === '{partner}'")
        page.wait_for_selector("#viz-partners li")
        assert f"focus={partner}" in urllib.parse.unquote(page.url)
        # from the partner's side, the City is one of its partners
        assert CITY in page.evaluate("() => window.qkgViz.data.meta.partners.partners.map(p => p.id)")
        page.keyboard.press("Escape")
        page.wait_for_selector("#viz-panel", state="hidden")
        assert_local_only(session.requests)
        assert_no_console_errors(session)
