"""Fair sharing of the query workers between clients: a client can slow itself, not the others.

A :class:`QueryPool` alone serves callers first come, first served: two clients sending runaway queries back
to back keep every worker busy, and everyone else waits out the time limit. :class:`Admission` sits in front
of the pools, on the event loop (no locks: every method runs there), and decides who runs, who waits and who
is told to come back later:

===========================================  ===================================================
situation                                    answer
===========================================  ===================================================
the client already has ``per_client``        429 :class:`~qkg.graph.errors.TooManyQueries`,
queries running or waiting                   ``Retry-After``
the client used ``engine_seconds`` of        429, ``Retry-After`` = when enough of that time
engine time in the last ``window`` seconds   leaves the window
``queue`` queries already wait               503 at once, ``Retry-After`` (fail fast)
no worker within ``queue_wait`` seconds      503, ``Retry-After``
===========================================  ===================================================

The time spent waiting never counts toward the query's own time limit: a query is handed to its pool only
once a worker is free for it.

**The canned lane.** A pool of its own (one reserved worker) answers canned queries only, with the full limit
(they are ours and bounded): no client's query ever runs there, so none can hold it or get it killed.

**The fast lane.** Another pool (one reserved worker and a started spare) answers the queries of *light* clients
with a short limit ``fast_timeout``: a client is light once one of its queries (or a canned one) has run in under
``fast_timeout``, and until one runs longer (then it is *heavy* for a ``window``). A query that overruns the fast
lane is stopped there (the spare takes the killed worker's place at once) and runs again on the shared workers
with the full limit. A client with no record yet starts on the shared workers: a runaway from a new address
never reaches the fast lane, and a light client turned runaway holds it at most ``fast_timeout`` once a window.
Light clients wait for the fast lane in turn, one query per client per round (fair queuing), so one client
sending many cheap queries delays another's by one query, not by its whole backlog. Without a canned pool,
canned queries take the fast lane (ahead of the light clients' queries).

Examples
--------
>>> budget = Budget(engine_seconds=10, window=60)
>>> budget.charge("a", 6, now=0.0); budget.charge("a", 6, now=1.0)
>>> budget.spent("a", now=2.0)
12.0
>>> budget.retry_after("a", now=2.0)  # 6 s leave the window at t=60: then 6 s < 10 s
58
>>> budget.spent("a", now=61.5)
0.0
"""

from __future__ import annotations

__all__ = ["Admission", "Budget", "Lane"]

import asyncio
import math
import time
from collections import deque

from qkg.graph.errors import N_, NP_, QueryOutOfMemory, QueryTimeout, TooManyQueries
from qkg.graph.serving.pool import QueryPool


class Budget:
    """Engine seconds used per client over a sliding window."""

    def __init__(self, *, engine_seconds: float, window: float = 60.0) -> None:
        self.engine_seconds = engine_seconds
        self.window = window
        self._used: dict[str, deque[tuple[float, float]]] = {}

    def charge(self, client: str, seconds: float, *, now: float | None = None) -> None:
        """Record ``seconds`` of engine time for ``client``."""
        self._used.setdefault(client, deque()).append((time.monotonic() if now is None else now, seconds))

    def spent(self, client: str, *, now: float | None = None) -> float:
        """Engine seconds ``client`` used in the window ending ``now``."""
        used = self._expire(client, time.monotonic() if now is None else now)
        return float(sum(seconds for _, seconds in used))

    def retry_after(self, client: str, *, now: float | None = None) -> int:
        """Whole seconds until ``client`` is back under its budget (0 if it already is)."""
        now = time.monotonic() if now is None else now
        used = self._expire(client, now)
        total = sum(seconds for _, seconds in used)
        if total < self.engine_seconds:
            return 0
        for when, seconds in used:
            total -= seconds
            if total < self.engine_seconds:
                return max(1, math.ceil(when + self.window - now))
        return max(1, math.ceil(self.window))  # pragma: no cover - emptying the window always ends it

    def forget(self, now: float) -> None:
        """Drop every client whose time has left the window (bounded memory with many clients)."""
        for client in list(self._used):
            self._expire(client, now)

    def _expire(self, client: str, now: float) -> deque[tuple[float, float]]:
        used = self._used.get(client)
        if used is None:
            return deque()
        while used and used[0][0] <= now - self.window:
            used.popleft()
        if not used:
            del self._used[client]
        return used


class Lane:
    """Slots for a pool's workers, with a bounded queue (event loop only).

    Waiting callers are served by turns between keys (a client's address or key): the longest-waiting caller of
    the next key in turn gets the slot, so a key with many waiting queries delays the others by one query per
    round. Callers that share one key (the default) are served in arrival order. A ``priority`` caller goes
    ahead of every other.

    >>> async def demo():
    ...     lane, order = Lane(1, queue=8, wait=5), []
    ...     await lane.acquire()  # the one slot is taken
    ...     async def one(name, key):
    ...         await lane.acquire(key=key)
    ...         order.append(name)
    ...         lane.release()
    ...     tasks = [asyncio.create_task(one(n, k)) for n, k in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")]]
    ...     await asyncio.sleep(0)
    ...     lane.release()
    ...     await asyncio.gather(*tasks)
    ...     return order
    >>> asyncio.run(demo())
    ['a1', 'b1', 'a2', 'a3']
    """

    def __init__(self, slots: int, *, queue: int, wait: float) -> None:
        self.free = slots
        self.queue = queue
        self.wait = wait
        self._waiters: dict[object, deque[asyncio.Future]] = {}  # key -> its callers; dict order is the turn
        self._count = 0

    @property
    def waiting(self) -> int:
        return self._count

    async def acquire(self, *, queue: bool = True, key: object = None, priority: bool = False) -> None:
        """Take a slot; wait for one in turn (unless not ``queue``). Raises TooManyQueries (503) when the queue
        is full, the wait ends, or a slot is not free at once and ``queue`` is False."""
        if self.free > 0 and not self._count:
            self.free -= 1
            return
        if not queue:
            raise self._busy(N_("no worker of this lane is free; retry in a moment"))
        if self._count >= self.queue:
            raise self._busy(
                NP_(
                    "{n} query is already waiting for a query worker; retry in a moment",
                    "{n} queries are already waiting for a query worker; retry in a moment",
                ),
                n=self._count,
            )
        waiter = asyncio.get_running_loop().create_future()
        key = _PRIORITY if priority else key
        if key not in self._waiters:
            self._waiters[key] = deque()
            if priority:  # first in turn
                self._waiters = {key: self._waiters.pop(key), **self._waiters}
        self._waiters[key].append(waiter)
        self._count += 1
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.wait)
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return  # handed a slot just as the wait ended: keep it
            waiter.cancel()
            raise self._busy(
                N_("no query worker was free within {seconds:g} s; retry in a moment"), seconds=self.wait
            ) from None
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # got a slot but was cancelled: pass it on
            else:
                waiter.cancel()
            raise
        finally:
            self._forget(key, waiter)

    def release(self) -> None:
        """Give the slot to the next caller in turn, or free it."""
        while self._waiters:
            key = next(iter(self._waiters))
            queue = self._waiters.pop(key)
            waiter = queue.popleft()
            self._count -= 1
            if queue:
                self._waiters[key] = queue  # its next caller: after the other keys' (the priority key stays first)
                if key is _PRIORITY:
                    self._waiters = {key: self._waiters.pop(key), **self._waiters}
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1

    def _forget(self, key: object, waiter: asyncio.Future) -> None:
        queue = self._waiters.get(key)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            self._count -= 1
            if not queue:
                del self._waiters[key]

    def _busy(self, what: str, **fields) -> TooManyQueries:
        return TooManyQueries(
            what,
            retry_after=max(1, math.ceil(self.wait / 2)),
            status=503,
            hint=N_("the server is busy with other clients' queries"),
            fields=fields or None,
        )


_PRIORITY = object()  # the key of the callers that go first


class Admission:
    """Per-client limits and three lanes in front of the query pools.

    Parameters
    ----------
    pool : QueryService
        The shared workers (:class:`~qkg.graph.serving.pool.QueryPool`, or a remote store's query service).
    slots : int, optional
        Queries the shared workers run at once (default ``pool.size``).
    fast : QueryPool, optional
        The reserved worker(s) of the fast lane; None: no fast lane.
    canned : QueryPool, optional
        The reserved worker(s) of canned queries (the full limit); None: canned queries take the fast lane.
    fast_timeout : float
        The limit of other queries on the fast lane; past it they continue on the shared workers.
    per_client : int
        Queries one client may have running or waiting at once.
    engine_seconds : float
        Engine seconds one client may use per ``window`` seconds.
    queue : int
        Most queries waiting for a shared worker; past it, 503 at once.
    queue_wait : float
        Longest wait for a worker, in seconds.
    window : float
        The sliding window of the budget and of the heavy mark, in seconds.
    """

    def __init__(
        self,
        pool,
        fast=None,
        canned=None,
        *,
        slots: int | None = None,
        fast_timeout: float = 0.5,
        per_client: int = 2,
        engine_seconds: float = 30.0,
        queue: int = 8,
        queue_wait: float = 10.0,
        window: float = 60.0,
    ) -> None:
        self.pool = pool
        self.fast = fast
        self.canned = canned
        self.per_client = per_client
        self.fast_timeout = fast_timeout
        self.budget = Budget(engine_seconds=engine_seconds, window=window)
        self.window = window
        self.main_lane = Lane(slots or pool.size, queue=queue, wait=queue_wait)
        # only canned queries and light clients queue there: what runs ahead of them is fast, or one newcomer
        # stopped at fast_timeout
        self.fast_lane = Lane(1, queue=queue, wait=queue_wait) if fast is not None else None
        self.canned_lane = Lane(1, queue=queue, wait=queue_wait) if canned is not None else None
        self._active: dict[str, int] = {}
        self._heavy: dict[str, float] = {}  # client -> until when it stays off the fast lane
        self._light: dict[str, float] = {}  # client -> until when it may queue for the fast lane

    async def run(self, client: str, query: str, *, canned: bool = False, **kwargs):
        """Run ``query`` for ``client`` on the fast lane or the shared workers; ``kwargs`` go to ``arun``.

        Raises
        ------
        TooManyQueries
            429 past the client's limits, 503 when the queue is full or no worker came free.
        """
        now = time.monotonic()
        if self._active.get(client, 0) >= self.per_client:
            raise TooManyQueries(
                NP_(
                    "you already have {n} query running or waiting; send the next one when it ends",
                    "you already have {n} queries running or waiting; send the next one when one ends",
                ),
                retry_after=1,
                hint=N_("run your queries one after the other"),
                fields={"n": self.per_client},
            )
        if self.budget.spent(client, now=now) >= self.budget.engine_seconds:
            raise TooManyQueries(
                N_("your queries used the {seconds:g} s of engine time allowed per {window:g} s"),
                retry_after=self.budget.retry_after(client, now=now),
                hint=N_("make the queries cheaper (LIMIT, fewer unbound variables), or run them on a dump"),
                fields={"seconds": self.budget.engine_seconds, "window": self.window},
            )
        self._active[client] = self._active.get(client, 0) + 1
        try:
            light = self._light.get(client, 0.0) > now and self._heavy.get(client, 0.0) <= now
            if canned and self.canned is not None and self.canned_lane is not None:
                try:
                    return await self._on(self.canned_lane, self.canned, client, query, kwargs, canned=True)
                except TooManyQueries:
                    pass  # the canned lane is busy: take the shared workers
            elif self.fast is not None and self.fast_lane is not None and (canned or light):
                limit = None if canned else self.fast_timeout  # canned queries: ours, bounded, the full limit
                try:
                    return await self._on(
                        self.fast_lane, self.fast, client, query, kwargs, timeout=limit, canned=canned
                    )
                except TooManyQueries:
                    pass  # the fast lane is busy: take the shared workers
                except QueryTimeout as exc:
                    if canned or isinstance(exc, QueryOutOfMemory):
                        raise
                    # overran the fast lane (now marked heavy): run again with the full limit
            return await self._on(self.main_lane, self.pool, client, query, kwargs, canned=canned)
        finally:
            left = self._active[client] - 1
            if left:
                self._active[client] = left
            else:
                del self._active[client]
            self._forget(now)

    async def _on(
        self,
        lane: Lane,
        pool,
        client: str,
        query: str,
        kwargs: dict,
        *,
        timeout: float | None = None,
        canned: bool = False,
    ):
        await lane.acquire(key=client, priority=canned)
        started = time.monotonic()
        ok, waited = False, 0.0
        try:
            # a worker being replaced after a kill: that wait does not count toward the query's limit either
            extra = {"timeout": timeout, "wait": lane.wait} if isinstance(pool, QueryPool) else {}
            result = await pool.arun(query, **kwargs, **{k: v for k, v in extra.items() if v is not None})
            ok, waited = True, result.waited
            return result
        finally:
            lane.release()
            spent = time.monotonic() - started - waited  # the engine's time, not the wait for a worker
            self.budget.charge(client, spent)
            now = time.monotonic()
            if canned and not ok:
                pass  # a slow canned query says nothing about the client's own queries
            elif (
                self.fast is not None and spent > self.fast_timeout and not canned
            ):  # a slow query: off the fast lane for a window
                self._heavy[client] = now + self.window
                self._light.pop(client, None)
            elif ok and self._heavy.get(client, 0.0) <= now:
                self._light[client] = now + self.window

    def _forget(self, now: float) -> None:
        """Drop heavy marks that expired (bounded memory with many clients)."""
        if len(self._heavy) > 1024:
            self._heavy = {c: until for c, until in self._heavy.items() if until > now}
        if len(self._light) > 1024:
            self._light = {c: until for c, until in self._light.items() if until > now}
        if len(self.budget._used) > 4096:
            self.budget.forget(now)
