"""The interface's two languages: French first, English one click away (Babel catalogues, Jinja2's i18n).

- **Which language**: ``?lang=`` first (and it is remembered in the ``qkg_lang`` cookie), then that cookie,
  then the browser's ``Accept-Language``; French when none of them names fr or en
  (:func:`negotiate`). :class:`LanguageMiddleware` decides once per request and sets :func:`current_lang`
  (a context variable, so routes, templates and error handlers all see it).
- **Messages**: the source strings are English; ``api/locale/<lang>/LC_MESSAGES/messages.po`` holds their
  translations, extracted with ``pybabel extract -F babel.cfg`` from the Python, the templates (Jinja2's
  ``{% trans %}`` and ``_()``) and the JavaScript (``gettext()``). The ``.po`` files are compiled in memory
  the first time a language is used (no ``.mo`` in the repository). :func:`gettext` translates in the
  current language; the pages also get the JavaScript's messages as a JSON catalogue
  (:func:`js_catalogue`, served at ``/i18n/<lang>.json``).
- **Ontology terms**: :func:`term_label` gives a class's or a property's ``rdfs:label`` in the chosen
  language, from the ontology's Turtle files and ``ontology/labels.ttl`` (labels of the standard vocabulary
  terms the pages show); templates show it with the CURIE on hover.

Examples
--------
>>> negotiate(None, None, "en-GB,en;q=0.9,fr;q=0.5")
'en'
>>> negotiate("fr", "en", "en")
'fr'
>>> negotiate(None, "en", "fr-CA")
'en'
>>> negotiate(None, None, "de-DE")
'fr'
>>> with use_lang("en"):
...     term_label("qkg:City")
'City'
>>> term_label("qkg:City")
'Ville'
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
import os
from collections.abc import Iterator
from functools import cache, lru_cache
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from qkg.graph.errors import IDENTIFIER_FIELDS, N_, NP_, Message, Plural, format_number

__all__ = [
    "LANGS",
    "DEFAULT_LANG",
    "CLICK_MODULES",
    "COOKIE",
    "LOCALE_DIR",
    "negotiate",
    "current_lang",
    "use_lang",
    "gettext",
    "filled",
    "number",
    "ngettext",
    "translations",
    "catalog",
    "js_catalogue",
    "term_label",
    "term_labels",
    "audit_reason",
    "switch_url",
    "install",
    "LanguageMiddleware",
    "router",
    "mark_terms",
    "N_",
    "NP_",
]

#: click's modules whose messages the command line shows (usage line, section titles, its usage errors):
#: scripts/i18n.py extracts them from the installed click into the catalogue, api/cli.py has click use it.
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")

#: The interface's languages, the default first.
LANGS = ("fr", "en")
DEFAULT_LANG = LANGS[0]
#: The cookie that remembers a ``?lang=`` choice (one year).
COOKIE = "qkg_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


#: Words that lower layers put in their answers and the pages show translated (``{{ _(word) }}``): the
#: audit's verdicts (graph/building/audit.py) and the search's match kinds (graph/pages/search.py).
SHOWN_WORDS = (
    N_("agrees"),
    N_("disagrees"),
    N_("ambiguous"),
    N_("not checkable"),
    N_("not reproducible"),
    N_("exact"),
    N_("prefix"),
    N_("token-prefix"),
    N_("fuzzy"),
    N_("Not Found"),
    N_("Method Not Allowed"),
)

_lang: contextvars.ContextVar[str] = contextvars.ContextVar("qkg_lang", default=DEFAULT_LANG)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the cookie, then ``Accept-Language``, then French."""
    for choice in (query, cookie):
        if choice and choice.lower()[:2] in LANGS:
            return choice.lower()[:2]
    best, best_q = None, 0.0
    for part in (accept_language or "").split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()[:2]
        q = 1.0
        for param in bits[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag in LANGS and q > best_q:
            best, best_q = tag, q
    return best or DEFAULT_LANG


def current_lang() -> str:
    """The language of the request being answered (French outside a request)."""
    return _lang.get()


@contextlib.contextmanager
def use_lang(lang: str) -> Iterator[None]:
    """Answer in ``lang`` inside the block (tests, CLI)."""
    token = _lang.set(lang if lang in LANGS else DEFAULT_LANG)
    try:
        yield
    finally:
        _lang.reset(token)


def cli_lang(environ=None) -> str:
    """The language of the command line's messages: ``QKG_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``) when it is French or English, else English (a ``C`` or ``POSIX`` locale, as on most servers).

    >>> cli_lang({"LANG": "fr_CA.UTF-8"}), cli_lang({"LANG": "C.UTF-8"}), cli_lang({"QKG_LANG": "fr", "LANG": "en_US"})
    ('fr', 'en', 'fr')
    """
    return _asked_lang(environ) or "en"


def output_lang(environ=None) -> str:
    """The language of what a command writes (labels, a report, a page) when its ``--lang`` is not given: the one
    the reader asked for (``QKG_LANG``, else a French or English locale), else French, the committee's language.

    >>> output_lang({"LANG": "en_CA.UTF-8"}), output_lang({"LANG": "C.UTF-8"}), output_lang({"QKG_LANG": "fr"})
    ('en', 'fr', 'fr')
    """
    return _asked_lang(environ) or "fr"


def _asked_lang(environ=None) -> str | None:
    env = os.environ if environ is None else environ
    for name in ("QKG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").lower()[:2]
        if value in LANGS:
            return value
        if value and name != "QKG_LANG":  # the first locale variable set decides, as in setlocale
            break
    return None


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(lang: str):
    """The parsed ``.po`` catalogue of ``lang`` (a :class:`babel.messages.Catalog`), or None for English."""
    path = catalog_path(lang)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


@cache
def translations(lang: str) -> NullTranslations:
    """Translations of ``lang``, compiled in memory from its ``.po`` (English: the source strings)."""
    cat = catalog(lang)
    if cat is None:
        return NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext(message: str) -> str:
    """``message`` in the current language; a counted message (a :class:`~qkg.graph.errors.Plural` bound to its
    count) in the form the language gives that count (French: the singular for 0 and 1).

    >>> triples = NP_("{n} triple", "{n} triples")
    >>> with use_lang("fr"):
    ...     [gettext(triples.of(n)) for n in (0, 1, 2)]
    ['{n} triplet', '{n} triplet', '{n} triplets']
    >>> with use_lang("en"):
    ...     [gettext(triples.of(n)) for n in (0, 1, 2)]
    ['{n} triples', '{n} triple', '{n} triples']
    """
    if isinstance(message, Plural) and message.n is not None:
        return translations(_lang.get()).ngettext(message.singular, message.plural, message.n)
    return translations(_lang.get()).gettext(message)


def filled(template: str, **fields) -> str:
    """``template`` (an English message of the catalogue, ``{name}`` fields as in ``str.format``; a counted one
    marked by ``NP_``) in the current language, its fields filled: the command line's lines (imported there as
    ``_``, which Babel extracts).

    >>> with use_lang("fr"):
    ...     filled("wrote {n} bytes to {out}", n=12000, out="a.ttl")
    'écrit 12\u202f000 octets dans a.ttl'
    """
    return Message(template, **fields).localized(gettext, _lang.get())


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current language."""
    return translations(_lang.get()).ngettext(singular, plural, n)


@cache
def js_catalogue(lang: str) -> dict:
    """The messages of the JavaScript files in ``lang``: ``{source: translation}`` (empty for English).

    A message with plural forms is keyed by its singular and maps to the list of its forms (the language's
    plural rule, in static/js/i18n.js, picks one).
    """
    cat = catalog(lang)
    if cat is None:
        return {}
    out: dict = {}
    for message in cat:
        if (
            not message.id
            or message.fuzzy
            or not any(message.string if isinstance(message.string, tuple) else [message.string])
        ):
            continue
        if any(str(path).endswith(".js") for path, _ in message.locations):
            if isinstance(message.id, (tuple, list)):
                out[message.id[0]] = list(message.string)
            else:
                out[message.id] = message.string
    return out


@lru_cache(maxsize=1)
def term_labels() -> dict[str, dict[str, str]]:
    """``{curie: {lang: label}}`` of the ontology's classes and properties (and the standard terms shown)."""
    from qkg.ontology import labels_by_curie, load_ontology, standard_labels

    out = {
        curie: {lang: label for lang, label in names.items() if lang in LANGS}
        for curie, names in standard_labels().items()
    }
    for curie, names in labels_by_curie(load_ontology(), langs=LANGS).items():  # the ontology's own, over them
        out.setdefault(curie, {}).update(names)
    return out


def term_label(curie: str, lang: str | None = None) -> str:
    """The ``rdfs:label`` of an ontology term in ``lang`` (default: the current language), else the CURIE."""
    names = term_labels().get(curie)
    if not names:
        return curie
    lang = lang or _lang.get()
    return names.get(lang) or names.get(DEFAULT_LANG) or next(iter(names.values()))


def class_label(name: str) -> str:
    """A node's type as the analysis gives it (a CURIE, or a class of qkg's ontology by its local name) in the
    current language; an unknown one as it is."""
    curie = name if ":" in name else f"qkg:{name}"
    shown = term_label(curie)
    return name if shown == curie else shown


def betweenness_method(text: str, lang: str | None = None) -> str:
    """How a betweenness (or any measure of an analysis answer: its ``methods``, its ``method``) was computed,
    in ``lang`` (the current language by default).

    >>> betweenness_method("igraph PageRank (weighted, damping 0.85)", "fr")
    "PageRank d'igraph (pondéré, amortissement 0,85)"
    """
    from qkg.graph.analysis.metrics import method_label

    return method_label(text, gettext if lang is None else translations(lang).gettext)


_CURIE_IN_TEXT = None


def mark_terms(text: str):
    """Escape ``text`` and show the CURIEs it mentions by their labels (the CURIE on hover).

    >>> str(mark_terms("see prov:wasDerivedFrom & co"))
    'see <abbr class="term" title="prov:wasDerivedFrom">tiré de</abbr> &amp; co'
    """
    import re

    from markupsafe import Markup, escape
    from qkg.ontology import PREFIXES

    global _CURIE_IN_TEXT
    if _CURIE_IN_TEXT is None:
        _CURIE_IN_TEXT = re.compile(r"\b(?:" + "|".join(PREFIXES) + r"):[A-Za-z_][\w-]*")
    out, last = [], 0
    text = "" if text is None else str(text)
    for match in _CURIE_IN_TEXT.finditer(text):
        curie = match.group(0)
        label = term_label(curie)
        out.append(escape(text[last : match.start()]))
        if label != curie:
            out.append(Markup('<abbr class="term" title="{}">{}</abbr>').format(curie, label))
        else:
            out.append(Markup("<code>{}</code>").format(curie))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def switch_url(request, lang: str) -> str:
    """The current page's address in ``lang`` (its other parameters kept; the path percent-encoded: a name's
    space, ``&`` or NUL went into the link as it was)."""
    params = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k != "lang"]
    params.append(("lang", lang))
    path = request.scope["path"]  # decoded (the root path included, as uvicorn gives it): quoted once, here
    return quote(path, safe="/:@!$'()*+,;=-._~") + "?" + urlencode(params)


def audit_reason(finding: dict) -> str:
    """An audit finding's reason in the current language: its catalogue ``message`` filled with its ``params``
    (a parameter that is itself a catalogue message, such as the counted noun, is translated too); the
    English ``reason`` for a build made before findings carried their message.

    >>> f = {"reason": "x", "message": "{n} {noun}, as stated", "params": {"n": 8, "noun": "missions in the annex"}}
    >>> with use_lang("fr"):
    ...     print(audit_reason(f))
    8 missions dans l'annexe, comme indiqué
    """
    message = finding.get("message")
    if not message:
        return finding.get("reason", "")
    params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in (finding.get("params") or {}).items()}
    try:
        return gettext(message).format(**params)
    except (KeyError, IndexError, ValueError):  # a translation whose placeholders do not match: the English
        return finding.get("reason", "")


def colon() -> str:
    """The colon after a label, as the page's language writes it: ``" :"`` in French, ``":"`` in English
    (``{{ label }}{{ colon() }} {{ value }}``; a ``" : "`` written in a template showed on English pages).

    >>> with use_lang("en"):
    ...     "Year" + colon()
    'Year:'
    """
    return " :" if current_lang() == "fr" else ":"


def quoted(text: object) -> str:
    """``text`` between the page's language's quotation marks (« » in French, “ ” in English); escaped by the
    template like any value.

    >>> with use_lang("en"):
    ...     quoted("quebec")
    '“quebec”'
    >>> with use_lang("fr"):
    ...     quoted("quebec")
    '« quebec »'
    """
    return f"« {text} »" if current_lang() == "fr" else f"“{text}”"


def install(env) -> None:
    """Give a Jinja2 environment ``{% trans %}``, ``_()``, ``lang()``, ``term_label``, the switch, and
    ``filled(N_(...)|NP_(...), **fields)`` for a message whose numbers the page's language writes."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(
        lang=current_lang,
        langs=LANGS,
        switch_url=switch_url,
        term_label=term_label,
        class_label=class_label,
        betweenness_method=betweenness_method,
        audit_reason=audit_reason,
        colon=colon,
        quoted=quoted,
        js_catalogue=lambda: js_catalogue(current_lang()),
        # a line with numbers in the page's language: {{ filled(NP_("{n} fact added", "{n} facts added"), n=n) }}
        filled=filled,
        N_=N_,
        NP_=NP_,
        identifier_fields=sorted(IDENTIFIER_FIELDS),  # fields whose numbers the scripts write bare (i18n.js)
    )
    env.filters["term_label"] = term_label
    env.filters["terms"] = mark_terms
    env.filters["number"] = number


def number(value, spec: str = "") -> str:
    """``value`` by the format ``spec`` as the page's language writes numbers (the templates' ``number`` filter:
    ``{{ n|number(",") }}``, ``{{ score|number(".3f") }}``; :func:`qkg.graph.errors.format_number`).

    >>> with use_lang("fr"):
    ...     number(4883, ","), number(0.54812, ".3f")
    ('4\u202f883', '0,548')
    >>> with use_lang("en"):
    ...     number(4883, ","), number(0.54812, ".3f")
    ('4,883', '0.548')
    """
    return format_number(value, spec, _lang.get())


def _scope_lang(scope) -> tuple[str, bool, str | None, str | None]:
    """A request's language from its ASGI scope (``query_string``, ``headers``): ``(lang, asked, ?lang=,
    cookie)``, ``asked`` when the client named one (API clients that did not get the source text: English)."""
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
    cookie = None
    if "cookie" in headers:
        try:
            jar = SimpleCookie(headers["cookie"])
            cookie = jar[COOKIE].value if COOKIE in jar else None
        except Exception:  # a malformed cookie header is ignored, not an error
            cookie = None
    asked = bool((query and query.lower()[:2] in LANGS) or cookie or headers.get("accept-language"))
    return negotiate(query, cookie, headers.get("accept-language")), asked, query, cookie


def said(message: Message | str, scope) -> str:
    """``message`` (a :class:`Message` or a marked text) in the language the request's scope names, numbers
    included; as written when it names none (what the middlewares in front of the app answer with).

    >>> said(Message(N_("request head over {limit:,} bytes: refused"), limit=32768), {"query_string": b"lang=fr"})
    'en-tête de requête de plus de 32\\u202f768 octets : refusé'
    >>> said(N_("request refused"), {"query_string": b"", "headers": []})
    'request refused'
    """
    lang, asked, _query, _cookie = _scope_lang(scope)
    if not asked:
        return str(message)
    translate = translations(lang).gettext
    return message.localized(translate, lang) if isinstance(message, Message) else translate(message)


class LanguageMiddleware:
    """Decide each request's language; remember a ``?lang=`` choice in a cookie (pure ASGI)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang, asked, query, cookie = _scope_lang(scope)
        state = scope.setdefault("state", {})
        state["lang"] = lang
        state["lang_asked"] = asked
        remember = query is not None and query.lower()[:2] in LANGS and cookie != lang
        token = _lang.set(lang)

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-language", lang.encode())]
                if remember:
                    extra.append(
                        (b"set-cookie", f"{COOKIE}={lang}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax".encode())
                    )
                vary = [v for k, v in message.get("headers", []) if k.lower() == b"vary"]
                message = dict(message, headers=[*message.get("headers", []), *extra])
                if not vary:
                    message["headers"].append((b"vary", b"Accept-Language, Cookie"))
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _lang.reset(token)


def catalogue_json(lang: str) -> str:
    """The JSON text of :func:`js_catalogue` (what ``/i18n/<lang>.json`` serves)."""
    return json.dumps(js_catalogue(lang), ensure_ascii=False, sort_keys=True)


router = APIRouter(tags=["meta"])


@router.get(
    "/i18n/{lang}.json",
    summary="The pages' script messages in one language",
    responses={
        200: {"content": {"application/json": {}}},
        # the error shape of qkg.api.errors (not imported here: that module imports this one)
        404: {"description": "No interface language by that name", "content": {"application/json": {}}},
    },
)
async def messages(lang: str) -> Response:
    """``{English source: translation}`` of the pages' scripts (``{}`` for English, the source language)."""
    if lang not in LANGS:
        raise HTTPException(
            404,
            {
                "error": gettext("no interface language named '{lang}'").format(lang=lang),
                "hint": gettext("use one of: {langs}").format(langs=", ".join(LANGS)),
            },
        )
    return Response(
        catalogue_json(lang), media_type="application/json", headers={"Cache-Control": "public, max-age=300"}
    )
