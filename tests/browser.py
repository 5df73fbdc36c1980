"""Headless Chromium for the browser tests (a helper, not a test module).

Playwright's Python API drives Debian's ``/usr/bin/chromium``: Playwright's own browser download is not
reachable here, only its driver (bundled in the wheel) is used. Every page records what a test needs to
prove a view is offline and clean::

    import pytest
    from tests.browser import assert_local_only, assert_no_console_errors, chromium_page

    @pytest.mark.browser
    def test_network_page(browser_env, live_server):
        with chromium_page() as session:
            session.page.goto(live_server + "/network")
            session.page.wait_for_function("() => window.network !== undefined")
            assert_local_only(session.requests)
            assert_no_console_errors(session)
            assert session.dialogs == []          # an injected alert() would show up here

``browser_env`` (tests/conftest.py) skips the test when Chromium is absent, unless ``QKG_REQUIRE_BROWSER``
is set (CI sets it, so there a missing browser fails).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PageSession",
    "assert_local_only",
    "assert_no_console_errors",
    "chromium_page",
    "is_local_url",
    "screenshot",
]

CHROMIUM = Path("/usr/bin/chromium")
#: The README's screenshots, rewritten only when asked: ``QKG_SCREENSHOTS=1`` (a plain test run leaves the tree
#: clean).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# Without the background-networking flags Chromium keeps trying Google's hosts, which this machine refuses.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


@dataclass
class PageSession:
    """A Playwright page and what happened on it.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The page, on a fresh browser context (empty profile, no cache).
    requests : list of str
        Every request URL made by any page of the context, in order (empty if not recorded).
    console_errors : list of str
        ``console.error`` messages, failed resource loads included, with their source location.
    page_errors : list of str
        Uncaught exceptions thrown by page scripts.
    dialogs : list of str
        ``alert``/``confirm``/``prompt``/``beforeunload`` dialogs as ``"type: message"``; each is dismissed.
    """

    page: object
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Console errors and page errors together."""
        return [*self.console_errors, *self.page_errors]


@contextlib.contextmanager
def chromium_page(
    *,
    record_requests: bool = True,
    timeout_ms: float = 15_000,
    viewport: tuple[int, int] = (1280, 800),
    locale: str = "fr-CA",
) -> Iterator[PageSession]:
    """Launch headless Chromium and yield a :class:`PageSession`; close everything on exit.

    Parameters
    ----------
    record_requests : bool
        Record every request URL in ``session.requests``.
    timeout_ms : float
        Default timeout of page actions and waits.
    viewport : (int, int)
        Page width and height in CSS pixels.
    locale : str
        The browser's language (its Accept-Language): French, as the committee's browsers; pass ``"en-US"``
        to see the English pages.

    Raises
    ------
    RuntimeError
        If ``/usr/bin/chromium`` is missing (use the ``browser_env`` fixture to skip instead).
    """
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install chromium (python3 scripts/dev.py test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale=locale)
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            session = PageSession(page=page)
            if record_requests:
                context.on("request", lambda request: session.requests.append(request.url))
            page.on("console", lambda msg: _on_console(session, msg))
            page.on("pageerror", lambda exc: session.page_errors.append(str(exc)))
            page.on("dialog", lambda dialog: _on_dialog(session, dialog))
            yield session
        finally:
            browser.close()


def _on_console(session: PageSession, msg) -> None:
    if msg.type == "error":
        where = msg.location or {}
        suffix = f" ({where.get('url')}:{where.get('lineNumber')})" if where.get("url") else ""
        session.console_errors.append(msg.text + suffix)


def _on_dialog(session: PageSession, dialog) -> None:
    session.dialogs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


def screenshot(page, name: str, **options) -> Path | None:
    """Save ``docs/screenshots/{name}.png`` when ``QKG_SCREENSHOTS=1``; otherwise take nothing and return None."""
    if os.environ.get("QKG_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


def is_local_url(url: str) -> bool:
    """True for URLs served by this machine: loopback hosts, or ``data:``, ``blob:``, ``about:``.

    >>> is_local_url("http://127.0.0.1:8000/static/vendor/leaflet.js"), is_local_url("data:,")
    (True, True)
    >>> is_local_url("https://unpkg.com/leaflet.js"), is_local_url("http://127.0.0.1.evil.example/")
    (False, False)
    """
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


def assert_local_only(requests: Iterable[str]) -> None:
    """Fail, listing them, if any request URL leaves this machine (a CDN, a tile server, a web font...)."""
    outside = [url for url in requests if not is_local_url(url)]
    assert not outside, f"{len(outside)} request(s) left the machine: {outside[:10]}"


def assert_no_console_errors(session: PageSession | Iterable[str], *, allow: Iterable[str] = ()) -> None:
    """Fail if the page logged a console error or threw, except messages matching a regex in ``allow``.

    Accepts a :class:`PageSession` (console and page errors) or any iterable of messages.
    """
    messages = session.errors if isinstance(session, PageSession) else list(session)
    patterns = [re.compile(p) for p in allow]
    left = [m for m in messages if not any(p.search(m) for p in patterns)]
    assert not left, f"{len(left)} console/page error(s): {left[:10]}"


def find_path(page, typed: str, target: str = "Innovaud", *, choice: str | None = None) -> None:
    """On ``/analysis``, choose the path finder's ends by typing their labels (``typed`` for the first, the first
    suggestion, or the one with ``choice``; ``target`` for the second), check the first end is the City, and draw
    the paths."""
    box = page.locator("#path-from")
    box.fill("")
    box.type(typed)  # a label, never a slug
    page.wait_for_selector("#path-from-list li")
    suggestions = page.locator("#path-from-list li", has_text=choice) if choice else page.locator("#path-from-list li")
    suggestions.first.dispatch_event("mousedown")
    assert box.get_attribute("data-iri") == "https://w3id.org/qkg/id/ville-de-quebec"
    other = page.locator("#path-to")
    other.fill("")
    other.type(target)
    page.wait_for_selector("#path-to-list li")
    page.locator("#path-to-list li").first.dispatch_event("mousedown")
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-graph[data-drawn]")
