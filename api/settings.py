"""Deployment settings, read once from the environment (``SYNERGRAPH_*``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


def _default_store() -> Path:
    return Path(user_data_dir("synergraph")) / "store"


class Settings(BaseSettings):
    """Everything an operator can set. Each field is read from ``SYNERGRAPH_<NAME>``.

    >>> Settings(store="/tmp/x").store
    PosixPath('/tmp/x')
    """

    model_config = SettingsConfigDict(env_prefix="SYNERGRAPH_")

    store: Path | str = Field(default_factory=_default_store,
                              description="Folder of the on-disk store (created and seeded on first use), or "
                              "the URL of a SPARQL 1.1 endpoint (query and update) that holds the store.")
    examples: bool = Field(default=True, description="Load the invented example set (its own named graph).")
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = Field(default=30.0, gt=0, description="Deadline of a query in seconds; a request "
                                 "may lower it with timeout=, never raise it.")
    max_result_bytes: int = Field(default=100 * 1024 * 1024, gt=0, description="Largest serialised result.")
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="Largest request body.")
    query_workers: int = Field(default=16, gt=0, description="Queries that may run at once (one worker "
                               "process each); more wait in the queue.")
    query_queue: int = Field(default=256, ge=0, description="Queries that may wait for a free worker (the wait "
                             "counts against their time limit); more are refused with 503.")
    idle_workers: int = Field(default=3, ge=0, description="Query workers kept started and waiting, so a "
                              "cheap query never waits for a process start.")
    tokens: str = Field(default="", description="Write tokens as name=sha256:<hex>, comma-separated "
                        "(see 'synergraph token create'); none and no tokens_file: read-only.")
    tokens_file: Path | None = Field(default=None, description="TOML file with a [tokens] table of "
                                     "name = \"sha256:<hex>\".")
    union_default_graph: bool = Field(default=True, description="The default graph of a query is the union "
                                      "of all named graphs.")
    service_allowlist: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Endpoints SERVICE may call "
                                         "(comma-separated or JSON list); empty: none.")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"], description="Origins allowed to query.")

    @field_validator("store", mode="before")
    @classmethod
    def _folder_or_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.lower().startswith(("http://", "https://")):
            return Path(value)
        return value

    @property
    def local_folder(self) -> Path:
        """The store's folder, or for a store behind an endpoint a local folder for what Synergraph
        keeps beside it (the search index).

        >>> Settings(store="/srv/store").local_folder
        PosixPath('/srv/store')
        >>> Settings(store="http://db.example:7878/query").local_folder.name
        'store'
        """
        if isinstance(self.store, Path):
            return self.store
        digest = hashlib.sha256(self.store.encode("utf-8")).hexdigest()[:16]
        return Path(user_cache_dir("synergraph")) / f"remote-{digest}" / "store"

    @field_validator("service_allowlist", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value
