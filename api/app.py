"""The web application: ``create_app(settings)`` builds it; nothing happens at import time.

What the factory wires:

- the lifespan: open the current build (query pool, in-process read-only store, the build's artefacts, read
  in the background so ``/health`` answers at once), watch
  ``.qkg/current`` every second and switch to a new build when it changes, stop the workers on shutdown;
- the routers of :data:`ROUTERS` (each module exposes ``router``);
- a ``Host`` allow-list (:class:`qkg.api.hardening.AllowedHosts`: a foreign ``Host`` is never echoed in a
  redirect or the service description);
- security headers on every response (:func:`content_security_policy`: no inline script, styles from
  our own files only), a request-body cap answering 413 before reading the body, CORS for anonymous
  reads (any origin, never with credentials);
- one error shape (:mod:`qkg.api.errors`), ``/static`` (our css/js and ``vendor/``), Jinja2 templates.

Examples
--------
>>> from qkg.api.config import Settings
>>> app = create_app(Settings(data_dir="/nonexistent"))
>>> "/sparql" in app.openapi()["paths"]
True
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import importlib
import json
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from qkg.api import i18n
from qkg.api.config import Settings
from qkg.api.deps import AppState
from qkg.api.errors import error_body, error_response, install_error_handlers, unhandled_error
from qkg.api.hardening import AllowedHosts
from qkg.api.i18n import N_
from qkg.api.views import client_key
from qkg.graph.errors import Message
from qkg.graph.serving import cancel

__all__ = ["create_app", "RequestWork", "ROUTERS", "content_security_policy", "DATA_CSP", "STATIC_DIR", "TEMPLATE_DIR"]

log = logging.getLogger("qkg.api")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"
#: Router modules always included, in order (each exposes ``router``); /sparql first, the hottest route.
ROUTERS = (
    "qkg.api.routes.sparql",
    "qkg.api.routes.meta",
    "qkg.api.routes.queries",
    "qkg.api.routes.entities",
    "qkg.api.routes.search",
    "qkg.api.routes.changes",
    "qkg.api.routes.contributions",
    "qkg.api.routes.analysis",
    "qkg.api.routes.viz",
)
_RELOAD_EVERY = 1.0


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to the environment's (``QKG_*`` variables).

    Returns
    -------
    FastAPI
        The app; the store is opened when it starts (lifespan), not here.
    """
    settings = settings or Settings()
    templates = _templates()
    state = AppState(settings, templates)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.to_thread(state.open)
        # a daemon thread: it never delays a shutdown, even while it computes an old build's artefacts
        threading.Thread(target=state.warm, name="qkg-warm", daemon=True).start()
        watcher = asyncio.create_task(_watch(state))
        try:
            yield
        finally:
            # SIGTERM: uvicorn gave the requests in flight their grace (``shutdown_grace``) and cancelled the rest;
            # their work in threads stops at its next look-up, the workers are killed, and a watchdog ends the
            # process should a thread still hold it after the grace (pyoxigraph cannot stop a query it runs).
            running = cancel.cancel_all(cancel.STOPPING)
            if running:
                log.warning("stopping: cancelled the work of %d request(s) in flight", running)
            watcher.cancel()
            await asyncio.to_thread(state.close)
            _exit_after(EXIT_SLACK)  # the requests had their grace already (it was 2 x the grace: 6.6 s for 3)

    app = FastAPI(
        title="qkg",
        summary="Knowledge graph of the City of Québec's international relations",
        description="SPARQL 1.1 endpoint at /sparql, canned queries at /queries, entity pages at /id/{name}. "
        'Every error has the shape {"ok": false, "error", "hint", "status"}.',
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load Swagger UI from a CDN with an inline script: /docs is served by
        # api/routes/meta.py from the npm package swagger-ui-dist instead (offline, CSP-clean).
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "sparql", "description": "SPARQL 1.1 Protocol (read-only, time-limited, row-capped)."},
            {"name": "queries", "description": "Canned, parameterised queries."},
            {"name": "entities", "description": "Entities, neighbourhoods and paths."},
            {"name": "search", "description": "Label search (accents and acronyms folded)."},
            {"name": "meta", "description": "Health, statistics, audit, dataset description."},
        ],
    )
    app.state.qkg = state
    install_error_handlers(app)
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    app.include_router(i18n.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Starlette wraps in reverse order of addition: SecurityHeaders(CORS(HeadAsGet(BodyLimit(app)))), so CORS
    # headers also reach the 413 of BodyLimit, and HEAD is answered wherever GET is.
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    app.add_middleware(HeadAsGet)
    # inside CORS: its 429 carries the CORS headers (a page on another site reads it and its Retry-After)
    app.add_middleware(ClientShare, limit=settings.client_requests, api_keys=frozenset(settings.api_keys))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=["X-QKG-Truncated", "X-QKG-Rows", "X-QKG-Elapsed", "ETag", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(RequestWork, limit=settings.page_timeout or None)
    app.add_middleware(SecurityHeaders, csp=content_security_policy())
    app.add_middleware(i18n.LanguageMiddleware)  # error pages are in the request's language too
    app.add_middleware(AllowedHosts, allowed=settings.hosts())  # outermost: a foreign Host never gets further
    return app


#: Seconds a thread may still run once the requests' grace is over and the app is closed, before the process ends
#: anyway (pyoxigraph cannot stop a query it runs; the store is read-only, so nothing is left half-written).
EXIT_SLACK = 0.5


def _exit_after(seconds: float) -> None:
    """Arm a watchdog that ends the process ``seconds`` from now if it is still alive (a daemon thread)."""
    import os

    def watchdog() -> None:
        threading.Event().wait(seconds)
        log.warning("stopping: a request's thread still ran %g s after shutdown; exiting now", seconds)
        logging.shutdown()
        os._exit(0)

    threading.Thread(target=watchdog, name="qkg-exit-watchdog", daemon=True).start()


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATE_DIR)  # autoescape is on for .html
    from qkg.ontology import PREFIXES

    templates.env.globals.update(prefixes=PREFIXES, json_attr=lambda v: json.dumps(v, ensure_ascii=False))
    i18n.install(templates.env)
    return templates


async def _watch(state: AppState) -> None:
    """Switch to a new build within a second of ``qkg build`` publishing it."""
    while True:
        await asyncio.sleep(_RELOAD_EVERY)
        try:
            await asyncio.to_thread(state.refresh)
        except Exception:  # pragma: no cover - refresh logs its own failures
            log.exception("store watcher")


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    """The Content-Security-Policy of every response.

    Scripts come only from our own files (no inline script, no eval); so do style sheets. The vendored
    vis-network and vis-timeline bundles inject their CSS as ``<style>`` elements at run time, so the
    SHA-256 of each of those CSS strings is allowed too (computed from the files when present).

    >>> "script-src 'self'" in content_security_policy()
    True
    """
    styles = " ".join(f"'sha256-{h}'" for h in _injected_style_hashes())
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {styles}".strip(),
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _injected_style_hashes() -> list[str]:
    hashes = []
    for name in ("vis-network.min.js", "vis-timeline-graph2d.min.js"):
        path = STATIC_DIR / "vendor" / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        setter = re.search(r"function (\w+)\(\w+,\w+\)\{void 0===\w+&&\(\w+=\{\}\);var \w+=\w+\.insertAt", text)
        if not setter:
            continue
        call = r"\b" + re.escape(setter.group(1)) + r"""\(("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\)"""
        for literal in re.findall(call, text):
            css = _js_string(literal)
            hashes.append(base64.b64encode(hashlib.sha256(css.encode()).digest()).decode())
    return list(dict.fromkeys(hashes))


_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _js_string(literal: str) -> str:
    """The value of a JavaScript string literal (quotes included).

    >>> _js_string(r"'a\\'b\\x41\\u00e9'")
    "a'bAé"
    """

    def unescape(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:].strip("{}"), 16))
        return _JS_ESCAPES.get(code, code)

    return re.sub(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|.)", unescape, literal[1:-1], flags=re.S)


#: The policy of every response that is not a page (query results, JSON, RDF, CSV, images, scripts): nothing
#: in it may load or run anything, nor be framed. Pages get :func:`content_security_policy`, whose style
#: hashes run to about 2 KB: sending that with each SPARQL answer would double a small one.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, 500s included.

    HTML responses carry the page policy ``csp``; every other response carries :data:`DATA_CSP`.
    """

    def __init__(self, app, *, csp: str) -> None:
        self.app = app
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        self.page_headers = [(b"content-security-policy", csp.encode()), *common]
        self.data_headers = [(b"content-security-policy", DATA_CSP.encode()), *common]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                media = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                ours = self.page_headers if media[:9].lower() == b"text/html" else self.data_headers
                message["headers"] = headers + [h for h in ours if h[0] not in names]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:
                raise
            response = await unhandled_error(Request(scope), exc)
            await response(scope, receive, send_with_headers)


_RETRY_HINT = N_("retry in a moment")


class RequestWork:
    """Pure ASGI middleware: each HTTP request's work runs under a token (:class:`qkg.graph.serving.cancel.Work`)
    that stops it when its client leaves, when ``limit`` seconds pass, or when the server stops.

    The request's messages are read here, in a task of their own, and handed to the app: when the client
    disconnects before the answer is sent, the token is cancelled (a page's thread stops at its next store
    look-up, a pool query's worker is killed) and the app's task is cancelled.
    """

    def __init__(self, app, *, limit: float | None) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        work = cancel.Work(self.limit)
        inbox: asyncio.Queue = asyncio.Queue(maxsize=1)  # one message ahead: a body is read as the app reads it
        answered = started = False

        async def tracking_send(message) -> None:
            nonlocal answered, started
            await send(message)
            started = True
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True  # what runs after the answer (background tasks) is not the client's to stop

        with cancel.active(work):  # the app's task (and the threads it starts) inherit the token
            app_task = asyncio.ensure_future(self.app(scope, inbox.get, tracking_send))

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    if not answered and not app_task.done():
                        work.cancel(cancel.CLIENT_LEFT)
                        app_task.cancel()
                    with contextlib.suppress(asyncio.QueueFull):
                        inbox.put_nowait(message)
                    return
                await inbox.put(message)

        watcher = asyncio.ensure_future(watch())
        try:
            await asyncio.shield(app_task)
        except asyncio.CancelledError:
            if app_task.done() and work.cancelled:
                return  # the client left: nothing to answer
            if app_task.done():
                raise
            # this request's own task was cancelled: uvicorn's graceful shutdown (SIGTERM) ran out of time
            work.cancel(cancel.STOPPING)
            app_task.cancel()
            with contextlib.suppress(BaseException):
                await app_task
            if not started:
                response = error_response(
                    Request(scope), 503, cancel.STOPPING, hint=_RETRY_HINT, headers={"Retry-After": "5"}
                )
                with contextlib.suppress(Exception):
                    await response(scope, inbox.get, send)
        finally:
            watcher.cancel()


#: Paths whose requests are not counted by :class:`ClientShare`: files and the health check (cheap, and a page
#: asks many files at once).
_UNCOUNTED = ("/static/", "/health", "/i18n/", "/favicon")
_CLIENT_BUSY = N_("too many requests at once from this client")
_CLIENT_BUSY_HINT = N_("wait for the answers to the requests already sent before sending more")


class ClientShare:
    """Pure ASGI middleware: at most ``limit`` requests of one client (its API key, else its address, as
    :func:`~qkg.api.views.client_of` tells them) in flight at once; one more is a 429 with Retry-After, answered
    at once. A page, an API answer or a query each takes one of the server's threads while it runs (a deep
    neighbourhood, an export: seconds at 1M triples); without this, one address sending many at once held them
    all, and every other client waited (the SPARQL endpoint's own per-client share only counts queries)."""

    def __init__(self, app, *, limit: int, api_keys: frozenset[str]) -> None:
        self.app = app
        self.limit = limit
        self.api_keys = api_keys
        self.in_flight: dict[str, int] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope["path"].startswith(_UNCOUNTED):
            await self.app(scope, receive, send)
            return
        who = client_key(scope, self.api_keys)
        if self.in_flight.get(who, 0) >= self.limit:
            response = error_response(
                Request(scope), 429, _CLIENT_BUSY, hint=_CLIENT_BUSY_HINT, headers={"Retry-After": "2"}
            )
            await response(scope, receive, send)
            return
        self.in_flight[who] = self.in_flight.get(who, 0) + 1  # the event loop's thread alone counts: no lock
        try:
            await self.app(scope, receive, send)
        finally:
            left = self.in_flight[who] - 1
            if left:
                self.in_flight[who] = left
            else:
                del self.in_flight[who]


class HeadAsGet:
    """Pure ASGI middleware: answer HEAD like GET, without the body (load balancers probe /health this way)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_headers_only)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: refuse request bodies over ``max_body`` bytes with 413.

    A declared ``Content-Length`` over the cap is refused before a byte of the body is read; a body
    without length (chunked) is counted while the app reads it and refused as soon as it passes the cap.
    """

    def __init__(self, app, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await self._refuse(
                    scope, send, 400, Message(N_("invalid Content-Length header")), N_("send a decimal byte count")
                )
                return
            if declared > self.max_body:
                await self._refuse(scope, send, 413, self._message(declared), self._hint())
                return
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return message

        async def tracking_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send, 413, self._message(seen), self._hint())

    def _message(self, size: int) -> Message:
        return Message(
            N_("request body of {size:,}+ bytes is over the {limit:,}-byte limit"), size=size, limit=self.max_body
        )

    def _hint(self) -> str:
        return N_("send a shorter query (use VALUES for long lists), or run it locally on a dump (/dump.trig)")

    async def _refuse(self, scope, send, status: int, message: Message, hint: str) -> None:
        # in the language the client named (LanguageMiddleware runs first), numbers included; else as written
        lang = scope.get("state", {}).get("lang") if scope.get("state", {}).get("lang_asked") else None
        said = str(message) if lang is None else message.localized(i18n.gettext, lang)
        hint = hint if lang is None else i18n.gettext(hint)
        body = json.dumps(error_body(status, said, hint=hint)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
