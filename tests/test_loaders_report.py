"""The curated graph against the report's own annex lists (the report is read at test time, never stored)."""

from __future__ import annotations

from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.loaders.report import compare, parse_annexes, read_report

from tests.report_text import REPORT, needs_report


def test_parser_on_a_small_text():
    text = "\n".join(
        [
            "intro 1. not an annex",
            "ANNEXES",
            "Rencontres de courtoisie",
            "1. Visite A;",
            "2. Visite B.",
            "Missions coordonnées par le BRI (en ordre)",
            "1. Mission à Lisbonne, au Portugal.",
        ]
    )
    items = parse_annexes(text)
    assert [(i.annex, i.number, i.text) for i in items] == [
        ("receptions-courtesy", 1, "Visite A"),
        ("receptions-courtesy", 2, "Visite B"),
        ("missions", 1, "Mission à Lisbonne, au Portugal"),
    ]
    assert items[0].line == 4


@needs_report
def test_the_report_has_the_lists_it_announces():
    counts = {}
    for item in read_report(REPORT):
        counts[item.annex] = counts.get(item.annex, 0) + 1
    assert counts == {
        "receptions-courtesy": 10,
        "receptions-collaboration": 7,
        "receptions-strategic": 4,
        "missions": 8,
        "partners": 27,
    }


@needs_report
def test_graph_matches_every_annex_item(graph_2024):
    store = open_read_only(StoreLayout(graph_2024).require_current())
    assert [str(m) for m in compare(read_report(REPORT), store)] == []


@needs_report
def test_a_changed_report_is_caught(graph_2024, tmp_path):
    """The check can fail: drop a partner and move a mission to another city."""
    text = REPORT.read_text(encoding="utf-8").replace("Lisbonne, au Portugal", "Porto, au Portugal")
    text = text.replace("27. Université Laval", "")
    changed = tmp_path / "changed.txt"
    changed.write_text(text, encoding="utf-8")
    store = open_read_only(StoreLayout(graph_2024).require_current())
    problems = [str(m) for m in compare(read_report(changed), store)]
    assert "partners #27: in the graph but not in the report" in problems
    assert any(p.startswith("missions #8: names none of") and "lisbonne" in p for p in problems), problems


def test_articles_are_whole_words():
    from qkg.loaders.report import _words

    assert _words("Laval") == "laval" and _words("Lévis") == "levis"
    assert _words("Ministère de la Culture et des Communications") == "ministere culture communications"
