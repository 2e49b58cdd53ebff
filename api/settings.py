"""Deployment settings, read once from the environment (``SYNERGRAPH_*``)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _default_store() -> Path:
    return Path(user_data_dir("synergraph")) / "store"


class Settings(BaseSettings):
    """Everything an operator can set. Each field is read from ``SYNERGRAPH_<NAME>``.

    >>> Settings(store="/tmp/x").store
    PosixPath('/tmp/x')
    """

    model_config = SettingsConfigDict(env_prefix="SYNERGRAPH_")

    store: Path = Field(default_factory=_default_store,
                        description="Folder of the on-disk store (created and seeded on first use).")
    examples: bool = Field(default=True, description="Load the invented example set (its own named graph).")
    host: str = "127.0.0.1"
    port: int = 8000
