"""Errors in the reader's language: the API, the pages and the command line give qkg's own error messages in
French or English (graph/errors.py: ``N_`` templates with ``fields``; api/errors.py and api/cli.py translate).

Against the shared ``qkg serve`` of a real build and the real ``qkg`` command; every message checked here is
also checked to be the catalogue's translation of its English template, filled with the request's values.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from qkg.api.i18n import cli_lang, translations

ROOT = Path(__file__).resolve().parents[1]
FR = translations("fr")

# (request, English template, its fields, a French stem the reader sees)
CASES = [
    (
        "/sparql?query=SELECT%20*%20WHERE%20%7B%20SERVICE%20%3Chttp%3A%2F%2Fx%3E%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D",
        "SERVICE (federated query) is disabled on this endpoint",
        {},
        "requête fédérée",
    ),
    ("/sparql?query=SELECT%20*%20WHERE%20%7B", None, None, "erreur de syntaxe à la ligne 1"),
    ("/sparql?query=ASK%20%7B%7D&format=yaml", "unknown format {value!r}", {"value": "yaml"}, "format inconnu"),
    ("/api/queries/receptions?nope=1", "{query} has no parameter {names}", None, "n'a pas de paramètre nope"),
    ("/api/queries/recepshuns", "no canned query named {name!r}", {"name": "recepshuns"}, "aucune requête prédéfinie"),
    (
        "/api/analysis/reach?target=http%3A%2F%2Fa%20b",
        "{value!r} names no entity: it is not a valid IRI",
        None,
        "ne désigne aucune entité",
    ),
]


@pytest.mark.parametrize(("path", "template", "fields", "stem"), CASES, ids=[c[3] for c in CASES])
def test_api_errors_are_given_in_the_language_the_client_asks(server, path, template, fields, stem) -> None:
    with server.client() as client:
        fr = client.get(path, headers={"Accept-Language": "fr"})
        en = client.get(path, headers={"Accept-Language": "en"})
        plain = client.get(path)  # no language asked: the JSON API keeps its English messages
    assert fr.status_code == en.status_code == plain.status_code and 400 <= fr.status_code < 500, fr.text
    french, english = fr.json(), en.json()
    assert stem in french["error"], french
    assert french["error"] != english["error"] and english["error"] == plain.json()["error"]
    assert french["hint"] and french["hint"] != english["hint"], (french, english)
    if template is not None and fields is not None:
        assert english["error"] == template.format(**fields)
        assert french["error"] == FR.gettext(template).format(**fields)


def test_a_bad_parameter_value_is_explained_in_french_type_and_description_included(server) -> None:
    """The value's expected kind and the parameter's description (written in English in the query's header,
    extracted into the catalogue) are given in the reader's language, in the error and its hint."""
    with server.client() as client:
        fr = client.get("/api/queries/agreements-multiparty?min=abc", headers={"Accept-Language": "fr"}).json()
        en = client.get("/api/queries/agreements-multiparty?min=abc", headers={"Accept-Language": "en"}).json()
    assert fr["error"] == "paramètre 'min' : 'abc' n'est pas un nombre entier", fr
    assert fr["hint"] == "attendu : un nombre entier (Nombre minimal de parties)", fr
    assert en["error"] == "parameter 'min': 'abc' is not a whole number", en
    assert en["hint"] == "expected a whole number: Smallest number of parties", en
    from qkg.graph.pages.catalog import load_catalog

    # every parameter's description of every canned query has its French
    for query in load_catalog().values():
        for param in query.params:
            assert FR.gettext(param.description) != param.description, (query.name, param.name)


def test_the_queries_listing_gives_parameter_descriptions_in_the_clients_language(server) -> None:
    with server.client() as client:
        fr = client.get("/api/queries", headers={"Accept-Language": "fr"}).json()
        en = client.get("/api/queries", headers={"Accept-Language": "en"}).json()

    def described(listing):
        return {(q["name"], p["name"]): p["description"] for q in listing for p in q["params"] if p["description"]}

    assert described(fr)[("agreements-multiparty", "min")] == "Nombre minimal de parties"
    assert described(en)[("agreements-multiparty", "min")] == "Smallest number of parties"
    assert all(described(fr)[k] != v for k, v in described(en).items())  # each one in French


def test_an_error_page_is_french_by_default_and_english_on_request(server) -> None:
    path = "/queries/recepshuns"
    with server.client() as client:
        fr = client.get(path, headers={"Accept": "text/html"}).text
        en = client.get(path + "?lang=en", headers={"Accept": "text/html"}).text
    assert "aucune requête prédéfinie nommée" in fr and "no canned query named" not in fr
    assert "no canned query named" in en


def _qkg(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("QKG_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "qkg.api.cli", *args], capture_output=True, text=True, cwd=ROOT, env=environ | env
    )


def test_no_build_yet_is_said_in_french_with_its_fix(tmp_path) -> None:
    """The first error a new user meets (no build in the data directory) is in the user's language."""
    args = ("--data-dir", str(tmp_path / "nothing"), "stats")
    french, english = _qkg(*args, QKG_LANG="fr"), _qkg(*args, QKG_LANG="en")
    assert french.returncode == english.returncode == 1, french.stderr
    assert french.stderr.startswith(f"Erreur : aucun graphe construit dans {tmp_path / 'nothing'}\nSolution : lancez")
    assert english.stderr.startswith(f"Error: no built graph under {tmp_path / 'nothing'}\nFix: run `qkg build`")


def test_the_command_line_speaks_the_users_locale(built_data) -> None:
    args = ("--data-dir", str(built_data), "query", "recepshuns")
    french = _qkg(*args, LANG="fr_CA.UTF-8")
    forced = _qkg(*args, QKG_LANG="fr", LANG="en_US.UTF-8")
    english = _qkg(*args, LANG="C.UTF-8")
    for proc in (french, forced, english):
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "aucune requête prédéfinie nommée 'recepshuns'" in french.stderr, french.stderr
    assert "Solution :" in french.stderr, french.stderr
    assert forced.stderr == french.stderr
    assert "no canned query named 'recepshuns'" in english.stderr and "Fix:" in english.stderr
    assert cli_lang({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}) == "en"  # LC_ALL wins, as in setlocale


# Modules whose errors reach a reader over HTTP; an error message built with an f-string cannot be translated.
_READ_OVER_HTTP = [
    *sorted((ROOT / "graph" / "analysis").glob("*.py")),
    *sorted((ROOT / "graph" / "pages").glob("*.py")),
    *sorted((ROOT / "viz").glob("*.py")),
    *sorted((ROOT / "api" / "routes").glob("*.py")),
    *(ROOT / "graph" / "serving" / name for name in ("guard.py", "admission.py", "formats.py", "results.py")),
    ROOT / "graph" / "serving" / "backends" / "oxigraph.py",
    ROOT / "api" / "deps.py",
]
# Errors a reader of the API does not meet: the maintainer's (a canned query file with a bad header), or an engine
# message passed on as it is.
_NOT_FOR_READERS = {
    ("oxigraph.py", "query evaluation failed on"),
    ("catalog.py", "bad param line"),
    ("catalog.py", "the header has no title"),
    ("catalog.py", "bad var line"),
    # the search index's file checks (and sqlite_file.py's "no ... at"): Artefacts.read turns them into ArtefactMissing, then the index is rebuilt
    ("search.py", "is not a search index"),
    ("search.py", "holds a search index of version"),
    # the prepared answers' file checks: the server then runs the canned query itself
    ("answers.py", "holds no prepared answers"),
    ("answers.py", "holds prepared answers of another version"),
}


def test_no_error_a_reader_meets_is_an_untranslatable_f_string() -> None:
    found = []
    for path in _READ_OVER_HTTP:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.JoinedStr)):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if not name.endswith(("Error", "Refused", "NotFound", "Timeout", "Unsupported", "Queries", "Cancelled")):
                continue
            text = "".join(v.value for v in node.args[0].values if isinstance(v, ast.Constant))
            if not any(path.name == f and stem in text for f, stem in _NOT_FOR_READERS):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(f{text[:60]!r}...)")
    assert not found, "raise these with N_(template) and fields= (graph/errors.py):\n" + "\n".join(found)


def test_a_data_files_error_names_its_line_in_the_editors_language(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "villes.yaml").write_text("- id: ville-x\n  label@fr: Ville X\n- label@fr: Sans identifiant\n")
    args = ("--data-dir", str(tmp_path / "qkg"), "build", "-q", "--data", str(data))
    french, english = _qkg(*args, LANG="fr_CA.UTF-8"), _qkg(*args, LANG="C.UTF-8")
    assert french.returncode == english.returncode == 1, french.stderr
    assert f"Erreur : {data / 'villes.yaml'}:3 : une fiche sans id" in french.stderr, french.stderr
    assert "Solution : donnez un id à chaque fiche" in french.stderr
    assert f"Error: {data / 'villes.yaml'}:3: a record without id" in english.stderr, english.stderr
    assert not (tmp_path / "qkg" / "current").exists()


def test_a_counted_error_keeps_its_forms_across_processes_and_in_each_language() -> None:
    """A :class:`DataError` raised with a counted template (``NP_``) says its English form, travels to another
    process (the query pool pickles errors) and is given in French with the form its count takes."""
    import pickle

    from qkg.api.i18n import gettext, use_lang
    from qkg.graph.errors import N_, NP_, DataError, Message

    for n, english, french in (
        (1, "1 problem", "1 problème"),
        (0, "0 problems", "0 problème"),
        (2, "2 problems", "2 problèmes"),
    ):
        err = DataError(
            NP_(
                "{n} problem in the data; nothing was published (the last good graph, if any, still serves):\n"
                "  - {problems}{more}",
                "{n} problems in the data; nothing was published (the last good graph, if any, still serves):\n"
                "  - {problems}{more}",
            ),
            hint=N_("fix each file and entity listed, then run `qkg build` again"),
            fields={"n": n, "problems": Message(NP_("{n} triple", "{n} triples"), n=1), "more": ""},
        )
        again = pickle.loads(pickle.dumps(err))
        assert again.message.startswith(english + " in the data") and again.message.endswith("  - 1 triple")
        with use_lang("fr"):
            message, hint = again.localized(gettext, "fr")
        assert message.startswith(french + " dans les données") and message.endswith("  - 1 triplet"), message
        assert hint.startswith("corrigez chaque fichier")


# Parameters FastAPI checks (pydantic, whose messages are English only): qkg says each problem itself.
VALIDATION_CASES = [
    ("/api/entities/geneve/neighbours?depth=-1", "depth", "greater_than_equal", "doit valoir au moins"),
    ("/api/entities/geneve/neighbours?depth=abc", "depth", "int_parsing", "doit être un nombre entier"),
    ("/api/search?q=" + "x" * 300, "q", "string_too_long", "doit compter au plus 200 caractères"),
    ("/api/paths?from=geneve", "to", "missing", "est obligatoire"),
    (
        "/api/analysis/summary?relations=bogus",
        "relations",
        "string_pattern_mismatch",
        "doit être des sortes de faits séparées par des virgules, parmi : mission, ",
    ),
    ("/api/analysis/complementarity?actors=a%20b", "actors", "string_pattern_mismatch", "doit valoir committee, "),
]


@pytest.mark.parametrize(("path", "field", "kind", "stem"), VALIDATION_CASES, ids=[c[2] for c in VALIDATION_CASES])
def test_a_parameter_fastapi_refuses_is_explained_in_french_not_in_pydantics_english(
    server, path, field, kind, stem
) -> None:
    with server.client() as client:
        fr = client.get(path, headers={"Accept-Language": "fr"})
        en = client.get(path, headers={"Accept-Language": "en"})
    assert fr.status_code == en.status_code == 422, fr.text
    french, english = fr.json(), en.json()
    assert french["error"].startswith(f"requête invalide : {field} : {stem}"), french
    assert french["errors"][0]["type"] == english["errors"][0]["type"] == kind
    assert "Input should" not in french["error"] and "should" not in french["errors"][0]["msg"]
    assert english["error"].startswith(f"invalid request: {field}: "), english
    assert "Input should" not in english["error"]  # qkg's words in English too, not pydantic's


def test_a_page_given_a_bad_parameter_says_so_in_french(server) -> None:
    """A browser on an entity page with a negative offset: the error page, in French unasked."""
    with server.client() as client:
        page = client.get("/id/geneve?offset=-1", headers={"Accept": "text/html"})
    assert page.status_code == 422 and "html" in page.headers.get("content-type", ""), page.headers
    assert "offset : doit valoir au moins 0" in page.text and "Input should" not in page.text


def test_every_validation_template_is_a_pydantic_error_type_and_has_its_french() -> None:
    """A key that is not one of pydantic's error types would never be used; each template has its translation."""
    import typing

    from pydantic_core.core_schema import ErrorType
    from qkg.api.errors import _VALIDATION

    types = set(typing.get_args(ErrorType))
    assert set(_VALIDATION) <= types, set(_VALIDATION) - types
    for template in _VALIDATION.values():
        said = FR.ngettext(template, template.plural, 2) if hasattr(template, "plural") else FR.gettext(template)
        assert said != template, template


def test_one_character_is_singular_in_both_languages(server) -> None:
    """``from: should have at least 1 characters``: the counted templates take the form of their count."""
    with server.client() as client:
        en = client.get("/api/paths?from=&to=x", headers={"Accept-Language": "en"}).json()
        fr = client.get("/api/paths?from=&to=x", headers={"Accept-Language": "fr"}).json()
        long = client.get("/api/paths?from=" + "x" * 600 + "&to=x", headers={"Accept-Language": "en"}).json()
    assert en["error"] == "invalid request: from: should have at least 1 character", en
    assert fr["error"] == "requête invalide : from : doit compter au moins 1 caractère", fr
    assert long["error"].endswith("should have at most 500 characters"), long


def test_the_head_and_host_refusals_speak_the_readers_language(server) -> None:
    """The 431 (head too large) and the 400 (a foreign Host) were English whatever the reader asked; the 413
    was translated. The 431 speaks the language the head named as far as it was parsed."""
    import json
    import socket

    port = int(server.url.rsplit(":", 1)[1])

    def raw(payload: bytes) -> dict:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(payload)
            data = b""
            try:
                while chunk := sock.recv(65536):
                    data += chunk
            except (TimeoutError, ConnectionResetError):
                pass
        return json.loads(data.split(b"\r\n\r\n", 1)[1])

    big = b"X-Big: " + b"a" * 40_000 + b"\r\n"
    fr = raw(b"GET /health?lang=fr HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big + b"\r\n")
    accept = raw(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: fr\r\n" + big + b"\r\n")
    en = raw(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big + b"\r\n")
    assert fr["status"] == accept["status"] == en["status"] == 431
    assert fr["error"].startswith("en-tête de requête de plus de 32") and fr["error"].endswith("octets : refusé"), fr
    assert accept["error"] == fr["error"] and accept["hint"].startswith("envoyez au plus 100 lignes d'en-tête")
    assert en["error"] == "request head over 32,768 bytes: refused", en
    with server.client() as client:
        host_fr = client.get("/?lang=fr", headers={"Host": "evil.example"})
        host_accept = client.get("/", headers={"Host": "evil.example", "Accept-Language": "fr"})
        host_en = client.get("/", headers={"Host": "evil.example"})
    assert host_fr.status_code == host_accept.status_code == host_en.status_code == 400
    assert (
        host_fr.json()["error"]
        == host_accept.json()["error"]
        == ("ce serveur ne répond pas pour l'hôte nommé dans la requête")
    )
    assert host_en.json()["error"] == "this server does not answer for the host named in the request"
    assert "evil.example" not in host_fr.text


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "multipart/form-data"])
def test_a_broken_multipart_body_gets_qkgs_message_and_hint(server, content_type) -> None:
    """Starlette's ``Invalid multipart data.`` / ``Missing boundary in multipart.``, with an empty hint."""
    with server.client() as client:
        fr = client.post("/sparql?lang=fr", content=b"query=ASK%7B%7D", headers={"Content-Type": content_type})
        en = client.post("/sparql?lang=en", content=b"query=ASK%7B%7D", headers={"Content-Type": content_type})
    assert fr.status_code == en.status_code == 400
    assert fr.json()["error"] == "le corps de la requête n'est pas du multipart/form-data valide", fr.text
    assert en.json()["error"] == "the request body is not valid multipart/form-data", en.text
    assert fr.json()["hint"].startswith("envoyez query=<SPARQL>") and en.json()["hint"].startswith("send query=")


def test_a_canned_querys_bad_lang_is_refused_as_on_every_route(server) -> None:
    """``/api/queries/NAME?lang=zz`` answered 200 (the value ignored) where the other routes answer 422."""
    with server.client() as client:
        for url in ("/api/queries/agreements?lang=zz", "/queries/agreements.json?lang=de"):
            r = client.get(url, headers={"Accept-Language": "fr"})
            assert r.status_code == 422, (url, r.status_code)
            assert r.json()["error"] == "requête invalide : lang : doit être l'une des valeurs 'fr' ou 'en'", r.text
        assert client.get("/api/queries/agreements?lang=en").status_code == 200


def test_a_pattern_is_said_as_what_it_asks_for_not_as_a_regular_expression(server) -> None:
    """``relations=bogus`` answered with the raw regular expression (``^(?: *(?:all|mission|...``)."""
    with server.client() as client:
        body = client.get("/api/analysis/summary?relations=bogus", headers={"Accept-Language": "en"}).json()
    assert "^(?:" not in body["error"] and "kinds of fact separated by commas, among: mission" in body["error"]


def test_a_choice_among_values_is_joined_with_the_readers_or(server) -> None:
    """A value outside a list of choices: French said ``'actors', ... or 'typed'`` (pydantic's English "or")."""
    with server.client() as client:
        fr = client.get("/api/analysis/centrality?projection=zzz", headers={"Accept-Language": "fr"}).json()
        en = client.get("/api/analysis/centrality?projection=zzz", headers={"Accept-Language": "en"}).json()
    assert " ou 'typed'" in fr["error"] and " or " not in fr["error"], fr
    assert " or 'typed'" in en["error"] and "'actors', " in en["error"], en
