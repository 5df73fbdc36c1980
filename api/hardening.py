"""Limits on a request's head, in front of httptools (uvicorn's fast HTTP parser), and the Host allow-list.

httptools has no limit on the size or number of header lines, and it gathers a long header value by
concatenation: one connection sending a 200 MB header stalls the event loop for tens of seconds. So the
protocol below counts the bytes of each request head as they arrive (before the parser sees them) and the
header lines as they are parsed; past ``max_bytes`` or ``max_count`` the connection gets 431 (Request Header
Fields Too Large) and is closed. h11 has ``h11_max_incomplete_event_size`` for the same purpose, but
httptools parses a request several times faster, so the limits sit in front of it instead.

:class:`AllowedHosts` refuses a request whose ``Host`` is not one this server answers for (400): Starlette
builds redirects (``/sparql/`` -> ``/sparql``) and the service description from ``Host``, so an
unchecked ``Host: evil.example`` would be echoed back in ``Location`` and in the endpoint's own IRI.

Examples
--------
>>> protocol = limited_http(max_bytes=8192, max_count=50)
>>> protocol.max_bytes, protocol.max_count
(8192, 50)
>>> host_allowed(b"127.0.0.1:8000", ("127.0.0.1", "localhost"))
True
>>> host_allowed(b"evil.example", ("127.0.0.1", "localhost"))
False
"""

from __future__ import annotations

import json

from qkg.api.i18n import said
from qkg.graph.errors import N_, Message
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["limited_http", "AllowedHosts", "host_allowed", "MAX_HEADER_BYTES", "MAX_HEADERS"]

#: Largest request head (request line and header lines) in bytes; nginx's default is 4 x 8 KB buffers.
MAX_HEADER_BYTES = 32_768
#: Most header lines in one request.
MAX_HEADERS = 100


class _TooManyHeaders(Exception):
    pass


class _LimitedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a cap on the bytes and the lines of each request head."""

    max_bytes = MAX_HEADER_BYTES
    max_count = MAX_HEADERS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._in_body = False
        self._head_bytes = 0
        self._head_lines = 0
        self._parsed = 0
        self._too_large = False
        self._refused = False
        self._url = b""  # the parts of the head that name the reader's language, as parsed (the refusal's)
        self._lang_headers: list[tuple[bytes, bytes]] = []

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._in_body:  # a head is arriving (a read may also hold the start of the body: parse it first)
            self._head_bytes += len(data)
        super().data_received(data)
        if not self._in_body and not self._refused and self._head_bytes > self.max_bytes:
            self._refuse(Message(N_("request head over {limit:,} bytes: refused"), limit=self.max_bytes))

    def on_message_begin(self) -> None:
        self._head_lines = 0
        self._parsed = 0  # the head's bytes as parsed: the address and the header lines
        self._too_large = False
        self._url, self._lang_headers = b"", []
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._parsed += len(url)
        if len(self._url) < self.max_bytes:
            self._url += url
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_lines += 1
        self._parsed += len(name) + len(value) + 4
        if name.lower() in (b"accept-language", b"cookie") and len(value) < 4096:
            self._lang_headers.append((name.lower(), value))
        if self._head_lines > self.max_count:
            raise _TooManyHeaders
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # a head that came whole in one read is counted here, as parsed (data_received counts it read by read,
        # and would only see it once the parser had taken it in: a 100 kB header in one read went through)
        if self._parsed > self.max_bytes:
            self._too_large = True
            raise _TooManyHeaders
        self._in_body = True
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._too_large:
            self._refuse(Message(N_("request head over {limit:,} bytes: refused"), limit=self.max_bytes))
        elif self._head_lines > self.max_count:
            self._refuse(Message(N_("more than {count} header lines: refused"), count=self.max_count))
        else:
            super().send_400_response(msg)

    def _refuse(self, what: Message) -> None:
        """431 with the one JSON error shape, then close: the rest of the head is never read.

        In the language the head names (``?lang=``, the ``qkg_lang`` cookie, Accept-Language), as far as it was
        parsed: a head refused before its address or its Accept-Language was parsed gets the English."""
        self._refused = True
        scope = {"query_string": self._url.partition(b"?")[2], "headers": self._lang_headers}
        hint = Message(
            N_(
                "send at most {count} header lines and {limit:,} bytes of address and headers"
                " (a long SPARQL query goes in a POST body)"
            ),
            count=self.max_count,
            limit=self.max_bytes,
        )
        body = json.dumps({"ok": False, "error": said(what, scope), "status": 431, "hint": said(hint, scope)}).encode()
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
        )
        self.transport.close()


def limited_http(*, max_bytes: int = MAX_HEADER_BYTES, max_count: int = MAX_HEADERS) -> type[HttpToolsProtocol]:
    """The protocol class to pass as uvicorn's ``http=``: httptools with these head limits."""
    return type("LimitedHttpTools", (_LimitedHttpTools,), {"max_bytes": max_bytes, "max_count": max_count})


def host_allowed(host: bytes, allowed: tuple[str, ...]) -> bool:
    """True when the ``Host`` header (port ignored) is one of ``allowed`` (``*`` allows any; ``*.x`` any under x)."""
    name = host.decode("latin-1").strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    for pattern in allowed:
        if pattern == "*" or pattern == name or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


class AllowedHosts:
    """Pure ASGI middleware: 400 for a request whose ``Host`` is not in ``allowed`` (never echoed back)."""

    def __init__(self, app, *, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = tuple(h.lower() for h in allowed)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope["headers"] if k == b"host"), b"")
        if host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "ok": False,
                "error": said(N_("this server does not answer for the host named in the request"), scope),
                "status": 400,
                "hint": said(
                    N_(
                        "use the server's own address; its operator lists others in QKG_ALLOWED_HOSTS or QKG_PUBLIC_BASE"
                    ),
                    scope,
                ),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
