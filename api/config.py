"""Settings, declared once (name, type, default, help) and injected; read from ``QKG_*`` environment variables.

>>> Settings(query_timeout=3).query_timeout
3.0
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything configurable about qkg; CLI flags override the environment."""

    model_config = SettingsConfigDict(env_prefix="QKG_", extra="ignore")

    data_dir: Path = Field(Path(".qkg"), description="Where builds are stored (git-ignored).")
    host: str = Field("127.0.0.1", description="Interface to bind; 127.0.0.1 means this machine only.")
    port: int = Field(8000, description="TCP port of the web app.")
    query_timeout: float = Field(10.0, description="Wall-clock limit of a SPARQL query, in seconds.")
    max_rows: int = Field(10_000, description="Most rows (or triples) a query may return; more is truncated.")
    max_body: int = Field(1_000_000, description="Largest request body accepted, in bytes (413 above).")
    workers: int = Field(2, description="Query worker processes (each can be killed on timeout).")
    public_base: str = Field("", description="External URL of the app, if behind a proxy (for VoID, links).")
    store: str = Field(
        "",
        description="Serve from this SPARQL 1.1 store (its query endpoint URL, where "
        "`qkg build --publish` put the build) instead of the local build; credentials from "
        "QKG_STORE_USER and QKG_STORE_PASSWORD or QKG_STORE_PASSWORD_FILE.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the app answers for (400 for others); empty: localhost, the bound address and "
        'the host of public_base; ["*"] for any.',
    )
    max_header_bytes: int = Field(32_768, description="Largest request head (request line and headers), bytes (431).")
    max_headers: int = Field(100, description="Most header lines in one request (431 above).")
    client_queries: int = Field(
        2, description="Queries one client (address or API key) may run or queue at once (429)."
    )
    client_requests: int = Field(
        8,
        description="Requests (pages, API answers, queries; not static files) one client may have in flight at "
        "once; more: 429 with Retry-After at once, so that no client holds the server's threads.",
    )
    client_engine_seconds: float = Field(
        30.0, description="Engine seconds one client may use per minute; past it, 429 with Retry-After."
    )
    queue: int = Field(8, description="Queries waiting for a worker, beyond which a new one gets 503 at once.")
    export_max_edges: int = Field(
        200_000,
        description="Largest projection (links) /api/analysis/export writes as GEXF or GraphML (400 above; CSV "
        "is written at any size): at 1M triples the typed projection (302,549 links) took 38 s and 1.5 GB of the server as GEXF, the actors' (134,856) 13 s.",
    )
    exact_betweenness_max: int = Field(
        3000,
        description="Largest network (nodes) whose betweenness the analysis API computes exactly when asked "
        "(betweenness=exact; 400 above): igraph's exact computation holds the server while it runs.",
    )
    queue_wait: float = Field(
        10.0, description="Longest wait for a worker, in seconds (not counted in the query limit)."
    )
    fast_lane_timeout: float = Field(
        0.5,
        description="Limit, on the reserved worker, of the queries of clients with no slow query in the last "
        "minute (canned queries get the full limit there); a query that runs longer continues on the shared "
        "workers. 0: no reserved worker.",
    )
    canned_lane: bool = Field(
        True,
        description="A reserved worker for the canned queries (/queries), which no client's own query can hold.",
    )
    worker_memory_mb: int = Field(
        2048, description="Address space of each query worker (RLIMIT_AS), MB; a query past it gets 503. 0: none."
    )
    page_timeout: float = Field(
        30.0,
        description="Wall-clock limit of a request's work (a page, an API answer), seconds: past it, or when its "
        "client leaves, the work stops at its next store look-up (503). 0: none.",
    )
    shutdown_grace: float = Field(
        3.0,
        description="Seconds requests in flight get after SIGTERM before their work is cancelled and the server exits.",
    )
    api_keys: list[str] = Field(
        default_factory=list, description="API keys (X-API-Key header); a client sending one is budgeted by its key."
    )

    def hosts(self) -> tuple[str, ...]:
        """The ``Host`` names to answer for: ``allowed_hosts``, or loopback, the bound address and the public base's.

        >>> Settings(public_base="https://qkg.example.org/").hosts()
        ('localhost', '127.0.0.1', '::1', 'qkg.example.org')
        """
        if self.allowed_hosts:
            return tuple(self.allowed_hosts)
        hosts = ["localhost", "127.0.0.1", "::1"]
        if self.host not in ("0.0.0.0", "::", "", *hosts):
            hosts.append(self.host)
        if self.public_base:
            from urllib.parse import urlsplit

            name = urlsplit(self.public_base).hostname
            if name and name not in hosts:
                hosts.append(name)
        return tuple(hosts)
