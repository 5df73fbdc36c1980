"""The work of one request, and the way to stop it: when its client leaves, its time limit passes, or the server stops.

pyoxigraph cannot interrupt a query it is evaluating, so a page (many small, bounded look-ups in this process)
is stopped *between* them: :class:`Work` is the request's token, set for the request by the web app
(:class:`qkg.api.app.RequestWork`), and the embedded store calls :func:`check` before each query and every
:data:`CHECK_EVERY` rows it reads. A query sent to the worker pool is stopped at once: its worker is killed.

Outside a request (the build, the CLI, tests) there is no token and :func:`check` does nothing.

>>> work = Work(limit=None)
>>> with active(work):
...     check()  # nothing to stop yet
...     work.cancel(CLIENT_LEFT)
...     try:
...         check()
...     except WorkCancelled as exc:
...         print(exc.message)
the request was stopped: its client left
>>> check()  # no token outside the block
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
import weakref
from collections.abc import Iterator

from qkg.graph.errors import N_, WorkCancelled

__all__ = [
    "Work",
    "WorkCancelled",
    "CHECK_EVERY",
    "CLIENT_LEFT",
    "TIME_LIMIT",
    "STOPPING",
    "current",
    "check",
    "active",
    "cancel_all",
    "Beside",
]

#: Rows read between two checks of the token by the embedded store.
CHECK_EVERY = 256
#: Why work stops (the message of its :class:`WorkCancelled`; the web app's catalogue translates them).
CLIENT_LEFT = N_("the request was stopped: its client left")
TIME_LIMIT = N_("the request took longer than its time limit and was stopped")
STOPPING = N_("the request was stopped: the server is stopping")

_CURRENT: contextvars.ContextVar[Work | None] = contextvars.ContextVar("qkg_work", default=None)
_LIVE: weakref.WeakSet[Work] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


class Work:
    """The token of one request's work: cancelled by :meth:`cancel`, or expired ``limit`` seconds after it began.

    Parameters
    ----------
    limit : float or None
        Seconds the work may take (None: no limit).
    """

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.deadline = None if limit is None else time.monotonic() + limit
        self.reason: str | None = None
        self._event = threading.Event()
        with _LIVE_LOCK:
            _LIVE.add(self)

    def cancel(self, reason: str) -> None:
        """Stop the work at its next check (the first reason given is kept: one of the messages above)."""
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once cancelled or past its deadline."""
        if self._event.is_set():
            return True
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.cancel(TIME_LIMIT)
            return True
        return False

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no limit)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise :class:`WorkCancelled` if the work was stopped."""
        if self.cancelled:
            raise WorkCancelled(
                self.reason or STOPPING, hint=N_("ask for a smaller page (limit=, offset=) or retry later")
            )


def current() -> Work | None:
    """The token of the request being served in this context (None outside a request)."""
    return _CURRENT.get()


def check() -> None:
    """Raise :class:`WorkCancelled` if the current request's work was stopped; nothing outside a request."""
    work = _CURRENT.get()
    if work is not None:
        work.check()


@contextlib.contextmanager
def active(work: Work) -> Iterator[Work]:
    """Make ``work`` the current token in this context (threads started with its context inherit it)."""
    token = _CURRENT.set(work)
    try:
        yield work
    finally:
        _CURRENT.reset(token)


def cancel_all(reason: str) -> int:
    """Cancel every live token (the server is stopping); returns how many were still running."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    running = [w for w in live if not w.cancelled]
    for work in running:
        work.cancel(reason)
    return len(running)


class Beside:
    """``fn(*args)`` run in a thread of its own, under a token of its own (no time limit), while the caller does
    something else: the build's checks, beside its inference (both read the store in the engine with the GIL let
    go of, each on a core), and the built store's compaction, beside SHACL.

    :meth:`result` waits for it and returns its value (or raises its error). Leaving the ``with`` block waits for
    it too; when the block raised, it first stops it at its next check (as a request's work: between queries
    and every :data:`CHECK_EVERY` rows read), so that a failure or Ctrl-C is not held up by a long read. The waits
    are on an Event, not the thread's join: a join interrupted by Ctrl-C marks the thread as ended (CPython 3.11),
    and a second wait would return while it still reads a store the failed build is removing.

    >>> with Beside("qkg-doc", sum, [1, 2, 3]) as side:
    ...     side.result()
    6
    >>> def reads():
    ...     while True:
    ...         check()
    ...         time.sleep(0.01)
    >>> try:
    ...     with Beside("qkg-doc", reads) as side:
    ...         raise KeyError("the caller failed")
    ... except KeyError:
    ...     print(side.done(), type(side.error).__name__)
    True WorkCancelled
    """

    def __init__(self, name: str, fn, *args) -> None:
        self.work = Work(limit=None)
        self.error: BaseException | None = None
        self._value = None
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(fn, args), name=name, daemon=True).start()

    def _run(self, fn, args) -> None:
        try:
            with active(self.work):
                self._value = fn(*args)
        except BaseException as exc:  # raised again by result(), in the caller's thread
            self.error = exc
        finally:
            self._done.set()

    def done(self) -> bool:
        """Whether it has ended (returned or raised)."""
        return self._done.is_set()

    def wait(self) -> None:
        """Wait for it to end, whatever it returned or raised (a Ctrl-C interrupts the wait, not the thread: it
        can be taken again)."""
        self._done.wait()

    def result(self):
        """Its value once it has ended (its error raised again, if it raised one)."""
        self._done.wait()
        if self.error is not None:
            raise self.error
        return self._value

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.work.cancel(STOPPING)
        self._done.wait()
