"""One error shape for every route, datasette style.

Every error answers with the same JSON body::

    {"ok": false, "error": "what went wrong", "hint": "how to fix it", "status": 400}

plus ``"errors": [...]`` for request validation (422) and ``"line"``/``"column"`` for SPARQL syntax
errors. The sources:

=====================================  ======  =====================================================
exception                              status  body
=====================================  ======  =====================================================
:class:`~qkg.graph.errors.QKGError`     .status  its message and hint
``HTTPException`` (404, 405, 413...)   its own  its detail
``RequestValidationError``             422     "invalid request", ``errors`` lists each problem
anything else                          500     a generic message; the traceback is logged, never sent
=====================================  ======  =====================================================

A browser (``Accept: text/html`` preferred, outside ``/api/``) gets a friendly HTML page instead, with
the same status; a client that asks for ``text/plain`` only gets the message as plain text.

Examples
--------
>>> error_body(404, "no entity named 'x'", hint="search for it")
{'ok': False, 'error': "no entity named 'x'", 'hint': 'search for it', 'status': 404}
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from qkg.api.i18n import N_, NP_, current_lang, gettext
from qkg.graph.errors import Message, QKGError, QuerySyntaxError
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "ErrorModel",
    "error_body",
    "error_response",
    "install_error_handlers",
    "wants_html",
    "ERROR_RESPONSES",
    "error_responses",
    "unhandled_error",
]

log = logging.getLogger("qkg.api")

_HINTS = {
    404: N_("check the address; /search finds entities by name, /api/queries lists the canned queries"),
    405: N_("see /docs for the methods each route accepts"),
    406: N_("ask for one of the media types listed in /docs"),
    413: N_("send a smaller request body"),
    415: N_("send the body with one of the content types listed in /docs"),
}


class ErrorModel(BaseModel):
    """The JSON body of every error."""

    ok: bool = Field(False, description="Always false for an error.")
    error: str = Field(..., description="What went wrong.", examples=["no entity named 'atlantis'"])
    hint: str = Field("", description="How to fix it.", examples=["search for the name at /api/search?q=..."])
    status: int = Field(..., description="The HTTP status, repeated.", examples=[404])
    errors: list[dict] | None = Field(None, description="Each validation problem (422 only).")
    line: int | None = Field(None, description="Line of a SPARQL syntax error (1-based).")
    column: int | None = Field(None, description="Column of a SPARQL syntax error (1-based).")


#: Error responses to declare on routes (OpenAPI), all with :class:`ErrorModel`.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel, "description": text}
    for code, text in {
        400: "Bad input (bad parameter, malformed or refused query)",
        404: "Not found",
        422: "Invalid request parameters",
        429: "Over the client's share of the query engine (Retry-After says when to come back)",
        500: "Server error",
        503: "Timed out, out of memory, or the query queue is full (then with Retry-After)",
    }.items()
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The :data:`ERROR_RESPONSES` of ``codes``, for a route's ``responses=``.

    >>> sorted(error_responses(404, 400))
    [400, 404]
    """
    return {code: ERROR_RESPONSES[code] for code in codes}


def error_body(status: int, error: str, *, hint: str = "", **extra) -> dict:
    """The canonical error body (``None`` extras are left out)."""
    body = {"ok": False, "error": _printable(error), "hint": _printable(hint), "status": status}
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def _printable(text: str) -> str:
    """``text`` with lone surrogates (quoted from a hostile query) escaped, so that it encodes as UTF-8.

    >>> _printable("bad " + chr(0xD800) + " here")
    'bad \\\\ud800 here'
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(text, str) else text


def wants_html(request: Request) -> bool:
    """True when a browser asks for a page: ``text/html`` ranks first in Accept, outside ``/api/``."""
    path = request.scope["path"]
    if path.startswith("/api/") or path.endswith((".json", ".csv", ".ttl", ".jsonld", ".nt", ".trig")):
        return False
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first in ("text/html", "application/xhtml+xml")


def _wants_text(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return accept.startswith("text/plain") and "json" not in accept


def _speaks(request: Request) -> bool:
    """True when the answer speaks the request's language: always on pages, and for clients that named one."""
    return wants_html(request) or bool(request.scope.get("state", {}).get("lang_asked"))


def _text(request: Request, message: str) -> str:
    """``message`` in the request's language on pages and for clients that named one; else as written."""
    if message and _speaks(request):
        return gettext(message)
    return message


def error_response(
    request: Request, status: int, error: str, *, hint: str = "", headers: dict | None = None, **extra
) -> Response:
    """Render an error as JSON, as an HTML page for browsers, or as plain text when asked for.

    The message and the hint are given in the request's language when the catalogue has them (the fixed
    messages marked here and in the routes; a message built from the request stays as it is): always on
    pages, and in JSON or text when the client named a language (``?lang=``, the cookie, Accept-Language).
    """
    html = wants_html(request)
    error, hint = _text(request, error), _text(request, hint)
    body = error_body(status, error, hint=hint, **extra)
    if html:
        state = getattr(request.app.state, "qkg", None)
        templates = getattr(state, "templates", None)
        if templates is not None:
            try:
                return templates.TemplateResponse(
                    request, "error.html", {"error": body}, status_code=status, headers=headers
                )
            except Exception:  # a broken template must not hide the original error
                log.exception("could not render the error page")
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status, headers=headers)
    if _wants_text(request):
        text = _printable(error) + (f"\nhint: {_printable(hint)}" if hint else "") + "\n"
        return PlainTextResponse(text, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


async def _qkg_error(request: Request, exc: QKGError) -> Response:
    extra = {}
    if isinstance(exc, QuerySyntaxError):
        extra = {"line": exc.line, "column": exc.column}
    if exc.status >= 500:
        log.error(
            "%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, _printable(exc.message)[:300]
        )
    retry = getattr(exc, "retry_after", None)  # 429 and 503 of the admission: when to come back
    headers = {"Retry-After": str(retry)} if retry else None
    # the request's language, when it has one, numbers included ("10 000" in French); else the English as raised
    lang = current_lang() if _speaks(request) else None
    message, hint = exc.localized(lambda text: _text(request, text), lang)
    return error_response(request, exc.status, message, hint=hint, headers=headers, **extra)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else N_("request refused")
    hint = _HINTS.get(exc.status_code, "")
    if isinstance(exc.detail, dict):
        detail, hint = exc.detail.get("error", detail), exc.detail.get("hint", hint)
    return error_response(request, exc.status_code, detail, hint=hint, headers=getattr(exc, "headers", None))


#: pydantic's error types (stable names; its messages are English only) as qkg says them, in the request's
#: language: the problems of the parameters a client can send (numbers, bounds, lengths, choices). A type not
#: here keeps pydantic's English. (pydantic-i18n, looked at, matches the English messages by regular expression
#: and ships no translation: the catalogue the rest of the app is translated with, keyed by type, is simpler.)
_VALIDATION = {
    "missing": N_("is required"),
    "int_parsing": N_("should be a whole number"),
    "int_type": N_("should be a whole number"),
    "int_from_float": N_("should be a whole number"),
    "float_parsing": N_("should be a number"),
    "float_type": N_("should be a number"),
    "bool_parsing": N_("should be true or false"),
    "bool_type": N_("should be true or false"),
    "greater_than_equal": N_("should be {ge} or more"),
    "greater_than": N_("should be more than {gt}"),
    "less_than_equal": N_("should be {le} or less"),
    "less_than": N_("should be less than {lt}"),
    "string_too_short": NP_(
        "should have at least {min_length} character", "should have at least {min_length} characters", "min_length"
    ),
    "string_too_long": NP_(
        "should have at most {max_length} character", "should have at most {max_length} characters", "max_length"
    ),
    "string_type": N_("should be a text"),
    "string_pattern_mismatch": N_("should match {pattern}"),
    "literal_error": N_("should be one of {expected}"),
    "enum": N_("should be one of {expected}"),
    "too_short": NP_("should have at least {min_length} item", "should have at least {min_length} items", "min_length"),
    "too_long": NP_("should have at most {max_length} item", "should have at most {max_length} items", "max_length"),
    "extra_forbidden": N_("is not expected"),
    "json_invalid": N_("is not valid JSON ({error})"),
}


#: The last two of the choices pydantic lists (``'a', 'b' or 'c'``), in the request's language.
_EITHER = N_("{first} or {last}")

#: What a parameter's ``pattern`` asks for, as a reader says it (a route registers its own): pydantic says
#: "should match" and the regular expression.
PATTERNS: dict[str, Message] = {}


def _problem(error: dict, speaks: bool) -> str:
    """One validation problem as qkg says it (:data:`_VALIDATION`), in the request's language when it speaks it.

    >>> _problem({"type": "less_than_equal", "ctx": {"le": 1000000}, "msg": "Input should be ..."}, False)
    'should be 1000000 or less'
    >>> _problem({"type": "no_such_type", "msg": "Input is odd"}, False)
    'Input is odd'
    """
    said = PATTERNS.get(str((error.get("ctx") or {}).get("pattern", "")))
    if error.get("type") == "string_pattern_mismatch" and said is not None:
        return said.localized(gettext, current_lang()) if speaks else str(said)
    template = _VALIDATION.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    fields = {k: str(v) if k in ("pattern", "expected", "error") else v for k, v in (error.get("ctx") or {}).items()}
    if speaks and " or " in fields.get("expected", ""):  # pydantic joins the choices with an English "or"
        head, last = fields["expected"].rsplit(" or ", 1)
        fields["expected"] = Message(_EITHER, first=head, last=last).localized(gettext, current_lang())
    try:
        line = Message(template, **fields)
        return line.localized(gettext, current_lang()) if speaks else str(line)
    except (KeyError, ValueError, TypeError):  # a context pydantic changed: its own words
        return str(error.get("msg", ""))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    speaks = _speaks(request)
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": _problem(e, speaks), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(first["loc"][1:] or first["loc"]) or "request"
    return error_response(
        request,
        422,
        _text(request, N_("invalid request: {where}: {problem}")).format(where=where, problem=first["msg"]),
        hint=N_("see /docs for the expected parameters"),
        errors=errors,
    )


async def unhandled_error(request: Request, exc: Exception) -> Response:
    """The 500 answer to an exception no handler knows (logged with its traceback; the client gets one line)."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request, 500, N_("internal server error"), hint=N_("this is a bug in qkg; the details are in the server log")
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    # FastAPI's decorator form: Starlette's add_exception_handler types every handler as taking any Exception
    app.exception_handler(QKGError)(_qkg_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(Exception)(unhandled_error)
