"""One error shape everywhere: ``{"ok": false, "error", "hint", "status"}`` on every route, for every cause."""

from __future__ import annotations

import pytest

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def assert_canonical_error(response, status: int) -> dict:
    """The datasette-style check: the status, the JSON shape, and the security headers."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json"), response.headers["content-type"]
    body = response.json()
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["hint"], str)
    assert "Traceback" not in response.text and "/work/" not in response.text
    for name in SECURITY_HEADERS:
        assert name in response.headers, name
    return body


CASES = [
    # (method, path, kwargs, status)
    ("GET", "/api/entities/atlantis", {}, 404),
    ("GET", "/api/entities/bad%20name", {}, 404),
    ("GET", "/api/entities/geneve/neighbours?depth=abc", {}, 422),
    ("GET", "/api/entities/geneve/neighbours?depth=-1", {}, 422),
    ("GET", "/api/entities/atlantis/neighbours", {}, 404),
    ("GET", "/api/paths", {}, 422),
    ("GET", "/api/paths?from=geneve", {}, 422),
    ("GET", "/api/paths?from=atlantis&to=geneve", {}, 404),
    ("GET", "/api/paths?from=nope:x&to=geneve", {}, 404),
    ("GET", "/api/paths?from=&to=geneve", {}, 422),
    ("GET", "/api/paths?from=geneve&to=lausanne&max=0", {}, 422),
    ("GET", "/api/search", {}, 422),
    ("GET", "/api/search?q=x&limit=0", {}, 422),
    ("GET", "/api/search?q=" + "x" * 300, {}, 422),
    ("GET", "/api/queries/atlantis", {}, 404),
    ("GET", "/api/queries/missions-to-country?country=not-an-iri", {}, 400),
    ("GET", "/api/queries/missions-to-country?bogus=1", {}, 400),
    ("GET", "/queries/atlantis.json", {}, 404),
    ("GET", "/queries/atlantis.csv", {}, 404),
    ("GET", "/queries/atlantis", {}, 404),
    ("GET", "/sparql?query=SELEKT", {}, 400),
    ("GET", "/sparql?query=ASK{}&format=yaml", {}, 400),
    ("GET", "/sparql?update=DROP+ALL", {}, 403),
    ("POST", "/sparql", {"data": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, 400),
    ("POST", "/sparql", {"data": {"format": "json"}}, 400),
    ("POST", "/sparql", {"content": b"", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ("POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/sparql", {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("PUT", "/sparql", {"content": b""}, 403),
    ("GET", "/id/atlantis", {"headers": {"Accept": "application/json"}}, 404),
    ("GET", "/id/atlantis.ttl", {}, 404),
    ("GET", "/def/Atlantis", {"headers": {"Accept": "text/turtle"}}, 404),
    ("GET", "/no/such/page", {}, 404),
    ("POST", "/health", {}, 405),
    ("DELETE", "/api/stats", {}, 405),
    ("POST", "/sparql", {"content": b"x" * 2_000_000, "headers": {"Content-Type": "application/sparql-query"}}, 413),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), CASES, ids=[f"{m} {p[:50]}" for m, p, _, _ in CASES])
def test_error_shape(server, method, path, kwargs, status) -> None:
    body = assert_canonical_error(server.client().request(method, path, **kwargs), status)
    if status == 422:
        assert body["errors"] and all("loc" in e and "msg" in e for e in body["errors"])


def test_syntax_errors_carry_line_and_column(server) -> None:
    body = assert_canonical_error(server.client().post("/sparql", data={"query": "SELECT * WHERE {\n ?s ?p }"}), 400)
    assert body["line"] == 2 and body["column"] >= 1


def test_every_documented_route_answers_bad_input_with_the_shape(server) -> None:
    """Walk the OpenAPI document: every operation, with path parameters and query values that are wrong."""
    client = server.client()
    spec = client.get("/openapi.json").json()
    checked = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            url = path.replace("{name}", "%E2%9C%97-no-such-thing")
            params = {p["name"]: "\x7f" * 3 for p in op.get("parameters", []) if p["in"] == "query"}
            kwargs = {"data": {"query": "\x7f"}} if method == "post" else {}
            r = client.request(method.upper(), url, params=params, **kwargs)
            if r.status_code >= 400:
                assert_canonical_error(r, r.status_code)
                checked += 1
    assert checked >= 8


def test_browsers_get_an_html_error_page(server) -> None:
    r = server.client().get("/id/atlantis", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "atlantis" in r.text and "/search" in r.text and "<script>" not in r.text


def test_plain_text_errors_when_asked(server) -> None:
    r = server.client().get("/sparql", params={"query": "SELEKT"}, headers={"Accept": "text/plain"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert "syntax error" in r.text and "hint:" in r.text


def test_html_escapes_hostile_input(server) -> None:
    payload = "<script>alert(1)</script>"
    r = server.client().get("/search", params={"q": payload}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and payload not in r.text and "&lt;script&gt;" in r.text


def test_an_api_errors_numbers_are_written_as_the_clients_language_writes_them(server) -> None:
    """A field that counts is written the reader's way (100 001 in French, with a narrow no-break space; 100,001
    in English, as raised); a year is an identifier, bare in every language (2025, not 2 025)."""
    from babel.numbers import format_decimal
    from qkg.api.i18n import translations
    from qkg.graph.serving.guard import MAX_QUERY_CHARS

    french_of = translations("fr").gettext
    query = "ASK {}" + " " * MAX_QUERY_CHARS
    template = "query is {length:,} characters long; the limit is {limit:,}"
    years = "/api/analysis/summary?year_from=2025&year_to=2024"
    with server.client() as client:
        fr = client.post("/sparql", data={"query": query}, headers={"Accept-Language": "fr"})
        en = client.post("/sparql", data={"query": query}, headers={"Accept-Language": "en"})
        plain = client.post("/sparql", data={"query": query})
        fr_years = client.get(years, headers={"Accept-Language": "fr"})
        en_years = client.get(years, headers={"Accept-Language": "en"})
    french_body, english_body = assert_canonical_error(fr, 400), assert_canonical_error(en, 400)
    assert plain.status_code == 400
    french = french_of(template)
    for field, n in (("{length:,}", len(query)), ("{limit:,}", MAX_QUERY_CHARS)):
        french = french.replace(field, format_decimal(n, locale="fr"))
    assert french != french_of(template) and "\u202f" in french
    assert french_body["error"] == french, french_body
    assert english_body["error"] == plain.json()["error"] == template.format(length=len(query), limit=MAX_QUERY_CHARS)
    assert_canonical_error(fr_years, 400)
    assert_canonical_error(en_years, 400)
    assert fr_years.json()["error"] == french_of("year range {start}-{end} is empty").format(start=2025, end=2024)
    assert en_years.json()["error"] == "year range 2025-2024 is empty"


def test_a_body_over_the_limit_is_refused_in_the_clients_language(server) -> None:
    """The 413 the body limit answers before any route (api/app.py BodyLimit): its sizes in French numbers when
    the client asks for French, as written (English) otherwise."""
    from babel.numbers import format_decimal
    from qkg.api.config import Settings

    limit, body = Settings().max_body, b"x" * (Settings().max_body + 1)
    headers = {"Content-Type": "application/sparql-query"}
    with server.client() as client:
        fr = client.post("/sparql", content=body, headers=headers | {"Accept-Language": "fr"})
        en = client.post("/sparql", content=body, headers=headers)
    french, english = assert_canonical_error(fr, 413), assert_canonical_error(en, 413)
    assert english["error"] == f"request body of {limit + 1:,}+ bytes is over the {limit:,}-byte limit"
    assert french["error"] == (
        f"un corps de requête de {format_decimal(limit + 1, locale='fr')} octets ou plus dépasse la limite de "
        f"{format_decimal(limit, locale='fr')} octets"
    )
    assert french["hint"].startswith("envoyez une requête plus courte") and english["hint"].startswith("send a")
