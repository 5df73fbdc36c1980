"""The bilingual interface (api/i18n.py): complete catalogues, the language choice, no raw CURIE in French.

Runs against the shared ``qkg serve`` of a real build (tests/test_api_support.py); the browser checks of the
switch and of the scripts' messages are in tests/test_i18n_browser.py.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from typing import ClassVar

import pytest

from tests.api_server import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import i18n as catalogues
from qkg.api.i18n import catalog, negotiate, term_label, use_lang
from qkg.ontology import PREFIXES

CURIE = re.compile(r"\b(?:" + "|".join(PREFIXES) + r"):[A-Za-z_][\w-]*")
#: The French pages whose visible text must name terms by their labels.
PAGES = (
    "/",
    "/queries",
    "/queries/agreements",
    "/id/ville-de-quebec",
    "/id/geneve",
    "/def",
    "/def/City",
    "/def/funder",
    "/search?q=geneve",
    "/changes",
    "/sparql",
    "/network",
    "/map",
    "/stats",
    "/analysis",
    "/nowhere",
)


class _VisibleText(HTMLParser):
    """Text a reader sees: outside code, pre, script, style and the title, and outside foreign-language data."""

    HIDDEN: ClassVar[set[str]] = {"code", "pre", "script", "style", "title", "kbd", "textarea"}
    VOID: ClassVar[set[str]] = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        hidden = tag in self.HIDDEN or (lang is not None and not lang.startswith("fr") and tag != "html")
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def test_every_message_has_a_french_translation() -> None:
    template = catalogues.extract()
    assert len(template) > 100  # the templates, routes and scripts were all read
    assert catalogues.untranslated("fr", template) == []


def test_the_check_fails_on_a_new_untranslated_message() -> None:
    template = catalogues.extract()
    template.add("A message nobody translated yet", locations=[("api/templates/x.html", 1)])
    assert catalogues.untranslated("fr", template) == ["A message nobody translated yet"]


def test_the_french_catalogue_compiles_with_its_placeholders_intact() -> None:
    cat = catalog("fr")
    for message in cat:
        if message.id and isinstance(message.id, str) and message.string:
            assert re.findall(r"\{\w+\}|%\(\w+\)s", message.id) == re.findall(
                r"\{\w+\}|%\(\w+\)s", message.string
            ) or sorted(re.findall(r"\{\w+\}|%\(\w+\)s", message.id)) == sorted(
                re.findall(r"\{\w+\}|%\(\w+\)s", message.string)
            ), message.id


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "fr"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "de,en;q=0.5,fr;q=0.8", "fr"),
        (None, "en", "fr-CA", "en"),
        ("fr", "en", "en", "fr"),
        ("xx", "en", None, "en"),
    ],
)
def test_language_choice_order(query, cookie, accept, expected) -> None:
    assert negotiate(query, cookie, accept) == expected


def test_ontology_labels_in_both_languages() -> None:
    assert term_label("prov:wasDerivedFrom") == "tiré de"
    with use_lang("en"):
        assert term_label("prov:wasDerivedFrom") == "derived from"
        assert term_label("qkg:CityNetwork") != "qkg:CityNetwork"


def test_lang_parameter_then_cookie_then_accept_language(server) -> None:
    html = {"Accept": "text/html"}
    with server.client() as client:
        home = client.get("/", headers=html)
        assert '<html lang="fr">' in home.text and "En chiffres" in home.text
        assert 'id="lang-switch" href="/?lang=en"' in home.text
        english = client.get("/?lang=en", headers=html)
        assert '<html lang="en">' in english.text and "In figures" in english.text and "En chiffres" not in english.text
        assert "qkg_lang=en" in english.headers["set-cookie"]
        # the cookie now carries the choice to the next page, and beats Accept-Language
        later = client.get("/queries", headers={**html, "Accept-Language": "fr"})
        assert '<html lang="en">' in later.text
        assert '<html lang="fr">' in client.get("/queries?lang=fr", headers=html).text
    with server.client() as fresh:
        assert '<html lang="en">' in fresh.get("/", headers={**html, "Accept-Language": "en-GB,en;q=0.8"}).text


def test_error_pages_and_messages_in_the_page_language(server) -> None:
    with server.client() as client:
        fr = client.get("/nowhere", headers={"Accept": "text/html"})
        assert fr.status_code == 404 and "Introuvable" in fr.text and "vérifiez l&#39;adresse" in fr.text
        en = client.get("/nowhere?lang=en", headers={"Accept": "text/html"})
        assert "Not found" in en.text and "check the address" in en.text
        # the ?lang=en above set the cookie, which now wins over Accept-Language
        assert client.get("/api/nowhere", headers={"Accept-Language": "fr"}).json()["hint"].startswith("check")
    with server.client() as fresh:
        assert fresh.get("/api/nowhere", headers={"Accept-Language": "fr"}).json()["hint"].startswith("vérifiez")


def test_js_catalogue_is_served(server) -> None:
    with server.client() as client:
        fr = client.get("/i18n/fr.json").json()
        assert client.get("/i18n/en.json").json() == {}
        assert client.get("/i18n/xx.json").status_code == 404
    assert fr["Running…"] == "Exécution…" and fr["{n} row"] == ["{n} ligne", "{n} lignes"]
    assert all((isinstance(v, str) and v) or (isinstance(v, list) and all(v)) for v in fr.values())


@pytest.mark.parametrize("path", PAGES)
def test_french_pages_show_no_raw_curie(server, path) -> None:
    with server.client() as client:
        page = client.get(path, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text
    found = sorted(set(CURIE.findall(visible_text(page.text))))
    assert found == [], f"{path} shows raw CURIEs: {found}"


def test_titles_are_unique(server) -> None:
    titles = {}
    with server.client() as client:
        for path in PAGES:
            text = client.get(path, headers={"Accept": "text/html"}).text
            title = re.search(r"<title>(.*?)</title>", text, re.S).group(1).strip()
            assert title != "qkg · qkg"
            titles.setdefault(title, []).append(path)
    shared = {t: p for t, p in titles.items() if len(p) > 1}
    assert shared == {}


def test_pages_write_numbers_as_their_language_writes_them(server) -> None:
    """The home page's count of triples and the analysis page's scores (the templates' ``number`` filter):
    a narrow no-break space between thousands and a decimal comma in French, 7,092 and 0.548 in English."""
    from babel.numbers import format_decimal

    with server.client() as client:
        triples = client.get("/api/stats").json()["triples"]
        home = {lang: client.get(f"/?lang={lang}", headers={"Accept": "text/html"}).text for lang in ("fr", "en")}
        analysis = {
            lang: client.get(f"/analysis?lang={lang}", headers={"Accept": "text/html"}).text for lang in ("fr", "en")
        }
    assert triples >= 1000
    assert f"<strong>{format_decimal(triples, locale='fr')}</strong>" in home["fr"]
    assert f"<strong>{triples:,}</strong>" in home["en"]
    row = re.compile(
        r'data-betweenness="([^"]+)" data-pagerank="([^"]+)">.*?<td>([^<]+)</td><td>([^<]+)</td></tr>', re.S
    )
    for lang, point in (("fr", ","), ("en", ".")):
        rows = row.findall(analysis[lang])
        assert rows, analysis[lang][:500]
        for betweenness, pagerank, shown_b, shown_p in rows:
            assert (shown_b, shown_p) == (
                f"{float(betweenness):.3f}".replace(".", point),
                f"{float(pagerank):.3f}".replace(".", point),
            )


def _counted_messages() -> list[tuple[str, str, str]]:
    """Every ``NP_(singular, plural)`` marked in the Python code, with its place."""
    import ast

    found = []
    for folder in ("api", "graph", "loaders", "viz"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "NP_":
                    singular, plural = (ast.literal_eval(a) for a in node.args[:2])
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", singular, plural))
    return found


def test_every_counted_message_is_in_the_catalogue_with_its_two_french_forms() -> None:
    """Each ``NP_`` is extracted (Babel misses a message marked inside another marked call's arguments: such a
    message would stay English in French) and has a French singular and plural under ``nplurals=2``."""
    counted = _counted_messages()
    assert len(counted) >= 20
    cat = catalog("fr")
    assert cat.num_plurals == 2 and cat.plural_expr == "(n > 1)"
    missing = []
    for where, singular, plural in counted:
        message = cat.get(singular)
        if message is None or message.id != (singular, plural) or len(message.string) != 2 or not all(message.string):
            missing.append(f"{where}: {singular!r}")
    assert not missing, "\n".join(missing)


def test_french_says_the_singular_for_zero_and_one_and_english_for_one_only() -> None:
    from qkg.api.i18n import gettext
    from qkg.graph.errors import NP_, Message

    said = {}
    for lang in ("fr", "en"):
        with use_lang(lang):
            said[lang] = [
                Message(NP_("{n} fact added", "{n} facts added"), n=n).localized(gettext, lang) for n in (0, 1, 2, 1200)
            ]
    assert said["fr"] == ["0 fait ajouté", "1 fait ajouté", "2 faits ajoutés", "1\u202f200 faits ajoutés"]
    # English as Python writes it
    assert said["en"] == ["0 facts added", "1 fact added", "2 facts added", "1200 facts added"]


def test_the_pages_counted_messages_agree_with_their_counts_in_each_language(server) -> None:
    """A page's message with a count (the complementarity tables' captions) says its numbers and nouns as the
    page's language does; ``filled`` (the templates' helper) groups French thousands (``1 234 faits ajoutés``)."""
    from qkg.api.app import _templates

    env = _templates().env  # the app's templates' environment
    with server.client() as client:
        pages = {
            lang: client.get(f"/analysis?lang={lang}", headers={"Accept": "text/html"}).text for lang in ("fr", "en")
        }
    french = re.findall(r"<caption>(\d+) (thèmes?|pays|continents?) × (\d+) (acteurs?) : ", pages["fr"])
    english = re.findall(r"<caption>(\d+) (themes?|countries|country|continents?) × (\d+) (actors?): ", pages["en"])
    assert len(french) == len(english) >= 2, pages["fr"][:500]
    for (rows, noun, actors, word), (rows_en, noun_en, actors_en, word_en) in zip(french, english, strict=True):
        assert (rows, actors) == (rows_en, actors_en)
        if noun != "pays":  # the same in both forms
            assert noun.endswith("s") == (int(rows) > 1), (rows, noun)
        assert noun_en in (("country",) if int(rows) == 1 else ("countries", "themes", "continents")) or (
            noun_en in ("theme", "continent") and int(rows) == 1
        ), (rows, noun_en)
        assert word.endswith("s") == (int(actors) > 1) and word_en.endswith("s") == (int(actors) != 1)
    line = '{{ filled(NP_("{n} fact added", "{n} facts added"), n=n) }}'
    said = {}
    for lang in ("fr", "en"):
        with use_lang(lang):
            said[lang] = [env.from_string(line).render(n=n) for n in (0, 1, 1234)]
    assert said["fr"] == ["0 fait ajouté", "1 fait ajouté", "1\u202f234 faits ajoutés"]
    assert said["en"] == ["0 facts added", "1 fact added", "1234 facts added"]


def test_every_shapes_message_is_a_message_of_the_catalogue() -> None:
    """Each ``sh:message`` of ontology/shapes.ttl is extracted (babel.cfg's ``shapes`` method), so that a build's
    SHACL problem has its French."""
    from qkg.ontology.shape_messages import shape_messages

    extracted = {m.id for m in catalogues.extract() if isinstance(m.id, str)}
    messages = shape_messages()
    assert len(messages) >= 40 and set(messages) <= extracted
    french = catalog("fr")
    assert all(french.get(m) is not None and french.get(m).string for m in messages)


def test_punctuation_follows_the_page_language(server) -> None:
    """English pages wrote French punctuation: ``Year : …`` before a field's error, ``« quebec »`` around a
    search; French pages keep theirs."""
    html = {"Accept": "text/html"}
    with server.client() as client:
        en = client.get("/search?q=quebec&lang=en", headers=html).text
        fr = client.get("/search?q=quebec&lang=fr", headers=html).text
        assert "“quebec”" in en and "«" not in en
        assert "« quebec »" in fr
        en = client.get("/queries/partners?year=abc&lang=en", headers=html).text
        fr = client.get("/queries/partners?year=abc&lang=fr", headers=html).text
    assert re.search(r"</a>: \S", en) and "</a> :" not in en, en
    assert "</a> : " in fr
    with server.client() as client:
        home_en = client.get("/?lang=en", headers=html).text
        home_fr = client.get("/?lang=fr", headers=html).text
    # the verdicts' counts above the audit table (the table's cells name a verdict alone)
    verdicts_en = re.findall(r'<span class="verdict verdict-[\w-]+">([^<]*\d)</span>', home_en)
    verdicts_fr = re.findall(r'<span class="verdict verdict-[\w-]+">([^<]*\d)</span>', home_fr)
    assert verdicts_en and all(re.fullmatch(r"[^:]*\S: \d+", v) for v in verdicts_en), verdicts_en
    assert verdicts_fr and all(re.fullmatch(r"[^:]*\S : \d+", v) for v in verdicts_fr), verdicts_fr


def test_the_home_pages_counts_take_their_nouns_plural(server) -> None:
    """The home page said ``85 Organisation``, ``8 Mission``: each count is followed by its noun in the form the
    count takes, in the page's language (the counts are the build's statistics)."""
    plural = {
        "fr": {"qkg:Organisation": "organisations", "qkg:City": "villes", "qkg:Mission": "missions"},
        "en": {"qkg:Organisation": "organisations", "qkg:City": "cities", "qkg:Mission": "missions"},
    }
    with server.client() as client:
        classes = client.get("/api/stats").json()["classes"]
        for lang, nouns in plural.items():
            page = client.get(f"/?lang={lang}", headers={"Accept": "text/html"}).text
            for cls, noun in nouns.items():
                assert classes[cls] > 1
                shown = re.search(rf'href="/def/{cls[4:]}"[^>]*><strong>([^<]+)</strong> ([^<]+)</a>', page)
                assert shown and shown[2] == noun, (lang, cls, shown and shown.groups())
                assert int(re.sub(r"\D", "", shown[1])) == classes[cls]
