"""The analysis page for "Committee + partners" (headless Chromium, French and English): the committee's members
first, partners ranked with "more", actors with no fact named apart, the overlap pairs ranked and capped,
sticky headers, and notes that give a committee membership only to members; the path finder's edges named
in the page's language."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page, find_path
from tests.report_text import REPORT

pytestmark = pytest.mark.browser

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _api(base: str, path: str):
    with _OPENER.open(base + path) as resp:
        return json.load(resp)


@pytest.mark.parametrize(
    ("lang", "member_words", "more"), [("fr", "adhésion au comité", "Afficher"), ("en", "committee membership", "Show")]
)
def test_committee_and_partners_is_readable(browser_env, server, lang, member_words, more) -> None:
    comp = _api(server.url, f"/api/analysis/complementarity?actors=both&lang={lang}")
    members = {a["label"] for a in comp["actors"] if a["member"]}
    # the committee: the City and, as the report names them, the MRIF, Québec International and Université Laval
    member_ids = {a["curie"] for a in comp["actors"] if a["member"]}
    assert member_ids == {"qkgd:ville-de-quebec", "qkgd:mrif", "qkgd:quebec-international", "qkgd:universite-laval"}
    assert len(comp["actors"]) > 20
    if REPORT is not None:
        # the paragraph that creates the committee names its three partners of the City
        text = REPORT.read_text(encoding="utf-8")
        paragraph = next(p for p in text.split("\n") if "comité de travail" in p and "capitale internationale" in p)
        assert all(name in paragraph for name in ("MRIF", "Québec International", "Université Laval"))
    # the API's notes give a committee membership to members only
    for note in comp["notes"]:
        if "committee membership" in note:
            assert any(f"{m} takes part" in note for m in members), note
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/analysis?actors=both&lang={lang}")
        heat = page.locator("#panel-themes table.heatmap")
        columns = heat.locator("thead th.actor").evaluate_all(
            "els => els.map(e => [e.dataset.actor, e.classList.contains('member'), e.classList.contains('more-actor')])"
        )
        # members first, far fewer columns than actors, every actor without any fact named in one note instead
        assert [c[1] for c in columns] == [True] * 4 + [False] * (len(columns) - 4)
        assert len(columns) < len(comp["actors"]) / 2
        silent = page.locator("#silent-actors").inner_text()
        shown = {c[0] for c in columns}
        for a in comp["actors"]:
            assert (a["iri"] in shown) != (a["label"] in silent and a["facts"] == 0), a["label"]
        # the partners' columns are ranked by their number of facts
        facts = {a["iri"]: a["facts"] for a in comp["actors"]}
        ranked = [facts[c[0]] for c in columns[4:]]
        assert ranked == sorted(ranked, reverse=True)
        # notes: "committee membership" only for members
        for note in page.locator("#thin-notes li").all_inner_texts():
            if member_words in note:
                assert any(m in note for m in members), note
        # sticky headers: after scrolling the heatmap down, its header row is still at the top of its box
        wrap = page.locator("#panel-themes")
        wrap.evaluate("w => { w.scrollTop = 400; }")
        top_gap = page.evaluate("""() => { const w = document.querySelector('#panel-themes');
          const th = w.querySelector('thead th.actor'); return th.getBoundingClientRect().top - w.getBoundingClientRect().top; }""")
        assert wrap.evaluate("w => w.scrollTop") > 0 and abs(top_gap) < 2
        # overlaps: only pairs with something in common, most similar first, 15 then "more"
        rows = page.locator("#overlap-table tbody tr")
        visible = [r for r in rows.all() if r.is_visible()]
        assert len(visible) == 15 < rows.count()
        best = rows.evaluate_all(
            "rs => rs.map(r => Math.max(...Array.from(r.querySelectorAll('td')).slice(0, 3).map(td => parseFloat(td.textContent.replace(',', '.')) || 0)))"
        )
        assert best == sorted(best, reverse=True) and min(best) > 0
        button = page.locator("button.show-more[data-target='overlap-table']")
        assert button.inner_text().startswith(more)
        button.click()
        assert all(r.is_visible() for r in rows.all())
        assert_local_only(session.requests)
        assert_no_console_errors(session)


@pytest.mark.parametrize(
    ("lang", "typed", "facilitator"), [("fr", "Ville de Qué", "facilitateur"), ("en", "City of Qué", "facilitator")]
)
def test_path_finder_from_labels_with_readable_edge_names(browser_env, server, lang, typed, facilitator) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/analysis?lang={lang}")
        find_path(page, typed)
        page.wait_for_timeout(300)
        edges = page.evaluate(
            "() => window.qkgAnalysisNetwork.body.data.edges.get().map(e => [e.id, e.label, e.title || ''])"
        )
        assert edges and all("qkg:" not in label and ":" not in label for _, label, _ in edges)
        assert any(facilitator in label for _, label, _ in edges)
        assert any("qkg:facilitator" in title for _, _, title in edges)  # the CURIE on hover
        first = page.locator("#path-list > li").first
        assert facilitator in first.inner_text() and "qkg:" not in first.inner_text()
        assert first.locator(".via[title='qkg:facilitator']").count() >= 1
        # no edge label sits on a node
        clashes = page.evaluate("""() => { const net = window.qkgAnalysisNetwork;
          const boxes = net.body.data.nodes.getIds().map(id => [id, net.getBoundingBox(id)]);
          const out = [];
          Object.values(net.body.edges).forEach(e => { const s = e.labelModule.size;
            if (!e.labelModule.elementOptions.label) return;
            boxes.forEach(([id, b]) => { if (s.left < b.right && b.left < s.left + s.width && s.top < b.bottom && b.top < s.top + s.height)
              out.push([e.id, id]); }); });
          return out; }""")
        assert clashes == []
        assert_local_only(session.requests)
        assert_no_console_errors(session)
