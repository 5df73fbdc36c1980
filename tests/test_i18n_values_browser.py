"""Data values in the page's language (headless Chromium, French and English): roles and concept labels in
canned-query results, and the audit's indicators and reasons on the home page."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser import assert_local_only, assert_no_console_errors, chromium_page

pytestmark = pytest.mark.browser

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: Canned queries whose label columns the query text fixes to one language (roles, types, offices).
FIXED_LANGUAGE = ("ovpm-board", "committee", "offices-and-terms", "receptions-by-category")


@pytest.mark.parametrize(("lang", "other"), [("fr", "en"), ("en", "fr")])
@pytest.mark.parametrize("name", FIXED_LANGUAGE)
def test_query_values_in_the_page_language(browser_env, server, name, lang, other) -> None:
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/queries/{name}?lang={lang}")
        table = page.locator("table.results-table")
        assert table.locator("tbody tr").count() >= 1
        assert table.locator(f"span[lang='{other}']").count() == 0, table.inner_text()
        assert_local_only(session.requests)
        assert_no_console_errors(session)


def test_the_ovpm_board_roles_are_translated(browser_env, server) -> None:
    texts = {}
    for lang in ("fr", "en"):
        with chromium_page() as session:
            session.page.goto(server.url + f"/queries/ovpm-board?lang={lang}")
            texts[lang] = session.page.locator("table.results-table tbody").inner_text()
    # the OVPM's chair: "Chair" in English, its French label on the French page (the SKOS roles have both)
    assert "Chair" in texts["en"] and "Chair" not in texts["fr"]
    assert "Board member" in texts["en"] and "Board member" not in texts["fr"]


@pytest.mark.parametrize(("lang", "verdict"), [("fr", "concorde"), ("en", "agrees")])
def test_audit_reasons_in_the_page_language(browser_env, server, lang, verdict) -> None:
    with _OPENER.open(server.url + "/api/audit") as resp:
        findings = json.load(resp)
    assert findings and all(f["message"] for f in findings)
    with chromium_page() as session:
        page = session.page
        page.goto(server.url + f"/?lang={lang}")
        rows = page.locator("section[aria-labelledby='audit-title'] tbody tr").evaluate_all(
            "rs => rs.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
        )
        assert len(rows) == len(findings)
        for f, row in zip(findings, rows, strict=True):
            label, reason = row[0], row[4]
            assert label == (f["labels"].get(lang) or f["label"])
            if lang == "en":
                assert reason == f["reason"]
            else:
                assert reason != f["reason"], reason  # translated
                for value in f["params"].values():  # every figure of the reason is in it
                    if isinstance(value, int):
                        assert str(value) in reason
        assert any(r[3] == verdict for r in rows)
        assert_no_console_errors(session)
