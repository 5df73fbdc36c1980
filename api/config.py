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
